// FiniteProbe: whether every output a kernel wrote is finite, for about one
// FMA per output vector. v * 0 is 0 for finite v and NaN for NaN or +-Inf, so
// summing those products folds a whole job into one test. The driver counts
// the non-finite inputs a job owns only when its outputs were not all finite
// (a window with a NaN/Inf sample always gives a non-finite output), which
// keeps the count off the hot path of clean data.

#if defined(FALTUNG_PROBE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FALTUNG_PROBE_INL_H_
#undef FALTUNG_PROBE_INL_H_
#else
#define FALTUNG_PROBE_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace faltung::direct::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
struct FiniteProbe {
  HWY_INLINE FiniteProbe() : sum(hn::Zero(D())) {}
  HWY_INLINE void Add(hn::Vec<D> v) { sum = hn::MulAdd(v, hn::Zero(D()), sum); }
  HWY_INLINE bool AllFinite() const { return hn::AllTrue(D(), hn::IsFinite(sum)); }
  hn::Vec<D> sum;
};

}  // namespace faltung::direct::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FALTUNG_PROBE_INL_H_
