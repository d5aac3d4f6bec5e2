// The real 2-D row-column transform's two column passes
// (row_column_transform.hpp): our own radix-4 columns across vectors of bins
// against FFTW's columns, as a convolution's forward, product and inverse,
// on every SIMD target the machine runs: every power of two from 2 rows to
// 2048 (odd and even powers, passes that sweep the whole column and passes
// group by group in L1), f32 and f64, rows of zeros skipped, only some
// inverse rows asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "algorithms/fft/row_column_transform.hpp"
#include "simd/targets.hpp"

namespace faltung::test {
namespace {

template <class T>
struct AlignedBuffer {
  explicit AlignedBuffer(std::size_t n) : p(static_cast<T*>(std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64))) {
    std::fill(p, p + n, T(0));
  }
  ~AlignedBuffer() { std::free(p); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  T* p;
};

// Rows [first, first + count) of the circular convolution of data with
// kernel (both L0 x L1, unscaled), by the transform `t`; every third data
// row is handed in as zeros (null).
template <class T>
std::vector<T> convolve_rows(const fft::RowColumnTransform<T>& t, std::int64_t L0, std::int64_t L1,
                             const std::vector<T>& data, const std::vector<T>& kernel, std::int64_t first,
                             std::int64_t count) {
  const auto spectrum = static_cast<std::size_t>(2 * t.spectrum_elements());
  AlignedBuffer<T> spec(spectrum), h(spectrum), tile(fft::row_column_tile_bytes(L1) / sizeof(T)),
      rows(static_cast<std::size_t>(L0 * L1));
  std::copy(kernel.begin(), kernel.end(), rows.p);
  t.forward([&](std::int64_t i) { return rows.p + i * L1; }, h.p, tile.p);
  std::copy(data.begin(), data.end(), rows.p);
  t.forward([&](std::int64_t i) -> const T* { return i % 3 == 2 ? nullptr : rows.p + i * L1; }, spec.p, tile.p);
  std::vector<T> out(static_cast<std::size_t>(count * L1));
  AlignedBuffer<T> row(static_cast<std::size_t>(L1));
  t.inverse(
      spec.p, h.p, first, count, tile.p, [&](std::int64_t) { return row.p; },
      [&](std::int64_t k, const T* r) { std::copy(r, r + L1, out.begin() + k * L1); });
  return out;
}

template <class T>
void compare_column_passes(std::int64_t L0, std::int64_t L1, std::uint64_t seed, const std::string& target) {
  SCOPED_TRACE(target + (sizeof(T) == 4 ? " f32 " : " f64 ") + std::to_string(L0) + "x" + std::to_string(L1) +
               " seed " + std::to_string(seed));
  ASSERT_TRUE(fft::row_column_suits<T>(L0, L1));
  const auto own = fft::row_column_transform<T>(L0, L1, fft::PlanEffort::estimate, fft::ColumnPass::by_rule);
  const auto fftw = fft::row_column_transform<T>(L0, L1, fft::PlanEffort::estimate, fft::ColumnPass::fftw);
  ASSERT_TRUE(own->vertical());
  ASSERT_FALSE(fftw->vertical());
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<T> data(static_cast<std::size_t>(L0 * L1)), kernel(data.size());
  for (auto& v : data) v = static_cast<T>(normal(rng));
  for (auto& v : kernel) v = static_cast<T>(normal(rng));
  const std::int64_t first = L0 / 3, count = std::max<std::int64_t>(1, L0 / 2);
  const auto got = convolve_rows(*own, L0, L1, data, kernel, first, count);
  const auto want = convolve_rows(*fftw, L0, L1, data, kernel, first, count);
  // Both are FFT convolutions: agreement to a few eps * log2(L0 L1) of the
  // largest output.
  double largest = 0, worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    largest = std::max(largest, std::abs(static_cast<double>(want[i])));
    worst = std::max(worst, std::abs(static_cast<double>(got[i]) - static_cast<double>(want[i])));
  }
  const double bound = 8 * std::numeric_limits<T>::epsilon() * std::log2(static_cast<double>(L0 * L1)) * largest;
  EXPECT_GT(largest, 0.0);
  EXPECT_LE(worst, bound) << "largest output " << largest;
}

TEST(RowColumn, OwnColumnPassAgreesWithFftwsOnEverySimdTarget) {
  for (const auto& target : simd::available_targets()) {
    simd::restrict_targets(target.bits);
    std::uint64_t seed = 41;
    for (auto [L0, L1] : {std::pair<std::int64_t, std::int64_t>{2, 8192},
                          {8, 2048},
                          {32, 512},
                          {128, 128},
                          {256, 96},
                          {512, 64},
                          {1024, 32},
                          {2048, 16}}) {
      compare_column_passes<float>(L0, L1, seed++, target.name);
      compare_column_passes<double>(L0, L1 + (L1 % 2 ? 1 : 0), seed++, target.name);
    }
  }
  simd::restrict_targets(0);
}

}  // namespace
}  // namespace faltung::test
