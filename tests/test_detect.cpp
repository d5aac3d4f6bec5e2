// Streaming detectors: the multiscale features are the convolutions they
// claim to be (against the engine and the catalogue's kernels), outputs do
// not depend on chunking, save/restore continues bit-identically, series
// are independent, missing samples are skipped, anomalies raise the alert,
// bad options are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "faltung/convolve.hpp"
#include "faltung/detect.hpp"
#include "faltung/errors.hpp"
#include "faltung/kernels.hpp"
#include "signal/multiscale_detector.hpp"
#include "support/expect_error.hpp"

namespace faltung::test {
namespace {

constexpr DetectorKind kAllKinds[] = {DetectorKind::surprise, DetectorKind::multiscale, DetectorKind::zscore,
                                      DetectorKind::ewma, DetectorKind::holt};

std::vector<double> noise(std::size_t n, std::uint64_t seed, double sigma = 1.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(0.0, sigma);
  std::vector<double> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

// Series with what a detector meets: a level, a spike, a shift, NaN and Inf.
std::vector<double> eventful(std::size_t n, std::uint64_t seed) {
  auto x = noise(n, seed);
  for (std::size_t t = 0; t < n; ++t) x[t] += 50.0;
  x[n / 3] += 12;
  for (std::size_t t = n / 2; t < n; ++t) x[t] += 5;
  x[n / 4] = NAN;
  for (std::size_t t = n / 4 + 10; t < n / 4 + 30; ++t) x[t] = NAN;
  x[2 * n / 3] = INFINITY;
  return x;
}

struct Outputs {
  std::vector<double> score;
  std::vector<std::uint8_t> alert;
};

Outputs run(Detector& d, const std::vector<double>& x, const std::vector<std::int64_t>& chunks) {
  const std::int64_t s = d.series();
  const std::int64_t frames = static_cast<std::int64_t>(x.size()) / s;
  Outputs o{std::vector<double>(x.size(), -1.0), std::vector<std::uint8_t>(x.size(), 9)};
  std::int64_t at = 0;
  for (std::size_t i = 0; at < frames; ++i) {
    const std::int64_t n = std::min(chunks[i % chunks.size()], frames - at);
    d.process(x.data() + at * s, o.score.data() + at * s, o.alert.data() + at * s, n);
    at += n;
  }
  return o;
}

DetectorOptions options(DetectorKind kind, std::int64_t series = 1) {
  DetectorOptions o;
  o.kind = kind;
  o.series = series;
  return o;
}

// Every kind with its defaults, and the kinds that take one with a seasonal period.
std::vector<DetectorOptions> all_kinds_and_a_season(std::int64_t series = 1) {
  std::vector<DetectorOptions> out;
  for (auto kind : kAllKinds) out.push_back(options(kind, series));
  for (auto kind : {DetectorKind::surprise, DetectorKind::multiscale}) {
    out.push_back(options(kind, series));
    out.back().period = 50;
  }
  return out;
}

std::vector<double> full_convolution(const std::vector<double>& x, const std::vector<double>& k) {
  Array<double> xa{{static_cast<std::int64_t>(x.size())}, x}, ka{{static_cast<std::int64_t>(k.size())}, k};
  return convolve(xa, ka, {.method = Method::direct}).data;
}

TEST(Detect, MultiscaleFeaturesAreTheirConvolutions) {
  DetectorOptions o;
  o.widths = {6, 16, 64};
  const signal::MultiscaleDetector m(o);
  const std::size_t n = 3000;
  auto x = noise(n, 7);
  for (std::size_t t = 0; t < n; ++t) x[t] += 100.0 + 0.01 * static_cast<double>(t);  // a level and a trend
  std::vector<double> state(static_cast<std::size_t>(m.doubles_per_series())),
      ring(static_cast<std::size_t>(m.ring_per_series()));
  std::vector<std::vector<double>> features(n, std::vector<double>(static_cast<std::size_t>(m.features())));
  for (std::size_t t = 0; t < n; ++t)
    m.step(state.data(), ring.data(), static_cast<std::int64_t>(t), static_cast<std::int64_t>(t),
           signal::Gap{static_cast<std::int64_t>(t), 0}, x[t], false, features[t].data());

  for (std::size_t i = 0; i < o.widths.size(); ++i) {
    const std::int64_t w = o.widths[i];
    const std::string ws = std::to_string(w);
    // residual: x[t] minus the least-squares line through x[t-w..t-1] at t
    std::vector<double> residual_kernel(static_cast<std::size_t>(w + 1), 1.0);
    const double c = static_cast<double>(w - 1) / 2,
                 spread = static_cast<double>(w) * static_cast<double>(w * w - 1) / 12.0;
    for (std::int64_t k = 0; k < w; ++k)
      residual_kernel[static_cast<std::size_t>(k + 1)] =
          -(1.0 / static_cast<double>(w) + (c - static_cast<double>(k)) * (c + 1) / spread);
    const auto want_residual = full_convolution(x, residual_kernel);
    const auto want_step = full_convolution(x, kernels::make("step:width=" + ws).values);
    const auto want_ramp = full_convolution(x, kernels::make("ramp:width=" + ws).values);
    for (std::size_t t = 0; t < n; ++t) {
      const auto& f = features[t];
      const bool has_past = static_cast<std::int64_t>(t) >= w, full = static_cast<std::int64_t>(t) + 1 >= w;
      ASSERT_EQ(std::isnan(f[3 * i]), !has_past) << "width " << w << " t " << t;
      ASSERT_EQ(std::isnan(f[3 * i + 1]), !full) << "width " << w << " t " << t;
      // running sums over values near 100: rounding of order w * 100 * eps
      if (has_past) {
        ASSERT_NEAR(f[3 * i], want_residual[t], 1e-9) << "residual, width " << w << " t " << t;
      }
      if (full) {
        ASSERT_NEAR(f[3 * i + 1], want_step[t], 1e-10) << "step, width " << w << " t " << t;
        ASSERT_NEAR(f[3 * i + 2], want_ramp[t], 1e-11) << "ramp, width " << w << " t " << t;
      }
    }
  }
}

TEST(Detect, SteadyPathEqualsTheGeneralOne) {
  // Without a features buffer, a settled series takes a shorter path; it
  // must compute the same bits (gaps, alerting and a season included).
  for (std::int64_t period : {0, 300}) {
    DetectorOptions o;
    o.period = period;
    o.scale_halflife = 200;
    const signal::MultiscaleDetector m(o);
    const auto x = eventful(8000, 31);
    std::vector<double> fast_state(static_cast<std::size_t>(m.doubles_per_series())),
        slow_state = fast_state, fast_ring(static_cast<std::size_t>(m.ring_per_series())), slow_ring = fast_ring,
        features(static_cast<std::size_t>(m.features()));
    m.initialise(fast_state.data(), fast_ring.data());
    m.initialise(slow_state.data(), slow_ring.data());
    std::int64_t seen = 0, gap_at = 0, gap_length = 0;
    for (std::size_t t = 0; t < x.size(); ++t) {
      if (!std::isfinite(x[t])) {
        gap_length = gap_at == seen ? gap_length + 1 : 1;
        gap_at = seen;
        continue;
      }
      const signal::Gap gap{seen - gap_at, gap_length};
      const bool alerting = (t / 700) % 2 == 1;
      const auto frame = static_cast<std::int64_t>(t);
      const double fast = m.step(fast_state.data(), fast_ring.data(), frame, seen, gap, x[t], alerting);
      const double slow =
          m.step(slow_state.data(), slow_ring.data(), frame, seen, gap, x[t], alerting, features.data());
      ASSERT_EQ(fast, slow) << "period " << period << " t " << t;
      ++seen;
    }
  }
}

TEST(Detect, ChunkingDoesNotChangeAnything) {
  const std::int64_t series = 3, frames = 5000;
  std::vector<double> x(static_cast<std::size_t>(series * frames));
  for (std::int64_t s = 0; s < series; ++s) {
    const auto one = eventful(static_cast<std::size_t>(frames), 10 + static_cast<std::uint64_t>(s));
    for (std::int64_t t = 0; t < frames; ++t)
      x[static_cast<std::size_t>(t * series + s)] = one[static_cast<std::size_t>(t)];
  }
  for (auto o : all_kinds_and_a_season(series)) {
    const auto kind = o.kind;
    Detector whole = Detector::create(o);
    const Outputs want = run(whole, x, {frames});
    for (const std::vector<std::int64_t>& chunks :
         {std::vector<std::int64_t>{1}, {0, 7, 1, 0, 131}, {4096, 13}, {997}}) {
      Detector d = Detector::create(o);
      const Outputs got = run(d, x, chunks);
      ASSERT_EQ(got.score, want.score) << name(kind) << " chunk " << chunks.front();
      ASSERT_EQ(got.alert, want.alert) << name(kind) << " chunk " << chunks.front();
    }
    EXPECT_EQ(whole.samples_processed(), frames);
  }
}

TEST(Detect, SaveRestoreContinuesBitIdentically) {
  const auto x = eventful(6000, 3);
  for (auto o : all_kinds_and_a_season()) {
    const auto kind = o.kind;
    Detector straight = Detector::create(o);
    const Outputs want = run(straight, x, {6000});
    Detector first = Detector::create(o);
    std::vector<double> head(x.begin(), x.begin() + 3333), tail(x.begin() + 3333, x.end());
    const Outputs a = run(first, head, {500});
    const auto bytes = first.save();
    Detector second = Detector::restore(bytes.data(), bytes.size());
    EXPECT_EQ(second.samples_processed(), 3333);
    const Outputs b = run(second, tail, {1000});
    Outputs joined = a;
    joined.score.insert(joined.score.end(), b.score.begin(), b.score.end());
    joined.alert.insert(joined.alert.end(), b.alert.begin(), b.alert.end());
    EXPECT_EQ(joined.score, want.score) << name(kind);
    EXPECT_EQ(joined.alert, want.alert) << name(kind);
    // a copy continues the same way too, and reset() starts over
    Detector copy = straight;
    copy.reset();
    EXPECT_EQ(run(copy, x, {6000}).score, want.score) << name(kind);
  }
}

TEST(Detect, DamagedStateIsRefusedByName) {
  Detector d = Detector::create();
  auto bytes = d.save();
  const auto expect_error = [](auto fn, const std::string& words) { expect_error_mentioning(fn, words); };
  expect_error([&] { Detector::restore(bytes.data(), bytes.size() - 5); }, "truncated");
  auto other = bytes;
  other[10] = 'X';
  expect_error([&] { Detector::restore(other.data(), other.size()); }, "not a saved detector");
  auto longer = bytes;
  longer.push_back(0);
  expect_error([&] { Detector::restore(longer.data(), longer.size()); }, "more than");
  const auto filter_bytes = std::vector<std::uint8_t>(40, 0);
  expect_error([&] { Detector::restore(filter_bytes.data(), filter_bytes.size()); }, "saved");
}

TEST(Detect, SeriesAreIndependent) {
  const std::int64_t series = 20, frames = 2000;  // frames of many series
  std::vector<double> x(static_cast<std::size_t>(series * frames));
  std::vector<std::vector<double>> each(series);
  for (std::int64_t s = 0; s < series; ++s) {
    each[static_cast<std::size_t>(s)] = eventful(static_cast<std::size_t>(frames), 100 + static_cast<std::uint64_t>(s));
    for (std::int64_t t = 0; t < frames; ++t)
      x[static_cast<std::size_t>(t * series + s)] = each[static_cast<std::size_t>(s)][static_cast<std::size_t>(t)];
  }
  for (auto kind : kAllKinds) {
    Detector many = Detector::create(options(kind, series));
    const Outputs all = run(many, x, {1});
    for (std::int64_t s = 0; s < series; s += 7) {
      Detector one = Detector::create(options(kind));
      const Outputs alone = run(one, each[static_cast<std::size_t>(s)], {frames});
      for (std::int64_t t = 0; t < frames; ++t) {
        ASSERT_EQ(all.score[static_cast<std::size_t>(t * series + s)], alone.score[static_cast<std::size_t>(t)])
            << name(kind) << " series " << s << " t " << t;
        ASSERT_EQ(all.alert[static_cast<std::size_t>(t * series + s)], alone.alert[static_cast<std::size_t>(t)]);
      }
    }
  }
}

TEST(Detect, ShortGapsAreSkipped) {
  // Gaps shorter than an eighth of every window are bridged: the finite
  // samples score exactly as the series without them. A missing sample
  // scores 0 and holds the alert.
  auto x = noise(4000, 5);
  x[1000] += 15;  // an alert to hold across a gap
  for (std::size_t t = 300; t < x.size(); t += 97) x[t] = t % 2 ? NAN : -INFINITY;
  x[1001] = NAN;
  std::vector<double> finite;
  for (double v : x)
    if (std::isfinite(v)) finite.push_back(v);
  for (auto kind : kAllKinds) {
    DetectorOptions o = options(kind);
    if (kind == DetectorKind::multiscale) o.widths = {16, 64};
    Detector with_gaps = Detector::create(o);
    Detector without = Detector::create(o);
    const Outputs a = run(with_gaps, x, {4000});
    const Outputs b = run(without, finite, {4000});
    EXPECT_EQ(a.alert[1001], a.alert[1000]) << name(kind);
    std::size_t j = 0;
    for (std::size_t t = 0; t < x.size(); ++t) {
      if (std::isfinite(x[t])) {
        ASSERT_EQ(a.score[t], b.score[j]) << name(kind) << " t " << t;
        ASSERT_EQ(a.alert[t], b.alert[j]) << name(kind) << " t " << t;
        ++j;
      } else {
        ASSERT_EQ(a.score[t], 0.0);
        ASSERT_EQ(a.alert[t], t ? a.alert[t - 1] : 0);
      }
    }
  }
}

TEST(Detect, LongGapsOnATrendRaiseNoAlert) {
  // Skipping 40 samples of a steep trend leaves a jump of 20 sigma between
  // the samples either side; windows that span the gap wait until they
  // are past it, so nothing alerts. The same jump without a gap does.
  auto x = noise(6000, 8);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] += 0.5 * static_cast<double>(t);
  auto gapped = x;
  for (std::size_t t = 3000; t < 3040; ++t) gapped[t] = NAN;
  Detector d = Detector::create();
  const Outputs o = run(d, gapped, {6000});
  for (std::size_t t = 0; t < x.size(); ++t) ASSERT_EQ(o.alert[t], 0) << "t " << t;
  std::vector<double> joined(x.begin(), x.begin() + 3000);
  joined.insert(joined.end(), x.begin() + 3040, x.end());
  Detector e = Detector::create();
  const Outputs p = run(e, joined, {6000});
  EXPECT_EQ(p.alert[3000], 1);
}

TEST(Detect, WarmUpThenASpikeRaisesTheAlert) {
  auto x = noise(4000, 11);
  x[3000] += 10;
  Detector d = Detector::create();
  EXPECT_EQ(d.warmup(), 8 + 64);
  const Outputs o = run(d, x, {4000});
  for (std::int64_t t = 0; t < d.warmup(); ++t) ASSERT_EQ(o.score[static_cast<std::size_t>(t)], 0.0);
  EXPECT_GT(o.score[3000], 0.99);
  EXPECT_EQ(o.alert[3000], 1);
  EXPECT_EQ(o.alert[2999], 0);
  for (std::size_t t = 3100; t < 4000; ++t) ASSERT_EQ(o.alert[t], 0) << "cleared after the spike, t " << t;
  for (double s : o.score) ASSERT_TRUE(s >= 0.0 && s <= 1.0);
}

TEST(Detect, ASeasonalProfileFindsAShiftTheCycleHides) {
  // A cycle of +-10 sigma every 100 samples, a trend, and a shift of 3.5
  // sigma at t = 3000 (where the cycle falls fastest): with the period the
  // shift raises the alert within 50 samples and nothing alerts before it.
  const std::size_t n = 5000;
  auto x = noise(n, 21);
  for (std::size_t t = 0; t < n; ++t)
    x[t] += 10 * std::sin(2 * M_PI * static_cast<double>(t) / 100 + 1.4) + 0.01 * static_cast<double>(t) +
            (t >= 3000 ? 3.5 : 0.0);
  DetectorOptions o = options(DetectorKind::multiscale);
  o.period = 100;
  Detector d = Detector::create(o);
  EXPECT_EQ(d.warmup(), 100 + 128 + 64);
  const Outputs out = run(d, x, {n});
  for (std::size_t t = 0; t < 3000; ++t) ASSERT_EQ(out.alert[t], 0) << "t " << t;
  bool raised = false;
  for (std::size_t t = 3000; t < 3050; ++t) raised = raised || out.alert[t];
  EXPECT_TRUE(raised);
  EXPECT_NE(d.explain().find("seasonal profile (period 100"), std::string::npos);
}

// The surprise kind (the default) scores a deviation against its feature's
// record: what the series does routinely stops scoring, a new record scores.
TEST(Detect, SurpriseRoutineSpikesFadeANewRecordScores) {
  auto x = noise(6000, 31);
  for (std::size_t t = 100; t < x.size(); t += 150) x[t] += 8;  // routine spikes of 8 sigma
  x[5000] += 20;                                                // one of 20
  Detector d = Detector::create();
  const Outputs o = run(d, x, {6000});
  // A spike of 8 sigma plus noise beats a record of the same now and then
  // (measured: 2 of the 27 after the first 2000 samples); the first ones
  // raised the alert.
  int routine_alerts = 0;
  for (std::size_t t = 2050; t < x.size(); t += 150) routine_alerts += o.alert[t];
  EXPECT_LE(routine_alerts, 3);
  EXPECT_EQ(o.alert[100], 1);
  EXPECT_GT(o.score[5000], 0.99);
  EXPECT_EQ(o.alert[5000], 1);
}

TEST(Detect, SurpriseHeldChangeIsOneDetection) {
  // A level shift of 10 sigma that stays: high scores for the first samples
  // of it (the mean of 8 samples beats its record as it fills), then none,
  // and one alert onset.
  auto x = noise(8000, 32);
  for (std::size_t t = 3000; t < x.size(); ++t) x[t] += 10;
  Detector d = Detector::create();
  const Outputs o = run(d, x, {8000});
  EXPECT_GT(o.score[3000], 0.99);
  int onsets = 0;
  for (std::size_t t = 1; t < x.size(); ++t) onsets += o.alert[t] && !o.alert[t - 1];
  EXPECT_EQ(onsets, 1);
  for (std::size_t t = 3016; t < x.size(); ++t) ASSERT_LT(o.score[t], 0.35) << "t " << t;
}

TEST(Detect, SurpriseSeasonSeesACycleThatFailsToRise) {
  // A square wave (0 for 60 samples, 20 for 40, period 100) whose high
  // phase does not come at t = 4060: with the period the same phase one
  // period back tells, and nothing alerts before; without, nothing is out
  // of the usual range.
  const std::size_t n = 6000;
  auto x = noise(n, 33);
  for (std::size_t t = 0; t < n; ++t)
    if (t % 100 >= 60 && !(t >= 4060 && t < 4100)) x[t] += 20;
  DetectorOptions o;
  o.period = 100;
  Detector with_period = Detector::create(o);
  const Outputs a = run(with_period, x, {n});
  for (std::size_t t = 0; t < 4060; ++t) ASSERT_EQ(a.alert[t], 0) << "t " << t;
  bool raised = false;
  for (std::size_t t = 4060; t < 4065; ++t) raised = raised || a.alert[t];
  EXPECT_TRUE(raised);
  EXPECT_NE(with_period.explain().find("one period (100 samples) before"), std::string::npos);
}

TEST(Detect, ConstantSeriesNeverAlertsUntilItMoves) {
  std::vector<double> x(5000, 0.1);
  Detector d = Detector::create();
  Outputs o = run(d, x, {5000});
  for (double s : o.score) ASSERT_EQ(s, 0.0);
  std::vector<double> moved(10, 0.2);
  o = run(d, moved, {10});
  EXPECT_EQ(o.alert[0], 1);
}

TEST(Detect, BadOptionsAreRefusedByName) {
  auto refused = [](const DetectorOptions& o, const std::string& words) {
    expect_error_mentioning([&] { Detector::create(o); }, words);
  };
  DetectorOptions o = options(DetectorKind::multiscale);
  o.widths = {8, 9};
  refused(o, "even");
  o.widths = {8, 8};
  refused(o, "given twice");
  o.widths = {4, 8, 16, 32, 64, 128, 256};
  refused(o, "1 to 6 widths");
  o.widths = {};
  refused(o, "1 to 6 widths");
  o = {};
  o.kind = DetectorKind::surprise;
  o.period = -2;
  refused(o, "period");
  o = options(DetectorKind::surprise);
  o.widths = {4, 8};
  refused(o, "widths apply to the multiscale kind only");
  o = {};
  o.series = 0;
  refused(o, "series");
  o = {};
  o.clear_score = 0.9;
  refused(o, "clear_score");
  o = {};
  o.set_samples = 0;
  refused(o, "set_samples");
  o = {};
  o.scale_halflife = 0.5;
  refused(o, "scale_halflife");
  o = options(DetectorKind::zscore);
  o.window = 1;
  refused(o, "window");
  o = options(DetectorKind::holt);
  o.trend = 1.5;
  refused(o, "trend");
  o = options(DetectorKind::ewma);
  o.alpha = 0;
  refused(o, "alpha");
  o = {};
  o.period = -1;
  refused(o, "period");
  EXPECT_THROW(parse_detector_kind("prophet"), Error);
  EXPECT_EQ(parse_detector_kind("holt"), DetectorKind::holt);
}

}  // namespace
}  // namespace faltung::test
