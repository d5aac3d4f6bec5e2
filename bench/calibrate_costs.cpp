// Calibrates the cost model of method=auto (src/algorithms/costs.cpp) on this
// machine kind, one thread, and writes the constants it includes:
//   - the time of one forward + inverse transform pair at 2^k samples,
//     k = 4..22, and of square 2-D pairs of 4^k samples, k = 3..11, per
//     dtype, as the FFT methods run them (FFTW plans; real 1-D from 2^19 in
//     four steps, real 2-D from 128x128 as rows and columns with FFTW's
//     column pass), and what our own column pass saves on real 2-D
//     (row_column_transform.hpp) as a factor;
//   - the slowdown of lengths with factors 3, 5 and 7 against powers of two,
//     and of 15 * 2^k by size (k = 6..14);
//   - the per-sample cost of gathering, multiplying and scattering a block;
//   - the direct method's cost per output and per tap (least squares over
//     1-D problems, and over 2-D problems for kernels along several axes).
//
//   ./build/bench/faltung-calibrate-costs > src/algorithms/costs_measured.inc
//
// A bench may reach into src/ (docs/architecture.md): it times the pieces
// the model adds up, not only whole plans.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "algorithms/fft/fft_executor.hpp"
#include "algorithms/fft/fftw_plans.hpp"
#include "algorithms/fft/four_step_real.hpp"
#include "algorithms/fft/row_column_transform.hpp"
#include "faltung/plan.hpp"

using namespace faltung;
using clock_type = std::chrono::steady_clock;

namespace {

template <class F>
double best_of(F&& f, double budget = 0.2) {
  f();
  double best = 1e30, spent = 0;
  for (int r = 0; r < 200 && (r < 5 || spent < budget); ++r) {
    const auto t0 = clock_type::now();
    f();
    const double t = std::chrono::duration<double>(clock_type::now() - t0).count();
    best = std::min(best, t);
    spent += t;
  }
  return best;
}

std::vector<double> random_data(std::size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> d;
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

template <class T>
double row_column_seconds(std::int64_t L0, std::int64_t L1, fft::PlanEffort effort, fft::ColumnPass columns) {
  auto t = fft::row_column_transform<T>(L0, L1, effort, columns);
  auto aligned = [](std::size_t scalars) {
    return static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * scalars + 63) / 64) * 64));
  };
  const std::size_t n = static_cast<std::size_t>(L0 * L1);
  T* data = aligned(n);
  T* spec = aligned(static_cast<std::size_t>(2 * t->spectrum_elements()));
  T* tile = aligned(fft::row_column_tile_bytes(L1) / sizeof(T));
  T* row = aligned(static_cast<std::size_t>(L1));
  const auto init = random_data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(init[i] * 1e-3);
  // The inverse takes the product by a kernel's spectrum in (h).
  T* h = aligned(static_cast<std::size_t>(2 * t->spectrum_elements()));
  t->forward([&](std::int64_t i) { return data + i * L1; }, h, tile);
  const double seconds = best_of([&] {
    t->forward([&](std::int64_t i) { return data + i * L1; }, spec, tile);
    t->inverse(
        spec, h, 0, L0, tile, [&](std::int64_t) { return row; }, [](std::int64_t, const T*) {});
  });
  for (T* p : {data, spec, tile, row, h}) std::free(p);
  return seconds;
}

template <class T>
double four_step_seconds(std::int64_t L) {
  auto t = fft::four_step_real<T>(L);
  const std::size_t n = static_cast<std::size_t>(L + 2);
  T* data = static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * n + 63) / 64) * 64));
  T* h = static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * n + 63) / 64) * 64));
  const auto init = random_data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = h[i] = static_cast<T>(init[i] * 1e-3);
  t->forward(h, 1);
  t->kernel_spectrum(h, T(1) / static_cast<T>(L), false, 1);
  const double seconds = best_of([&] {
    t->forward(data, 1);
    t->multiply(data, h, 1);
    t->inverse(data, 1);
  });
  std::free(data);
  std::free(h);
  return seconds;
}

template <class T>
double pair_seconds(bool real, std::vector<std::int64_t> dims) {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  const auto effort = n <= (1 << 18) ? fft::PlanEffort::measure : fft::PlanEffort::estimate;
  // Real 1-D transforms from 2^19 (f64) or 2^20 (f32) samples run in four steps; time the
  // transform the executor uses, with its spectrum pass.
  if (real && dims.size() == 1 && fft::four_step_suits<T>(dims[0])) return four_step_seconds<T>(dims[0]);
  // Real 2-D transforms run as rows and columns where the rows suit it
  // (fft_executor.cpp): timed with FFTW's column pass, which every such
  // shape can run; vertical_columns_factor says what our own saves.
  if (real && dims.size() == 2 && fft::row_column_suits<T>(dims[0], dims[1]))
    return row_column_seconds<T>(dims[0], dims[1], effort, fft::ColumnPass::fftw);
  auto pair = fft::transform_pair<T>(real, dims, effort);
  const std::size_t spectrum = static_cast<std::size_t>(fft::spectrum_elements(real, dims));
  T* data = static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * 2 * n + 63) / 64) * 64));
  T* spec = static_cast<T*>(std::aligned_alloc(64, ((sizeof(T) * 2 * spectrum + 63) / 64) * 64));
  const auto init = random_data(static_cast<std::size_t>(2 * n));
  for (std::int64_t i = 0; i < 2 * n; ++i) data[i] = static_cast<T>(init[i] * 1e-3);
  const double t = best_of([&] {
    pair->forward(data, real ? spec : data);
    pair->inverse(real ? spec : data, data);
  });
  std::free(data);
  std::free(spec);
  return t;
}

