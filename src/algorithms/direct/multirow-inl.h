// The multi-row kernel: 2-D windows (K kernel rows along the second-last axis)
// for several output rows at once.
//
// Why: the plain tile kernel loads every input vector once per (output row,
// kernel row), so a 3x3 filter issues one unaligned load per FMA and is bound
// by the loads. Output row t reads input rows t .. t+K-1, so input row r feeds
// output rows r-K+1 .. r: loading each input vector once for a block of RT
// output rows cuts the loads per FMA to about (RT+K-1)/(RT*K), 1/2 for 3x3.
//
// Each output still sums kernel rows a = 0..K-1 in order and, within a row,
// taps j = 0..m-1 in order, exactly like the plain kernel, so an output's bits
// do not depend on which kernel computed it.

#if defined(FALTUNG_MULTIROW_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FALTUNG_MULTIROW_INL_H_
#undef FALTUNG_MULTIROW_INL_H_
#else
#define FALTUNG_MULTIROW_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace faltung::direct::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kMultiRowCols = 4;  // 4 rows x 4 vectors = 16 accumulators of 32 registers
#else
constexpr int kMultiRowCols = 2;  // 4 x 2 of 16 registers
#endif

// Outputs [c, c + V*lanes) of the job's `rows` (<= kMaxRowsPerJob) output rows.
template <int V, bool kPartial = false, class D, class T>
HWY_INLINE bool MultiRowTile(D d, const RowJob<T>& job, std::size_t c, std::size_t lanes = 0) {
  constexpr int RT = static_cast<int>(kMaxRowsPerJob);
  const std::size_t N = hn::Lanes(d);
  const TileIO<D, kPartial> io(lanes);
  const std::size_t K = job.K, m = job.m, rows = job.rows;
  hn::Vec<D> acc[RT][V];
  for (int t = 0; t < RT; ++t)
    for (int v = 0; v < V; ++v) acc[t][v] = hn::Zero(d);
  for (std::size_t r = 0; r < rows + K - 1; ++r) {
    const T* HWY_RESTRICT s = job.src[r] + c;
    // Output rows t with kernel row a = r - t in [0, K).
    const std::size_t t_lo = r + 1 > K ? r + 1 - K : 0;
    const std::size_t t_hi = r < rows - 1 ? r : rows - 1;
    for (std::size_t j = 0; j < m; ++j) {
      hn::Vec<D> X[V];
      for (int v = 0; v < V; ++v) X[v] = io.Load(s + j + v * N);
      for (int t = 0; t < RT; ++t) {
        if (static_cast<std::size_t>(t) < t_lo || static_cast<std::size_t>(t) > t_hi) continue;
        const auto w = hn::Set(d, job.taps[(r - t) * m + j]);
        for (int v = 0; v < V; ++v) acc[t][v] = hn::MulAdd(w, X[v], acc[t][v]);
      }
    }
  }
  FiniteProbe<D> probe;
  for (std::size_t t = 0; t < rows; ++t) {
    for (int v = 0; v < V; ++v) {
      io.Store(acc[t][v], job.dst + t * job.dst_stride + c + v * N);
      probe.Add(acc[t][v]);
    }
  }
  return probe.AllFinite();
}

template <class T>
bool MultiRowRows(const RowJob<T>& job) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  bool finite = true;
  std::size_t c = 0;
  for (; c + kMultiRowCols * N <= job.len; c += kMultiRowCols * N) finite &= MultiRowTile<kMultiRowCols>(d, job, c);
  for (; c + N <= job.len; c += N) finite &= MultiRowTile<1>(d, job, c);
  // The tail: the same MulAdd sequence per lane as in a full vector.
  if (kMaskedTail && c < job.len) return finite & MultiRowTile<1, true>(d, job, c, job.len - c);
  const hn::CappedTag<T, 1> d1;
  for (; c < job.len; ++c) finite &= MultiRowTile<1>(d1, job, c);
  return finite;
}

}  // namespace faltung::direct::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FALTUNG_MULTIROW_INL_H_
