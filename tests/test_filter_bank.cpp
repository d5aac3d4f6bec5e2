// FilterBank: each series equals the batch engine's convolution of its own
// samples (both starts, every nan policy), whatever the chunking and the
// interleaving with other series; slots are reused clean; save/restore.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "faltung/convolve.hpp"
#include "faltung/filter_bank.hpp"
#include "faltung/testing/tolerance.hpp"
#include "support/expect_error.hpp"

namespace faltung::test {
namespace {

std::vector<double> normal(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d;
  std::vector<double> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

// The batch answer: convolve(x, w, full)[:n] with the nan policy; a missing
// start is taps - 1 NaNs before x.
std::vector<double> batch(const std::vector<double>& x, const std::vector<double>& w, const FilterBankOptions& o) {
  const std::size_t pad = o.start == FilterBankOptions::Start::missing ? w.size() - 1 : 0;
  std::vector<double> padded(pad, std::numeric_limits<double>::quiet_NaN());
  padded.insert(padded.end(), x.begin(), x.end());
  Array<double> xa{{static_cast<std::int64_t>(padded.size())}, padded};
  Array<double> wa{{static_cast<std::int64_t>(w.size())}, w};
  Options co;
  co.method = Method::direct;
  co.nan = o.nan;
  co.fill = o.fill;
  const auto y = convolve(xa, wa, co).data;
  return std::vector<double>(y.begin() + static_cast<std::ptrdiff_t>(pad),
                             y.begin() + static_cast<std::ptrdiff_t>(pad + x.size()));
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t t = 0; t < got.size(); ++t) {
    if (std::isnan(want[t])) {
      ASSERT_TRUE(std::isnan(got[t])) << what << " t " << t;
      continue;
    }
    ASSERT_NEAR(got[t], want[t], 1e-12 * (1 + std::abs(want[t]))) << what << " t " << t;
  }
}

TEST(FilterBank, EachSeriesIsItsBatchConvolution) {
  const auto w = normal(15, 1);
  struct Case {
    NanPolicy nan;
    FilterBankOptions::Start start;
  };
  for (const Case c : {Case{NanPolicy::ignore, FilterBankOptions::Start::missing},
                       Case{NanPolicy::ignore, FilterBankOptions::Start::zeros},
                       Case{NanPolicy::propagate, FilterBankOptions::Start::zeros},
                       Case{NanPolicy::fill, FilterBankOptions::Start::zeros}}) {
    FilterBankOptions o;
    o.nan = c.nan;
    o.start = c.start;
    o.fill = 2.5;
    FilterBank bank = FilterBank::create(w.data(), 15, o);
    // three series fed interleaved, in chunks of 1, 7 and 100 samples
    std::vector<std::vector<double>> xs, ys(3);
    std::vector<std::int64_t> ids;
    for (int s = 0; s < 3; ++s) {
      xs.push_back(normal(1000, 10 + s));
      xs.back()[300 + s] = NAN;
      for (int k = 0; k < 20; ++k) xs.back()[600 + k] = NAN;  // a gap longer than the kernel
      ids.push_back(bank.add());
      ys[s].resize(1000);
    }
    const std::int64_t chunk[3] = {1, 7, 100};
    std::int64_t at[3] = {0, 0, 0};
    while (at[0] < 1000 || at[1] < 1000 || at[2] < 1000)
      for (int s = 0; s < 3; ++s) {
        const std::int64_t n = std::min<std::int64_t>(chunk[s], 1000 - at[s]);
        bank.process(ids[s], xs[s].data() + at[s], ys[s].data() + at[s], n);
        at[s] += n;
      }
    for (int s = 0; s < 3; ++s)
      expect_close(ys[s], batch(xs[s], w, o),
                   std::string(name(c.nan)) + (c.start == FilterBankOptions::Start::missing ? " missing" : " zeros") +
                       " series " + std::to_string(s));
  }
}

TEST(FilterBank, AMissingStartBeginsAtTheFirstValue) {
  const std::vector<double> w(5, 0.2);
  FilterBank bank = FilterBank::create(w.data(), 5);
  const auto id = bank.add();
  const std::vector<double> x = {10, 20, 30};
  std::vector<double> y(3);
  bank.process(id, x.data(), y.data(), 3);
  EXPECT_DOUBLE_EQ(y[0], 10);
  EXPECT_DOUBLE_EQ(y[1], 15);
  EXPECT_DOUBLE_EQ(y[2], 20);
}

TEST(FilterBank, SlotsAreReusedCleanAndStateRoundTrips) {
  const auto w = normal(9, 2);
  FilterBank bank = FilterBank::create(w.data(), 9);
  const auto a = bank.add(), b = bank.add();
  const auto x = normal(50, 3);
  std::vector<double> y(50), fresh(50);
  bank.process(a, x.data(), y.data(), 50);
  bank.remove(a);
  EXPECT_FALSE(bank.live(a));
  EXPECT_EQ(bank.series(), 1);
  const auto c = bank.add();
  EXPECT_EQ(c, a);  // the slot is reused ...
  bank.process(c, x.data(), fresh.data(), 50);
  EXPECT_EQ(fresh, y);  // ... with no trace of its last series
  expect_error_mentioning([&] { bank.remove(77); }, "series 77 is not live");
  std::vector<double> nan_out(2);
  bank.process(77, x.data(), nan_out.data(), 2);
  EXPECT_TRUE(std::isnan(nan_out[0]));

  // save mid-stream, restore, continue: the same bits
  bank.process(b, x.data(), y.data(), 20);
  const auto bytes = bank.save();
  FilterBank copy = FilterBank::restore(bytes.data(), bytes.size());
  EXPECT_EQ(copy.series(), 2);
  std::vector<double> y1(30), y2(30);
  bank.process(b, x.data() + 20, y1.data(), 30);
  copy.process(b, x.data() + 20, y2.data(), 30);
  EXPECT_EQ(y1, y2);
  expect_error_mentioning([&] { FilterBank::restore(bytes.data(), bytes.size() - 3); }, "truncated");
  auto other = bytes;
  other[9] = 'X';
  expect_error_mentioning([&] { FilterBank::restore(other.data(), other.size()); }, "not a saved filter bank");
}

TEST(FilterBank, BadOptionsAreRefused) {
  const std::vector<double> w = {1, NAN};
  expect_error_mentioning([&] { FilterBank::create(w.data(), 2); }, "tap 1 is not finite");
  expect_error_mentioning([&] { FilterBank::create(w.data(), 0); }, "1..65536 taps");
  const std::vector<double> ok = {0.5, 0.5};
  FilterBankOptions o;
  o.nan = NanPolicy::propagate;
  expect_error_mentioning([&] { FilterBank::create(ok.data(), 2, o); }, "start=missing needs nan=ignore");
  o.nan = NanPolicy::raise;
  o.start = FilterBankOptions::Start::zeros;
  expect_error_mentioning([&] { FilterBank::create(ok.data(), 2, o); }, "raise is refused");
}

TEST(FilterBank, ASeriesCostsItsHistory) {
  const std::vector<double> w(15, 1.0 / 15);
  FilterBank bank = FilterBank::create(w.data(), 15);
  for (int i = 0; i < 100000; ++i) bank.add();
  // 14 samples and a ring position per series (vector growth aside)
  EXPECT_LE(bank.state_bytes(), 2 * 100000 * (14 * 8 + 4 + 1));
}

}  // namespace
}  // namespace faltung::test