// A real 2-D pair with our own column FFTs (row_column_vertical) over
// the same with FFTW's: the median over block-sized shapes.
template <class T>
double vertical_columns_factor() {
  std::vector<double> r;
  for (auto [L0, L1] :
       {std::pair<std::int64_t, std::int64_t>{128, 512}, {256, 256}, {256, 512}, {512, 256}, {512, 512}, {256, 1024}}) {
    const double own = row_column_seconds<T>(L0, L1, fft::PlanEffort::measure, fft::ColumnPass::by_rule);
    r.push_back(own / row_column_seconds<T>(L0, L1, fft::PlanEffort::measure, fft::ColumnPass::fftw));
  }
  std::sort(r.begin(), r.end());
  return r[r.size() / 2];
}

double pair_for(DType t, std::vector<std::int64_t> dims) {
  switch (t) {
    case DType::f32:
      return pair_seconds<float>(true, dims);
    case DType::f64:
      return pair_seconds<double>(true, dims);
    case DType::c64:
      return pair_seconds<float>(false, dims);
    case DType::c128:
      return pair_seconds<double>(false, dims);
  }
  return 0;
}

double time_plan(const Plan& plan) {
  const Problem& p = plan.problem();
  const std::size_t scalar = dtype_size(p.dtype) / (is_complex(p.dtype) ? 2 : 1);
  const std::size_t parts = is_complex(p.dtype) ? 2 : 1;
  auto make = [&](std::int64_t count) {
    const auto d = random_data(static_cast<std::size_t>(count) * parts);
    std::vector<unsigned char> b(d.size() * scalar);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (scalar == 4)
        reinterpret_cast<float*>(b.data())[i] = static_cast<float>(d[i]);
      else
        reinterpret_cast<double*>(b.data())[i] = d[i];
    }
    return b;
  };
  const auto x = make(element_count(p.x)), k = make(element_count(p.k));
  std::vector<unsigned char> y(static_cast<std::size_t>(plan.output_elements()) * dtype_size(p.dtype));
  std::vector<unsigned char> ws(plan.workspace_bytes() + 64);
  void* w = ws.data() + (64 - reinterpret_cast<std::uintptr_t>(ws.data()) % 64) % 64;
  return best_of([&] { plan.execute(x.data(), k.data(), y.data(), w); });
}

double block_overhead(DType t, double pair_4096) {
  // 1-D, blocks of 4096 (m = 129): (time per block - pair) per sample.
  const Problem p = parse_problem("op=conv dtype=" + std::string(name(t)) + " x=1048576 k=129 mode=same");
  fft::FftSchedule s;
  s.L = {4096};
  s.block = {4096 - 129 + 1};
  s.effort = fft::PlanEffort::measure;
  auto ex = fft::make_fft_executor(p, s);
  const std::size_t scalar = dtype_size(t) / (is_complex(t) ? 2 : 1);
  const std::size_t parts = is_complex(t) ? 2 : 1;
  std::vector<unsigned char> x(1048576 * dtype_size(t)), k(129 * dtype_size(t)), y(1048576 * dtype_size(t));
  const auto d = random_data(1048576 * parts);
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (scalar == 4)
      reinterpret_cast<float*>(x.data())[i] = static_cast<float>(d[i]);
    else
      reinterpret_cast<double*>(x.data())[i] = d[i];
  }
  for (std::size_t i = 0; i < 129 * parts; ++i) {
    if (scalar == 4)
      reinterpret_cast<float*>(k.data())[i] = 0.01f;
    else
      reinterpret_cast<double*>(k.data())[i] = 0.01;
  }
  std::vector<unsigned char> ws(ex->workspace_bytes() + 64);
  void* w = ws.data() + (64 - reinterpret_cast<std::uintptr_t>(ws.data()) % 64) % 64;
  const double total = best_of([&] { ex->execute(x.data(), k.data(), y.data(), w); });
  const double blocks = std::ceil(1048576.0 / static_cast<double>(s.block[0]));
  return std::max(0.0, (total / blocks - pair_4096) / 4096.0);
}

