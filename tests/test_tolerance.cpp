// The tolerance rules themselves: what passes, what does not.
#include <gtest/gtest.h>

#include <cmath>

#include "faltung/testing/tolerance.hpp"

namespace faltung::test {
namespace {

using tolerance::Verdict;

TEST(Tolerance, DirectBoundScalesWithKernelSizeEpsAndMagnitude) {
  ReferenceValue ref;
  ref.value = 10.0L;
  ref.error_scale = 100.0L;  // sum |w||x|
  const long double bound32 = tolerance::direct_bound(DType::f32, 31, ref);
  EXPECT_NEAR(static_cast<double>(bound32), 2.0 * 31 * std::ldexp(1.0, -23) * 100.0, 1e-12);
  EXPECT_LT(tolerance::direct_bound(DType::f64, 31, ref), bound32);
  EXPECT_EQ(tolerance::direct_bound(DType::c64, 31, ref), bound32);
}

TEST(Tolerance, Verdicts) {
  ReferenceValue ref;
  ref.value = 1.0L;
  ref.error_scale = 1.0L;
  const long double bound = tolerance::direct_bound(DType::f64, 8, ref);
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, 1.0L + bound / 2), Verdict::ok);
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, 1.0L + bound * 2), Verdict::mismatch);
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, {1.0L, bound * 2}), Verdict::mismatch);
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, NAN), Verdict::finite_expected);
  ref.nonfinite = true;
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, 1.0L), Verdict::nonfinite_expected);
  EXPECT_EQ(tolerance::check_direct(DType::f64, 8, ref, INFINITY), Verdict::ok);
  EXPECT_STREQ(tolerance::describe(Verdict::mismatch), "outside the tolerance");
}

}  // namespace
}  // namespace faltung::test
