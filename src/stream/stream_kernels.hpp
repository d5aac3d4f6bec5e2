// The per-sample loops of the stream filters, on the best SIMD target (the
// library is built without -march, so plain loops would run SSE2 code).
#pragma once

#include <cstddef>

namespace faltung::stream {

// One frame of many channels, direct form, time-major history:
//   dst[c] = sum_{i<m} w(i, c) * rows[i][c]      c < channels
// with w(i, c) = taps[i] (shared kernel) or taps[i * channels + c]. Each
// output starts at 0 and adds its products with one fused multiply-add each,
// i ascending: the order of the direct method's row kernels.
template <class T>
struct ChannelJob {
  const T* const* rows;  // m rows of `channels` samples, oldest first
  const T* taps;         // oriented taps (reversed w), m or m * channels
  std::size_t m;
  std::size_t channels;
  bool per_channel;
  T* dst;
};

struct StreamKernels {
  const char* target;
  void (*channels_f32)(const ChannelJob<float>&);
  void (*channels_f64)(const ChannelJob<double>&);
  // acc[i] += a[i] * b[i] for `count` interleaved complex values.
  void (*multiply_add_f32)(float* acc, const float* a, const float* b, std::size_t count);
  void (*multiply_add_f64)(double* acc, const double* a, const double* b, std::size_t count);
};

const StreamKernels& best_stream_kernels();

}  // namespace faltung::stream