// Least squares of seconds = outputs * (a + b * taps), weighted by 1/seconds
// so that small and large problems count alike. 1-D kernels (rows of 1-D
// sums) and 2-D kernels (several source rows per output: 1.6-2.1e-11 s per
// output and tap at 5x5-31x31 f32, where 1-D runs at ~1.1e-11) get a fit
// each.
void direct_fit(DType t, bool two_d, double& a, double& b) {
  const std::string dt(name(t));
  std::vector<std::string> problems;
  if (!two_d) {
    for (int m : {3, 7, 15, 31, 63, 127, 255})
      problems.push_back("op=conv dtype=" + dt + " x=1048576 k=" + std::to_string(m) + " mode=same");
  } else {
    for (int m : {3, 5, 9, 15, 21, 31})
      problems.push_back("op=conv dtype=" + dt + " x=1024x1024 k=" + std::to_string(m) + "x" + std::to_string(m) +
                         " mode=same");
  }
  double s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
  for (const auto& text : problems) {
    const Plan plan = Plan::create(parse_problem(text), {Method::direct, 1});
    const double sec = time_plan(plan);
    const double outputs = static_cast<double>(plan.output_elements());
    const double taps = static_cast<double>(element_count(plan.problem().k)) * (is_complex(t) ? 4.0 : 1.0);
    const double w = 1.0 / (sec * sec);
    s11 += w * outputs * outputs;
    s12 += w * outputs * outputs * taps;
    s22 += w * outputs * outputs * taps * taps;
    r1 += w * outputs * sec;
    r2 += w * outputs * taps * sec;
    std::fprintf(stderr, "direct %-45s %.4g ms\n", text.c_str(), sec * 1e3);
  }
  const double det = s11 * s22 - s12 * s12;
  a = (r1 * s22 - r2 * s12) / det;
  b = (s11 * r2 - s12 * r1) / det;
}

}  // namespace

int main() {
  std::printf("// bench/calibrate_costs.cpp output\n");
  for (DType t : {DType::f32, DType::f64, DType::c64, DType::c128}) {
    std::vector<double> pow2;
    for (int k = 4; k <= 22; ++k) pow2.push_back(pair_for(t, {std::int64_t{1} << k}));
    // Square 2-D transforms of 4^k samples, k = 3..11 (also used for 3-D).
    std::vector<double> square;
    for (int k = 3; k <= 11; ++k) square.push_back(pair_for(t, {std::int64_t{1} << k, std::int64_t{1} << k}));
    // Slowdown of 3, 5, 7 times a power of two against the pow2 rate (N log2 N).
    double ratio[3];
    const int factors[3] = {3, 5, 7};
    for (int f = 0; f < 3; ++f) {
      std::vector<double> r;
      for (int k = 7; k <= 17; k += 2) {
        const std::int64_t n = factors[f] * (std::int64_t{1} << k);
        const double measured = pair_for(t, {n});
        // The pow2 rate per N log2 N just below n.
        const int below = static_cast<int>(std::floor(std::log2(static_cast<double>(n))));
        const double rate = pow2[below - 4] / (std::ldexp(1.0, below) * below);
        r.push_back(measured / (rate * static_cast<double>(n) * std::log2(static_cast<double>(n))));
      }
      std::sort(r.begin(), r.end());
      ratio[f] = r[r.size() / 2];
    }
    // 15 * 2^k against the pow2 rate interpolated (per N log2 N) between
    // the powers of two around it: slow when small, fast when large, so by size.
    std::vector<double> ratio15;
    for (int k = 6; k <= 14; ++k) {
      const std::int64_t n = 15 * (std::int64_t{1} << k);
      const double log2n = std::log2(static_cast<double>(n));
      const int below = k + 3;
      const double lo = pow2[below - 4] / (std::ldexp(1.0, below) * below);
      const double hi = pow2[below + 1 - 4] / (std::ldexp(1.0, below + 1) * (below + 1));
      const double f = log2n - below;
      ratio15.push_back(pair_for(t, {n}) / ((lo * (1 - f) + hi * f) * static_cast<double>(n) * log2n));
    }
    const double vertical = t == DType::f32   ? vertical_columns_factor<float>()
                            : t == DType::f64 ? vertical_columns_factor<double>()
                                              : 1.0;  // complex 2-D runs FFTW's own plan
    const double overhead = block_overhead(t, pow2[12 - 4]);
    double a = 0, b = 0, a2 = 0, b2 = 0;
    direct_fit(t, false, a, b);
    direct_fit(t, true, a2, b2);
    std::printf("    {  // %s\n     {", std::string(name(t)).c_str());
    for (std::size_t i = 0; i < pow2.size(); ++i) std::printf("%s%.4g", i ? ", " : "", pow2[i]);
    std::printf("},\n     {");
    for (std::size_t i = 0; i < square.size(); ++i) std::printf("%s%.4g", i ? ", " : "", square[i]);
    std::printf("},\n     %.3f,\n     {1.0, %.3f, %.3f, %.3f},\n     {", vertical, ratio[0], ratio[1], ratio[2]);
    for (std::size_t i = 0; i < ratio15.size(); ++i) std::printf("%s%.3f", i ? ", " : "", ratio15[i]);
    std::printf("},\n     %.4g, %.4g, %.4g, %.4g, %.4g},\n", overhead, a, b, a2, b2);
    std::fflush(stdout);
  }
}
