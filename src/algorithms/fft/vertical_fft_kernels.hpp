// Complex FFTs down the columns of a row-major spectrum, a vector of
// adjacent columns at a time ("vertical": every butterfly works on whole
// vectors of bins, so no transposes and no shuffles), on the best SIMD
// target. The row-column transform (row_column_transform.hpp) uses them for
// its column pass when the column length is a power of two and the spectrum
// at most 5 MiB: 256 x 257 bins f32 forward and inverse in 0.053 ms,
// against 0.124 for FFTW's contiguous columns plus the transposes they need.
//
// Layout: rows `stride` scalars apart, each split into P real parts then P
// imaginary parts (P a multiple of 64 bytes' worth of scalars, 64-byte
// aligned; bins past a row's last are zeros). Radix-4 passes (and one
// radix-2 pass for odd powers of two) in place; the forward transform
// leaves the rows in bit-reversed frequency order and the inverse takes
// them in that order, so a convolution's pointwise product needs no
// reordering. The inverse (of a product with such a spectrum) is unscaled:
// L times the true inverse.
#pragma once

#include <cstddef>
#include <cstdint>

namespace faltung::fft {

template <class T>
struct VerticalFftLoops {
  // `bins` interleaved complex values to a split row of P (zeros past
  // bins), and back.
  void (*split)(const T* interleaved, std::int64_t bins, std::int64_t P, T* split);
  void (*join)(const T* split, std::int64_t bins, std::int64_t P, T* interleaved);
  // Columns 0..P-1 of L rows (L a power of two >= 2); twiddles: L complex
  // values exp(-2 pi i k / L), interleaved.
  void (*forward)(T* rows, std::int64_t L, std::int64_t stride, std::int64_t P, const T* twiddles);
  // rows := inverse(rows * h), h in the same layout (a forward's output).
  void (*product_inverse)(T* rows, const T* h, std::int64_t L, std::int64_t stride, std::int64_t P, const T* twiddles);
};

struct VerticalFftKernels {
  const char* target;
  VerticalFftLoops<float> f32;
  VerticalFftLoops<double> f64;
};

const VerticalFftKernels& best_vertical_fft_kernels();

template <class T>
const VerticalFftLoops<T>& vertical_fft_loops() {
  if constexpr (sizeof(T) == 4)
    return best_vertical_fft_kernels().f32;
  else
    return best_vertical_fft_kernels().f64;
}

}  // namespace faltung::fft
