// The FFT methods beyond the sweeps: non-finite inputs in long signals and
// images (exactly the windows holding them are non-finite, everything else
// accurate, across block edges), the dynamic-range case of scipy issue 22390,
// and the workspace cap.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "faltung/errors.hpp"
#include "faltung/testing/reference.hpp"
#include "faltung/testing/tolerance.hpp"
#include "support/check.hpp"

namespace faltung::test {
namespace {

// Runs p with `method`, checks every output against the reference under the
// rule the plan keeps; returns the plan's explain for further checks.
std::string check(const Problem& p, const Buffer& x, const Buffer& k, Method method, std::uint64_t seed,
                  std::size_t cap = 0) {
  PlanOptions o;
  o.method = method;
  o.max_workspace_bytes = cap;
  const Plan plan = Plan::create(p, o);
  Buffer y(p.dtype, plan.output_shape());
  const ExecuteReport report = plan.execute(x.data(), k.data(), y.data());
  const CheckResult r = check_against_reference(p, x, k, y, seed, plan.transform_length());
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_FALSE(r.trivial) << to_string(p);
  std::int64_t bad = 0;
  for (std::int64_t i = 0; i < x.elements(); ++i) {
    const auto v = x.get(i);
    bad += !(std::isfinite(v.real()) && std::isfinite(v.imag()));
  }
  EXPECT_EQ(report.nonfinite_inputs, bad) << to_string(p);
  return plan.explain();
}

void add_bursts(Buffer& x, std::mt19937_64& rng, int bursts, int longest) {
  for (int b = 0; b < bursts; ++b) {
    const std::int64_t at = std::uniform_int_distribution<std::int64_t>(0, x.elements() - 1)(rng);
    const int len = std::uniform_int_distribution<int>(1, longest)(rng);
    const long double v = b % 3 == 0 ? INFINITY : b % 3 == 1 ? -INFINITY : NAN;
    for (int i = 0; i < len && at + i < x.elements(); ++i) x.set(at + i, {v, 0});
  }
}

TEST(FftNonFinite, EveryPolicyAcrossBlockEdges) {
  std::uint64_t seed = 9100;
  for (const char* text :
       {"op=conv dtype=f64 x=30000 k=301 mode=same", "op=corr dtype=f32 x=20000 k=600 mode=full boundary=symmetric",
        "op=conv dtype=f64 x=150x130 k=21x17 mode=same boundary=wrap", "op=conv dtype=c128 x=10000 k=77 mode=valid",
        "op=conv dtype=f64 x=8x3000 k=65 axes=1 mode=same boundary=nearest"}) {
    for (const char* policy : {"", " nan=fill fill=2", " nan=ignore"}) {
      const Problem p = parse_problem(std::string(text) + policy);
      std::mt19937_64 rng(++seed);
      Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
      Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
      if (p.nan == NanPolicy::ignore)  // a smoothing kernel, as normalised convolution is used
        for (std::int64_t i = 0; i < k.elements(); ++i) k.set(i, {0.5L + std::abs(k.get(i).real()), 0});
      add_bursts(x, rng, 12, 40);
      SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(p));
      for (Method m : {Method::fft, Method::overlap_save}) check(p, x, k, m, seed);
    }
  }
}

// Kernels longer than x on some axis, where the whole-array transform is
// shorter than the extended span (wrapped lengths), on one and two threads.
TEST(FftWholeArray, KernelLongerThanInput) {
  std::uint64_t seed = 77;
  for (const char* text : {"op=conv dtype=c128 x=1x2x9 k=3x7x1 mode=same", "op=corr dtype=f64 x=3x40 k=9x5",
                           "op=conv dtype=f32 x=5 k=12 mode=same", "op=conv dtype=c64 x=2x3 k=7x8 mode=full"}) {
    const Problem p = parse_problem(text);
    std::mt19937_64 rng(++seed);
    const Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
    for (int threads : {1, 2}) {
      const Plan plan = Plan::create(p, {Method::fft, threads});
      Buffer y(p.dtype, plan.output_shape());
      plan.execute(x.data(), k.data(), y.data());
      const CheckResult r = check_against_reference(p, x, k, y, seed, plan.transform_length());
      EXPECT_TRUE(r.ok) << "threads=" << threads << ": " << r.message;
    }
  }
}

TEST(FftNonFinite, RaiseNamesTheSample) {
  const Problem p = parse_problem("op=conv dtype=f32 x=5000 k=200 mode=same nan=raise");
  std::mt19937_64 rng(3);
  Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
  const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
  x.set(4321, {NAN, 0});
  for (Method m : {Method::fft, Method::overlap_save}) {
    try {
      run_plan(p, x, k, {m, 1});
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::nonfinite_input);
      EXPECT_NE(std::string(e.what()).find("x[4321]"), std::string::npos) << e.what();
    }
  }
}

