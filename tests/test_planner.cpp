// The planner: explain lists every candidate, measure and wisdom (round trip,
// merge, corrupt and foreign files), separable kernels, the plan cache.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "faltung/errors.hpp"
#include "faltung/wisdom.hpp"
#include "simd/targets.hpp"
#include "support/check.hpp"
#include "planner/wisdom_store.hpp"

namespace faltung::test {
namespace {

TEST(Planner, ExplainListsEveryCandidateWithEstimateOrReason) {
  const Problem p = parse_problem("op=conv dtype=f32 x=1000000 k=1023 mode=same");
  const std::string e = Plan::create(p).explain();
  for (const char* want : {"method: overlap_save (auto: lowest estimated time)", "direct: estimated",
                           "separable: refused: the kernel has fewer than two axes", "fft: estimated",
                           "overlap_save: estimated", "<- chosen", "reference: estimated",
                           "transform: real f32 FFTW, length", "error bound: max|y - y_ref|", "workspace: "})
    EXPECT_NE(e.find(want), std::string::npos) << "missing '" << want << "' in\n" << e;
  // Small kernels stay direct.
  EXPECT_EQ(Plan::create(parse_problem("op=conv dtype=f32 x=1000000 k=15 mode=same")).method(), Method::direct);
}

TEST(Planner, MeasureRemembersAndWisdomRoundTrips) {
  wisdom::forget();
  const Problem p = parse_problem("op=conv dtype=f64 x=30000 k=200 mode=same boundary=symmetric");
  PlanOptions o;
  o.method = Method::measure;
  const Plan measured = Plan::create(p, o);
  const std::string e = measured.explain();
  EXPECT_NE(e.find("measure: fastest of the timed candidates"), std::string::npos) << e;
  EXPECT_NE(e.find("measured"), std::string::npos) << e;
  Method remembered;
  ASSERT_TRUE(wisdom::recall(p, 1, remembered));
  EXPECT_EQ(remembered, measured.method());

  const std::string text = wisdom::export_text();
  EXPECT_EQ(text.rfind("faltung-wisdom 1\n", 0), 0u) << text;
  EXPECT_NE(text.find(to_string(p)), std::string::npos) << text;
  wisdom::forget();
  EXPECT_FALSE(wisdom::recall(p, 1, remembered));
  EXPECT_TRUE(wisdom::import_text(text).empty());
  ASSERT_TRUE(wisdom::recall(p, 1, remembered));
  EXPECT_EQ(remembered, measured.method());
  EXPECT_EQ(wisdom::export_text(), text);

  // A new plan (other threads, so not the cached one) of the same problem
  // keyed by threads=1 only: measures again; threads=1 reads the wisdom.
  const std::string path = ::testing::TempDir() + "/faltung-wisdom.txt";
  wisdom::save(path);
  wisdom::forget();
  EXPECT_TRUE(wisdom::load(path).empty());
  o.threads = 1;
  o.max_workspace_bytes = 1u << 30;  // a different cache key than the plan above
  const std::string again = Plan::create(p, o).explain();
  EXPECT_NE(again.find("measure: remembered in wisdom"), std::string::npos) << again;
  std::remove(path.c_str());
  wisdom::forget();
}

TEST(Planner, WisdomMergesAndSkipsBadLinesWithWarnings) {
  wisdom::forget();
  const std::string cpu = simd::available_targets().front().name;
  const std::string good = "op=conv dtype=f32 x=5000 k=300 mode=same\t" + cpu + "\t1\tfft\n";
  const std::string foreign = "op=conv dtype=f32 x=5000 k=300 mode=same\tNEON\t1\tdirect\n";
  const auto warnings = wisdom::import_text("faltung-wisdom 1\n" + good + foreign +
                                            "op=conv dtype=f32 x=5000\tAVX3\t1\tfft\n"      // bad problem
                                            "op=conv dtype=f32 x=9 k=3\tAVX3\tmany\tfft\n"  // bad threads
                                            "op=conv dtype=f32 x=9 k=3\tAVX3\t1\tauto\n"    // not measured
                                            "just garbage\n");
  EXPECT_EQ(warnings.size(), 4u);
  for (const auto& w : warnings) EXPECT_NE(w.find("wisdom line"), std::string::npos) << w;
  Method m;
  ASSERT_TRUE(wisdom::recall(parse_problem("op=conv dtype=f32 x=5000 k=300 mode=same"), 1, m));
  EXPECT_EQ(m, Method::fft);  // this CPU's line, not the foreign one
  EXPECT_NE(wisdom::export_text().find("NEON"), std::string::npos) << "foreign lines are kept";

  // Not wisdom at all: one warning, nothing loaded, no crash.
  wisdom::forget();
  const auto w2 = wisdom::import_text(
      "\x7f"
      "ELF binary junk\n\x01\x02");
  ASSERT_EQ(w2.size(), 1u);
  EXPECT_NE(w2[0].find("not faltung wisdom"), std::string::npos) << w2[0];
  EXPECT_EQ(wisdom::export_text(), "faltung-wisdom 1\n");
  EXPECT_EQ(wisdom::import_text("faltung-wisdom 2\nop=conv dtype=f32 x=9 k=3\tAVX3\t1\tfft\n").size(), 1u);

  // Files that cannot be read or written: errors naming the path.
  try {
    wisdom::load("/nonexistent/dir/wisdom.txt");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/wisdom.txt"), std::string::npos);
  }
  EXPECT_THROW(wisdom::save("/nonexistent/dir/wisdom.txt"), Error);
  wisdom::forget();
}

// auto takes a measured choice over the cost model; without wisdom (or with
// a corrupt file) it is the model's.
TEST(Planner, AutoUsesWisdom) {
  wisdom::forget();
  const Problem p = parse_problem("op=conv dtype=f64 x=3000 k=5 mode=same");
  EXPECT_EQ(Plan::create(p).method(), Method::direct);
  const std::string cpu = simd::available_targets().front().name;
  EXPECT_TRUE(wisdom::import_text("faltung-wisdom 1\n" + to_string(p) + "\t" + cpu + "\t1\toverlap_save\n").empty());
  const Plan remembered = Plan::create(p);
  EXPECT_EQ(remembered.method(), Method::overlap_save);
  EXPECT_NE(remembered.explain().find("auto: remembered in wisdom"), std::string::npos) << remembered.explain();
  // A remembered method the options rule out is not taken.
  PlanOptions exact;
  exact.accuracy = Accuracy::elementwise;
  EXPECT_EQ(Plan::create(p, exact).method(), Method::direct);
  wisdom::forget();
  EXPECT_FALSE(wisdom::import_text("garbage").empty());
  EXPECT_EQ(Plan::create(p).method(), Method::direct);
  wisdom::forget();
}

TEST(Planner, WisdomForAMethodThatNoLongerAppliesFallsBack) {
  wisdom::forget();
  const std::string cpu = simd::available_targets().front().name;
  // separable remembered for a 1-D problem (impossible): measure times instead.
  wisdom::import_text("faltung-wisdom 1\nop=conv dtype=f64 x=3000 k=40 mode=same\t" + cpu + "\t1\tseparable\n");
  PlanOptions o;
  o.method = Method::measure;
  const Plan plan = Plan::create(parse_problem("op=conv dtype=f64 x=3000 k=40 mode=same"), o);
  EXPECT_NE(plan.method(), Method::separable);
  EXPECT_NE(plan.explain().find("measure: fastest of the timed candidates"), std::string::npos);
  wisdom::forget();
}

// A Gaussian (rank 1) in 2-D and a box in 3-D, every boundary with cval 0.
TEST(Planner, SeparableKernelsRunAsPasses) {
  std::uint64_t seed = 300;
  for (const char* text :
       {"op=conv dtype=f32 x=300x400 k=13x9 mode=same boundary=symmetric",
        "op=corr dtype=f64 x=200x150 k=7x21 mode=full", "op=conv dtype=f64 x=120x90 k=11x11 mode=valid",
        "op=conv dtype=f64 x=40x30x20 k=5x3x7 mode=same boundary=wrap origin=1",
        "op=conv dtype=f32 x=6x200x100 k=9x5 axes=1,2 mode=same boundary=nearest",
        "op=conv dtype=f64 x=150x160 k=9x9 mode=same boundary=mirror nan=fill fill=1"}) {
    const Problem p = parse_problem(text);
    std::mt19937_64 rng(++seed);
    Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    x.set(77, {NAN, 0});
    Buffer k(p.dtype, p.k);
    const std::int64_t n = k.elements();
    std::vector<std::int64_t> stride(p.k.size(), 1);
    for (std::size_t a = p.k.size(); a-- > 1;) stride[a - 1] = stride[a] * p.k[a];
    for (std::int64_t i = 0; i < n; ++i) {
      long double v = 1;
      for (std::size_t a = 0; a < p.k.size(); ++a) {
        const long double c = (i / stride[a]) % p.k[a] - (p.k[a] - 1) / 2.0L;
        v *= p.k.size() == 3 ? 1.0L / p.k[a] : std::exp(-c * c / 8);
      }
      k.set(i, {v, 0});
    }
    SCOPED_TRACE("seed " + std::to_string(seed) + " problem: " + to_string(p));
    PlanOptions o;
    o.method = Method::separable;
    o.kernel = k.data();
    const Plan plan = Plan::create(p, o);
    ASSERT_EQ(plan.method(), Method::separable);
    EXPECT_NE(plan.explain().find("passes: "), std::string::npos);
    Buffer y(p.dtype, plan.output_shape());
    plan.execute(x.data(), k.data(), y.data());
    const CheckResult r = check_against_reference(p, x, k, y, seed);
    EXPECT_TRUE(r.ok) << r.message;

    // A kernel that is not rank 1 at execute: the plan runs the direct sum.
    Buffer k2 = random_buffer(p.dtype, p.k, rng, Values::normal);
    plan.execute(x.data(), k2.data(), y.data());
    const CheckResult r2 = check_against_reference(p, x, k2, y, seed);
    EXPECT_TRUE(r2.ok) << r2.message;
    // And planning with it refuses separable, saying why.
    o.kernel = k2.data();
    o.method = Method::automatic;
    const std::string e = Plan::create(p, o).explain();
    EXPECT_NE(e.find("separable: refused: the kernel is not rank 1"), std::string::npos) << e;
  }
}

TEST(Planner, SeparableRefusals) {
  const Problem p = parse_problem("op=conv dtype=f64 x=50x50 k=5x5 mode=same");
  const std::string e = Plan::create(p).explain();
  EXPECT_NE(e.find("separable: refused: needs the kernel's values at plan time"), std::string::npos) << e;
  const std::string ignore =
      Plan::create(parse_problem("op=conv dtype=f64 x=50x50 k=5x5 mode=same nan=ignore")).explain();
  EXPECT_NE(ignore.find("separable: refused: nan=ignore"), std::string::npos) << ignore;
  const std::string cval = Plan::create(parse_problem("op=conv dtype=f64 x=50x50 k=5x5 mode=same cval=2")).explain();
  EXPECT_NE(cval.find("separable: refused: a non-zero cval"), std::string::npos) << cval;
}

TEST(Planner, PlanCacheReturnsTheSamePlan) {
  const Problem p = parse_problem("op=conv dtype=f32 x=123457 k=999 mode=same boundary=wrap");
  const Plan a = Plan::create(p, {Method::overlap_save, 1});
  const Plan b = Plan::create(p, {Method::overlap_save, 1});
  EXPECT_EQ(&a.problem(), &b.problem()) << "the second create did not reuse the cached plan";
  const Plan c = Plan::create(p, {Method::overlap_save, 2});
  EXPECT_NE(&a.problem(), &c.problem());
}

}  // namespace
}  // namespace faltung::test
