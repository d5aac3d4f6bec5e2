#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "algorithms/fft/spectrum_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <cmath>
#include <cstdint>

#include "algorithms/fft/spectrum_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace faltung::fft::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class T>
void Multiply(T* HWY_RESTRICT spec, const T* HWY_RESTRICT h, std::size_t count) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d), scalars = 2 * count;
  std::size_t i = 0;
#if HWY_TARGET != HWY_SCALAR  // one-lane vectors hold no pair
  if (N >= 2) {
    // (ar + i ai)(br + i bi): a * br, plus the swapped pair (ai, ar) times bi
    // with the real lane negated.
    for (; i + N <= scalars; i += N) {
      const auto a = hn::LoadU(d, spec + i);
      const auto b = hn::LoadU(d, h + i);
      const auto t = hn::Mul(hn::Reverse2(d, a), hn::DupOdd(b));
      hn::StoreU(hn::MulAdd(a, hn::DupEven(b), hn::OddEven(t, hn::Neg(t))), d, spec + i);
    }
  }
#else
  (void)N;
#endif
  for (; i < scalars; i += 2) {
    const T ar = spec[i], ai = spec[i + 1], br = h[i], bi = h[i + 1];
    spec[i] = ar * br - ai * bi;
    spec[i + 1] = ar * bi + ai * br;
  }
}

template <class T>
bool CopyChecking(T* HWY_RESTRICT dst, const T* HWY_RESTRICT src, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  // v * 0 is 0 for finite v, NaN otherwise: one test for the whole row.
  auto probe = hn::Zero(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, src + i);
    hn::StoreU(v, d, dst + i);
    probe = hn::MulAdd(v, hn::Zero(d), probe);
  }
  bool finite = hn::AllTrue(d, hn::IsFinite(probe));
  for (; i < n; ++i) {
    dst[i] = src[i];
    finite = finite && std::isfinite(src[i]);
  }
  return finite;
}

// As CopyChecking, with non-temporal stores from the first vector-aligned
// destination on: outputs far larger than the caches are not read into them
// before being overwritten (the scatter of a 1e7-sample overlap-save was 7%
// of its profile). The caller ends the execute with FlushStreams().
template <class T>
bool StreamChecking(T* HWY_RESTRICT dst, const T* HWY_RESTRICT src, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  bool finite = true;
  const std::size_t misaligned = reinterpret_cast<std::uintptr_t>(dst) % (N * sizeof(T));
  if (misaligned % sizeof(T) != 0) return CopyChecking(dst, src, n);  // not even element-aligned
  for (; i < n && reinterpret_cast<std::uintptr_t>(dst + i) % (N * sizeof(T)) != 0; ++i) {
    dst[i] = src[i];
    finite = finite && std::isfinite(src[i]);
  }
  auto probe = hn::Zero(d);
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, src + i);
    hn::Stream(v, d, dst + i);
    probe = hn::MulAdd(v, hn::Zero(d), probe);
  }
  finite = finite && hn::AllTrue(d, hn::IsFinite(probe));
  for (; i < n; ++i) {
    dst[i] = src[i];
    finite = finite && std::isfinite(src[i]);
  }
  return finite;
}

void FlushStreams() { hwy::FlushStream(); }

void MultiplyF32(float* s, const float* h, std::size_t n) { Multiply(s, h, n); }
void MultiplyF64(double* s, const double* h, std::size_t n) { Multiply(s, h, n); }
bool CopyF32(float* d, const float* s, std::size_t n) { return CopyChecking(d, s, n); }
bool CopyF64(double* d, const double* s, std::size_t n) { return CopyChecking(d, s, n); }
bool StreamF32(float* d, const float* s, std::size_t n) { return StreamChecking(d, s, n); }
bool StreamF64(double* d, const double* s, std::size_t n) { return StreamChecking(d, s, n); }

const SpectrumKernels* GetSpectrumKernels() {
  static const SpectrumKernels table{hwy::TargetName(HWY_TARGET),
                                     &MultiplyF32,
                                     &MultiplyF64,
                                     &CopyF32,
                                     &CopyF64,
                                     &StreamF32,
                                     &StreamF64,
                                     &FlushStreams};
  return &table;
}

}  // namespace faltung::fft::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace faltung::fft {
HWY_EXPORT(GetSpectrumKernels);

const SpectrumKernels& best_spectrum_kernels() { return *HWY_DYNAMIC_DISPATCH(GetSpectrumKernels)(); }
}  // namespace faltung::fft
#endif
