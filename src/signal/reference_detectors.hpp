// The reference detectors faltung's own is compared with (docs/detection.md),
// with the same step interface as MultiscaleDetector: a statistic z per
// finite sample over a state the caller keeps.
//
//   zscore  windowed Gaussian: |x - mean| / deviation of the previous
//           `window` samples (NAB's windowedGaussian, sliding); no score
//           while the window spans a long gap (Gap).
//   ewma    exponentially weighted mean and variance (weight `alpha`):
//           |x - mean| / deviation, both from before x.
//   holt    Holt's double exponential smoothing (PromQL's
//           double_exponential_smoothing: level weight `smoothing`, trend
//           weight `trend`): the one-step forecast error over its running
//           mean absolute value (weight `alpha`).
#pragma once

#include <cstdint>

#include "faltung/detect.hpp"
#include "signal/detector_math.hpp"

namespace faltung::signal {

// What every reference kind shares with the driver's interface: a state of
// zeros to start from, and no kept samples unless the kind says otherwise.
struct ReferenceDetector {
  std::int64_t ring_per_series() const { return 0; }
  std::int64_t longest_width() const { return 0; }
  void initialise(double*, double*) const {}
};

class ZScoreDetector : public ReferenceDetector {
 public:
  explicit ZScoreDetector(const DetectorOptions& options);
  std::int64_t doubles_per_series() const { return 3; }  // sum, sum of squares, level
  std::int64_t ring_per_series() const { return mask_ + 1; }
  std::int64_t longest_width() const { return window_; }
  double step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
              bool alerting) const;

 private:
  std::int64_t window_, mask_;
  double alpha_;
};

class EwmaDetector : public ReferenceDetector {
 public:
  explicit EwmaDetector(const DetectorOptions& options);
  std::int64_t doubles_per_series() const { return 4; }  // mean, variance, updates, level
  double step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
              bool alerting) const;

 private:
  double alpha_;
};

class HoltDetector : public ReferenceDetector {
 public:
  explicit HoltDetector(const DetectorOptions& options);
  std::int64_t doubles_per_series() const { return 5; }  // level, trend, error scale, updates, magnitude
  double step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
              bool alerting) const;

 private:
  double smoothing_, trend_, alpha_;
};

}  // namespace faltung::signal
