// The output is bit-identical for any thread count.
#include <gtest/gtest.h>

#include <cstring>

#include "faltung/errors.hpp"
#include "support/check.hpp"
#include "support/random_problem.hpp"

namespace faltung::test {
namespace {

void expect_bit_identical(const Problem& p, std::uint64_t seed, bool expect_parallel = true,
                          Method method = Method::direct, bool with_nan = false) {
  if (expect_parallel) {
    const std::string e = Plan::create(p, {method, 2}).explain();
    EXPECT_NE(e.find("threads: 2"), std::string::npos) << "one worker only for " << to_string(p);
  }
  std::mt19937_64 rng(seed);
  Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
  const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
  if (with_nan) x.set(x.elements() / 3, {NAN, 0});
  const Buffer one = run_plan(p, x, k, {method, 1});
  for (int threads : {2, 3, 4, 7, 16}) {
    const Buffer many = run_plan(p, x, k, {method, threads});
    const std::size_t bytes = one.elements() * dtype_size(p.dtype);
    EXPECT_EQ(std::memcmp(one.data(), many.data(), bytes), 0)
        << "threads=" << threads << " differs from threads=1 for " << to_string(p);
  }
}

// Problems large enough that every thread count gets its workers (the driver
// gives a thread at least 4e6 multiply-adds), one per kernel family and dtype.
TEST(Threads, BitIdenticalOnLargeProblems) {
  for (const char* s :
       {"op=conv dtype=f32 x=1000003 k=64 mode=same", "op=conv dtype=f32 x=2000003 k=31 mode=same boundary=wrap",
        "op=corr dtype=f64 x=200001 k=321 boundary=wrap",
        "op=conv dtype=f32 x=1001x1517 k=7x7 mode=same boundary=symmetric",
        "op=corr dtype=c64 x=60x70x80 k=5x5x5 mode=valid", "op=conv dtype=c128 x=500000 k=33 mode=same boundary=mirror",
        "op=conv dtype=f64 x=64x50000 k=33 axes=1 mode=same boundary=nearest",
        "op=conv dtype=f32 x=3000x700 k=9 axes=0 mode=same nan=ignore"})
    expect_bit_identical(parse_problem(s), 7);
}

TEST(Threads, BitIdenticalOnRandomProblems) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    SweepLimits limits;
    limits.allow_nonfinite = false;
    limits.min_macs = 8'000'000;  // two workers or more
    limits.max_macs = 40'000'000;
    const SweepCase c = random_case(rng, limits);
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_bit_identical(c.problem, seed, false);  // small ones may get one worker
  }
}

// The FFT methods split blocks (and batch rows) among workers; each block is
// computed the same way whichever worker runs it.
TEST(Threads, FftMethodsBitIdentical) {
  for (const char* s :
       {"op=conv dtype=f32 x=300007 k=1023 mode=same", "op=corr dtype=f64 x=100001 k=4000 boundary=wrap",
        "op=conv dtype=f32 x=540x960 k=31x31 mode=same boundary=symmetric",
        "op=conv dtype=c64 x=100000 k=300 mode=same",
        "op=conv dtype=f64 x=16x20000 k=1001 axes=1 mode=same nan=ignore"}) {
    expect_bit_identical(parse_problem(s), 11, true, Method::overlap_save, true);
  }
  expect_bit_identical(parse_problem("op=conv dtype=f64 x=16x30000 k=501 axes=1 mode=same"), 12, true, Method::fft);
  // One block read in place from x (valid mode, n a fast length), where two
  // threads overlap the kernel's transform with it.
  expect_bit_identical(parse_problem("op=conv dtype=f64 x=98304 k=1001 mode=valid"), 13, true, Method::fft);
  // Random shapes, modes, boundaries and policies (with a NaN), both methods.
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed + 100);
    SweepLimits limits;
    limits.allow_nonfinite = false;
    limits.min_macs = 200'000;
    limits.max_macs = 4'000'000;
    const SweepCase c = random_case(rng, limits);
    if (c.problem.nan == NanPolicy::raise) continue;
    SCOPED_TRACE("seed " + std::to_string(seed + 100) + " problem: " + to_string(c.problem));
    expect_bit_identical(c.problem, seed, false, seed % 2 ? Method::fft : Method::overlap_save, true);
  }
}

TEST(Threads, ZeroMeansAllHardwareThreads) {
  const Plan plan = Plan::create(parse_problem("op=conv dtype=f32 x=100000 k=9"), {Method::direct, 0});
  EXPECT_GE(plan.threads(), 1);
  EXPECT_THROW(Plan::create(parse_problem("op=conv dtype=f32 x=10 k=3"), PlanOptions{Method::direct, -1}), Error);
}

}  // namespace
}  // namespace faltung::test
