// Random problems for sweeps: sizes around SIMD tile edges and primes, every
// mode, boundary, origin, dtype, nan policy, batch axes. Each draw is bounded
// in reference cost so a sweep of thousands stays fast.
#pragma once

#include <cstdint>
#include <random>

#include "faltung/problem.hpp"
#include "support/arrays.hpp"

namespace faltung::test {

struct SweepCase {
  Problem problem;
  Buffer x, k;
  int threads = 1;
};

struct SweepLimits {
  std::int64_t max_macs = 150000;  // outputs x kernel elements
  std::int64_t min_macs = 0;
  bool allow_nonfinite = true;  // inject NaN / Inf into x
};

SweepCase random_case(std::mt19937_64& rng, const SweepLimits& limits = {});

}  // namespace faltung::test
