// The dtype's entry of the SIMD kernel tables the stream engines use.
#pragma once

#include "algorithms/direct/row_kernels.hpp"
#include "stream/stream_kernels.hpp"

namespace faltung::stream {

template <class T>
bool (*row_kernel(const direct::RowKernelTable& k))(const direct::RowJob<T>&) {
  if constexpr (sizeof(T) == 4)
    return k.f32;
  else
    return k.f64;
}

template <class T>
void (*channel_kernel(const StreamKernels& k))(const ChannelJob<T>&) {
  if constexpr (sizeof(T) == 4)
    return k.channels_f32;
  else
    return k.channels_f64;
}

template <class T>
void (*mac_kernel(const StreamKernels& k))(T*, const T*, const T*, std::size_t) {
  if constexpr (sizeof(T) == 4)
    return k.multiply_add_f32;
  else
    return k.multiply_add_f64;
}

}  // namespace faltung::stream
