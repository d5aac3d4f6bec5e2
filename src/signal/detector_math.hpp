// The pieces every detector kind shares: a robust running location and
// scale, the map from a statistic z to a score in [0, 1], and the alert
// latch with debounce and hysteresis.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace faltung::signal {

// E|e| = sigma * sqrt(2 / pi) for Gaussian e: scale * this is sigma.
constexpr double kSigmaPerMeanAbs = 1.2533141373155003;
// Deviations beyond this many sigma move the running estimates only as far
// as this (Huber): one outlier or the first samples of an incident cannot
// inflate the scale that is to judge them.
constexpr double kClipSigmas = 3.0;
// Updates before the estimates are trusted (plain averages until then).
constexpr double kSettleUpdates = 16;
// A scale never below this fraction of the series' typical magnitude, so a
// constant series does not turn rounding noise into alarms.
constexpr double kRelativeScaleFloor = 1e-9;

// The weight of the newest sample in an exponential average with this
// half-life (in samples).
inline double weight_for_halflife(double halflife) { return 1.0 - std::exp2(-1.0 / halflife); }

// A running location and scale (mean absolute deviation) of one feature:
// three doubles (location, scale, updates so far) wherever the caller keeps
// them. While the series' alert is raised callers pass a rate
// `kAlertSpeedup` times the usual: the incident has been reported, and a
// lasting change (a new level, slope or noise level) becomes the new normal
// in tens of samples instead of raising the alert again and again for
// thousands.
struct RobustStat {
  static constexpr double kAlertSpeedup = 16.0;
  double* location;
  double* scale;
  double* updates;

  bool settled() const { return *updates >= kSettleUpdates; }
  double sigma(double floor) const { return std::max(*scale * kSigmaPerMeanAbs, floor); }
  double z(double f, double floor) const { return std::abs(f - *location) / sigma(floor); }
  void update(double f, double rate) {
    double dev = f - *location;
    if (settled()) {
      const double limit = kClipSigmas * *scale * kSigmaPerMeanAbs;
      dev = std::clamp(dev, -limit, limit);
    }
    const double n = *updates + 1.0;
    const double a = rate * n < 1.0 ? 1.0 / n : rate;  // a plain mean at first
    *location += a * dev;
    *scale += a * (std::abs(dev) - *scale);
    *updates = n;
  }
};

// Where a series' last gap (a run of missing samples) lies: `fresh` finite
// samples since it, `length` samples long. A window of w samples that spans
// it joins data from both sides as if they were adjacent: on a trending or
// seasonal series that is a jump not in the data. Gaps shorter than w / 8
// move a window's statistics little and are bridged; a window that spans a
// longer one is not used until it has moved past it.
struct Gap {
  static constexpr std::int64_t kBridged = 8;
  std::int64_t fresh, length;
  bool blocks(std::int64_t window) const { return fresh < window && length * kBridged >= window; }
};

// score = 1 - 2^-((z - 3) / 2)^2 above z = 3, else 0: z = 5 gives 0.5.
inline double score_from_z(double z) {
  if (!(z > 3.0)) return 0.0;
  const double u = (z - 3.0) * 0.5;
  return 1.0 - std::exp2(-u * u);
}

// The alert of one series: raised after `set_samples` consecutive scores
// >= set_score, cleared after `clear_samples` consecutive scores below
// clear_score. Two integers: the alert (0/1) and the current run.
struct AlertLatch {
  double set_score, clear_score;
  std::int64_t set_samples, clear_samples;

  std::uint8_t update(std::int64_t* alert_and_run, double score) const {
    std::int64_t& alert = alert_and_run[0];
    std::int64_t& run = alert_and_run[1];
    if (!alert) {
      run = score >= set_score ? run + 1 : 0;
      if (run >= set_samples) alert = 1, run = 0;
    } else {
      run = score < clear_score ? run + 1 : 0;
      if (run >= clear_samples) alert = 0, run = 0;
    }
    return static_cast<std::uint8_t>(alert);
  }
};

}  // namespace faltung::signal
