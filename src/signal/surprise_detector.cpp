#include "signal/surprise_detector.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include "faltung/errors.hpp"

namespace faltung::signal {

namespace {

constexpr std::int64_t kMaxPeriod = 1 << 20;
constexpr std::int64_t kMeanMask = SurpriseDetector::kMeanWidth - 1;
static_assert((SurpriseDetector::kMeanWidth & kMeanMask) == 0, "the mean's ring is a power of two");

}  // namespace

SurpriseDetector::SurpriseDetector(const DetectorOptions& o)
    : period_(o.period),
      season_(o.period),
      alpha_(weight_for_halflife(o.scale_halflife)),
      residual_alpha_(weight_for_halflife(kResidualHalflife)),
      record_decay_(std::exp2(-1.0 / kRecordHalflife)) {
  if (o.period < 0 || o.period > kMaxPeriod)
    throw Error(ErrorKind::invalid_argument, "detector period must be 0 (none) or 1.." + std::to_string(kMaxPeriod) +
                                                 " samples, got " + std::to_string(o.period));
}

void SurpriseDetector::initialise(double* state, double* ring) const {
  for (int k = 0; k < kFeatures; ++k) state[kFixed + k * kPerFeature + 3] = kRecordFloor;
  // no sample one period back yet: frames of -1 never match
  for (std::int64_t i = 0; i < period_; ++i) ring[kMeanWidth + period_ + i] = -1.0;
  if (period_ > 0) season_.initialise(ring + kMeanWidth + 2 * period_, state + kSeason);
}

double SurpriseDetector::step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
                              bool) const {
  double& magnitude = state[kMagnitude];
  magnitude += std::max(alpha_, 1.0 / static_cast<double>(seen + 1)) * (std::abs(x) - magnitude);
  const double floor = kRelativeScaleFloor * magnitude + DBL_MIN;

  double f[kFeatures];
  bool ready[kFeatures];
  f[0] = x;
  ready[0] = true;
  // the residual against the average of the samples before x (not across a long gap)
  double& average = state[kAverage];
  const bool across_gap = gap.fresh < kMeanWidth && gap.length >= kBridgedGap;
  ready[1] = seen > 0 && !across_gap;
  f[1] = ready[1] ? x - average : 0.0;
  average = ready[1] ? average + residual_alpha_ * (x - average) : x;
  // the mean of the newest samples, x among them
  double& sum = state[kSum];
  sum += x - ring[seen & kMeanMask];
  ring[seen & kMeanMask] = x;
  const std::int64_t n = seen + 1;
  if ((n & kMeanMask) == 0) {  // summed afresh: a running sum drifts by rounding
    sum = 0;
    for (std::int64_t i = 0; i < kMeanWidth; ++i) sum += ring[i];
  }
  ready[2] = n >= kMeanWidth && !(gap.fresh + 1 < kMeanWidth && gap.length >= kBridgedGap);
  f[2] = sum * (1.0 / static_cast<double>(kMeanWidth));
  // the same phase one period before (frames count missing samples too)
  ready[3] = false;
  f[3] = 0.0;
  if (period_ > 0) {
    const std::int64_t phase = frame % period_;
    double* past = ring + kMeanWidth;
    double* past_frame = past + period_;
    ready[3] = past_frame[phase] == static_cast<double>(frame - period_);
    if (ready[3]) f[3] = x - past[phase];
    past[phase] = x;
    past_frame[phase] = static_cast<double>(frame);
  }

  // the mean of the newest samples less the seasonal profile (learnt as it
  // goes, seasonal_profile.hpp), once a whole period has been learnt
  ready[4] = false;
  f[4] = 0.0;
  if (period_ > 0) {
    double* profile = ring + kMeanWidth + 2 * period_;
    double* newest = profile + period_;
    bool fresh_phase = false;
    const double y = season_.deseasonalised(profile, state + kSeason, frame, seen, x, fresh_phase);
    double& seasonal_sum = state[kSeasonalSum];
    double& seasonal_seen = state[kSeasonalSeen];
    const auto slot = static_cast<std::int64_t>(seasonal_seen) & kMeanMask;
    if (season_.learnt(frame)) {
      // against the profile's Holt level and slope: the trend is no news
      const double e = y - (state[kSeason] + state[kSeason + 3]);
      seasonal_sum += e - newest[slot];
      newest[slot] = e;
      seasonal_seen += 1;
      if ((static_cast<std::int64_t>(seasonal_seen) & kMeanMask) == 0) {
        seasonal_sum = 0;
        for (std::int64_t i = 0; i < kMeanWidth; ++i) seasonal_sum += newest[i];
      }
      ready[4] = seasonal_seen >= static_cast<double>(kMeanWidth) && ready[2];
      f[4] = seasonal_sum * (1.0 / static_cast<double>(kMeanWidth));
    }
    // the profile learns y, clipped at 3 sigma of the residual
    const double* residual = state + kFixed + kPerFeature;
    const double clip = residual[2] >= kSettleUpdates ? kClipSigmas * std::max(residual[1] * kSigmaPerMeanAbs, floor)
                                                      : std::numeric_limits<double>::infinity();
    if (!fresh_phase) season_.learn(profile, state + kSeason, frame, y, clip);
  }

  // The statistics learn at one rate, alert or not: the records already
  // make a lasting change old news (learning 16 times faster while alerting,
  // as the multiscale kind does, measured 2-3 points lower on NAB).
  const double rate = alpha_;
  double largest = 0.0;
  for (std::ptrdiff_t k = 0; k < kFeatures; ++k) {
    if (!ready[k]) continue;
    double* p = state + kFixed + k * kPerFeature;
    RobustStat stat{p, p + 1, p + 2};
    if (stat.settled()) {
      const double z = stat.z(f[k], floor);
      double& record = p[3];
      largest = std::max(largest, std::min(kRecordFloor + kExcessGain * (z / record - 1.0), z));
      record = std::max(std::max(z, kRecordFloor), record * record_decay_);
    }
    stat.update(f[k], rate);
  }
  return largest;
}

}  // namespace faltung::signal
