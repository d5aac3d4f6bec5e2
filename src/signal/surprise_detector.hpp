// The surprise detector (the default kind): how far a sample's deviation
// goes beyond the largest deviation the series has shown lately.
//
// Five features of each finite sample x, each with a robust running location
// and scale (RobustStat, half-life `scale_halflife`) that gives its deviation
// z_k in sigmas:
//   value     x itself: a value outside the series' usual range;
//   residual  x minus an exponential average of the previous samples
//             (half-life kResidualHalflife): an abrupt move, even within
//             the usual range;
//   mean      the mean of the newest kMeanWidth samples: a level shift
//             that single samples hide in their noise;
//   season    (with a period P) x minus the sample one period before: the
//             same phase of the cycle behaving differently;
//   seasonal mean  (with a period) the mean of the newest kMeanWidth
//             samples less the learnt seasonal profile and its Holt level
//             and slope (seasonal_profile.hpp): a shift that the cycle and
//             a trend would hide.
// Missing samples: a gap shorter than kBridgedGap samples is bridged; after
// a longer one the residual and the mean wait until their kMeanWidth
// samples are all past it (joining both sides would show a jump that is not
// in the data), and the season feature is used only where the sample one
// period before was there.
// Each feature keeps a record: the largest z_k it has shown, halving every
// kRecordHalflife samples and never below kRecordFloor sigmas. The statistic
// is, over the features, the largest of min(3 + kExcessGain (z_k / record_k
// - 1), z_k), against the records before x: 3 (score 0) when a feature
// equals its record, 5 (score 0.5) when it beats it by 10%, but never more
// than the deviation itself (so on plain noise, where records are broken
// now and then by chance, a score of 0.75 still takes 5.8 sigma). So a
// heavy-tailed series whose spikes are routine scores them low, a score
// that would stay high (a new level, a burst of spikes) falls back as soon
// as the record has learnt it (one incident, one detection), and the same
// threshold means the same thing on every series.
//
// Why these choices: docs/detection.md (measured on NAB's development half).
#pragma once

#include <cstdint>

#include "faltung/detect.hpp"
#include "signal/detector_math.hpp"
#include "signal/seasonal_profile.hpp"

namespace faltung::signal {

class SurpriseDetector {
 public:
  static constexpr int kFeatures = 5;  // value, residual, mean, season, seasonal mean
  static constexpr std::int64_t kMeanWidth = 8;
  static constexpr std::int64_t kBridgedGap = 4;
  static constexpr double kResidualHalflife = 4.0;
  static constexpr double kRecordHalflife = 4000.0;
  static constexpr double kRecordFloor = 3.0;
  static constexpr double kExcessGain = 20.0;

  explicit SurpriseDetector(const DetectorOptions& options);

  std::int64_t doubles_per_series() const { return kFixed + kFeatures * kPerFeature; }
  // the newest kMeanWidth samples; with a period, the last period's samples
  // and the frame each was taken at, the seasonal profile and the newest
  // kMeanWidth samples less the profile
  std::int64_t ring_per_series() const { return kMeanWidth + (period_ > 0 ? 3 * period_ + kMeanWidth : 0); }
  // the warm-up: the statistics settle in 16 updates; the season feature
  // waits for its first period by itself
  std::int64_t longest_width() const { return kMeanWidth; }
  void initialise(double* state, double* ring) const;

  // Sample x (finite) at frame `frame`, the series' `seen`-th finite sample.
  // Updates the state and returns z (0 while no feature has settled).
  // `alerting`: the series' alert is raised (the statistics learn faster).
  double step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
              bool alerting) const;

 private:
  // per series: magnitude (for the scale floor), the residual's average,
  // the running sum of the newest kMeanWidth samples; then per feature
  // location, scale, updates and record
  static constexpr int kMagnitude = 0, kAverage = 1, kSum = 2, kSeasonalSum = 3, kSeasonalSeen = 4, kSeason = 5,
                       kFixed = kSeason + SeasonalProfile::kDoubles, kPerFeature = 4;
  std::int64_t period_;
  SeasonalProfile season_;
  double alpha_, residual_alpha_, record_decay_;
};

}  // namespace faltung::signal
