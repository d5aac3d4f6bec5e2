// The problem-string grammar: printing then parsing gives the same problem.
#include <gtest/gtest.h>

#include "faltung/boundary.hpp"
#include "faltung/errors.hpp"
#include "support/random_problem.hpp"

namespace faltung::test {
namespace {

TEST(Grammar, CanonicalStringsRoundTrip) {
  for (const char* s : {
           "op=corr dtype=f32 x=1080x1920 k=11x11 mode=same boundary=symmetric",
           "op=conv dtype=f64 x=1000 k=3",
           "op=conv dtype=c64 x=4x100 k=1x7 mode=valid",
           "op=conv dtype=c64 x=4x100 k=3 axes=0 mode=valid",
           "op=conv dtype=c128 x=8x9x10 k=3x3 axes=0,2 mode=same boundary=wrap,nearest cval=1.5 "
           "origin=1,-1 nan=fill fill=-2",
           "op=corr dtype=f32 x=64x100 k=5 axes=0 mode=same boundary=mirror origin=2 nan=ignore",
           "op=conv dtype=f64 x=10 k=3 cval=0.1 nan=raise",
       }) {
    const Problem p = parse_problem(s);
    EXPECT_EQ(to_string(p), s);
    EXPECT_EQ(parse_problem(to_string(p)), p);
  }
}

TEST(Grammar, DefaultsAreOmittedAndKeysMayComeInAnyOrder) {
  EXPECT_EQ(to_string(parse_problem("k=3 x=10 dtype=f32 op=conv mode=full boundary=constant origin=0 "
                                    "nan=propagate cval=0 axes=0")),
            "op=conv dtype=f32 x=10 k=3");
  EXPECT_EQ(to_string(parse_problem("op=conv dtype=f32 x=5x5 k=3x3 boundary=wrap,wrap axes=-2,-1")),
            "op=conv dtype=f32 x=5x5 k=3x3 boundary=wrap");
}

TEST(Grammar, RandomProblemsRoundTrip) {
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    std::mt19937_64 rng(seed);
    const Problem p = random_case(rng).problem;
    const std::string s = to_string(p);
    const Problem q = parse_problem(s);
    ASSERT_EQ(q, p) << "seed " << seed << ": " << s;
    ASSERT_EQ(to_string(q), s) << "seed " << seed;
  }
}

TEST(Grammar, BoundaryDialects) {
  EXPECT_EQ(parse_boundary("reflect", Dialect::ndimage), BoundaryRule::symmetric);
  EXPECT_EQ(parse_boundary("reflect", Dialect::numpy), BoundaryRule::mirror);
  EXPECT_EQ(parse_boundary("reflect", Dialect::torch), BoundaryRule::mirror);
  EXPECT_EQ(parse_boundary("grid-wrap", Dialect::ndimage), BoundaryRule::wrap);
  EXPECT_EQ(parse_boundary("edge", Dialect::numpy), BoundaryRule::nearest);
  EXPECT_EQ(parse_boundary("BORDER_REFLECT_101", Dialect::opencv), BoundaryRule::mirror);
  EXPECT_EQ(parse_boundary("extend", Dialect::astropy), BoundaryRule::nearest);
  EXPECT_EQ(parse_boundary("circular", Dialect::matlab), BoundaryRule::wrap);
}

TEST(Grammar, OutputShapes) {
  EXPECT_EQ(output_shape(parse_problem("op=conv dtype=f32 x=10x20 k=3x5")), (Shape{12, 24}));
  EXPECT_EQ(output_shape(parse_problem("op=conv dtype=f32 x=10x20 k=3x5 mode=same")), (Shape{10, 20}));
  EXPECT_EQ(output_shape(parse_problem("op=conv dtype=f32 x=10x20 k=3x5 mode=valid")), (Shape{8, 16}));
  EXPECT_EQ(output_shape(parse_problem("op=conv dtype=f32 x=4 k=10 mode=valid")), (Shape{7}));
  EXPECT_EQ(output_shape(parse_problem("op=conv dtype=f32 x=6x10 k=3 axes=0")), (Shape{8, 10}));
}

}  // namespace
}  // namespace faltung::test
