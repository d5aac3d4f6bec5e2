// Checks that need no reference: linearity, impulse response, shift,
// commutativity, for each method. Integer-valued data makes the direct sums
// exact, so there these hold bit for bit; the FFT methods hold them to
// their rounding (all values here are below 1e5, f64).
#include <gtest/gtest.h>

#include "faltung/convolve.hpp"
#include "support/check.hpp"

namespace faltung::test {
namespace {

Array<double> ints(const Shape& s, std::mt19937_64& rng) {
  Array<double> a{s, std::vector<double>(element_count(s))};
  std::uniform_int_distribution<int> d(-5, 5);
  for (auto& v : a.data) v = d(rng);
  return a;
}

constexpr Method kMethods[] = {Method::direct, Method::fft, Method::overlap_save};

// a == b bit for bit for direct, to 1e-9 for the FFT methods.
void expect_same(const std::vector<double>& a, const std::vector<double>& b, Method m, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (m == Method::direct)
      ASSERT_EQ(a[i], b[i]) << what << " at " << i;
    else
      ASSERT_NEAR(a[i], b[i], 1e-9) << what << " method " << name(m) << " at " << i;
  }
}

TEST(SelfCheck, Linearity) {
  std::mt19937_64 rng(11);
  for (const Shape& xs : {Shape{257}, Shape{19, 23}, Shape{7, 8, 9}}) {
    const Shape ks = xs.size() == 1 ? Shape{9} : xs.size() == 2 ? Shape{3, 4} : Shape{2, 3, 2};
    const auto x1 = ints(xs, rng), x2 = ints(xs, rng), k = ints(ks, rng);
    Array<double> mix = x1;
    for (std::size_t i = 0; i < mix.data.size(); ++i) mix.data[i] = 3 * x1.data[i] - 2 * x2.data[i];
    for (Method m : kMethods)
      for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
        const auto y1 = convolve(x1, k, {.mode = mode, .method = m}), y2 = convolve(x2, k, {.mode = mode, .method = m});
        const auto y = convolve(mix, k, {.mode = mode, .method = m});
        std::vector<double> combined(y.data.size());
        for (std::size_t i = 0; i < y.data.size(); ++i) combined[i] = 3 * y1.data[i] - 2 * y2.data[i];
        expect_same(y.data, combined, m, "rank " + std::to_string(xs.size()));
      }
  }
}

TEST(SelfCheck, ImpulseResponseIsTheKernel) {
  std::mt19937_64 rng(12);
  const auto k = ints({5, 6}, rng);
  Array<double> delta{{1, 1}, {1.0}};
  for (Method m : kMethods) {
    const auto y = convolve(delta, k, {.method = m});  // full: the kernel itself
    EXPECT_EQ(y.shape, k.shape);
    expect_same(y.data, k.data, m, "impulse");
    // Correlation with an impulse gives the kernel reversed.
    const auto c = correlate(delta, k, {.method = m});
    expect_same(c.data, std::vector<double>(k.data.rbegin(), k.data.rend()), m, "impulse, correlation");
  }
}

TEST(SelfCheck, ShiftingTheInputShiftsTheOutput) {
  std::mt19937_64 rng(13);
  const auto x = ints({300}, rng), k = ints({17}, rng);
  const std::int64_t s = 37;
  Array<double> shifted{{300 + s}, std::vector<double>(300 + s, 0.0)};
  std::copy(x.data.begin(), x.data.end(), shifted.data.begin() + s);
  for (Method m : kMethods) {
    const auto y = convolve(x, k, {.method = m}), ys = convolve(shifted, k, {.method = m});
    expect_same(std::vector<double>(ys.data.begin() + s, ys.data.end()), y.data, m, "shifted");
    expect_same(std::vector<double>(ys.data.begin(), ys.data.begin() + s), std::vector<double>(s, 0.0), m, "lead");
  }
}

TEST(SelfCheck, FullConvolutionCommutes) {
  std::mt19937_64 rng(14);
  for (const auto& [xs, ks] :
       std::vector<std::pair<Shape, Shape>>{{{100}, {13}}, {{4}, {50}}, {{12, 30}, {5, 3}}, {{6, 7, 8}, {3, 9, 2}}}) {
    const auto x = ints(xs, rng), k = ints(ks, rng);
    for (Method m : kMethods)
      expect_same(convolve(x, k, {.method = m}).data, convolve(k, x, {.method = m}).data, m, shape_to_string(xs));
  }
}

}  // namespace
}  // namespace faltung::test
