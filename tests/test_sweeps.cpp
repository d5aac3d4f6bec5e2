// Seeded random sweeps of the direct method against the reference, on every
// SIMD target this CPU runs (so the AVX2 and baseline kernels are checked on an
// AVX-512 machine too). A failure prints the seed and the problem string.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/finite.hpp"
#include "faltung/errors.hpp"
#include "simd/targets.hpp"
#include "support/check.hpp"
#include "support/random_problem.hpp"

namespace faltung::test {
namespace {

std::uint64_t base_seed() {
  const char* env = std::getenv("FALTUNG_TEST_SEED");
  return env ? std::strtoull(env, nullptr, 10) : 20261126;
}

// Runs `count` random cases with one method; flags a sweep of trivial cases.
void sweep(std::uint64_t seed0, int count, const SweepLimits& limits, Method method = Method::direct) {
  int trivial = 0, raised = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seed = seed0 + i;
    std::mt19937_64 rng(seed);
    const SweepCase c = random_case(rng, limits);
    SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(c.problem) +
                 " threads=" + std::to_string(c.threads));
    if (c.problem.nan == NanPolicy::raise && core::count_nonfinite(c.x.data(), c.problem.dtype, c.x.elements()) > 0) {
      try {
        run_plan(c.problem, c.x, c.k, {method, c.threads});
        ADD_FAILURE() << "nan=raise did not raise";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::nonfinite_input);
        EXPECT_NE(std::string(e.what()).find("input sample x["), std::string::npos) << e.what();
      }
      ++raised;
      continue;
    }
    const Plan plan = Plan::create(c.problem, {method, c.threads});
    Buffer y(c.problem.dtype, plan.output_shape());
    const ExecuteReport report = plan.execute(c.x.data(), c.k.data(), y.data());
    const CheckResult r = check_against_reference(c.problem, c.x, c.k, y, seed, plan.transform_length());
    ASSERT_TRUE(r.ok) << r.message;
    // Every input sample is counted once, whichever items read it.
    ASSERT_EQ(report.nonfinite_inputs, core::count_nonfinite(c.x.data(), c.problem.dtype, c.x.elements()));
    trivial += r.trivial;
  }
  // A sweep whose cases all compare zeros or NaNs proves nothing: flag it.
  EXPECT_LT(trivial, count / 10) << "too many trivial cases";
  std::printf("sweep %s seed=%llu cases=%d trivial=%d raised=%d\n", std::string(name(method)).c_str(),
              static_cast<unsigned long long>(seed0), count, trivial, raised);
}

TEST(Sweep, DirectAgainstReference) { sweep(base_seed(), 3000, {}); }

// Random problems with two or three convolved axes and a rank-1 kernel (the
// outer product of random integer vectors, so it is exactly rank 1), through
// method=separable wherever it applies.
TEST(Sweep, SeparableAgainstReference) {
  const std::uint64_t seed0 = base_seed() + 5000000;
  int ran = 0;
  for (int i = 0; i < 3000 && ran < 400; ++i) {
    const std::uint64_t seed = seed0 + i;
    std::mt19937_64 rng(seed);
    SweepCase c = random_case(rng, {});
    const Problem& p = c.problem;
    const std::size_t r = p.k.size();
    if (r < 2 || is_complex(p.dtype) || p.nan == NanPolicy::ignore || p.nan == NanPolicy::raise) continue;
    std::vector<std::vector<long double>> f(r);
    std::uniform_int_distribution<int> d(-3, 3);
    for (std::size_t a = 0; a < r; ++a)
      for (std::int64_t j = 0; j < p.k[a]; ++j) f[a].push_back(d(rng) == 0 ? 1 : d(rng));
    std::vector<std::int64_t> stride(r, 1);
    for (std::size_t a = r; a-- > 1;) stride[a - 1] = stride[a] * p.k[a];
    for (std::int64_t e = 0; e < c.k.elements(); ++e) {
      long double v = 1;
      for (std::size_t a = 0; a < r; ++a) v *= f[a][static_cast<std::size_t>((e / stride[a]) % p.k[a])];
      c.k.set(e, {v, 0});
    }
    PlanOptions o;
    o.kernel = c.k.data();
    o.threads = c.threads;
    if (Plan::create(p, o).explain().find("separable: refused") != std::string::npos) continue;
    o.method = Method::separable;
    SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(p));
    const Plan plan = Plan::create(p, o);
    ASSERT_EQ(plan.method(), Method::separable);
    Buffer y(p.dtype, plan.output_shape());
    plan.execute(c.x.data(), c.k.data(), y.data());
    const CheckResult res = check_against_reference(p, c.x, c.k, y, seed);
    ASSERT_TRUE(res.ok) << res.message;
    ++ran;
  }
  EXPECT_GT(ran, 100) << "too few random problems admit separable";
  std::printf("sweep separable seed=%llu ran=%d\n", static_cast<unsigned long long>(seed0), ran);
}
TEST(Sweep, FftAgainstReference) { sweep(base_seed() + 3000000, 1500, {}, Method::fft); }
TEST(Sweep, OverlapSaveAgainstReference) { sweep(base_seed() + 4000000, 1500, {}, Method::overlap_save); }

// 1-D rows with kernels of 2 to 40 vectors: the ring kernel's territory
// (several streams, several tap passes, a partial last tap vector), with
// NaN/Inf bursts that must stay inside their windows.
void long_kernel_sweep(std::uint64_t seed0, bool quick) {
  int i = 0;
  const std::vector<std::int64_t> all{31, 32, 33, 47, 64, 65, 100, 255, 256, 257, 300, 513, 640};
  const std::vector<std::int64_t> few{33, 100, 257};
  for (DType t : {DType::f32, DType::f64}) {
    for (std::int64_t m : quick ? few : all) {
      for (const char* rest :
           {"mode=same", "mode=full boundary=wrap", "mode=valid", "mode=same boundary=mirror origin=1"}) {
        const std::uint64_t seed = seed0 + i++;
        std::mt19937_64 rng(seed);
        const std::int64_t n = std::uniform_int_distribution<std::int64_t>(4 * m, 4 * m + 3000)(rng);
        const Problem p = parse_problem("op=conv dtype=" + std::string(name(t)) + " x=" + std::to_string(n) +
                                        " k=" + std::to_string(m) + " " + rest);
        Buffer x = random_buffer(t, p.x, rng, Values::normal);
        const Buffer k = random_buffer(t, p.k, rng, Values::normal);
        if (seed % 2) {
          for (int b = 0; b < 3; ++b)
            x.set(std::uniform_int_distribution<std::int64_t>(0, n - 1)(rng), {b ? INFINITY : NAN, 0});
        }
        SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(p));
        const Buffer y = run_plan(p, x, k, {Method::direct, 1});
        const CheckResult r = check_against_reference(p, x, k, y, seed);
        ASSERT_TRUE(r.ok) << r.message;
      }
    }
  }
}

TEST(Sweep, LongKernels1D) { long_kernel_sweep(base_seed() + 500000, false); }

TEST(Sweep, EverySimdTarget) {
  for (const auto& target : simd::available_targets()) {
    SCOPED_TRACE("SIMD target " + target.name);
    simd::restrict_targets(target.bits);
    sweep(base_seed() + 1000000 + target.bits % 1000, 400, {});
    long_kernel_sweep(base_seed() + 2000000, true);
  }
  simd::restrict_targets(0);
}

}  // namespace
}  // namespace faltung::test
