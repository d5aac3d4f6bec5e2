// Register-blocked direct-convolution kernels, compiled once per SIMD target
// (Highway foreach_target) and picked at plan time by the running CPU.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "algorithms/direct/row_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cmath>

#include "algorithms/direct/row_kernels.hpp"

#include "algorithms/direct/tile_io-inl.h"
#include "algorithms/direct/multirow-inl.h"
#include "algorithms/direct/ring-inl.h"

HWY_BEFORE_NAMESPACE();
namespace faltung::direct::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Output vectors per tile. AVX-512 has 32 vector registers: 8 accumulators plus
// the broadcast tap leave room for the loads; 16-register targets get 4.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kRealTile = 8;
constexpr int kComplexTile = 6;
#else
constexpr int kRealTile = 4;
constexpr int kComplexTile = 2;
#endif

// R vectors of consecutive outputs starting at c.
template <int R, bool kPartial = false, class D, class T>
HWY_INLINE bool RealTile(D d, const RowJob<T>& job, std::size_t c, std::size_t lanes = 0) {
  const std::size_t N = hn::Lanes(d);
  const TileIO<D, kPartial> io(lanes);
  hn::Vec<D> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = hn::Zero(d);
  for (std::size_t a = 0; a < job.K; ++a) {
    const T* HWY_RESTRICT s = job.src[a] + c;
    const T* HWY_RESTRICT w = job.taps + a * job.m;
    for (std::size_t j = 0; j < job.m; ++j) {
      const auto wv = hn::Set(d, w[j]);
      for (int r = 0; r < R; ++r) acc[r] = hn::MulAdd(wv, io.Load(s + j + r * N), acc[r]);
    }
  }
  FiniteProbe<D> probe;
  for (int r = 0; r < R; ++r) {
    io.Store(acc[r], job.dst + c + r * N);
    probe.Add(acc[r]);
  }
  return probe.AllFinite();
}

template <class T>
bool RealRows(const RowJob<T>& job) {
  if (job.rows > 1) return MultiRowRows(job);
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  bool finite = true;
  std::size_t c = RingRows(job, finite);  // 1-D rows with longer kernels: the ring kernel
  for (; c + kRealTile * N <= job.len; c += kRealTile * N) finite &= RealTile<kRealTile>(d, job, c);
  for (; c + N <= job.len; c += N) finite &= RealTile<1>(d, job, c);
  // The tail with the same MulAdd per lane, so its outputs round exactly as
  // they would inside a full vector.
  if (kMaskedTail && c < job.len) return finite & RealTile<1, true>(d, job, c, job.len - c);
  const hn::CappedTag<T, 1> d1;
  for (; c < job.len; ++c) finite &= RealTile<1>(d1, job, c);
  return finite;
}

// Complex: A accumulates re(w) * x, B accumulates im(w) * x over interleaved
// (re, im) lanes; then y = A + i*B, i.e. re = A.re - B.im, im = A.im + B.re.
template <int R, class D, class T>
HWY_INLINE bool ComplexTile(D d, const RowJob<T>& job, std::size_t c) {
  const std::size_t N = hn::Lanes(d);  // scalars per vector = N/2 complex outputs
  hn::Vec<D> A[R], B[R];
  for (int r = 0; r < R; ++r) A[r] = B[r] = hn::Zero(d);
  for (std::size_t a = 0; a < job.K; ++a) {
    const T* HWY_RESTRICT s = job.src[a] + 2 * c;
    const T* HWY_RESTRICT w = job.taps + 2 * a * job.m;
    for (std::size_t j = 0; j < job.m; ++j) {
      const auto wr = hn::Set(d, w[2 * j]);
      const auto wi = hn::Set(d, w[2 * j + 1]);
      for (int r = 0; r < R; ++r) {
        const auto x = hn::LoadU(d, s + 2 * j + r * N);
        A[r] = hn::MulAdd(wr, x, A[r]);
        B[r] = hn::MulAdd(wi, x, B[r]);
      }
    }
  }
  const auto sign = hn::OddEven(hn::Set(d, T(1)), hn::Set(d, T(-1)));
  FiniteProbe<D> probe;
  for (int r = 0; r < R; ++r) {
    const auto y = hn::MulAdd(hn::Reverse2(d, B[r]), sign, A[r]);
    hn::StoreU(y, d, job.dst + 2 * c + r * N);
    probe.Add(y);
  }
  return probe.AllFinite();
}

