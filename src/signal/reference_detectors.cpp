#include "signal/reference_detectors.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <string>

#include "faltung/errors.hpp"
#include "signal/detector_math.hpp"

namespace faltung::signal {

namespace {

Error bad(const std::string& what) { return Error(ErrorKind::invalid_argument, "detector " + what); }

// The weight of an exponential average in (0, 1), as the option is named.
double weight_in_unit_interval(double v, const char* option) {
  if (!(v > 0.0 && v < 1.0)) throw bad(std::string(option) + " must be in (0, 1), got " + std::to_string(v));
  return v;
}

// A running mean of |x| (the series' magnitude) for the scale floor.
double track_level(double& level, std::int64_t seen, double x, double alpha) {
  level += std::max(alpha, 1.0 / static_cast<double>(seen + 1)) * (std::abs(x) - level);
  return kRelativeScaleFloor * level + DBL_MIN;
}

}  // namespace

ZScoreDetector::ZScoreDetector(const DetectorOptions& o) : window_(o.window) {
  if (window_ < 2 || window_ > (1 << 20)) throw bad("window must be in 2..1048576, got " + std::to_string(window_));
  mask_ = static_cast<std::int64_t>(std::bit_ceil(static_cast<std::uint64_t>(window_))) - 1;
  alpha_ = weight_for_halflife(o.scale_halflife);
}

double ZScoreDetector::step(double* state, double* ring, std::int64_t, std::int64_t seen, Gap gap, double x,
                            bool) const {
  double& sum = state[0];
  double& squares = state[1];
  const double floor = track_level(state[2], seen, x, alpha_);
  double z = 0;
  if (seen >= window_ && !gap.blocks(window_)) {
    const double inv = 1.0 / static_cast<double>(window_);
    const double mean = sum * inv;
    const double deviation = std::sqrt(std::max(squares * inv - mean * mean, 0.0));
    z = std::abs(x - mean) / std::max(deviation, floor);
  }
  const double leaving = ring[(seen - window_) & mask_];
  sum += x - leaving;
  squares += x * x - leaving * leaving;
  ring[seen & mask_] = x;
  const std::int64_t n = seen + 1;
  if ((n & mask_) == 0) {  // sum afresh: the running sums drift by rounding
    sum = squares = 0;
    for (std::int64_t age = 0; age < std::min(window_, n); ++age) {
      const double v = ring[(n - 1 - age) & mask_];
      sum += v;
      squares += v * v;
    }
  }
  return z;
}

EwmaDetector::EwmaDetector(const DetectorOptions& o) : alpha_(weight_in_unit_interval(o.alpha, "alpha")) {}

double EwmaDetector::step(double* state, double*, std::int64_t, std::int64_t seen, Gap, double x, bool) const {
  double& mean = state[0];
  double& variance = state[1];
  double& updates = state[2];
  const double floor = track_level(state[3], seen, x, alpha_);
  if (updates == 0) {
    mean = x, variance = 0, updates = 1;
    return 0;
  }
  const double diff = x - mean;
  const double z = updates >= kSettleUpdates ? std::abs(diff) / std::max(std::sqrt(variance), floor) : 0.0;
  const double a = std::max(alpha_, 1.0 / (updates + 1.0));
  mean += a * diff;
  variance = (1.0 - a) * (variance + a * diff * diff);
  updates += 1;
  return z;
}

HoltDetector::HoltDetector(const DetectorOptions& o)
    : smoothing_(weight_in_unit_interval(o.smoothing, "smoothing")),
      trend_(weight_in_unit_interval(o.trend, "trend")),
      alpha_(weight_in_unit_interval(o.alpha, "alpha")) {}

double HoltDetector::step(double* state, double*, std::int64_t, std::int64_t seen, Gap, double x, bool) const {
  double& level = state[0];
  double& trend = state[1];
  double& error_scale = state[2];
  double& updates = state[3];
  const double floor = track_level(state[4], seen, x, alpha_);
  if (seen == 0) {  // PromQL: the first sample is the level, the second gives the trend
    level = x;
    return 0;
  }
  if (seen == 1) {
    trend = x - level;
    level = x;
    return 0;
  }
  const double error = x - (level + trend);
  const double z = updates >= kSettleUpdates ? std::abs(error) / std::max(error_scale * kSigmaPerMeanAbs, floor) : 0.0;
  error_scale += std::max(alpha_, 1.0 / (updates + 1.0)) * (std::abs(error) - error_scale);
  updates += 1;
  const double previous = level;
  level = smoothing_ * x + (1.0 - smoothing_) * (level + trend);
  trend = trend_ * (level - previous) + (1.0 - trend_) * trend;
  return z;
}

}  // namespace faltung::signal
