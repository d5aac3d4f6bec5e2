// Plans: explain() content, methods, workspaces, reports.
#include <gtest/gtest.h>

#include <cmath>

#include "faltung/errors.hpp"
#include "support/check.hpp"

namespace faltung::test {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Plan, ExplainNamesMethodTargetWorkspaceAndCandidates) {
  const Plan plan = Plan::create(parse_problem("op=corr dtype=f32 x=1080x1920 k=11x11 mode=same boundary=symmetric"),
                                 {Method::automatic, 2});
  const std::string e = plan.explain();
  for (const char* part : {"problem: op=corr dtype=f32 x=1080x1920 k=11x11 mode=same boundary=symmetric",
                           "output: 1080x1920", "method: direct (auto", "simd target: ", "kernel: f32_direct_rows_",
                           "threads: 2", "workspace: ", "error bound: ", "estimate: ", "candidates:",
                           "direct: estimated", "reference: estimated", "not chosen: the test oracle"})
    EXPECT_TRUE(contains(e, part)) << "'" << part << "' missing from:\n" << e;
  EXPECT_EQ(plan.method(), Method::direct);
  EXPECT_GT(plan.estimated_seconds(), 0.0);
  EXPECT_GT(plan.workspace_bytes(), 0u);
}

TEST(Plan, ReferenceOnRequestAndSameAnswerAsDirect) {
  const Problem p = parse_problem("op=conv dtype=f64 x=40x30 k=3x4 mode=same boundary=wrap");
  const Plan ref = Plan::create(p, {Method::reference, 1});
  EXPECT_EQ(ref.method(), Method::reference);
  EXPECT_TRUE(contains(ref.explain(), "method: reference (requested)"));
  std::mt19937_64 rng(3);
  const Buffer x = random_buffer(p.dtype, p.x, rng, Values::integers);
  const Buffer k = random_buffer(p.dtype, p.k, rng, Values::integers);
  EXPECT_EQ(run_plan(p, x, k, {Method::reference, 1}).d, run_plan(p, x, k, {Method::direct, 1}).d);
}

TEST(Plan, CallerWorkspaceAndReport) {
  const Problem p = parse_problem("op=conv dtype=f32 x=1000 k=7 mode=same nan=ignore");
  const Plan plan = Plan::create(p);
  std::vector<float> x(1000, 1.0f), k(7, 1.0f), y(1000);
  x[10] = NAN;
  x[500] = INFINITY;
  std::vector<unsigned char> ws(plan.workspace_bytes());
  const ExecuteReport r = plan.execute(x.data(), k.data(), y.data(), ws.data());
  EXPECT_EQ(r.nonfinite_inputs, 2);
  EXPECT_FLOAT_EQ(y[10], 7.0f);  // normalised: the six valid neighbours, rescaled to the whole kernel
  EXPECT_FLOAT_EQ(y[0], 4.0f);   // zero-extended edge: four ones and three valid zeros
}

TEST(Plan, ShapesAndThreads) {
  const Plan plan =
      Plan::create(parse_problem("op=conv dtype=c64 x=5x6x7 k=2x3 axes=0,2 mode=valid"), {Method::direct, 3});
  EXPECT_EQ(plan.output_shape(), (Shape{4, 6, 5}));
  EXPECT_EQ(plan.output_elements(), 120);
  EXPECT_EQ(plan.threads(), 3);
}

}  // namespace
}  // namespace faltung::test
