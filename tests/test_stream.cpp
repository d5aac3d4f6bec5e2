// Stream filters (include/faltung/stream.hpp) against the batch engine: the
// SEMANTICS.md streaming contract under random chunkings, save/restore,
// non-finite bursts, long runs, and bad options. Seeds: FALTUNG_TEST_SEED.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "faltung/convolve.hpp"
#include "faltung/errors.hpp"
#include "faltung/stream.hpp"
#include "support/expect_error.hpp"

namespace faltung::test {
namespace {

std::uint64_t seed_for(std::uint64_t fallback) {
  const char* s = std::getenv("FALTUNG_TEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

// Chunk sizes that cover the contract's cases: 0, 1, primes, random, large.
std::vector<std::int64_t> random_chunks(std::mt19937_64& rng, std::int64_t total) {
  static const std::int64_t kPrimes[] = {2, 3, 5, 7, 13, 31, 61, 127, 257, 509, 1021};
  std::vector<std::int64_t> out;
  std::int64_t done = 0;
  while (done < total) {
    std::int64_t n;
    switch (rng() % 5) {
      case 0:
        n = 0;
        break;
      case 1:
        n = 1;
        break;
      case 2:
        n = kPrimes[rng() % std::size(kPrimes)];
        break;
      case 3:
        n = static_cast<std::int64_t>(rng() % 700);
        break;
      default:
        n = static_cast<std::int64_t>(rng() % 5000);
        break;
    }
    n = std::min(n, total - done);
    out.push_back(n);
    done += n;
  }
  return out;
}

template <class T>
std::vector<T> run_stream(StreamFilter& f, const std::vector<T>& x, std::int64_t channels,
                          const std::vector<std::int64_t>& chunks) {
  std::vector<T> y(x.size(), T(-7));
  std::int64_t at = 0;
  for (std::int64_t n : chunks) {
    f.process(x.data() + at * channels, y.data() + at * channels, n);
    at += n;
  }
  return y;
}

// convolve(x_c, w_c, full)[:n] per channel, by the batch engine.
template <class T>
std::vector<T> batch(const std::vector<T>& x, std::int64_t channels, const std::vector<T>& w, std::int64_t taps,
                     bool per_channel, Method method, NanPolicy nan = NanPolicy::propagate, double fill = 0) {
  const std::int64_t n = static_cast<std::int64_t>(x.size()) / channels;
  std::vector<T> y(x.size());
  for (std::int64_t c = 0; c < channels; ++c) {
    Array<T> xc{{n}, {}}, wc{{taps}, {}};
    for (std::int64_t t = 0; t < n; ++t) xc.data.push_back(x[t * channels + c]);
    const T* wp = w.data() + (per_channel ? c * taps : 0);
    wc.data.assign(wp, wp + taps);
    const auto full = convolve(xc, wc, {.nan = nan, .fill = fill, .method = method});
    for (std::int64_t t = 0; t < n; ++t) y[t * channels + c] = full.data[t];
  }
  return y;
}

// The batch result in float64 by the direct method: the oracle for the
// partitioned path (its own error is far below the float32/normwise bound,
// and the long-double reference would take minutes at 65535 taps).
template <class T>
std::vector<double> oracle(const std::vector<T>& x, std::int64_t channels, const std::vector<T>& w, std::int64_t taps,
                           bool per_channel) {
  const std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end());
  return batch(xd, channels, wd, taps, per_channel, Method::direct);
}

template <class T>
std::vector<T> normal(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> d;
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(d(rng));
  return v;
}

// max |a - b| over the finite entries, and whether the non-finite ones agree.
template <class T, class U>
double max_error(const std::vector<T>& a, const std::vector<U>& b, bool& nonfinite_agree) {
  double e = 0;
  nonfinite_agree = true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isfinite(a[i]) != std::isfinite(b[i]))
      nonfinite_agree = false;
    else if (std::isfinite(a[i]))
      e = std::max(e, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return e;
}

template <class T>
double norm2(const std::vector<T>& v) {
  long double s = 0;
  for (T e : v) s += static_cast<long double>(e) * e;
  return static_cast<double>(std::sqrt(s));
}

// SEMANTICS.md's normwise FFT rule, with L the largest transform the
// partitioned schedules use.
template <class T>
double normwise_bound(const std::vector<T>& x, const std::vector<T>& w) {
  return 4.0 * std::numeric_limits<T>::epsilon() * 17 * norm2(x) * norm2(w);
}

template <class T>
void check_chunkings(std::int64_t taps, std::int64_t channels, bool per_channel, Method method, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t n = 3 * taps + 4000;
  const auto x = normal<T>(rng, static_cast<std::size_t>(n * channels));
  const auto w = normal<T>(rng, static_cast<std::size_t>(taps * (per_channel ? channels : 1)));
  StreamOptions o;
  o.dtype = std::is_same_v<T, float> ? DType::f32 : DType::f64;
  o.channels = channels;
  o.kernel_per_channel = per_channel;
  o.method = method;
  o.max_block = 1 + static_cast<std::int64_t>(rng() % 3000);
  const std::string what = "seed=" + std::to_string(seed) + " taps=" + std::to_string(taps) +
                           " channels=" + std::to_string(channels) + (per_channel ? " per-channel" : "") +
                           " dtype=" + std::string(name(o.dtype)) + " method=" + std::string(name(method)) +
                           " max_block=" + std::to_string(o.max_block);
  StreamFilter f = StreamFilter::create(w.data(), taps, o);
  const auto one = run_stream(f, x, channels, random_chunks(rng, n));
  f.reset();
  const auto two = run_stream(f, x, channels, random_chunks(rng, n));
  ASSERT_EQ(one, two) << "two chunkings differ: " << what;
  if (f.method() == Method::direct) {
    ASSERT_EQ(one, batch(x, channels, w, taps, per_channel, Method::direct))
        << "not the direct method's bits: " << what;
  } else {
    bool agree;
    const double err = max_error(one, oracle(x, channels, w, taps, per_channel), agree);
    ASSERT_TRUE(agree) << what;
    ASSERT_LE(err, normwise_bound(x, w)) << what;
  }
}

TEST(Stream, ChunkingsMatchTheBatchDirectMethod) {
  const auto seed = seed_for(9001);
  for (std::int64_t taps : {1, 3, 32, 200})
    for (std::int64_t channels : {1, 3, 20})
      for (bool per_channel : {false, true}) {
        check_chunkings<float>(taps, channels, per_channel, Method::direct, seed + taps + channels);
        check_chunkings<double>(taps, channels, per_channel, Method::direct, seed + 7 * taps + channels);
      }
}

TEST(Stream, ChunkingsMatchWithPartitions) {
  const auto seed = seed_for(9002);
  for (std::int64_t taps : {17, 100, 1023, 5000})
    for (std::int64_t channels : {1, 3}) {
      check_chunkings<float>(taps, channels, channels == 3, Method::overlap_save, seed + taps + channels);
      check_chunkings<double>(taps, channels, false, Method::overlap_save, seed + 3 * taps + channels);
    }
  check_chunkings<float>(65535, 1, false, Method::automatic, seed);
}

TEST(Stream, AutoPicksPartitionsForLongKernels) {
  std::vector<float> w(65535, 0.001f);
  StreamOptions o;
  o.dtype = DType::f32;
  const auto f = StreamFilter::create(w.data(), 65535, o);
  EXPECT_EQ(f.method(), Method::overlap_save);
  EXPECT_EQ(f.latency(), 0);
  const std::string e = f.explain();
  EXPECT_NE(e.find("head: taps [0, "), std::string::npos) << e;
  EXPECT_NE(e.find("FFT"), std::string::npos) << e;
  std::vector<float> short_kernel(5, 0.2f);
  EXPECT_EQ(StreamFilter::create(short_kernel.data(), 5, o).method(), Method::direct);
}

template <class T>
void check_save_restore(std::int64_t taps, std::int64_t channels, Method method, NanPolicy nan) {
  std::mt19937_64 rng(seed_for(9003) + taps);
  const std::int64_t n = 2 * taps + 3000;
  auto x = normal<T>(rng, static_cast<std::size_t>(n * channels));
  x[static_cast<std::size_t>(channels * (n / 3))] = std::numeric_limits<T>::quiet_NaN();
  const auto w = normal<T>(rng, static_cast<std::size_t>(taps));
  StreamOptions o;
  o.dtype = std::is_same_v<T, float> ? DType::f32 : DType::f64;
  o.channels = channels;
  o.method = method;
  o.nan = nan;
  StreamFilter whole = StreamFilter::create(w.data(), taps, o);
  const auto want = run_stream(whole, x, channels, {n});
  StreamFilter first = StreamFilter::create(w.data(), taps, o);
  const std::int64_t half = n / 2 + 13;
  std::vector<T> y(x.size());
  first.process(x.data(), y.data(), half);
  const auto bytes = first.save();
  StreamFilter second = StreamFilter::restore(bytes.data(), bytes.size());
  EXPECT_EQ(second.samples_processed(), half);
  second.process(x.data() + half * channels, y.data() + half * channels, n - half);
  for (std::size_t i = 0; i < y.size(); ++i)
    ASSERT_TRUE(y[i] == want[i] || (std::isnan(y[i]) && std::isnan(want[i])))
        << "restored filter differs at " << i << " taps=" << taps << " method=" << name(method);
  // load_state into a filter made the same way continues the same
  StreamFilter third = StreamFilter::create(w.data(), taps, o);
  third.load_state(bytes.data(), bytes.size());
  std::vector<T> z(x.size() - static_cast<std::size_t>(half * channels));
  third.process(x.data() + half * channels, z.data(), n - half);
  for (std::size_t i = 0; i < z.size(); ++i)
    ASSERT_TRUE(z[i] == want[i + half * channels] || (std::isnan(z[i]) && std::isnan(want[i + half * channels])));
}

// The typed forms read no value as another type: a float kernel or float
// samples for an f64 filter (and the reverse) are refused, naming both.
TEST(Stream, TypedCallsRefuseAnotherDtype) {
  const std::vector<float> kernel32{0.25f, 0.5f, 0.25f};
  const std::vector<double> kernel64{0.25, 0.5, 0.25};
  StreamOptions f32;
  f32.dtype = DType::f32;
  expect_error_mentioning([&] { StreamFilter::create(kernel32.data(), 3, StreamOptions{}); },
                          "a kernel of f32 values for a filter of dtype f64");
  expect_error_mentioning([&] { StreamFilter::create(kernel64.data(), 3, f32); },
                          "a kernel of f64 values for a filter of dtype f32");
  StreamFilter single = StreamFilter::create(kernel32.data(), 3, f32);
  StreamFilter twice = StreamFilter::create(kernel64.data(), 3);
  std::vector<float> in32{1, 2, 3, 4}, out32(4);
  std::vector<double> in64{1, 2, 3, 4}, out64(4);
  expect_error_mentioning([&] { single.process(in64.data(), out64.data(), 4); },
                          "samples of f64 values for a filter of dtype f32");
  expect_error_mentioning([&] { twice.process(in32.data(), out32.data(), 4); },
                          "samples of f32 values for a filter of dtype f64");
  EXPECT_EQ(single.samples_processed(), 0);
  single.process(in32.data(), out32.data(), 4);
  twice.process(in64.data(), out64.data(), 4);
  for (int t = 0; t < 4; ++t) EXPECT_EQ(static_cast<double>(out32[t]), out64[t]) << t;
  EXPECT_EQ(out64[1], 0.25 * 2 + 0.5 * 1);
}

TEST(Stream, SaveRestoreContinuesBitIdentically) {
  check_save_restore<float>(31, 1, Method::direct, NanPolicy::propagate);
  check_save_restore<double>(31, 40, Method::direct, NanPolicy::ignore);
  check_save_restore<double>(200, 2, Method::direct, NanPolicy::ignore);
  check_save_restore<float>(3000, 1, Method::overlap_save, NanPolicy::propagate);
  check_save_restore<double>(700, 2, Method::overlap_save, NanPolicy::fill);
}

TEST(Stream, RestoreRefusesOtherFormatsAndFilters) {
  std::vector<double> w(50, 0.02);
  StreamFilter f = StreamFilter::create(w.data(), 50, {});
  std::vector<double> x(100, 1.0), y(100);
  f.process(x.data(), y.data(), 100);
  auto bytes = f.save();
  const auto expect_error = [](auto fn, const std::string& words) { expect_error_mentioning(fn, words); };
  expect_error([&] { StreamFilter::restore(bytes.data(), bytes.size() - 5); }, "truncated");
  auto other_magic = bytes;
  other_magic[10] = 'X';
  expect_error([&] { StreamFilter::restore(other_magic.data(), other_magic.size()); }, "not a saved stream filter");
  auto other_version = bytes;
  other_version[8 + 14] = 99;  // the version follows the 8-byte length and 14-byte name
  expect_error([&] { StreamFilter::restore(other_version.data(), other_version.size()); }, "version 99");
  std::vector<double> w2(60, 0.02);
  StreamFilter g = StreamFilter::create(w2.data(), 60, {});
  expect_error([&] { g.load_state(bytes.data(), bytes.size()); }, "50 taps");
  StreamOptions two;
  two.channels = 2;
  StreamFilter h = StreamFilter::create(w.data(), 50, two);
  expect_error([&] { h.load_state(bytes.data(), bytes.size()); }, "1 channels");
  std::vector<double> w3(50, 0.03);
  StreamFilter k = StreamFilter::create(w3.data(), 50, {});
  expect_error([&] { k.load_state(bytes.data(), bytes.size()); }, "another kernel");
}

template <class T>
void check_nan_burst(std::int64_t taps, Method method) {
  std::mt19937_64 rng(seed_for(9004) + taps);
  const std::int64_t n = 3 * taps + 5000;
  auto x = normal<T>(rng, static_cast<std::size_t>(n));
  const auto w = normal<T>(rng, static_cast<std::size_t>(taps));
  const std::int64_t burst = n / 3;
  for (std::int64_t i = 0; i < 40; ++i) x[static_cast<std::size_t>(burst + i)] = std::numeric_limits<T>::quiet_NaN();
  x[static_cast<std::size_t>(burst + 100)] = std::numeric_limits<T>::infinity();
  StreamOptions o;
  o.dtype = std::is_same_v<T, float> ? DType::f32 : DType::f64;
  o.method = method;
  StreamFilter f = StreamFilter::create(w.data(), taps, o);
  std::vector<std::int64_t> chunks = random_chunks(rng, n);
  const auto y = run_stream(f, x, 1, chunks);
  // outputs t with a bad sample in [t - taps + 1, t] are non-finite, the rest
  // match the convolution of x with the bad samples taken as 0
  std::vector<T> zeroed = x;
  for (auto& v : zeroed)
    if (!std::isfinite(v)) v = T(0);
  const auto clean = oracle(zeroed, 1, w, taps, false);
  for (std::int64_t t = 0; t < n; ++t) {
    auto holds = [&](std::int64_t from, std::int64_t to) { return t >= from && t - taps + 1 <= to; };
    const bool touched = holds(burst, burst + 39) || holds(burst + 100, burst + 100);
    ASSERT_EQ(!std::isfinite(y[static_cast<std::size_t>(t)]), touched) << "output " << t << " taps=" << taps;
    if (!touched) {
      ASSERT_LE(std::abs(static_cast<double>(y[static_cast<std::size_t>(t)]) - clean[static_cast<std::size_t>(t)]),
                normwise_bound(zeroed, w))
          << "output " << t;
    }
  }
  // fill and ignore (direct) against the batch engine's policies
  if (method == Method::direct) {
    for (NanPolicy nan : {NanPolicy::fill, NanPolicy::ignore}) {
      o.nan = nan;
      o.fill = 0.5;
      StreamFilter g = StreamFilter::create(w.data(), taps, o);
      const auto got = run_stream(g, x, 1, random_chunks(rng, n));
      const auto want = batch(x, 1, w, taps, false, Method::direct, nan, 0.5);
      for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_TRUE(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])))
            << name(nan) << " output " << i << ": " << got[i] << " vs " << want[i];
    }
  }
}

