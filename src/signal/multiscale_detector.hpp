// The multiscale detector of one series, as a step function over a state
// the caller keeps (so many series can share one description).
//
// For each width w it computes, at every sample t, three convolutions of the
// series (running sums over the last w samples: exact FIR filters, O(1) per
// sample whatever w):
//   residual  x[t] minus the least-squares line through x[t-w .. t-1],
//             extrapolated to t (a spike or the start of a shift);
//   step      the matched level-shift filter, kernel step:width=w: the mean
//             of the newest w/2 samples minus the mean of the w/2 before;
//   ramp      the matched trend filter, kernel ramp:width=w: the
//             least-squares slope of the newest w samples;
// With a period P set, the features run on the series less its seasonal
// profile (seasonal_profile.hpp).
// Plus a noise level: an exponential average (half-life: the smallest w) of
// the smallest width's |residual| in sigmas, which rises with the variance.
// Each feature has a robust running location and scale (detector_math.hpp);
// z is the largest deviation among the settled features, in sigmas.
#pragma once

#include <cstdint>
#include <vector>

#include "faltung/detect.hpp"
#include "signal/detector_math.hpp"
#include "signal/seasonal_profile.hpp"

namespace faltung::signal {

constexpr std::size_t kMaxWidths = 6;
constexpr int kMaxFeatures = 3 * kMaxWidths + 1;

class MultiscaleDetector {
 public:
  explicit MultiscaleDetector(const DetectorOptions& options);

  std::int64_t doubles_per_series() const { return doubles_; }
  // the kept samples, then the seasonal profile (if a period is set)
  std::int64_t ring_per_series() const { return mask_ + 1 + season_.period(); }
  // the warm-up the defaults give: a period (learning the season), then the longest window
  std::int64_t longest_width() const { return widths_.back().w + season_.period(); }
  int features() const { return static_cast<int>(widths_.size()) * 3 + 1; }
  // A new series' state (the driver zeroes it first).
  void initialise(double* state, double* ring) const;

  // Sample x (finite; frame `frame` of the stream, missing samples counted)
  // of a series that has seen `seen` finite samples and whose last gap is
  // `gap` (a feature whose window spans a gap it blocks waits until its
  // window is past it). Updates the state and returns z (0 while no feature
  // has settled).
  // `alerting`: the series' alert is raised (the statistics learn faster).
  // `features`, if not null, receives the features() values in the order
  // residual, step, ramp for each width, then the noise level (NaN where a
  // window is not full yet): for tests and explanations.
  double step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x, bool alerting,
              double* features = nullptr) const;

 private:
  struct Width {
    std::int64_t w;
    int sum_w, sum_half;                 // indices of the running sums over w and w/2
    double centre;                       // (w - 1) / 2: the age of the window's centre
    double inv_w, inv_half, inv_spread;  // 1/w, 2/w, 1 / sum (age - centre)^2
  };
  void recompute_sums(double* state, const double* ring, std::int64_t seen) const;
  bool settled(const double* updates, const double* noise) const;
  double steady_statistics(const double* f, double* loc, double* scale, double* noise, double floor, double rate) const;

  std::vector<std::int64_t> sums_;  // the running-sum lengths: every w and w/2
  std::vector<Width> widths_;
  std::int64_t mask_ = 0;  // ring length - 1 (a power of two)
  SeasonalProfile season_;
  double alpha_ = 0, noise_alpha_ = 0;
  // offsets into a series' state
  int s0_ = 0, s1_ = 0, season_state_ = 0, loc_ = 0, scale_ = 0, updates_ = 0, noise_ = 0, level_ = 0, doubles_ = 0;
};

}  // namespace faltung::signal
