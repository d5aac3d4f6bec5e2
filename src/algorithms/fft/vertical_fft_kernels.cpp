#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "algorithms/fft/vertical_fft_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstdint>

#include "algorithms/fft/vertical_fft_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace faltung::fft::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One complex vector: the same bins' real and imaginary parts.
template <class D>
struct Cv {
  hn::Vec<D> r, i;
};

template <class D, class T>
HWY_INLINE Cv<D> LoadC(D d, const T* p, std::int64_t P) {
  return {hn::Load(d, p), hn::Load(d, p + P)};
}
template <class D, class T>
HWY_INLINE void StoreC(D d, const Cv<D>& v, T* p, std::int64_t P) {
  hn::Store(v.r, d, p);
  hn::Store(v.i, d, p + P);
}
template <class D>
HWY_INLINE Cv<D> AddC(const Cv<D>& a, const Cv<D>& b) {
  return {hn::Add(a.r, b.r), hn::Add(a.i, b.i)};
}
template <class D>
HWY_INLINE Cv<D> SubC(const Cv<D>& a, const Cv<D>& b) {
  return {hn::Sub(a.r, b.r), hn::Sub(a.i, b.i)};
}
template <class D>
HWY_INLINE Cv<D> MulC(const Cv<D>& a, const Cv<D>& b) {
  return {hn::NegMulAdd(a.i, b.i, hn::Mul(a.r, b.r)), hn::MulAdd(a.i, b.r, hn::Mul(a.r, b.i))};
}
// v * w for the scalar twiddle w = (c, s), or v * conj(w).
template <bool kConjugate, class D, class T>
HWY_INLINE Cv<D> Twiddle(D d, const Cv<D>& v, const T* w) {
  return MulC(v, Cv<D>{hn::Set(d, w[0]), hn::Set(d, kConjugate ? -w[1] : w[1])});
}

// The radix-2 pass of length 2 over `rows` rows (forward last, inverse
// first): no twiddles.
template <class D, class T>
HWY_INLINE void Radix2(D d, T* x, std::int64_t rows, std::int64_t stride, std::int64_t P) {
  for (std::int64_t start = 0; start < rows; start += 2) {
    T* a = x + start * stride;
    const Cv<D> u = LoadC(d, a, P), v = LoadC(d, a + stride, P);
    StoreC(d, AddC(u, v), a, P);
    StoreC(d, SubC(u, v), a + stride, P);
  }
}

// Calls butterfly(j, p0, p1, p2, p3) for the radix-4 butterflies of one
// pass of length `len` over `rows` rows: rows j, j+q, j+2q, j+3q of each
// group of len (q = len/4).
template <class T, class Butterfly>
HWY_INLINE void ForEachButterfly(T* x, std::int64_t rows, std::int64_t len, std::int64_t stride,
                                 Butterfly&& butterfly) {
  const std::int64_t q = len / 4;
  for (std::int64_t start = 0; start < rows; start += len) {
    for (std::int64_t j = 0; j < q; ++j) {
      T* p0 = x + (start + j) * stride;
      butterfly(j, p0, p0 + q * stride, p0 + 2 * q * stride, p0 + 3 * q * stride);
    }
  }
}

