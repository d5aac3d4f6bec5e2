// Deconvolution and missing data (deconvolve.hpp, missing.hpp): exact
// inversion of a noise-free periodic blur, Richardson-Lucy converging,
// impulse responses recovered, a gap interpolated, clear errors. The
// comparisons with scikit-image and astropy are in python/tests.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "faltung/deconvolve.hpp"
#include "faltung/errors.hpp"
#include "faltung/missing.hpp"

namespace faltung::test {
namespace {

TEST(Deconvolve, WienerInvertsANoiseFreePeriodicBlur) {
  const std::int64_t n = 64;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> d;
  std::vector<double> x(n), y(n, 0.0);
  for (auto& v : x) v = d(rng);
  const std::vector<double> psf{0.2, 0.6, 0.2};  // centre at index 1; spectrum 0.6 + 0.4 cos > 0
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t j = 0; j < 3; ++j) y[t] += psf[j] * x[((t - (j - 1)) % n + n) % n];
  deconvolve::WienerOptions o;
  o.balance = 0;
  o.regulariser = deconvolve::Regulariser::identity;
  o.clip = false;
  const auto back = deconvolve::wiener(y.data(), {n}, psf.data(), {3}, o);
  for (std::int64_t t = 0; t < n; ++t) EXPECT_NEAR(back[t], x[t], 1e-12) << t;
}

TEST(Deconvolve, RichardsonLucyApproachesTheImage) {
  const std::int64_t n = 200;
  std::vector<double> image(n), blurred(n, 0.0);
  for (std::int64_t t = 0; t < n; ++t) image[t] = 0.5 + 0.3 * std::sin(static_cast<double>(t) / 7.0);
  const std::vector<double> psf{0.25, 0.5, 0.25};
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t j = 0; j < 3; ++j) {
      const std::int64_t s = t - (j - 1);
      if (s >= 0 && s < n) blurred[t] += psf[j] * image[s];
    }
  auto error_after = [&](int iterations) {
    deconvolve::RichardsonLucyOptions o;
    o.iterations = iterations;
    const auto u = deconvolve::richardson_lucy(blurred.data(), {n}, psf.data(), {3}, o);
    double e = 0;
    for (std::int64_t t = 10; t < n - 10; ++t) e += std::abs(u[t] - image[t]);
    return e;
  };
  // Richardson-Lucy is semi-convergent: it approaches the image, then (with
  // this psf's zero at the Nyquist frequency) slowly amplifies what the blur
  // erased (error 5e-6 after 5 iterations, 7e-4 after 20), so the check
  // stops early.
  EXPECT_GT(error_after(1), error_after(2));
  EXPECT_GT(error_after(2), error_after(5));
  EXPECT_LT(error_after(5), 1e-4);
}

TEST(Deconvolve, BadInputIsAClearError) {
  const std::vector<double> x(10, 1.0), big(20, 1.0);
  EXPECT_THROW(deconvolve::wiener(x.data(), {10}, big.data(), {20}), Error);
  EXPECT_THROW(deconvolve::richardson_lucy(x.data(), {10}, x.data(), {2, 5}), Error);
  deconvolve::WienerOptions o;
  o.balance = -1;
  EXPECT_THROW(deconvolve::wiener(x.data(), {10}, x.data(), {3}, o), Error);
}

}  // namespace
}  // namespace faltung::test

namespace faltung::test {
namespace {

TEST(ImpulseResponse, NoiseFreeDataRecoversTheKernelToRounding) {
  const std::int64_t n = 800, taps = 16;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> d;
  std::vector<double> x(n), h(taps), y(n, 0.0);
  for (auto& v : x) v = d(rng);
  for (auto& v : h) v = d(rng);
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t j = 0; j < taps && j <= t; ++j) y[t] += h[j] * x[t - j];
  for (auto choose : {deconvolve::Regularisation::gcv, deconvolve::Regularisation::lcurve}) {
    const auto r = deconvolve::estimate_impulse_response(x.data(), y.data(), n, taps, {choose, 0});
    EXPECT_EQ(r.lambda, 0.0);
    for (std::int64_t j = 0; j < taps; ++j) EXPECT_NEAR(r.h[j], h[j], 1e-12) << j;
  }
  EXPECT_THROW(deconvolve::estimate_impulse_response(x.data(), y.data(), 10, taps), Error);
}

}  // namespace
}  // namespace faltung::test

namespace faltung::test {
namespace {

TEST(Missing, InterpolatesAGapFromItsNeighbours) {
  // a straight line with one missing sample: the symmetric kernel's weighted
  // mean of the neighbours is the line's value there
  std::vector<double> x{0, 1, 2, std::nan(""), 4, 5, 6};
  const std::vector<double> k{1, 2, 1};
  const auto y = missing::interpolate_nans(x.data(), {7}, k.data(), {3});
  EXPECT_DOUBLE_EQ(y[3], 3.0);
  EXPECT_EQ(y[2], 2.0);  // valid samples are kept
  const std::vector<double> w(7, 2.0);
  EXPECT_THROW(missing::normalized_convolve(x.data(), w.data(), {7}, k.data(), {3}), Error);
}

}  // namespace
}  // namespace faltung::test
