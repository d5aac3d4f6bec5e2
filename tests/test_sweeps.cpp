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

// Runs `count` random cases with the direct method; returns how many were trivial.
void sweep(std::uint64_t seed0, int count, const SweepLimits& limits) {
  int trivial = 0, raised = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seed = seed0 + i;
    std::mt19937_64 rng(seed);
    const SweepCase c = random_case(rng, limits);
    SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(c.problem) +
                 " threads=" + std::to_string(c.threads));
    if (c.problem.nan == NanPolicy::raise &&
        core::count_nonfinite(c.x.data(), c.problem.dtype, c.x.elements()) > 0) {
      try {
        run_plan(c.problem, c.x, c.k, {Method::direct, c.threads});
        ADD_FAILURE() << "nan=raise did not raise";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::nonfinite_input);
        EXPECT_NE(std::string(e.what()).find("input sample x["), std::string::npos) << e.what();
      }
      ++raised;
      continue;
    }
    const Buffer y = run_plan(c.problem, c.x, c.k, {Method::direct, c.threads});
    const CheckResult r = check_against_reference(c.problem, c.x, c.k, y, seed);
    ASSERT_TRUE(r.ok) << r.message;
    trivial += r.trivial;
  }
  // A sweep whose cases all compare zeros or NaNs proves nothing: flag it.
  EXPECT_LT(trivial, count / 10) << "too many trivial cases";
  std::printf("sweep seed=%llu cases=%d trivial=%d raised=%d\n",
              static_cast<unsigned long long>(seed0), count, trivial, raised);
}

TEST(Sweep, DirectAgainstReference) { sweep(base_seed(), 3000, {}); }

TEST(Sweep, EverySimdTarget) {
  for (const auto& target : simd::available_targets()) {
    SCOPED_TRACE("SIMD target " + target.name);
    simd::restrict_targets(target.bits);
    sweep(base_seed() + 1000000 + target.bits % 1000, 400, {});
  }
  simd::restrict_targets(0);
}

}  // namespace
}  // namespace faltung::test
