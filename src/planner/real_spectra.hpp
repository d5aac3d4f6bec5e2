// Whole-array real spectra for the signal layer's frequency-domain methods
// (Wiener deconvolution), made by the FFT plans the FFT methods use. The
// planner owns which transform runs; the signal layer, which may use the
// planner but not the algorithms beneath it, goes through here.
#pragma once

#include <cstdint>
#include <memory>

#include "faltung/problem.hpp"

namespace faltung::fft {
template <class T>
class TransformPair;
}

namespace faltung::planner {

class RealSpectra {
 public:
  // Plans (or finds the cached plan) for real arrays of `shape`.
  explicit RealSpectra(const Shape& shape);
  ~RealSpectra();

  // Complex bins of one spectrum (a half spectrum along the last axis).
  std::int64_t bins() const { return bins_; }
  // in: a dense real array, 64-byte aligned; spectrum: 2 * bins() doubles,
  // interleaved complex.
  void forward(double* in, double* spectrum) const;
  // Unnormalised (scale by 1 / elements); destroys `spectrum`.
  void inverse(double* spectrum, double* out) const;

 private:
  std::shared_ptr<const fft::TransformPair<double>> pair_;
  std::int64_t bins_;
};

}  // namespace faltung::planner