TEST(Stream, NanBurstsSpoilOnlyTheirWindowsAndRecover) {
  check_nan_burst<float>(16, Method::direct);
  check_nan_burst<double>(100, Method::direct);
  check_nan_burst<float>(1023, Method::overlap_save);
  check_nan_burst<double>(4000, Method::overlap_save);
}

TEST(Stream, ManyChannelsIgnoreMatchesTheBatchEngine) {
  std::mt19937_64 rng(seed_for(9005));
  const std::int64_t C = 24, n = 600, taps = 9;
  auto x = normal<double>(rng, static_cast<std::size_t>(C * n));
  for (int i = 0; i < 30; ++i) x[rng() % x.size()] = std::numeric_limits<double>::quiet_NaN();
  const auto w = normal<double>(rng, taps);
  StreamOptions o;
  o.channels = C;
  o.nan = NanPolicy::ignore;
  StreamFilter f = StreamFilter::create(w.data(), taps, o);
  const auto got = run_stream(f, x, C, random_chunks(rng, n));
  const auto want = batch(x, C, w, taps, false, Method::direct, NanPolicy::ignore);
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_TRUE(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i]))) << i;
}

TEST(Stream, ErrorDoesNotGrowOverTenMillionSamples) {
  std::mt19937_64 rng(seed_for(9006));
  const std::int64_t n = 10'000'000, taps = 4096, window = 100'000;
  const auto x = normal<float>(rng, static_cast<std::size_t>(n));
  const auto w = normal<float>(rng, static_cast<std::size_t>(taps));
  StreamOptions o;
  o.dtype = DType::f32;
  o.method = Method::overlap_save;
  StreamFilter f = StreamFilter::create(w.data(), taps, o);
  std::vector<std::int64_t> chunks(n / 4096, 4096);
  chunks.push_back(n % 4096);
  const auto y = run_stream(f, x, 1, chunks);
  // the oracle: the same in float64 by the batch engine
  const std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end());
  const auto want = batch(xd, 1, wd, taps, false, Method::overlap_save);
  auto err = [&](std::int64_t from) {
    double e = 0;
    for (std::int64_t t = from; t < from + window; ++t)
      e = std::max(e,
                   std::abs(static_cast<double>(y[static_cast<std::size_t>(t)]) - want[static_cast<std::size_t>(t)]));
    return e;
  };
  const double early = err(taps), late = err(n - window);
  EXPECT_GT(early, 0.0);
  EXPECT_LE(late, 2.0 * early) << "error grew from " << early << " to " << late;
}

