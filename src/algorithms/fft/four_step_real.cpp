#include "algorithms/fft/four_step_real.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <utility>
#include <vector>

#include "algorithms/fft/fftw_traits.hpp"
#include "core/threads.hpp"
#include "faltung/errors.hpp"

namespace faltung::fft {
namespace {

// Complex products written out: std::complex's operator* checks for
// NaN/Inf (a library call per product) unless built with -fcx-limited-range.
template <class T>
struct Cx {
  T re, im;
};
template <class T>
inline Cx<T> mul(Cx<T> a, Cx<T> b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
template <class T>
inline Cx<T> conj(Cx<T> a) {
  return {a.re, -a.im};
}
template <class T>
inline Cx<T> add(Cx<T> a, Cx<T> b) {
  return {a.re + b.re, a.im + b.im};
}
template <class T>
inline Cx<T> sub(Cx<T> a, Cx<T> b) {
  return {a.re - b.re, a.im - b.im};
}
template <class T>
inline Cx<T> times_i(Cx<T> a) {
  return {-a.im, a.re};
}

// The transforms of the even and the odd samples at bin k, from the packed
// transform's Z[k] = a and Z[M-k] = b: (a + conj b) / 2 and (a - conj b) / 2i.
template <class T>
inline std::pair<Cx<T>, Cx<T>> even_odd(Cx<T> a, Cx<T> b) {
  return {{(a.re + b.re) / 2, (a.im - b.im) / 2}, {(a.im + b.im) / 2, (b.re - a.re) / 2}};
}

// Pieces of work: the same cuts whatever the thread count.
constexpr std::int64_t kColumnsPerPiece = 16;
constexpr std::int64_t kRowsPerPiece = 8;
constexpr std::int64_t kRowPairsPerPiece = 4;

template <class T>
class FftwFourStep final : public FourStepReal<T> {
  using F = Fftw<T>;
  using FC = typename F::Complex;
  using C = Cx<T>;

 public:
  // Called with the planner lock held.
  explicit FftwFourStep(std::int64_t L) : N_(L), M_(L / 2) {
    // M = q 2^b (q odd): M1 = 2^floor(b/2) columns' length, M2 = the rest
    // (the rows, contiguous, get the odd factor). Both even from b >= 2.
    std::int64_t b = 0, q = M_;
    while (q % 2 == 0) q /= 2, ++b;
    M1_ = std::int64_t{1} << (b / 2);
    M2_ = M_ / M1_;
    // w^t = exp(-2 pi i t / N) = coarse[t >> shift] * fine[t & mask].
    shift_ = 0;
    while ((std::int64_t{1} << (2 * shift_)) < N_) ++shift_;
    const std::int64_t fine = std::int64_t{1} << shift_;
    fine_.resize(static_cast<std::size_t>(fine));
    coarse_.resize(static_cast<std::size_t>(N_ / fine + 1));
    auto w = [&](std::int64_t t) {
      const long double angle =
          -2.0L * 3.141592653589793238462643383279503L * static_cast<long double>(t) / static_cast<long double>(N_);
      return C{static_cast<T>(std::cos(angle)), static_cast<T>(std::sin(angle))};
    };
    for (std::int64_t i = 0; i < fine; ++i) fine_[i] = w(i);
    for (std::size_t i = 0; i < coarse_.size(); ++i) coarse_[i] = w(static_cast<std::int64_t>(i) * fine);

    FC* scratch = static_cast<FC*>(F::malloc(sizeof(FC) * static_cast<std::size_t>(M_)));
    const int m1 = static_cast<int>(M1_), m2 = static_cast<int>(M2_);
    const int cols = static_cast<int>(std::min(kColumnsPerPiece, M2_));
    const int rows = static_cast<int>(std::min(kRowsPerPiece, M1_));
    const int last_cols = static_cast<int>(M2_ % cols), last_rows = static_cast<int>(M1_ % rows);
    for (int dir = 0; dir < 2; ++dir) {
      const int sign = dir == 0 ? FFTW_FORWARD : FFTW_BACKWARD;
      columns_[dir] = F::many_c2c(m1, cols, scratch, m2, 1, sign, FFTW_MEASURE);
      rows_[dir] = F::many_c2c(m2, rows, scratch, 1, m2, sign, FFTW_MEASURE);
      // The last pieces, planned where they run (their alignment).
      if (last_cols)
        last_columns_[dir] = F::many_c2c(m1, last_cols, scratch + (M2_ - last_cols), m2, 1, sign, FFTW_MEASURE);
      if (last_rows)
        last_rows_[dir] = F::many_c2c(m2, last_rows, scratch + (M1_ - last_rows) * M2_, 1, m2, sign, FFTW_MEASURE);
    }
    F::free(scratch);
    for (int dir = 0; dir < 2; ++dir)
      if (!columns_[dir] || !rows_[dir] || (last_cols && !last_columns_[dir]) || (last_rows && !last_rows_[dir]))
        throw Error(ErrorKind::resource, "FFTW could not plan a transform of this size");
  }
  ~FftwFourStep() override {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    for (int dir = 0; dir < 2; ++dir)
      for (auto p : {columns_[dir], rows_[dir], last_columns_[dir], last_rows_[dir]})
        if (p) F::destroy(p);
  }

  void forward(T* data, int threads) const override {
    C* z = reinterpret_cast<C*>(data);
    column_pass(z, 0, threads);
    row_pass(z, 0, threads);
  }

  void inverse(T* data, int threads) const override {
    C* z = reinterpret_cast<C*>(data);
    row_pass(z, 1, threads);
    column_pass(z, 1, threads);
  }

  // From the packed transform Z of a real h (pairs k, k' = M - k):
  //   E = (Z[k] + conj Z[k']) / 2, O = (Z[k] - conj Z[k']) / 2i,
  //   H[k] = E + w^k O, H[k + M] = E - w^k O = conj H[k'].
  void kernel_spectrum(T* data, T scale, bool conjugate, int threads) const override {
    C* z = reinterpret_cast<C*>(data);
    auto finish = [&](C v) {
      v = {v.re * scale, v.im * scale};
      return conjugate ? conj(v) : v;
    };
    for_each_pair(threads, [&](std::int64_t pk, std::int64_t k, std::int64_t pq) {
      const C a = z[pk], b = z[pq];
      if (k == 0) {  // Z[0]: H[0] = Re + Im, H[M] = Re - Im (both real)
        z[pk] = finish({a.re + a.im, 0});
        z[M_] = finish({a.re - a.im, 0});
        return;
      }
      const auto [e, o] = even_odd(a, b);
      const C wo = mul(twiddle(k), o);
      const C hk = add(e, wo), hkm = sub(e, wo);
      z[pk] = finish(hk);
      if (pq != pk) z[pq] = finish(conj(hkm));
    });
  }

  // Y = X H over the whole spectrum, then back to a packed transform:
  //   X[k] = E + w^k O, X[k + M] = E - w^k O, X[k'] = conj X[k + M];
  //   Y[k] = X[k] H[k], Y[k'] = X[k'] H[k'], Y[k + M] = conj Y[k'];
  //   Zy[k] = (Y[k] + Y[k + M]) + i (Y[k] - Y[k + M]) conj(w^k)
  // (twice the even and odd samples' transforms: forward, multiply and
  // inverse then give N times the convolution, as r2c and c2r do).
  void multiply(T* data, const T* hv, int threads) const override {
    C* z = reinterpret_cast<C*>(data);
    const C* h = reinterpret_cast<const C*>(hv);
    for_each_pair(threads, [&](std::int64_t pk, std::int64_t k, std::int64_t pq) {
      const C a = z[pk], b = z[pq];
      if (k == 0) {
        const T x0 = a.re + a.im, xm = a.re - a.im;  // X[0], X[M]: real
        const C y0 = {x0 * h[pk].re, x0 * h[pk].im}, ym = {xm * h[M_].re, xm * h[M_].im};
        z[pk] = add(add(y0, ym), times_i(sub(y0, ym)));
        return;
      }
      const auto [e, o] = even_odd(a, b);
      const C w = twiddle(k);
      const C wo = mul(w, o);
      const C yk = mul(add(e, wo), h[pk]);
      const C yq = mul(conj(sub(e, wo)), h[pq]);
      // k' = M - k has w^k' = -conj(w^k), so conj(w^k') = -w^k.
      z[pk] = add(add(yk, conj(yq)), times_i(mul(sub(yk, conj(yq)), conj(w))));
      if (pq != pk) z[pq] = sub(add(yq, conj(yk)), times_i(mul(sub(yq, conj(yk)), w)));
    });
  }

 private:
  C twiddle(std::int64_t t) const { return mul(coarse_[t >> shift_], fine_[t & ((std::int64_t{1} << shift_) - 1)]); }

  // Step 1 (and 2): column transforms of length M1 (stride M2), then the
  // twiddles w_M^(n2 k1) = w^(2 n2 k1 mod N) on the same columns while they
  // are in cache; the inverse applies the conjugate twiddles first.
  void column_pass(C* z, int dir, int threads) const {
    const std::int64_t cols = std::min(kColumnsPerPiece, M2_);
    const std::int64_t pieces = (M2_ + cols - 1) / cols;
    core::parallel_for(pieces, threads, [&](std::int64_t begin, std::int64_t end, int) {
      std::int64_t t[kColumnsPerPiece];
      for (std::int64_t piece = begin; piece < end; ++piece) {
        const std::int64_t c0 = piece * cols, width = std::min(cols, M2_ - c0);
        const auto plan = width == cols ? columns_[dir] : last_columns_[dir];
        FC* at = reinterpret_cast<FC*>(z + c0);
        if (dir == 0) F::run_c2c(plan, at);
        std::fill(t, t + width, 0);
        for (std::int64_t k1 = 1; k1 < M1_; ++k1) {
          C* row = z + k1 * M2_ + c0;
          for (std::int64_t j = 0; j < width; ++j) {
            t[j] += 2 * (c0 + j);  // 2 n2 k1 mod N
            if (t[j] >= N_) t[j] -= N_;
            const C w = twiddle(t[j]);
            row[j] = mul(row[j], dir == 0 ? w : conj(w));
          }
        }
        if (dir == 1) F::run_c2c(plan, at);
      }
    });
  }

  // Step 3: row transforms of length M2 (contiguous).
  void row_pass(C* z, int dir, int threads) const {
    const std::int64_t rows = std::min(kRowsPerPiece, M1_);
    const std::int64_t pieces = (M1_ + rows - 1) / rows;
    core::parallel_for(pieces, threads, [&](std::int64_t begin, std::int64_t end, int) {
      for (std::int64_t piece = begin; piece < end; ++piece) {
        const std::int64_t r0 = piece * rows;
        const auto plan = std::min(rows, M1_ - r0) == rows ? rows_[dir] : last_rows_[dir];
        F::run_c2c(plan, reinterpret_cast<FC*>(z + r0 * M2_));
      }
    });
  }

  // Calls pair(position of k, k, position of M - k) once for every pair
  // {k, M - k} of frequencies (k = 0 and k = M/2 pair with themselves). In
  // the transposed order k = k1 + M1 k2 lies at k1 M2 + k2, and M - k at
  // row M1 - k1, column M2 - 1 - k2 (row 0: column M2 - k2).
  template <class Pair>
  void for_each_pair(int threads, Pair&& pair) const {
    const std::int64_t half = M1_ / 2 + 1;  // rows 0 .. M1/2 with their partners
    const std::int64_t pieces = (half + kRowPairsPerPiece - 1) / kRowPairsPerPiece;
    core::parallel_for(pieces, threads, [&](std::int64_t begin, std::int64_t end, int) {
      for (std::int64_t k1 = begin * kRowPairsPerPiece; k1 < std::min(half, end * kRowPairsPerPiece); ++k1) {
        if (k1 == 0) {
          for (std::int64_t k2 = 0; k2 <= M2_ / 2; ++k2) pair(k2, M1_ * k2, (M2_ - k2) % M2_);
          continue;
        }
        const std::int64_t q1 = M1_ - k1;
        // A row paired with itself (k1 = M1/2) takes its first half.
        const std::int64_t last = q1 == k1 ? (M2_ - 1) / 2 : M2_ - 1;
        for (std::int64_t k2 = 0; k2 <= last; ++k2) pair(k1 * M2_ + k2, k1 + M1_ * k2, q1 * M2_ + (M2_ - 1 - k2));
      }
    });
  }

  std::int64_t N_, M_, M1_ = 1, M2_ = 1;
  int shift_ = 0;
  std::vector<C> fine_, coarse_;
  typename F::Plan columns_[2] = {}, rows_[2] = {}, last_columns_[2] = {}, last_rows_[2] = {};
};

}  // namespace

template <class T>
std::shared_ptr<const FourStepReal<T>> four_step_real(std::int64_t L) {
  // Plans live as long as the process, as transform_pair's do.
  static auto* cache = new std::map<std::int64_t, std::shared_ptr<const FourStepReal<T>>>();
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  auto it = cache->find(L);
  if (it != cache->end()) return it->second;
  auto t = std::make_shared<const FftwFourStep<T>>(L);
  cache->emplace(L, t);
  return t;
}

template std::shared_ptr<const FourStepReal<float>> four_step_real<float>(std::int64_t);
template std::shared_ptr<const FourStepReal<double>> four_step_real<double>(std::int64_t);

}  // namespace faltung::fft
