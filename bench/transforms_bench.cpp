// The transforms the FFT methods run beside FFTW's plans of the same
// lengths (docs/performance.md):
//   1-D real, 2^19 samples and more (f32 runs in four steps from 2^20): a convolution's three transforms (the
//   kernel's and the input's forward, the inverse) and spectrum pass in
//   four steps (four_step_real.hpp) on one and two threads, against FFTW's
//   r2c/c2r pair as the executor would plan it (FFTW_ESTIMATE at these
//   sizes) on one; with the largest difference between the two results.
//   2-D real: a forward and inverse pair as rows and columns
//   (row_column_transform.hpp) against FFTW's 2-D r2c/c2r plans, both
//   FFTW_MEASURE.
//
//   ./build/bench/faltung-transforms-bench
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "algorithms/fft/four_step_real.hpp"
#include "algorithms/fft/row_column_transform.hpp"
#include "algorithms/fft/spectrum_kernels.hpp"

using namespace faltung;
using clock_type = std::chrono::steady_clock;

namespace {

// Median of `runs` timed calls (after one untimed).
template <class F>
double median_seconds(F&& f, int runs = 7) {
  f();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = clock_type::now();
    f();
    t.push_back(std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class T>
struct Aligned {
  explicit Aligned(std::size_t n) : p(static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * n + 63) / 64) * 64))) {}
  ~Aligned() { std::free(p); }
  T* p;
};

template <class T>
void one_d(std::int64_t L) {
  const auto n = static_cast<std::size_t>(L + 2);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> d;
  std::vector<T> x(static_cast<std::size_t>(L)), h(static_cast<std::size_t>(L), T(0));
  for (auto& v : x) v = static_cast<T>(d(rng));
  for (std::int64_t i = 0; i < L / 2; ++i) h[static_cast<std::size_t>(i)] = static_cast<T>(d(rng));
  const T scale = T(1) / static_cast<T>(L);

  auto four = fft::four_step_real<T>(L);
  Aligned<T> a(n), b(n);
  auto four_step = [&](int threads) {
    std::memcpy(a.p, x.data(), sizeof(T) * x.size());
    std::memcpy(b.p, h.data(), sizeof(T) * h.size());
    four->forward(b.p, threads);
    four->kernel_spectrum(b.p, scale, false, threads);
    four->forward(a.p, threads);
    four->multiply(a.p, b.p, threads);
    four->inverse(a.p, threads);
  };
  auto pair = fft::transform_pair<T>(true, {L}, fft::PlanEffort::estimate);
  Aligned<T> c(n), k(n), s(n);
  auto fftw = [&] {
    std::memcpy(c.p, x.data(), sizeof(T) * x.size());
    std::memcpy(k.p, h.data(), sizeof(T) * h.size());
    pair->forward(k.p, s.p);
    std::vector<T> hs(s.p, s.p + n);
    pair->forward(c.p, s.p);
    for (std::int64_t i = 0; i <= L / 2; ++i) {
      const T re = s.p[2 * i], im = s.p[2 * i + 1], hr = hs[2 * i] * scale, hi = hs[2 * i + 1] * scale;
      s.p[2 * i] = re * hr - im * hi;
      s.p[2 * i + 1] = re * hi + im * hr;
    }
    pair->inverse(s.p, c.p);
  };
  const double t1 = median_seconds([&] { four_step(1); }), t2 = median_seconds([&] { four_step(2); });
  const double tf = median_seconds(fftw);
  double diff = 0, largest = 0;
  for (std::int64_t i = 0; i < L; ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a.p[i] - c.p[i])));
    largest = std::max(largest, static_cast<double>(std::abs(c.p[i])));
  }
  std::printf(
      "1-D %s L=%-8lld four-step 1 thread %8.2f ms, 2 threads %8.2f ms (%.2fx) | FFTW %8.2f ms (%.2fx of "
      "four-step's 1 thread) | max diff / max %.1e\n",
      sizeof(T) == 4 ? "f32" : "f64", static_cast<long long>(L), t1 * 1e3, t2 * 1e3, t1 / t2, tf * 1e3, tf / t1,
      diff / largest);
}

template <class T>
void two_d(std::int64_t L0, std::int64_t L1) {
  if (!fft::row_column_suits<T>(L0, L1)) return;
  auto rc = fft::row_column_transform<T>(L0, L1, fft::PlanEffort::measure);
  auto pair = fft::transform_pair<T>(true, {L0, L1}, fft::PlanEffort::measure);
  const auto n = static_cast<std::size_t>(L0 * L1);
  Aligned<T> data(n), spec(static_cast<std::size_t>(2 * rc->spectrum_elements()) + 2 * n),
      tile(fft::row_column_tile_bytes(L1) / sizeof(T)), row(static_cast<std::size_t>(L1));
  std::mt19937_64 rng(2);
  std::normal_distribution<double> d;
  for (std::size_t i = 0; i < n; ++i) data.p[i] = static_cast<T>(d(rng));
  // Both with the product by a spectrum (the row-column inverse takes it in).
  Aligned<T> h(static_cast<std::size_t>(2 * rc->spectrum_elements()) + 2 * n);
  rc->forward([&](std::int64_t i) { return data.p + i * L1; }, h.p, tile.p);
  const double t_rc = median_seconds(
      [&] {
        rc->forward([&](std::int64_t i) { return data.p + i * L1; }, spec.p, tile.p);
        rc->inverse(
            spec.p, h.p, 0, L0, tile.p, [&](std::int64_t) { return row.p; }, [](std::int64_t, const T*) {});
      },
      21);
  pair->forward(data.p, h.p);
  const auto& kernels = fft::best_spectrum_kernels();
  const auto bins = static_cast<std::size_t>(L0 * (L1 / 2 + 1));
  const double t_fftw = median_seconds(
      [&] {
        pair->forward(data.p, spec.p);
        if constexpr (sizeof(T) == 4)
          kernels.multiply_f32(spec.p, h.p, bins);
        else
          kernels.multiply_f64(spec.p, h.p, bins);
        pair->inverse(spec.p, data.p);
      },
      21);
  std::printf("2-D %s %lldx%lld rows+columns %.3f ms | FFTW 2-D %.3f ms (each with the product) (%.2fx)\n",
              sizeof(T) == 4 ? "f32" : "f64", static_cast<long long>(L0), static_cast<long long>(L1), t_rc * 1e3,
              t_fftw * 1e3, t_fftw / t_rc);
}

}  // namespace

int main() {
  for (std::int64_t L : {std::int64_t{1} << 19, std::int64_t{1} << 20, std::int64_t{1} << 21, std::int64_t{1} << 22,
                         std::int64_t{15} << 17, std::int64_t{3} << 20, std::int64_t{5} << 18, std::int64_t{7} << 18}) {
    one_d<double>(L);
    one_d<float>(L);
  }
  for (auto [L0, L1] : {std::pair<std::int64_t, std::int64_t>{128, 128},
                        {256, 512},
                        {512, 256},
                        {480, 640},
                        {1024, 1024},
                        {2048, 2048}}) {
    two_d<float>(L0, L1);
    two_d<double>(L0, L1);
  }
}
