// The seasonal profile of one series (Holt-Winters' additive season): the
// typical deviation from the series' level at each phase of a period of P
// samples, learnt as it goes. The multiscale detector's features then run on
// x - profile[phase], so a level shift or slope change that the daily cycle
// would hide stands out, while the cycle itself is no news.
//
// The first sample of each phase starts it: profile[phase] = x - base (base:
// the first sample), and the features see y = base there (no news). After
// the first period the profile is centred (its mean moves into base), which
// makes it the first period less that period's mean. From then on
//
//   y      = x - (profile[phase] - mean(profile))   (phase = frame mod P)
//   e      = y - (base + slope)                Holt's level and slope of y:
//   base  += slope + b * e                     b: half-life P, c: P / 8 (the
//   slope += b * c * e                         level and trend, not the cycle)
//   profile[phase] += g * clip(e, 3 sigma)
//
// with g = 1/(k+1) in the k-th period (a plain average of the first
// periods), then the weight of a half-life of 4 periods. The clip (3 sigma
// of the detector's short residual) keeps one spike or the first samples of
// a shift from being learnt as part of the season, so neither echoes a
// period later by more than a fraction of a sigma. Missing samples advance
// the phase (frames count, not samples) and teach nothing.
//
// The profile's mean is taken out of y (and kept as a running sum): a trend
// or level change teaches every phase alike, and that belongs to the level,
// not the season (Holt-Winters' normalisation).
//
// State: P doubles (NaN: a phase not seen yet) and four more (base, the
// profile's sum, whether the first period has been centred, slope).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "signal/detector_math.hpp"

namespace faltung::signal {

class SeasonalProfile {
 public:
  static constexpr double kHalfLifePeriods = 4.0;

  explicit SeasonalProfile(std::int64_t period)
      : period_(period),
        base_weight_(period > 0 ? weight_for_halflife(static_cast<double>(period)) : 0.0),
        slope_weight_(period > 0 ? weight_for_halflife(std::max(static_cast<double>(period) / 8.0, 1.0)) : 0.0),
        season_weight_(weight_for_halflife(kHalfLifePeriods)) {}

  bool enabled() const { return period_ > 0; }
  std::int64_t period() const { return period_; }
  // Features are used once a whole period has been learnt.
  bool learnt(std::int64_t frame) const { return frame >= period_; }

  static constexpr int kDoubles = 4;  // base, sum of the profile, centred (0/1), slope

  void initialise(double* profile, double* extra) const {
    std::fill(profile, profile + period_, std::numeric_limits<double>::quiet_NaN());
    extra[0] = extra[1] = extra[2] = extra[3] = 0.0;
  }

  // x less the profile at this frame's phase; the first sample of a phase
  // starts the phase and gives the level instead. `fresh` tells learn()
  // which of the two happened.
  double deseasonalised(double* profile, double* extra, std::int64_t frame, std::int64_t seen, double x,
                        bool& fresh) const {
    double& base = extra[0];
    if (frame >= period_ && extra[2] == 0.0) centre(profile, extra);
    double& p = profile[frame % period_];
    fresh = std::isnan(p);
    if (!fresh) return x - (p - extra[1] / static_cast<double>(period_));
    if (seen == 0) base = x;
    p = x - base;
    return base;
  }

  // clip: the most one sample may move the profile (3 sigma of the short
  // residual; infinity while that is not known).
  void learn(double* profile, double* extra, std::int64_t frame, double y, double clip) const {
    double& base = extra[0];
    double& slope = extra[3];
    const double e = y - (base + slope);
    base += slope + base_weight_ * e;
    slope += base_weight_ * slope_weight_ * e;
    const std::int64_t periods_before = frame / period_;
    const double k = static_cast<double>(periods_before) + 1.0;
    const double g = season_weight_ * k < 1.0 ? 1.0 / k : season_weight_;
    const double step = g * std::clamp(e, -clip, clip);
    profile[frame % period_] += step;
    extra[1] += step;
  }

 private:
  // After the first period: the profile's mean moves into base.
  void centre(double* profile, double* extra) const {
    double sum = 0, count = 0;
    for (std::int64_t i = 0; i < period_; ++i)
      if (!std::isnan(profile[i])) sum += profile[i], count += 1;
    const double mean = count > 0 ? sum / count : 0.0;
    for (std::int64_t i = 0; i < period_; ++i) profile[i] -= mean;
    extra[0] += mean;
    extra[1] = 0.0;
    extra[2] = 1.0;
  }

  std::int64_t period_;
  double base_weight_, slope_weight_, season_weight_;
};

}  // namespace faltung::signal
