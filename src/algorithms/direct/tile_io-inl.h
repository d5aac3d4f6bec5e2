// What every tile kernel shares: TileIO (whole or partial vector loads and
// stores) and FiniteProbe.
//
// TileIO: a row's last outputs (fewer than a vector) run as one masked vector
// where masked loads cannot fault (AVX2, AVX-512), else one lane at a time.
// Masked-off lanes load 0 and are never stored.
//
// FiniteProbe: whether every output a kernel wrote is finite, for about one
// FMA per output vector. v * 0 is 0 for finite v and NaN for NaN or +-Inf, so
// summing those products folds a whole job into one test. The driver counts
// the non-finite inputs a job owns only when its outputs were not all finite
// (a window with a NaN/Inf sample always gives a non-finite output), which
// keeps the count off the hot path of clean data.

#if defined(FALTUNG_TILE_IO_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FALTUNG_TILE_IO_INL_H_
#undef FALTUNG_TILE_IO_INL_H_
#else
#define FALTUNG_TILE_IO_INL_H_
#endif

#include <cstddef>

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

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
inline constexpr bool kMaskedTail = true;
#else
inline constexpr bool kMaskedTail = false;  // masked loads there read the whole vector
#endif

// Loads and stores of a tile: all lanes, or the first `lanes` only.
template <class D, bool kPartial>
struct TileIO {
  using T = hn::TFromD<D>;
  HWY_INLINE explicit TileIO(std::size_t lanes = 0) : mask(hn::FirstN(D(), lanes)) {}
  HWY_INLINE hn::Vec<D> Load(const T* p) const {
    if constexpr (kPartial)
      return hn::MaskedLoad(mask, D(), p);
    else
      return hn::LoadU(D(), p);
  }
  HWY_INLINE void Store(hn::Vec<D> v, T* p) const {
    if constexpr (kPartial)
      hn::BlendedStore(v, mask, D(), p);
    else
      hn::StoreU(v, D(), p);
  }
  hn::Mask<D> mask;
};

}  // namespace faltung::direct::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FALTUNG_TILE_IO_INL_H_