// scipy issue 22390: a = [0]*n0 + [10^(9i) for i < 10]; convolve(a, a). The
// outputs range from 1 to 1e162; an FFT keeps the largest and loses the small
// ones (its error is relative to ||a||^2 ~ 1e162), a direct sum keeps each to
// its own rounding.
TEST(FftAccuracy, DynamicRangeOfScipyIssue22390) {
  const Problem p = parse_problem("op=conv dtype=f64 x=2010 k=2010");
  Buffer a(DType::f64, p.x);
  for (int i = 0; i < 10; ++i) a.set(2000 + i, {std::pow(10.0L, 9 * i), 0});
  const Reference ref(p, a.data(), a.data());

  // direct: every output within the elementwise rule, the smallest included.
  const Buffer direct = run_plan(p, a, a, {Method::direct, 1});
  EXPECT_TRUE(check_against_reference(p, a, a, direct, 0).ok);
  EXPECT_EQ(direct.get(4000).real(), 1.0L);  // 1 * 1, the first non-zero output

  // fft: within its normwise bound, but the small outputs are lost.
  const Plan fft = Plan::create(p, {Method::fft, 1});
  Buffer y(p.dtype, fft.output_shape());
  fft.execute(a.data(), a.data(), y.data());
  EXPECT_TRUE(check_against_reference(p, a, a, y, 0, fft.transform_length()).ok);
  int lost = 0;  // outputs 1 .. 1e81 (4000..4009): the FFT's error is ~1e146
  for (std::int64_t i = 4000; i < 4010; ++i) {
    const long double want = ref.at(i).value.real();
    lost += std::abs(y.get(i).real() - want) > 1e-3L * std::abs(want);
  }
  EXPECT_GE(lost, 8) << "the FFT kept the small outputs: the test no longer shows issue 22390";
  EXPECT_NEAR(static_cast<double>(y.get(4018).real() / ref.at(4018).value.real()), 1.0, 1e-12);

  // accuracy=elementwise: auto never picks an FFT method, forcing one is an error.
  PlanOptions o;
  o.accuracy = Accuracy::elementwise;
  const Plan safe = Plan::create(p, o);
  EXPECT_EQ(safe.accuracy(), Accuracy::elementwise);
  EXPECT_NE(safe.explain().find("accuracy=elementwise was asked for"), std::string::npos) << safe.explain();
  o.method = Method::fft;
  EXPECT_THROW(Plan::create(p, o), Error);
}

// 1-D real blocks read x in place from the 16-byte boundary before their
// span: every misalignment of x (and of batch rows) gives the same answer.
TEST(FftOverlapSave, ReadsBlocksInPlaceAtAnyAlignment) {
  for (const char* text : {"op=conv dtype=f32 x=20011 k=257 mode=same", "op=corr dtype=f64 x=15001 k=130",
                           "op=conv dtype=f32 x=3x7001 k=101 mode=same boundary=wrap"}) {
    const Problem p = parse_problem(text);
    std::mt19937_64 rng(17);
    const Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
    const Plan plan = Plan::create(p, {Method::overlap_save, 1});
    ASSERT_NE(plan.explain().find("transformed in place"), std::string::npos) << plan.explain();
    const std::size_t size = dtype_size(p.dtype);
    for (std::size_t offset = 0; offset < 16 / size; ++offset) {
      std::vector<unsigned char> shifted(x.elements() * size + 64);
      unsigned char* base = shifted.data() + (64 - reinterpret_cast<std::uintptr_t>(shifted.data()) % 64) % 64;
      std::memcpy(base + offset * size, x.data(), x.elements() * size);
      Buffer y(p.dtype, plan.output_shape());
      plan.execute(base + offset * size, k.data(), y.data());
      const CheckResult r = check_against_reference(p, x, k, y, 17, plan.transform_length());
      EXPECT_TRUE(r.ok) << "offset " << offset << ": " << r.message;
    }
  }
}

