// Checks that need no reference: linearity, impulse response, shift,
// commutativity. Integer-valued data makes the direct sums exact, so these
// hold bit for bit.
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

TEST(SelfCheck, Linearity) {
  std::mt19937_64 rng(11);
  for (const Shape& xs : {Shape{257}, Shape{19, 23}, Shape{7, 8, 9}}) {
    const Shape ks = xs.size() == 1 ? Shape{9} : xs.size() == 2 ? Shape{3, 4} : Shape{2, 3, 2};
    const auto x1 = ints(xs, rng), x2 = ints(xs, rng), k = ints(ks, rng);
    Array<double> mix = x1;
    for (std::size_t i = 0; i < mix.data.size(); ++i) mix.data[i] = 3 * x1.data[i] - 2 * x2.data[i];
    for (Mode mode : {Mode::full, Mode::same, Mode::valid}) {
      const auto y1 = convolve(x1, k, {.mode = mode}), y2 = convolve(x2, k, {.mode = mode});
      const auto y = convolve(mix, k, {.mode = mode});
      for (std::size_t i = 0; i < y.data.size(); ++i)
        ASSERT_EQ(y.data[i], 3 * y1.data[i] - 2 * y2.data[i]) << "rank " << xs.size() << " at " << i;
    }
  }
}

TEST(SelfCheck, ImpulseResponseIsTheKernel) {
  std::mt19937_64 rng(12);
  const auto k = ints({5, 6}, rng);
  Array<double> delta{{1, 1}, {1.0}};
  const auto y = convolve(delta, k);  // full: the kernel itself
  EXPECT_EQ(y.shape, k.shape);
  EXPECT_EQ(y.data, k.data);
  // Correlation with an impulse gives the kernel reversed.
  const auto c = correlate(delta, k);
  std::vector<double> reversed(k.data.rbegin(), k.data.rend());
  EXPECT_EQ(c.data, reversed);
}

TEST(SelfCheck, ShiftingTheInputShiftsTheOutput) {
  std::mt19937_64 rng(13);
  const auto x = ints({300}, rng), k = ints({17}, rng);
  const std::int64_t s = 37;
  Array<double> shifted{{300 + s}, std::vector<double>(300 + s, 0.0)};
  std::copy(x.data.begin(), x.data.end(), shifted.data.begin() + s);
  const auto y = convolve(x, k), ys = convolve(shifted, k);
  for (std::size_t i = 0; i < y.data.size(); ++i) ASSERT_EQ(ys.data[i + s], y.data[i]) << i;
  for (std::int64_t i = 0; i < s; ++i) ASSERT_EQ(ys.data[i], 0.0);
}

TEST(SelfCheck, FullConvolutionCommutes) {
  std::mt19937_64 rng(14);
  for (const auto& [xs, ks] : std::vector<std::pair<Shape, Shape>>{
           {{100}, {13}}, {{4}, {50}}, {{12, 30}, {5, 3}}, {{6, 7, 8}, {3, 9, 2}}}) {
    const auto x = ints(xs, rng), k = ints(ks, rng);
    EXPECT_EQ(convolve(x, k).data, convolve(k, x).data) << shape_to_string(xs);
  }
}

}  // namespace
}  // namespace faltung::test
