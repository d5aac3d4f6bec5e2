// The ring kernel: 1-D rows (one source row, K == 1) with m >= 2 vectors of taps.
//
// Why: the plain tile kernel issues one unaligned load per FMA, and on this
// machine (Sapphire Rapids) unaligned 64-byte loads split across cache lines
// cap it at ~0.85 FMA/cycle (~100 GFLOP/s f32, 42% of peak). Here each input
// vector X at offset s*N + p is loaded once and feeds every live output vector:
// output block b gets tap (s - b)*N + p. Q = ceil(m/N) blocks are live, kept in
// a ring of registers (slot b % Q); G independent streams run in lockstep to
// keep >= 8 FMAs in flight when Q is small. Loads per FMA drop to 1/Q and the
// kernel reaches 135-190 GFLOP/s f32 for m = 32..256 (docs/performance.md).
//
// Each output still accumulates taps j = 0, 1, ..., m-1 in order, so results
// equal the plain kernel's bit for bit. No tap is padded: a zero tap would
// read samples outside the window, and 0 * Inf there would poison an output.
// Taps beyond 16 vectors run as further passes that continue from the stored
// partial sums (same rounding sequence: the partial sum is the accumulator).

#if defined(FALTUNG_RING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FALTUNG_RING_INL_H_
#undef FALTUNG_RING_INL_H_
#else
#define FALTUNG_RING_INL_H_
#endif

#include <array>
#include <cstddef>
#include <utility>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace faltung::direct::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kRingMaxQ = 16;  // 16 accumulators + X + spare of 32 registers
constexpr int RingStreams(int q) { return q <= 4 ? 4 : q == 5 ? 3 : q <= 8 ? 2 : 1; }
#elif HWY_TARGET == HWY_AVX2
constexpr int kRingMaxQ = 8;  // 16 registers
constexpr int RingStreams(int q) { return q == 2 ? 4 : q == 3 ? 3 : q == 4 ? 2 : 1; }
#else
constexpr int kRingMaxQ = 0;  // the plain kernel only
constexpr int RingStreams(int) { return 1; }
#endif

// GCC's generic tuning folds X into every FMA as a memory operand, which
// reloads it once per live block and undoes the point of the ring (measured:
// 74 instead of 123 GFLOP/s at m=32). An empty asm pins it in a register.
template <class V>
HWY_INLINE void KeepInRegister(V& v) {
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2)
  asm("" : "+v"(v.raw));  // only called with G > 1 streams (see RingPass)
#else
  (void)v;
#endif
}

// Blocks [0, nb) of G streams `stride` samples apart, taps w[0 .. (Q-1)*N + last).
// accumulate: continue from the partial sums already in y.
template <int Q, int G, class T>
HWY_NOINLINE bool RingPass(const T* HWY_RESTRICT x, const T* HWY_RESTRICT w, T* HWY_RESTRICT y, std::size_t nb,
                           std::size_t stride, bool accumulate, std::size_t last) {
  const hn::ScalableTag<T> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t N = hn::Lanes(d);
  FiniteProbe<decltype(d)> probe;
  V acc[G][Q];
  for (int g = 0; g < G; ++g) {
    for (int q = 0; q < Q; ++q) acc[g][q] = hn::Zero(d);
    if (accumulate) acc[g][0] = hn::LoadU(d, y + g * stride);
  }
  const std::size_t total = nb + Q - 1;  // steps: the last block completes at step nb + Q - 2
  for (std::size_t s0 = 0; s0 < total; s0 += Q) {
#pragma GCC unroll 16
    for (int u = 0; u < Q; ++u) {
      const std::size_t s = s0 + u;
      if (s >= total) break;
      // X at s*N + p feeds block s - i with tap i*N + p; the last tap vector
      // holds only `last` taps, so phases p >= last stop one vector short.
      auto phase = [&](std::size_t p, auto taps_in_phase) {
        constexpr int kI = decltype(taps_in_phase)::value;
        V X[G];
#pragma GCC unroll 4
        for (int g = 0; g < G; ++g) {
          X[g] = hn::LoadU(d, x + g * stride + s * N + p);
          if constexpr (G > 1) KeepInRegister(X[g]);  // one stream: GCC already keeps it
        }
#pragma GCC unroll 16
        for (int i = 0; i < kI; ++i) {
          const V wv = hn::Set(d, w[i * N + p]);
#pragma GCC unroll 4
          for (int g = 0; g < G; ++g) {
            V& a = acc[g][(u - i + Q) % Q];
            a = hn::MulAdd(wv, X[g], a);
          }
        }
      };
      std::size_t p = 0;
      for (; p < last; ++p) phase(p, std::integral_constant<int, Q>());
      for (; p < N; ++p) phase(p, std::integral_constant<int, Q - 1>());
      // Block s - Q + 1 has all its taps; its slot starts block s + 1.
      const std::ptrdiff_t done = static_cast<std::ptrdiff_t>(s) - Q + 1;
      const std::size_t next = s + 1;
#pragma GCC unroll 4
      for (int g = 0; g < G; ++g) {
        V& a = acc[g][(u + 1) % Q];
        if (done >= 0) {
          hn::StoreU(a, d, y + g * stride + static_cast<std::size_t>(done) * N);
          probe.Add(a);
        }
        a = (accumulate && next < nb) ? hn::LoadU(d, y + g * stride + next * N) : hn::Zero(d);
      }
    }
  }
  return probe.AllFinite();
}