// Real 2-D blocks of 128x128 samples and more run as row and column
// transforms whose rows are read from x in place where they lie inside it
// (from a 16-byte boundary, so each misalignment of x puts other blocks in
// place), gathered where a boundary rule extends them, and skipped where
// they are zeros. Every boundary, batch axes, a row stride that is no
// multiple of 16 bytes, convolved axes that are not x's last, and a NaN
// (the policies gather) give the reference's answer.
TEST(FftOverlapSave, TwoDimensionalRowsInPlaceAtAnyAlignment) {
  for (const char* text : {"op=conv dtype=f32 x=50x1000 k=25x33 mode=same",
                           "op=corr dtype=f64 x=40x900 k=31x30 mode=full boundary=constant cval=1.5",
                           "op=conv dtype=f32 x=60x900 k=23x34 mode=same boundary=symmetric origin=2,-3",
                           "op=conv dtype=f32 x=50x901 k=27x27 mode=same boundary=wrap",
                           "op=corr dtype=f32 x=60x2x900 k=25x29 axes=0,2 mode=valid",
                           "op=conv dtype=f64 x=100x300x2 k=29x31 axes=0,1 mode=same boundary=nearest",
                           "op=conv dtype=f32 x=50x1000 k=25x33 mode=same nan=ignore"}) {
    const Problem p = parse_problem(text);
    std::mt19937_64 rng(29);
    Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    if (p.nan == NanPolicy::ignore) x.set(25 * 1000 + 500, {NAN, 0});
    const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
    const Plan plan = Plan::create(p, {Method::overlap_save, 1});
    ASSERT_NE(plan.explain().find("as 1-D row transforms"), std::string::npos) << plan.explain();
    // The reference once; each alignment's outputs against it.
    const Reference ref(p, x.data(), k.data());
    const ReferenceNorms norms = ref.norms();
    std::vector<ReferenceValue> want;
    for (std::int64_t i = 0; i < ref.output_elements(); ++i) want.push_back(ref.at(i));
    const std::size_t size = dtype_size(p.dtype);
    for (std::size_t offset = 0; offset < 16 / size; ++offset) {
      std::vector<unsigned char> shifted(x.elements() * size + 64);
      unsigned char* base = shifted.data() + (64 - reinterpret_cast<std::uintptr_t>(shifted.data()) % 64) % 64;
      std::memcpy(base + offset * size, x.data(), x.elements() * size);
      Buffer y(p.dtype, plan.output_shape());
      plan.execute(base + offset * size, k.data(), y.data());
      for (std::int64_t i = 0; i < y.elements(); ++i) {
        const auto bound = tolerance::normwise_bound(p.dtype, plan.transform_length(), norms, want[i]);
        const auto verdict = tolerance::check_normwise(bound, want[i], y.get(i));
        ASSERT_EQ(verdict, tolerance::Verdict::ok)
            << text << " offset " << offset << " output " << i << ": " << tolerance::describe(verdict);
      }
    }
  }
}