// Decimation in frequency: one radix-4 pass of length `len` over `rows`
// rows (groups of len) of one vector of columns; twiddles W^k at
// tw[2 k step]. The pass is two radix-2 passes fused: with q = len/4 and
// W = exp(-2 pi i/len),
//   x[j]    = t0 + t2,           x[j+q]  = (t0 - t2) W^2j,
//   x[j+2q] = (t1 + t3) W^j,     x[j+3q] = (t1 - t3) W^3j,
// t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, t3 = -i (a1 - a3): the order the
// two radix-2 passes would leave (bit-reversed at the end).
template <class D, class T>
void ForwardPass(D d, T* x, std::int64_t rows, std::int64_t len, std::int64_t stride, std::int64_t P, const T* tw,
                 std::int64_t step) {
  ForEachButterfly(x, rows, len, stride, [&](std::int64_t j, T* p0, T* p1, T* p2, T* p3) {
    const Cv<D> a0 = LoadC(d, p0, P), a1 = LoadC(d, p1, P), a2 = LoadC(d, p2, P), a3 = LoadC(d, p3, P);
    const Cv<D> t0 = AddC(a0, a2), t1 = SubC(a0, a2), t2 = AddC(a1, a3);
    const Cv<D> t3{hn::Sub(a1.i, a3.i), hn::Sub(a3.r, a1.r)};
    Cv<D> y1 = SubC(t0, t2), y2 = AddC(t1, t3), y3 = SubC(t1, t3);
    if (j != 0) {
      y1 = Twiddle<false>(d, y1, tw + 4 * j * step);
      y2 = Twiddle<false>(d, y2, tw + 2 * j * step);
      y3 = Twiddle<false>(d, y3, tw + 6 * j * step);
    }
    StoreC(d, AddC(t0, t2), p0, P);
    StoreC(d, y1, p1, P);
    StoreC(d, y2, p2, P);
    StoreC(d, y3, p3, P);
  });
}

// ForwardPass undone (unscaled), with conjugate twiddles.
template <class D, class T>
void InversePass(D d, T* x, std::int64_t rows, std::int64_t len, std::int64_t stride, std::int64_t P, const T* tw,
                 std::int64_t step) {
  ForEachButterfly(x, rows, len, stride, [&](std::int64_t j, T* p0, T* p1, T* p2, T* p3) {
    Cv<D> b1 = LoadC(d, p1, P), b2 = LoadC(d, p2, P), b3 = LoadC(d, p3, P);
    const Cv<D> b0 = LoadC(d, p0, P);
    if (j != 0) {
      b1 = Twiddle<true>(d, b1, tw + 4 * j * step);
      b2 = Twiddle<true>(d, b2, tw + 2 * j * step);
      b3 = Twiddle<true>(d, b3, tw + 6 * j * step);
    }
    const Cv<D> t0 = AddC(b0, b1), t2 = SubC(b0, b1), t1 = AddC(b2, b3), t3 = SubC(b2, b3);
    // a1 = t2 + i t3, a3 = t2 - i t3
    StoreC(d, AddC(t0, t1), p0, P);
    StoreC(d, Cv<D>{hn::Sub(t2.r, t3.i), hn::Add(t2.i, t3.r)}, p1, P);
    StoreC(d, SubC(t0, t1), p2, P);
    StoreC(d, Cv<D>{hn::Add(t2.r, t3.i), hn::Sub(t2.i, t3.r)}, p3, P);
  });
}

// Rows of one vector of columns that fit in 32 KB of L1 (256 for AVX-512).
// Passes longer than this sweep the whole column (from L2); once the
// groups fit, each group runs its remaining passes while in L1. Without
// that, a 512-row column took 3.1x the time of a 256-row one.
template <class D>
std::int64_t RowsInL1(D d) {
  return 32768 / static_cast<std::int64_t>(2 * hn::Lanes(d) * sizeof(hn::TFromD<D>));
}

// The rows of a group that runs its remaining passes in L1: the pass
// length once passes over the whole column (L, L/4, ...) get it to at most
// RowsInL1 (or below 4).
template <class D>
std::int64_t GroupInL1(D d, std::int64_t L) {
  std::int64_t group = L;
  while (group >= 4 && group > RowsInL1(d)) group /= 4;
  return group;
}

// The whole forward transform of L rows, one vector of columns.
template <class D, class T>
void ForwardColumns(D d, T* x, std::int64_t L, std::int64_t stride, std::int64_t P, const T* tw) {
  const std::int64_t group = GroupInL1(d, L);
  for (std::int64_t len = L; len > group; len /= 4) ForwardPass(d, x, L, len, stride, P, tw, L / len);
  for (std::int64_t g = 0; g < L; g += group) {
    T* xg = x + g * stride;
    std::int64_t l = group;
    for (; l >= 4; l /= 4) ForwardPass(d, xg, group, l, stride, P, tw, L / l);
    if (l == 2) Radix2(d, xg, group, stride, P);
  }
}

