// Every case of tests/data/golden.json (outputs computed by scipy,
// numpy and astropy themselves) through the C++ API, with each method.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "faltung/boundary.hpp"
#include "faltung/convolve.hpp"
#include "faltung/plan.hpp"
#include "faltung/testing/reference.hpp"
#include "faltung/testing/tolerance.hpp"
#include "support/arrays.hpp"

namespace faltung::test {
namespace {

using json = nlohmann::json;

Buffer buffer_from(const json& a, DType t) {
  Shape shape = a["shape"].get<Shape>();
  Buffer b(t, shape);
  for (std::int64_t i = 0; i < b.elements(); ++i) {
    auto value = [&](const json& v) -> long double { return v.is_null() ? NAN : v.get<double>(); };
    if (a.contains("re"))
      b.set(i, {value(a["re"][i]), value(a["im"][i])});
    else
      b.set(i, {value(a["data"][i]), 0});
  }
  return b;
}

struct GoldenCase {
  std::string label;
  Problem problem;
  Buffer x, k, y;
  bool exact = true;  // integer-valued data: the direct sum must match bit for bit
  // How the case reads through the convenience calls.
  bool filter_family = false;
  Op op = Op::conv;
  Options signal_options;
  FilterOptions filter_options;
};

// Translates a case from its reference's vocabulary into the engine's.
GoldenCase translate(const json& c, int index) {
  GoldenCase g;
  const std::string ref = c["reference"];
  const json& params = c["params"];
  g.label = "case " + std::to_string(index) + " (" + ref + " " + params.dump() + ")";
  const DType t = parse_numpy_dtype(c["x"]["dtype"].get<std::string>());
  g.x = buffer_from(c["x"], t);
  g.k = buffer_from(c["k"], t);
  g.y = buffer_from(c["y"], t);
  const Shape xs = g.x.shape, ks = g.k.shape;

  if (c["family"] == "signal") {
    Options o;
    const std::string mode = params["mode"];
    o.mode = mode == "full" ? Mode::full : mode == "same" ? Mode::same : Mode::valid;
    if (params.contains("axes")) o.axes = params["axes"].get<std::vector<int>>();
    g.op = ref.find("correlate") != std::string::npos ? Op::corr : Op::conv;
    g.signal_options = o;
    g.problem = signal_problem(g.op, t, xs, ks, o);
  } else if (c["family"] == "filter") {
    FilterOptions o;
    o.op = ref.find("correlate") != std::string::npos ? Op::corr : Op::conv;
    o.boundary = {parse_boundary(params["mode"].get<std::string>(), Dialect::ndimage)};
    o.cval = params.value("cval", 0.0);
    o.origin = {params.value("origin", 0)};
    // convolve1d/correlate1d default to the last axis; the golden inputs are 1-D there.
    g.filter_family = true;
    g.filter_options = o;
    g.problem = filter_problem(t, xs, ks, o);
  } else {  // nan: astropy.convolution.convolve, kernel normalised to sum 1, NaN interpolated
    Options o;
    o.mode = Mode::same;
    o.boundary = {parse_boundary(params["boundary"].get<std::string>(), Dialect::astropy)};
    o.nan = NanPolicy::ignore;
    long double sum = 0;
    for (std::int64_t i = 0; i < g.k.elements(); ++i) sum += g.k.get(i).real();
    for (std::int64_t i = 0; i < g.k.elements(); ++i) g.k.set(i, g.k.get(i) / sum);
    g.signal_options = o;
    g.problem = signal_problem(Op::conv, t, xs, ks, o);
    g.exact = false;
  }
  return g;
}

std::vector<GoldenCase> load_cases() {
  const std::string path = FALTUNG_GOLDEN_JSON;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const json doc = json::parse(in);
  std::vector<GoldenCase> cases;
  int i = 0;
  for (const auto& c : doc["cases"]) cases.push_back(translate(c, i++));
  return cases;
}

void expect_matches(const GoldenCase& g, const Buffer& y, const std::string& how) {
  ASSERT_EQ(y.shape, g.y.shape) << g.label << " " << how << "\nproblem: " << to_string(g.problem);
  for (std::int64_t i = 0; i < y.elements(); ++i) {
    const auto want = g.y.get(i), got = y.get(i);
    const bool want_finite = std::isfinite(want.real()) && std::isfinite(want.imag());
    const bool got_finite = std::isfinite(got.real()) && std::isfinite(got.imag());
    ASSERT_EQ(want_finite, got_finite) << g.label << " " << how << " output " << i;
    if (!want_finite) continue;
    if (g.exact)
      ASSERT_EQ(want, got) << g.label << " " << how << " output " << i << "\nproblem: " << to_string(g.problem);
    else
      ASSERT_LE(std::abs(want - got), 1e-12L * (1 + std::abs(want)))
          << g.label << " " << how << " output " << i << "\nproblem: " << to_string(g.problem);
  }
}

TEST(Golden, EveryCaseWithEveryMethod) {
  const auto cases = load_cases();
  ASSERT_EQ(cases.size(), 345u);
  for (const auto& g : cases) {
    for (Method m : {Method::automatic, Method::direct, Method::reference}) {
      const Plan plan = Plan::create(g.problem, {m, 1});
      Buffer y(g.problem.dtype, plan.output_shape());
      plan.execute(g.x.data(), g.k.data(), y.data());
      expect_matches(g, y, "method=" + std::string(name(m)));
    }
  }
}

// The FFT methods keep the normwise bound (docs/semantics.md) against the
// golden outputs; separable, where a kernel is rank 1, the elementwise one
// (the golden kernels are random: tests/test_planner.cpp covers separable).
TEST(Golden, EveryCaseWithTheFftAndSeparableMethods) {
  for (const auto& g : load_cases()) {
    const Reference ref(g.problem, g.x.data(), g.k.data());
    for (Method m : {Method::fft, Method::overlap_save, Method::separable}) {
      PlanOptions o;
      o.method = m;
      o.kernel = g.k.data();
      if (m == Method::separable && Plan::create(g.problem, {Method::automatic, 1, 0, Accuracy::normwise, g.k.data()})
                                            .explain()
                                            .find("separable: refused") != std::string::npos)
        continue;
      const Plan plan = Plan::create(g.problem, o);
      Buffer y(g.problem.dtype, plan.output_shape());
      plan.execute(g.x.data(), g.k.data(), y.data());
      ASSERT_EQ(y.shape, g.y.shape) << g.label;
      const ReferenceNorms norms = ref.norms();
      for (std::int64_t i = 0; i < y.elements(); ++i) {
        const auto want = g.y.get(i), got = y.get(i);
        const bool want_finite = std::isfinite(want.real()) && std::isfinite(want.imag());
        const bool got_finite = std::isfinite(got.real()) && std::isfinite(got.imag());
        ASSERT_EQ(want_finite, got_finite) << g.label << " method=" << name(m) << " output " << i;
        if (!want_finite) continue;
        const ReferenceValue v = ref.at(i);
        const long double bound =
            (plan.transform_length() > 0 ? tolerance::normwise_bound(g.problem.dtype, plan.transform_length(), norms, v)
                                         : tolerance::direct_bound(g.problem.dtype, element_count(g.problem.k), v)) +
            1e-12L * (1 + std::abs(want));  // the golden values' own rounding
        ASSERT_LE(std::abs(want - got), bound)
            << g.label << " method=" << name(m) << " output " << i << "\nproblem: " << to_string(g.problem);
      }
    }
  }
}

TEST(Golden, ConvenienceCallsMatch) {
  // faltung::convolve / correlate / filter on the float64 cases, two threads.
  int ran = 0;
  for (const auto& g : load_cases()) {
    if (g.problem.dtype != DType::f64) continue;
    const Array<double> x{g.x.shape, g.x.d}, k{g.k.shape, g.k.d};
    Array<double> out;
    if (g.filter_family) {
      FilterOptions o = g.filter_options;
      o.threads = 2;
      out = filter(x, k, o);
    } else {
      Options o = g.signal_options;
      o.threads = 2;
      out = g.op == Op::conv ? convolve(x, k, o) : correlate(x, k, o);
    }
    Buffer y(DType::f64, out.shape);
    y.d = out.data;
    expect_matches(g, y, "convenience call");
    ++ran;
  }
  EXPECT_GT(ran, 200);
}

TEST(Golden, FilterConvolveWithoutOriginMatchesOriginZero) {
  // ndimage.convolve with an even kernel sits one sample off correlate's
  // centre; the shift must apply when no origin is given, too.
  const Array<double> x{{10}, {0, 1, 4, 9, 16, 25, 36, 49, 64, 81}}, k{{4}, {1, 2, 3, 4}};
  const auto implicit = filter(x, k, {.op = Op::conv, .boundary = {BoundaryRule::constant}});
  const auto explicit_zero = filter(x, k, {.op = Op::conv, .boundary = {BoundaryRule::constant}, .origin = {0}});
  EXPECT_EQ(implicit.data, explicit_zero.data);
  // scipy.ndimage.convolve(x, [1, 2, 3, 4], mode="constant")
  EXPECT_EQ(implicit.data, (std::vector<double>{6, 20, 50, 100, 170, 260, 370, 500, 550, 499}));
}

}  // namespace
}  // namespace faltung::test
