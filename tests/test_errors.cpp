// Bad input: each validation error names the problem precisely.
#include <gtest/gtest.h>

#include <cmath>

#include "faltung/boundary.hpp"
#include "faltung/convolve.hpp"

namespace faltung::test {
namespace {

// Runs f, expects a faltung::Error of `kind` whose message holds every fragment.
template <class F>
void expect_error(F&& f, ErrorKind kind, std::initializer_list<std::string> fragments) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
    for (const auto& fragment : fragments)
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << "'" << fragment << "' not in: " << e.what();
  }
}

void plan(const std::string& s) { Plan::create(parse_problem(s)); }

TEST(Errors, ShapeMismatch) {
  expect_error([] { plan("op=conv dtype=f32 x=10x20x5 k=3x4 axes=0"); }, ErrorKind::invalid_problem,
               {"one axis per convolved axis", "x=10x20x5"});
  expect_error([] { plan("op=conv dtype=f32 x=10x20 k=3x4 axes=1"); }, ErrorKind::invalid_problem,
               {"size 3 on batch axis 0"});
  expect_error([] { plan("op=conv dtype=f32 x=10 k=3x3"); }, ErrorKind::invalid_problem, {"more axes (2) than x (1)"});
  expect_error([] { plan("op=conv dtype=f32 x=10x20 k=30x4 mode=valid"); }, ErrorKind::invalid_problem,
               {"mode=valid", "neither contains the other"});
  expect_error(
      [] {
        Array<float> x{{10}, std::vector<float>(9)}, k{{3}, {1, 2, 3}};
        convolve(x, k);
      },
      ErrorKind::invalid_argument, {"x holds 9 values", "needs 10"});
}

TEST(Errors, IllegalOrigin) {
  expect_error([] { plan("op=conv dtype=f64 x=10 k=4 mode=same origin=3"); }, ErrorKind::invalid_problem,
               {"origin 3", "outside -1..2", "4 taps"});
  expect_error([] { plan("op=conv dtype=f64 x=10 k=4 origin=1"); }, ErrorKind::invalid_problem,
               {"origin applies to mode=same only"});
  expect_error([] { plan("op=conv dtype=f64 x=10x10 k=3x3 mode=same origin=1,0,0"); }, ErrorKind::invalid_problem,
               {"origin lists 3 values"});
  expect_error(
      [] {
        Array<double> x{{10}, std::vector<double>(10)}, k{{4}, {1, 2, 3, 4}};
        filter(x, k, {.origin = {2}});
      },
      ErrorKind::invalid_problem, {"origin 2 is outside -2..1"});
}

TEST(Errors, NonFiniteKernelUnderEveryPolicy) {
  for (NanPolicy policy : {NanPolicy::propagate, NanPolicy::ignore, NanPolicy::fill, NanPolicy::raise}) {
    for (double bad : {NAN, INFINITY, -INFINITY}) {
      for (Method m : {Method::direct, Method::reference}) {
        expect_error(
            [&] {
              Array<double> x{{8}, std::vector<double>(8, 1.0)}, k{{3}, {1.0, bad, 1.0}};
              convolve(x, k, {.nan = policy, .method = m});
            },
            ErrorKind::nonfinite_kernel, {"kernel value k[1] is not finite", "every nan policy"});
      }
    }
  }
}

TEST(Errors, RaiseNamesTheFirstNonFiniteSample) {
  Array<float> x{{3, 4}, std::vector<float>(12, 1.0f)}, k{{2, 2}, {1, 1, 1, 1}};
  x.data[6] = NAN;
  x.data[9] = INFINITY;
  expect_error([&] { convolve(x, k, {.nan = NanPolicy::raise}); }, ErrorKind::nonfinite_input,
               {"input sample x[1,2] is not finite"});
}

TEST(Errors, EmptyInput) {
  expect_error([] { plan("op=conv dtype=f32 x=0 k=3"); }, ErrorKind::invalid_problem, {"empty input", "x=0"});
  expect_error([] { plan("op=conv dtype=f32 x=5x0 k=3"); }, ErrorKind::invalid_problem, {"empty input"});
  expect_error([] { plan("op=conv dtype=f32 x=5 k=0"); }, ErrorKind::invalid_problem, {"empty kernel"});
}