// ForwardColumns undone in reverse order (unscaled).
template <class D, class T>
void InverseColumns(D d, T* x, std::int64_t L, std::int64_t stride, std::int64_t P, const T* tw) {
  const std::int64_t group = GroupInL1(d, L);
  int bits = 0;
  while ((std::int64_t{1} << bits) < group) ++bits;
  for (std::int64_t g = 0; g < L; g += group) {
    T* xg = x + g * stride;
    std::int64_t l = 4;
    if (bits % 2) {
      Radix2(d, xg, group, stride, P);
      l = 8;
    }
    for (; l <= group; l *= 4) InversePass(d, xg, group, l, stride, P, tw, L / l);
  }
  for (std::int64_t len = group * 4; len <= L; len *= 4) InversePass(d, x, L, len, stride, P, tw, L / len);
}

// Vectors of columns outer: each vector's column of L rows goes through
// every pass before the next vector's.
template <class T>
void Forward(T* HWY_RESTRICT x, std::int64_t L, std::int64_t stride, std::int64_t P, const T* HWY_RESTRICT tw) {
  const hn::ScalableTag<T> d;
  const auto N = static_cast<std::int64_t>(hn::Lanes(d));
  for (std::int64_t b = 0; b < P; b += N) ForwardColumns(d, x + b, L, stride, P, tw);
}
// The inverse of x * h: each vector of columns is multiplied and goes
// through every inverse pass while in L1.
template <class T>
void ProductInverse(T* HWY_RESTRICT x, const T* HWY_RESTRICT h, std::int64_t L, std::int64_t stride, std::int64_t P,
                    const T* HWY_RESTRICT tw) {
  const hn::ScalableTag<T> d;
  const auto N = static_cast<std::int64_t>(hn::Lanes(d));
  for (std::int64_t b = 0; b < P; b += N) {
    for (std::int64_t r = 0; r < L; ++r) {
      T* xr = x + r * stride + b;
      StoreC(d, MulC(LoadC(d, xr, P), LoadC(d, h + r * stride + b, P)), xr, P);
    }
    InverseColumns(d, x + b, L, stride, P, tw);
  }
}

template <class T>
void Split(const T* HWY_RESTRICT in, std::int64_t bins, std::int64_t P, T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const auto N = static_cast<std::int64_t>(hn::Lanes(d));
  std::int64_t b = 0;
  for (; b + N <= bins; b += N) {
    hn::Vec<decltype(d)> re, im;
    hn::LoadInterleaved2(d, in + 2 * b, re, im);
    hn::Store(re, d, out + b);
    hn::Store(im, d, out + P + b);
  }
  for (; b < bins; ++b) out[b] = in[2 * b], out[P + b] = in[2 * b + 1];
  for (; b < P; ++b) out[b] = out[P + b] = T(0);
}

template <class T>
void Join(const T* HWY_RESTRICT in, std::int64_t bins, std::int64_t P, T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const auto N = static_cast<std::int64_t>(hn::Lanes(d));
  std::int64_t b = 0;
  for (; b + N <= bins; b += N) hn::StoreInterleaved2(hn::Load(d, in + b), hn::Load(d, in + P + b), d, out + 2 * b);
  for (; b < bins; ++b) out[2 * b] = in[b], out[2 * b + 1] = in[P + b];
}

template <class T>
VerticalFftLoops<T> Loops() {
  return {&Split<T>, &Join<T>, &Forward<T>, &ProductInverse<T>};
}

const VerticalFftKernels* GetVerticalFftKernels() {
  static const VerticalFftKernels table{hwy::TargetName(HWY_TARGET), Loops<float>(), Loops<double>()};
  return &table;
}

}  // namespace faltung::fft::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace faltung::fft {
HWY_EXPORT(GetVerticalFftKernels);

const VerticalFftKernels& best_vertical_fft_kernels() { return *HWY_DYNAMIC_DISPATCH(GetVerticalFftKernels)(); }
}  // namespace faltung::fft
#endif
