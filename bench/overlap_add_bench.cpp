// Overlap-add against overlap-save, with everything else equal: the same
// FFTW plans (FFTW_MEASURE), block length, kernel spectrum and product, one
// thread, 1-D real full convolution. The two differ only in their data
// movement per block of B = L - m + 1 outputs:
//   overlap-save  copy the L-sample input span in; copy B outputs out
//   overlap-add   copy B inputs in and zero m - 1; add m - 1 outputs into
//                 the previous block's tail and copy B out
// so the question the FFT/planner issue asks ("overlap-add where it
// wins") is whether that difference ever favours overlap-add. Prints both
// times per case, the ratio, and the largest difference between the two
// results (they compute the same convolution).
//
//   ./build/bench/faltung-overlap-add-bench
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {

struct Case {
  long n, m, L;
};

template <class F>
double median_seconds(F&& f, int runs) {
  f();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void run(const Case& c) {
  const long n = c.n, m = c.m, L = c.L, B = L - m + 1, out = n + m - 1, bins = L / 2 + 1;
  const long blocks = (out + B - 1) / B;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::vector<double> x(static_cast<std::size_t>(n)), w(static_cast<std::size_t>(m));
  for (auto& v : x) v = normal(rng);
  for (auto& v : w) v = normal(rng);
  double* buf = fftw_alloc_real(static_cast<std::size_t>(L));
  fftw_complex* spec = fftw_alloc_complex(static_cast<std::size_t>(bins));
  fftw_complex* h = fftw_alloc_complex(static_cast<std::size_t>(bins));
  fftw_plan fwd = fftw_plan_dft_r2c_1d(static_cast<int>(L), buf, spec, FFTW_MEASURE);
  fftw_plan inv = fftw_plan_dft_c2r_1d(static_cast<int>(L), spec, buf, FFTW_MEASURE);
  std::fill(buf, buf + L, 0.0);
  std::copy(w.begin(), w.end(), buf);
  fftw_execute_dft_r2c(fwd, buf, h);
  for (long k = 0; k < bins; ++k) h[k][0] /= static_cast<double>(L), h[k][1] /= static_cast<double>(L);
  auto product = [&] {
    for (long k = 0; k < bins; ++k) {
      const double a = spec[k][0], b = spec[k][1];
      spec[k][0] = a * h[k][0] - b * h[k][1];
      spec[k][1] = a * h[k][1] + b * h[k][0];
    }
  };
  std::vector<double> y_save(static_cast<std::size_t>(out)), y_add(static_cast<std::size_t>(out));

  // Output j needs x[j - m + 1 .. j]; block b's outputs start at j0 = b B.
  auto overlap_save = [&] {
    for (long b = 0; b < blocks; ++b) {
      const long j0 = b * B, first = j0 - (m - 1);  // the span's first input
      const long lo = std::max(0L, first), hi = std::min(n, first + L);
      // Zeros only where the span leaves x (both variants write each sample once).
      std::fill(buf, buf + std::clamp(lo - first, 0L, L), 0.0);
      if (lo < hi) std::memcpy(buf + (lo - first), x.data() + lo, sizeof(double) * static_cast<std::size_t>(hi - lo));
      std::fill(buf + std::clamp(hi - first, 0L, L), buf + L, 0.0);
      fftw_execute_dft_r2c(fwd, buf, spec);
      product();
      fftw_execute_dft_c2r(inv, spec, buf);
      const long count = std::min(B, out - j0);
      std::memcpy(y_save.data() + j0, buf + (m - 1), sizeof(double) * static_cast<std::size_t>(count));
    }
  };
  // Block b's B inputs x[b B ..] contribute to outputs b B .. b B + L - 1.
  auto overlap_add = [&] {
    for (long b = 0; b < blocks; ++b) {
      const long i0 = b * B, count = std::max(0L, std::min(B, n - i0));
      std::memcpy(buf, x.data() + i0, sizeof(double) * static_cast<std::size_t>(count));
      std::fill(buf + count, buf + L, 0.0);
      fftw_execute_dft_r2c(fwd, buf, spec);
      product();
      fftw_execute_dft_c2r(inv, spec, buf);
      const long tail = std::min(m - 1, out - i0);  // overlaps the previous block's last m - 1
      for (long j = 0; j < tail; ++j) y_add[static_cast<std::size_t>(i0 + j)] += buf[j];
      const long rest = std::min(L, out - i0) - tail;
      if (rest > 0) std::memcpy(y_add.data() + i0 + tail, buf + tail, sizeof(double) * static_cast<std::size_t>(rest));
    }
  };
  const int runs = n >= 1000000 ? 9 : 31;
  const double t_save = median_seconds(overlap_save, runs);
  std::fill(y_add.begin(), y_add.end(), 0.0);
  const double t_add = median_seconds(
      [&] {
        std::fill(y_add.begin(), y_add.begin() + std::min(out, m - 1), 0.0);  // the first block adds into zeros
        overlap_add();
      },
      runs);
  double diff = 0, largest = 0;
  for (long j = 0; j < out; ++j) {
    diff = std::max(diff, std::abs(y_save[static_cast<std::size_t>(j)] - y_add[static_cast<std::size_t>(j)]));
    largest = std::max(largest, std::abs(y_save[static_cast<std::size_t>(j)]));
  }
  std::printf(
      "n=%-8ld m=%-6ld L=%-6ld overlap-save %8.3f ms  overlap-add %8.3f ms  add/save %.3f  max diff / max %.1e\n", n, m,
      L, t_save * 1e3, t_add * 1e3, t_add / t_save, diff / largest);
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(inv);
  fftw_free(buf);
  fftw_free(spec);
  fftw_free(h);
}

}  // namespace

int main() {
  for (const Case& c :
       {Case{100000, 255, 2048}, Case{100000, 4095, 16384}, Case{1000000, 127, 1024}, Case{1000000, 1023, 8192},
        Case{1000000, 8191, 65536}, Case{1000000, 65535, 262144}, Case{1000000, 127, 4096}, Case{1000000, 1023, 4096}})
    run(c);
}