TEST(Errors, HugeShapesAreRefusedNotWrapped) {
  // 2^32 x 2^32 = 2^64 wraps an int64 product to 0; 2^31 x 2^31 x 4 to 2^64
  // as well: both must read as over the 2^52 limit
  for (const char* text :
       {"op=conv dtype=f64 x=4294967296x4294967296 k=1", "op=conv dtype=f64 x=2147483648x2147483648x4 k=1",
        "op=conv dtype=f64 x=100 k=4294967296x4294967296"})
    expect_error([&] { plan(text); }, ErrorKind::invalid_problem, {"more than 2^52 elements"});
  EXPECT_EQ(element_count({std::int64_t{1} << 32, std::int64_t{1} << 32}), INT64_MAX);
  EXPECT_EQ(element_count({3, 5, 7}), 105);
}

TEST(Errors, UnknownStringKey) {
  expect_error([] { parse_problem("op=conv dtype=f32 x=5 k=3 colour=blue"); }, ErrorKind::parse,
               {"unknown key 'colour'"});
  expect_error([] { parse_problem("op=conv dtype=f16 x=5 k=3"); }, ErrorKind::parse,
               {"dtype=f16 is not one of f32|f64|c64|c128"});
  expect_error([] { parse_problem("op=conv dtype=f32 x=5 k=3 boundary=reflect"); }, ErrorKind::parse,
               {"'reflect' is ambiguous"});
  expect_error([] { parse_problem("op=conv dtype=f32 x=5"); }, ErrorKind::parse, {"missing key 'k'"});
  expect_error([] { parse_problem("op=conv op=corr dtype=f32 x=5 k=3"); }, ErrorKind::parse, {"given twice"});
  expect_error([] { parse_boundary("BORDER_FOO", Dialect::opencv); }, ErrorKind::parse,
               {"unknown OpenCV boundary 'BORDER_FOO'"});
  expect_error([] { parse_method("fastest"); }, ErrorKind::parse, {"unknown method 'fastest'"});
}

TEST(Errors, MalformedShape) {
  for (const char* s : {"x=10x", "x=ax3", "x=-4", "x=3xx4", "x=1.5"}) {
    expect_error([&] { parse_problem(std::string("op=conv dtype=f32 ") + s + " k=3"); }, ErrorKind::parse,
                 {"is not a shape"});
  }
}

TEST(Errors, AxesOutOfRangeOrUnordered) {
  expect_error([] { plan("op=conv dtype=f32 x=5x5 k=3 axes=2"); }, ErrorKind::invalid_problem,
               {"axis 2 is out of range"});
  expect_error([] { plan("op=conv dtype=f32 x=5x5 k=3x3 axes=1,0"); }, ErrorKind::invalid_problem,
               {"strictly increasing"});
  expect_error([] { plan("op=conv dtype=f32 x=2x2x2x2 k=1x1x1x1"); }, ErrorKind::invalid_problem,
               {"between 1 and 3 convolved axes"});
  expect_error(
      [] {  // through the convenience call, which sizes its output first
        Array<float> x{{5, 5}, std::vector<float>(25)}, k{{3}, {1, 2, 3}};
        convolve(x, k, {.axes = {5}});
      },
      ErrorKind::invalid_problem, {"axis 5 is out of range"});
}

TEST(Errors, NullPointersAndMissingWorkspace) {
  const Plan p = Plan::create(parse_problem("op=conv dtype=f32 x=10 k=3"));
  float x[10] = {}, k[3] = {}, y[12];
  expect_error([&] { p.execute(nullptr, k, y); }, ErrorKind::invalid_argument, {"null pointer"});
  expect_error([&] { p.execute(x, k, y, nullptr); }, ErrorKind::invalid_argument, {"workspace of"});
}

}  // namespace
}  // namespace faltung::test
