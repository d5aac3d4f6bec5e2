// FFTW plans for the FFT methods: made once under one lock (FFTW's planner is
// not thread-safe), cached for the life of the process, executed with FFTW's
// new-array interface on the caller's workspace (which is thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace faltung::fft {

// Forward and inverse transforms of one shape, unnormalised as FFTW computes them.
//   real:    r2c from a dense real array of `dims` to its half spectrum
//            (last dimension dims.back()/2+1), and c2r back (destroys its input).
//   complex: in-place c2c on a dense complex array of `dims`.
// Arrays passed to execute must be 64-byte aligned, as the planning arrays were.
template <class T>
class TransformPair {
 public:
  virtual ~TransformPair() = default;
  virtual void forward(T* in, T* out) const = 0;  // out: interleaved complex
  virtual void inverse(T* in, T* out) const = 0;  // in: interleaved complex
};

// How long FFTW may spend planning: estimate (heuristic, instant) or measure
// (times candidate algorithms; worth it for block transforms used many times).
enum class PlanEffort { estimate, measure };

// The cached pair for (T, real/complex, dims, effort); made on first use.
template <class T>
std::shared_ptr<const TransformPair<T>> transform_pair(bool real, const std::vector<std::int64_t>& dims,
                                                       PlanEffort effort);

// Number of interleaved-complex elements of the spectrum of dims.
std::int64_t spectrum_elements(bool real, const std::vector<std::int64_t>& dims);

}  // namespace faltung::fft
