// Stream-filter kernels, compiled once per SIMD target (Highway
// foreach_target) and picked when a filter is made.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "stream/stream_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "stream/stream_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace faltung::stream::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// R vectors of channels starting at c, all m taps, in registers.
template <int R, class D, class T>
HWY_INLINE void ChannelTile(D d, const ChannelJob<T>& job, std::size_t c) {
  const std::size_t N = hn::Lanes(d);
  hn::Vec<D> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = hn::Zero(d);
  for (std::size_t i = 0; i < job.m; ++i) {
    const T* HWY_RESTRICT row = job.rows[i] + c;
    if (job.per_channel) {
      const T* HWY_RESTRICT w = job.taps + i * job.channels + c;
      for (int r = 0; r < R; ++r) acc[r] = hn::MulAdd(hn::LoadU(d, w + r * N), hn::LoadU(d, row + r * N), acc[r]);
    } else {
      const auto wv = hn::Set(d, job.taps[i]);
      for (int r = 0; r < R; ++r) acc[r] = hn::MulAdd(wv, hn::LoadU(d, row + r * N), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) hn::StoreU(acc[r], d, job.dst + c + r * N);
}

template <class T>
void Channels(const ChannelJob<T>& job) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t c = 0;
  for (; c + 4 * N <= job.channels; c += 4 * N) ChannelTile<4>(d, job, c);
  for (; c + N <= job.channels; c += N) ChannelTile<1>(d, job, c);
  // The last few channels one lane at a time, with the same MulAdd (fused
  // exactly where the full vectors' is).
  const hn::CappedTag<T, 1> d1;
  for (; c < job.channels; ++c) {
    auto acc = hn::Zero(d1);
    for (std::size_t i = 0; i < job.m; ++i) {
      const T w = job.per_channel ? job.taps[i * job.channels + c] : job.taps[i];
      acc = hn::MulAdd(hn::Set(d1, w), hn::LoadU(d1, job.rows[i] + c), acc);
    }
    hn::StoreU(acc, d1, job.dst + c);
  }
}

template <class T>
void MultiplyAdd(T* HWY_RESTRICT acc, const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, std::size_t count) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d), scalars = 2 * count;
  std::size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  if (N >= 2) {
    // (ar + i ai)(br + i bi) = a * br + (-ai, ar) * bi
    for (; i + N <= scalars; i += N) {
      const auto va = hn::LoadU(d, a + i);
      const auto vb = hn::LoadU(d, b + i);
      const auto t = hn::Mul(hn::Reverse2(d, va), hn::DupOdd(vb));
      const auto product = hn::MulAdd(va, hn::DupEven(vb), hn::OddEven(t, hn::Neg(t)));
      hn::StoreU(hn::Add(hn::LoadU(d, acc + i), product), d, acc + i);
    }
  }
#else
  (void)N;
#endif
  for (; i < scalars; i += 2) {
    const T ar = a[i], ai = a[i + 1], br = b[i], bi = b[i + 1];
    acc[i] += ar * br - ai * bi;
    acc[i + 1] += ar * bi + ai * br;
  }
}

void ChannelsF32(const ChannelJob<float>& j) { Channels(j); }
void ChannelsF64(const ChannelJob<double>& j) { Channels(j); }
void MultiplyAddF32(float* acc, const float* a, const float* b, std::size_t n) { MultiplyAdd(acc, a, b, n); }
void MultiplyAddF64(double* acc, const double* a, const double* b, std::size_t n) { MultiplyAdd(acc, a, b, n); }

const StreamKernels* GetStreamKernels() {
  static const StreamKernels table{hwy::TargetName(HWY_TARGET), &ChannelsF32, &ChannelsF64, &MultiplyAddF32,
                                   &MultiplyAddF64};
  return &table;
}

}  // namespace faltung::stream::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace faltung::stream {
HWY_EXPORT(GetStreamKernels);
const StreamKernels& best_stream_kernels() { return *HWY_DYNAMIC_DISPATCH(GetStreamKernels)(); }
}  // namespace faltung::stream
#endif