// Real transforms of 2^19 (f64) or 2^20 (f32) samples and more run in four steps (a complex
// transform of half the length in column and row passes): every fast
// length's factorisation (2^k times 1, 3, 5, 7, 15), both precisions, conv
// and corr, the nan policies' second pass and batch items agree with the
// reference, and two threads give the same bits as one.
TEST(FftFourStep, AgreesWithReferenceAndIsBitIdenticalOnAnyThreads) {
  for (const char* text :
       {"op=conv dtype=f64 x=600000 k=7 mode=same", "op=corr dtype=f32 x=1000000 k=48 mode=full boundary=symmetric",
        "op=conv dtype=f64 x=600000 k=41 mode=valid", "op=conv dtype=f32 x=1500000 k=5 mode=same boundary=wrap",
        "op=conv dtype=f64 x=900000 k=31 mode=same nan=ignore",
        "op=corr dtype=f64 x=2x550000 k=9 mode=same boundary=mirror"}) {
    const Problem p = parse_problem(text);
    std::mt19937_64 rng(31);
    Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    if (p.nan == NanPolicy::ignore) add_bursts(x, rng, 20, 40);
    const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
    const Plan one = Plan::create(p, {Method::fft, 1});
    ASSERT_NE(one.explain().find("four-step"), std::string::npos) << one.explain();
    Buffer y1(p.dtype, one.output_shape());
    one.execute(x.data(), k.data(), y1.data());
    const CheckResult r = check_against_reference(p, x, k, y1, 31, one.transform_length());
    EXPECT_TRUE(r.ok) << text << ": " << r.message;
    const Plan two = Plan::create(p, {Method::fft, 2});
    Buffer y2(p.dtype, two.output_shape());
    two.execute(x.data(), k.data(), y2.data());
    EXPECT_EQ(std::memcmp(y1.data(), y2.data(), y1.elements() * dtype_size(p.dtype)), 0) << text;
  }
}

// Outputs of 32 MB and more are written with non-temporal stores (flushed by
// each worker before the join); the answers are the same.
TEST(FftOverlapSave, StreamsLargeOutputs) {
  const Problem p = parse_problem("op=conv dtype=f32 x=8500003 k=7 mode=same boundary=wrap");
  std::mt19937_64 rng(23);
  Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
  const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
  x.set(4000000, {NAN, 0});
  const Reference ref(p, x.data(), k.data());
  const ReferenceNorms norms = ref.norms();
  for (int threads : {1, 2}) {
    const Plan plan = Plan::create(p, {Method::overlap_save, threads});
    Buffer y(p.dtype, plan.output_shape());
    plan.execute(x.data(), k.data(), y.data());
    // Both ends, around the NaN, and every 997th output (the whole array
    // through the reference would take seconds).
    std::vector<std::int64_t> at;
    for (std::int64_t i = 0; i < 2000; ++i) at.insert(at.end(), {i, y.elements() - 1 - i, 3999000 + i});
    for (std::int64_t i = 0; i < y.elements(); i += 997) at.push_back(i);
    for (const std::int64_t i : at) {
      const ReferenceValue v = ref.at(i);
      const auto verdict =
          tolerance::check_normwise(tolerance::normwise_bound(p.dtype, plan.transform_length(), norms, v), v, y.get(i));
      ASSERT_EQ(verdict, tolerance::Verdict::ok)
          << "threads=" << threads << " output " << i << ": " << tolerance::describe(verdict);
    }
  }
}

TEST(FftWorkspace, CapPicksSmallerBlocks) {
  const Problem p = parse_problem("op=conv dtype=f64 x=60000 k=1001 mode=same boundary=mirror");
  std::mt19937_64 rng(5);
  const Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
  const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
  const std::size_t uncapped = Plan::create(p, {Method::overlap_save, 1}).workspace_bytes();
  for (std::size_t cap : {uncapped * 3 / 4, uncapped / 2}) {
    PlanOptions o;
    o.method = Method::overlap_save;
    o.max_workspace_bytes = cap;
    const Plan plan = Plan::create(p, o);
    EXPECT_LE(plan.workspace_bytes(), cap);
    EXPECT_LT(plan.workspace_bytes(), uncapped);
    const std::string e = check(p, x, k, Method::overlap_save, 5, cap);
    // The whole-array FFT cannot fit: refused with the reason.
    EXPECT_NE(e.find("fft: refused: needs"), std::string::npos) << e;
  }
  PlanOptions tiny;
  tiny.method = Method::overlap_save;
  tiny.max_workspace_bytes = 1000;  // below any block: a clear error
  try {
    Plan::create(p, tiny);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot compute"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace faltung::test
