// Named kernels (include/faltung/kernels.hpp): values, canonical specs, and
// versions that must not change between builds (a pipeline reports them).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>

#include "faltung/errors.hpp"
#include "faltung/kernels.hpp"

namespace faltung::test {
namespace {

TEST(Kernels, VersionsAreStableAcrossBuilds) {
  // The hash of a kernel's shape and IEEE values. If one of these changes,
  // every saved pipeline result names a kernel nobody can make again: bump
  // the hash's tag instead of editing the numbers.
  EXPECT_EQ(kernels::make("box:width=3").version, "cfbffc330341ae5b");
  EXPECT_EQ(kernels::make("gaussian:sigma=4").version, "0838a251f3a7a368");
}

TEST(Kernels, CanonicalSpecsAndValues) {
  const auto g = kernels::make("gaussian:sigma=2.5");
  EXPECT_EQ(g.spec, "gaussian:sigma=2.5,truncate=4");
  EXPECT_EQ(g.shape, Shape{21});  // radius int(4 * 2.5 + 0.5) = 10
  EXPECT_NEAR(std::accumulate(g.values.begin(), g.values.end(), 0.0), 1.0, 1e-14);
  const auto b = kernels::make("box:width=4,dims=2");
  EXPECT_EQ(b.shape, (Shape{4, 4}));
  EXPECT_EQ(b.spec, "box:width=4,dims=2");
  EXPECT_EQ(b.id(), b.spec + "@" + b.version);
  const auto s = kernels::make("savgol:window=5,order=2");
  // scipy.signal.savgol_coeffs(5, 2): (-3, 12, 17, 12, -3) / 35
  const double want[] = {-3 / 35.0, 12 / 35.0, 17 / 35.0, 12 / 35.0, -3 / 35.0};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(s.values[i], want[i], 1e-15);
}

TEST(Kernels, ErrorsNameTheProblem) {
  auto message = [](const char* spec) {
    try {
      kernels::make(spec);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::parse);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("gauss:sigma=1").find("unknown kernel 'gauss'"), std::string::npos);
  EXPECT_NE(message("gaussian").find("needs sigma"), std::string::npos);
  EXPECT_NE(message("box:width=3,colour=red").find("no parameter 'colour'"), std::string::npos);
  EXPECT_NE(message("exponential:halflife=0").find("halflife must be > 0"), std::string::npos);
}

}  // namespace
}  // namespace faltung::test