template <class T>
using RingFn = bool (*)(const T*, const T*, T*, std::size_t, std::size_t, bool, std::size_t);

// table[q] = RingPass<q, streams>, for q = 1 .. kRingMaxQ; kStreams = 0 gives
// each q its own RingStreams(q).
template <class T, int kStreams, std::size_t... I>
constexpr auto MakeRingTable(std::index_sequence<I...>) {
  return std::array<RingFn<T>, sizeof...(I)>{{(I == 0 ? nullptr : &RingPass < static_cast<int>(I),
                                               kStreams ? kStreams : RingStreams(static_cast<int>(I)), T >)...}};
}

// Computes a prefix of job's outputs with the ring; returns how many (a
// multiple of G*N, possibly 0 when the ring does not apply). Clears `finite`
// when an output it wrote is NaN or +-Inf.
template <class T>
std::size_t RingRows(const RowJob<T>& job, bool& finite) {
  if constexpr (kRingMaxQ == 0) {
    return 0;
  } else {
    const std::size_t N = hn::Lanes(hn::ScalableTag<T>());
    const std::size_t m = job.m;
    const std::size_t q_total = (m + N - 1) / N;
    if (job.K != 1 || q_total < 2) return 0;
    static constexpr auto own = MakeRingTable<T, 0>(std::make_index_sequence<kRingMaxQ + 1>());
    static constexpr auto single = MakeRingTable<T, 1>(std::make_index_sequence<kRingMaxQ + 1>());
    const std::size_t q_first = q_total < static_cast<std::size_t>(kRingMaxQ) ? q_total : kRingMaxQ;
    const std::size_t streams =
        q_total > static_cast<std::size_t>(kRingMaxQ) ? 1 : RingStreams(static_cast<int>(q_first));
    // Every load stays inside the len + m - 1 source samples: the ring loads
    // whole tap vectors at every step, up to offset (streams*nb + q_total)*N - 2
    // (the part beyond the last real tap feeds only blocks it never stores).
    const std::ptrdiff_t room = static_cast<std::ptrdiff_t>(job.len + m) - static_cast<std::ptrdiff_t>(q_total * N);
    if (room <= 0) return 0;
    const std::size_t nb = static_cast<std::size_t>(room) / (streams * N);
    if (nb < 4) return 0;  // too short to pay for the ring's start and end
    const std::size_t stride = nb * N;
    for (std::size_t q0 = 0; q0 < q_total; q0 += kRingMaxQ) {
      const std::size_t q = q_total - q0 < static_cast<std::size_t>(kRingMaxQ) ? q_total - q0 : kRingMaxQ;
      const RingFn<T> fn = streams == 1 ? single[q] : own[q];
      const std::size_t last = q0 + q < q_total ? N : m - (q_total - 1) * N;
      const bool pass_finite = fn(job.src[0] + q0 * N, job.taps + q0 * N, job.dst, nb, stride, q0 > 0, last);
      if (q0 + q == q_total) finite &= pass_finite;  // the final pass holds the outputs
    }
    return streams * stride;
  }
}

}  // namespace faltung::direct::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FALTUNG_RING_INL_H_
