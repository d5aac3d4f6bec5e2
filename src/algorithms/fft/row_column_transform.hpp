// A real 2-D transform of L0 x L1 done as its two passes: a 1-D r2c per row,
// then L1/2+1 column transforms; the inverse runs the columns, then c2r on
// only the rows a block keeps. Against FFTW's own 2-D r2c plan (which
// copies through a buffer) it is ~10% faster at 256x512; its rows can be read
// straight out of x, so an overlap-save block needs no gather for the rows
// that lie inside the image, and rows of zeros cost nothing.
//
// Spectrum layout: L0 rows of `row_stride()` interleaved complex values (the
// L1/2+1 bins, then one zeroed pad bin when that count is odd, so every row
// starts 16-byte aligned as FFTW's new-array execute requires).
#pragma once

#include <cstdint>
#include <memory>

#include "algorithms/fft/fftw_plans.hpp"

namespace faltung::fft {

template <class T>
class RowColumnTransform {
 public:
  virtual ~RowColumnTransform() = default;
  virtual std::int64_t row_stride() const = 0;         // complex values per spectrum row
  virtual std::int64_t spectrum_elements() const = 0;  // L0 * row_stride()
  // rows[i]: row i's L1 samples, 16-byte aligned, not modified; null for a
  // row of zeros (its transform is skipped).
  virtual void forward(const T* const* rows, T* spec) const = 0;
  // Rows first, first+1, ... (modulo L0), `rows` of them, into out (dense
  // L0 x L1, 16-byte aligned); the other rows of out are left as they are.
  // Destroys spec.
  virtual void inverse(T* spec, T* out, std::int64_t first, std::int64_t rows) const = 0;
};

// Complex values of the spectrum of L0 x L1 in this layout.
inline std::int64_t row_column_spectrum_elements(std::int64_t L0, std::int64_t L1) {
  return L0 * ((L1 / 2 + 2) / 2 * 2);
}

// Whether lengths (L0, L1) suit it: at least 128x128 samples (FFTW's own
// 2-D plan is faster below) and L1 * sizeof(T) a multiple of 16.
template <class T>
bool row_column_suits(std::int64_t L0, std::int64_t L1);

// The cached transform for (T, L0, L1, effort); made on first use.
template <class T>
std::shared_ptr<const RowColumnTransform<T>> row_column_transform(std::int64_t L0, std::int64_t L1,
                                                                   PlanEffort effort);

}  // namespace faltung::fft