// One complex output with real and imaginary parts in separate one-lane
// vectors, for targets whose vectors cannot hold a (re, im) pair.
template <class T>
HWY_INLINE bool ComplexOne(const RowJob<T>& job, std::size_t c) {
  const hn::CappedTag<T, 1> d;
  auto ar = hn::Zero(d), ai = hn::Zero(d), br = hn::Zero(d), bi = hn::Zero(d);
  for (std::size_t a = 0; a < job.K; ++a) {
    const T* HWY_RESTRICT s = job.src[a] + 2 * c;
    const T* HWY_RESTRICT w = job.taps + 2 * a * job.m;
    for (std::size_t j = 0; j < job.m; ++j) {
      const auto wr = hn::Set(d, w[2 * j]), wi = hn::Set(d, w[2 * j + 1]);
      const auto xr = hn::Set(d, s[2 * j]), xi = hn::Set(d, s[2 * j + 1]);
      ar = hn::MulAdd(wr, xr, ar);
      ai = hn::MulAdd(wr, xi, ai);
      br = hn::MulAdd(wi, xr, br);
      bi = hn::MulAdd(wi, xi, bi);
    }
  }
  job.dst[2 * c] = hn::GetLane(hn::Sub(ar, bi));
  job.dst[2 * c + 1] = hn::GetLane(hn::Add(ai, br));
  return std::isfinite(job.dst[2 * c]) && std::isfinite(job.dst[2 * c + 1]);
}

template <class T>
bool ComplexRows(const RowJob<T>& job) {
  bool finite = true;
  if constexpr (HWY_TARGET == HWY_SCALAR) {
    for (std::size_t c = 0; c < job.len; ++c) finite &= ComplexOne(job, c);
    return finite;
  }
  const hn::ScalableTag<T> d;
  const std::size_t per_vec = hn::Lanes(d) / 2;  // complex outputs per vector
  std::size_t c = 0;
  if (per_vec >= 1) {
    for (; c + kComplexTile * per_vec <= job.len; c += kComplexTile * per_vec)
      finite &= ComplexTile<kComplexTile>(d, job, c);
    for (; c + per_vec <= job.len; c += per_vec) finite &= ComplexTile<1>(d, job, c);
  }
  const hn::CappedTag<T, 2> d2;  // one complex output
  for (; c < job.len; ++c) finite &= ComplexTile<1>(d2, job, c);
  return finite;
}

template <class T>
std::size_t CountNonFinite(const T* HWY_RESTRICT p, std::size_t elements, bool complex) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  const std::size_t scalars = elements * (complex ? 2 : 1);
  std::size_t i = 0, bad = 0;
  if (!complex) {
    for (; i + N <= scalars; i += N) bad += hn::CountTrue(d, hn::Not(hn::IsFinite(hn::LoadU(d, p + i))));
    for (; i < scalars; ++i) bad += !std::isfinite(p[i]);
    return bad;
  }
  if (N >= 2) {
    for (; i + N <= scalars; i += N) {
      // A pair is bad when either part is: OR each lane with its partner.
      const auto v = hn::VecFromMask(d, hn::Not(hn::IsFinite(hn::LoadU(d, p + i))));
      bad += hn::CountTrue(d, hn::MaskFromVec(hn::Or(v, hn::Reverse2(d, v)))) / 2;
    }
  }
  for (; i < scalars; i += 2) bad += !(std::isfinite(p[i]) && std::isfinite(p[i + 1]));
  return bad;
}

std::size_t CountF32(const float* p, std::size_t n, bool complex) { return CountNonFinite(p, n, complex); }
std::size_t CountF64(const double* p, std::size_t n, bool complex) { return CountNonFinite(p, n, complex); }

bool F32Rows(const RowJob<float>& job) { return RealRows(job); }
bool F64Rows(const RowJob<double>& job) { return RealRows(job); }
bool C64Rows(const RowJob<float>& job) { return ComplexRows(job); }
bool C128Rows(const RowJob<double>& job) { return ComplexRows(job); }

const RowKernelTable* GetRowKernelTable() {
  static const RowKernelTable table{hwy::TargetName(HWY_TARGET),
                                    static_cast<std::size_t>(kRealTile),
                                    hn::Lanes(hn::ScalableTag<float>()),
                                    hn::Lanes(hn::ScalableTag<double>()),
                                    static_cast<std::size_t>(kRingMaxQ),
                                    &F32Rows,
                                    &F64Rows,
                                    &C64Rows,
                                    &C128Rows,
                                    &CountF32,
                                    &CountF64};
  return &table;
}

}  // namespace faltung::direct::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace faltung::direct {
HWY_EXPORT(GetRowKernelTable);

const RowKernelTable& best_row_kernels() {
  // Evaluated per call (cheap): tests may restrict the targets in between.
  return *HWY_DYNAMIC_DISPATCH(GetRowKernelTable)();
}
}  // namespace faltung::direct
#endif