TEST(Stream, BadOptionsAreClearErrors) {
  std::vector<double> w(8, 0.1);
  auto error_of = [&](StreamOptions o, std::int64_t taps = 8, const void* k = nullptr) -> std::string {
    try {
      StreamFilter::create(k ? k : w.data(), taps, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  StreamOptions o;
  o.nan = NanPolicy::raise;
  EXPECT_NE(error_of(o).find("raise"), std::string::npos);
  o = {};
  o.dtype = DType::c64;
  EXPECT_NE(error_of(o).find("real"), std::string::npos);
  o = {};
  EXPECT_NE(error_of(o, 0).find("at least one tap"), std::string::npos);
  o.channels = 0;
  EXPECT_NE(error_of(o).find("channels"), std::string::npos);
  o = {};
  o.method = Method::fft;
  EXPECT_NE(error_of(o).find("method"), std::string::npos);
  o = {};
  o.method = Method::overlap_save;
  EXPECT_NE(error_of(o).find("too short"), std::string::npos);
  o.nan = NanPolicy::ignore;
  EXPECT_NE(error_of(o).find("ignore"), std::string::npos);
  std::vector<double> bad(8, 0.1);
  bad[3] = std::nan("");
  EXPECT_NE(error_of({}, 8, bad.data()).find("not finite"), std::string::npos);
}

}  // namespace
}  // namespace faltung::test
