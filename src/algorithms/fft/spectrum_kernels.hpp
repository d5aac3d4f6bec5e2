// The per-sample loops of an FFT block on the best SIMD target (the library
// is built without -march, so plain loops would run SSE2 code).
#pragma once

#include <cstddef>

namespace faltung::fft {

struct SpectrumKernels {
  const char* target;
  // spec[i] *= h[i] for `count` interleaved complex values.
  void (*multiply_f32)(float* spec, const float* h, std::size_t count);
  void (*multiply_f64)(double* spec, const double* h, std::size_t count);
  // dst[i] = src[i] for n scalars; true when every value is finite.
  bool (*copy_f32)(float* dst, const float* src, std::size_t n);
  bool (*copy_f64)(double* dst, const double* src, std::size_t n);
  // As copy, with non-temporal stores (outputs much larger than the caches);
  // flush_streams() orders them before the data is handed on.
  bool (*stream_f32)(float* dst, const float* src, std::size_t n);
  bool (*stream_f64)(double* dst, const double* src, std::size_t n);
  void (*flush_streams)();
};

const SpectrumKernels& best_spectrum_kernels();

// k's spec[i] *= h[i] for `count` interleaved complex values of T.
template <class T>
void multiply_spectrum(const SpectrumKernels& k, T* spec, const T* h, std::size_t count) {
  if constexpr (sizeof(T) == 4)
    k.multiply_f32(spec, h, count);
  else
    k.multiply_f64(spec, h, count);
}

}  // namespace faltung::fft
