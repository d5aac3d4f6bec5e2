#include "signal/multiscale_detector.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include "faltung/errors.hpp"
#include "signal/detector_math.hpp"

namespace faltung::signal {

namespace {

constexpr std::int64_t kMaxWidth = 4096;
constexpr std::int64_t kMaxPeriod = 1 << 20;
// The noise level is in sigmas; changes of it below this are not news (on
// normal noise it wanders by about 0.15).
constexpr double kNoiseScaleFloor = 0.05;

Error bad_widths(const std::string& what) { return Error(ErrorKind::invalid_argument, "detector widths: " + what); }

}  // namespace

MultiscaleDetector::MultiscaleDetector(const DetectorOptions& o) : season_(o.period) {
  if (o.period < 0 || o.period > kMaxPeriod)
    throw Error(ErrorKind::invalid_argument, "detector period must be 0 (none) or 1.." + std::to_string(kMaxPeriod) +
                                                 " samples, got " + std::to_string(o.period));
  std::vector<std::int64_t> ws = o.widths;
  if (ws.empty() || ws.size() > kMaxWidths)
    throw bad_widths("give 1 to " + std::to_string(kMaxWidths) + " widths, got " + std::to_string(ws.size()));
  std::sort(ws.begin(), ws.end());
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (ws[i] < 4 || ws[i] > kMaxWidth || ws[i] % 2)
      throw bad_widths("each width must be even and in 4.." + std::to_string(kMaxWidth) + ", got " +
                       std::to_string(ws[i]));
    if (i && ws[i] == ws[i - 1]) throw bad_widths("width " + std::to_string(ws[i]) + " is given twice");
  }
  for (auto w : ws) sums_.push_back(w), sums_.push_back(w / 2);
  std::sort(sums_.begin(), sums_.end());
  sums_.erase(std::unique(sums_.begin(), sums_.end()), sums_.end());
  auto sum_index = [&](std::int64_t len) {
    return static_cast<int>(std::lower_bound(sums_.begin(), sums_.end(), len) - sums_.begin());
  };
  for (auto w : ws) {
    Width d;
    d.w = w;
    d.sum_w = sum_index(w);
    d.sum_half = sum_index(w / 2);
    d.centre = static_cast<double>(w - 1) / 2;
    d.inv_w = 1.0 / static_cast<double>(w);
    d.inv_half = 2.0 / static_cast<double>(w);
    const double wd = static_cast<double>(w);
    d.inv_spread = 12.0 / (wd * (wd * wd - 1.0));  // 1 / sum over ages of (age - centre)^2
    widths_.push_back(d);
  }
  mask_ = static_cast<std::int64_t>(std::bit_ceil(static_cast<std::uint64_t>(ws.back()))) - 1;
  alpha_ = weight_for_halflife(o.scale_halflife);
  noise_alpha_ = weight_for_halflife(static_cast<double>(ws.front()));
  s0_ = 0;
  s1_ = s0_ + static_cast<int>(sums_.size());
  season_state_ = s1_ + static_cast<int>(widths_.size());
  loc_ = season_state_ + SeasonalProfile::kDoubles;
  scale_ = loc_ + features();
  updates_ = scale_ + features();
  noise_ = updates_ + features();
  level_ = noise_ + 2;
  doubles_ = level_ + 1;
}

void MultiscaleDetector::initialise(double* state, double* ring) const {
  if (season_.enabled()) season_.initialise(ring + mask_ + 1, state + season_state_);
}

void MultiscaleDetector::recompute_sums(double* state, const double* ring, std::int64_t seen) const {
  // The running sums drift by rounding; every ring length of samples they
  // are summed afresh (a fixed order, so still independent of the chunking).
  double* s0 = state + s0_;
  double* s1 = state + s1_;
  for (std::size_t j = 0; j < sums_.size(); ++j) {
    double s = 0;
    for (std::int64_t age = 0; age < sums_[j]; ++age) s += ring[(seen - 1 - age) & mask_];
    s0[j] = s;
  }
  for (std::size_t i = 0; i < widths_.size(); ++i) {
    double s = 0;
    for (std::int64_t age = 1; age < widths_[i].w; ++age)
      s += static_cast<double>(age) * ring[(seen - 1 - age) & mask_];
    s1[i] = s;
  }
}

double MultiscaleDetector::steady_statistics(const double* f, double* loc, double* scale, double* noise, double floor,
                                             double rate) const {
  // What step() does once every feature is ready and settled and every
  // average runs at its own rate: the same arithmetic (bit-identical),
  // without the masks. One scalar pass per feature: f was just stored
  // element by element, and vector loads of it would stall.
  const int noise_k = features() - 1;
  double largest = 0.0, first_z = 0.0;
  for (int k = 0; k <= noise_k; ++k) {
    double value = f[k], z;
    if (k < noise_k) {
      z = std::abs(value - loc[k]) / std::max(scale[k] * kSigmaPerMeanAbs, floor);
      if (k == 0) first_z = z;
    } else {
      noise[0] += noise_alpha_ * (std::min(first_z, 2 * kClipSigmas) - noise[0]);
      noise[1] += 1.0;
      value = noise[0];
      z = std::max(value - loc[k], 0.0) / std::max(scale[k] * kSigmaPerMeanAbs, kNoiseScaleFloor);
    }
    largest = std::max(largest, z);
    const double limit = kClipSigmas * scale[k] * kSigmaPerMeanAbs;
    const double dev = std::clamp(value - loc[k], -limit, limit);
    loc[k] += rate * dev;
    scale[k] += rate * (std::abs(dev) - scale[k]);
  }
  return largest;
}

bool MultiscaleDetector::settled(const double* updates, const double* noise) const {
  // With every window feature ready: are the statistics that started last
  // (the longest width's residual, the noise level) past their
  // plain-average start? From there steady_statistics() computes what the
  // general path would, bit for bit.
  const int noise_k = features() - 1;
  const double fewest = std::min(updates[3 * (static_cast<std::ptrdiff_t>(widths_.size()) - 1)], updates[noise_k]);
  return fewest >= kSettleUpdates && alpha_ * (fewest + 1.0) >= 1.0 && noise_alpha_ * (noise[1] + 1.0) >= 1.0;
}

double MultiscaleDetector::step(double* state, double* ring, std::int64_t frame, std::int64_t seen, Gap gap, double x,
                                bool alerting, double* features) const {
  double* s0 = state + s0_;
  double* s1 = state + s1_;
  const int nw = static_cast<int>(widths_.size());
  const int noise_k = 3 * nw;  // the last feature
  double& level = state[level_];
  const double count = static_cast<double>(seen + 1);
  level += (alpha_ * count < 1.0 ? 1.0 / count : alpha_) * (std::abs(x) - level);
  const double floor = kRelativeScaleFloor * level + DBL_MIN;
  // With a season, the features see the series less its profile, and wait
  // until a whole period has been learnt.
  double* profile = ring + mask_ + 1;
  const bool in_season = !season_.enabled() || season_.learnt(frame);
  bool fresh_phase = false;
  if (season_.enabled()) x = season_.deseasonalised(profile, state + season_state_, frame, seen, x, fresh_phase);

  // The features, in a fixed order; one not ready yet (its window is not
  // full) is 0 and masked out below. (Each entry is written by the loops:
  // zeroing the arrays up front costs more than the rest of a step.)
  double f[kMaxFeatures];
  bool ready[kMaxFeatures];
  // Residuals: x against the line through the previous w samples.
  bool all_ready = true;
  for (std::ptrdiff_t i = 0; i < nw; ++i) {
    const Width& d = widths_[i];
    ready[3 * i] = in_season && seen >= d.w && !gap.blocks(d.w);
    all_ready = all_ready && ready[3 * i];
    const double slope = -(s1[i] - d.centre * s0[d.sum_w]) * d.inv_spread;
    f[3 * i] = ready[3 * i] ? x - (s0[d.sum_w] * d.inv_w + slope * (d.centre + 1.0)) : 0.0;
  }
  // Take x into the running sums (S1 first: it needs the old S0).
  for (int i = 0; i < nw; ++i) {
    const Width& d = widths_[i];
    s1[i] += s0[d.sum_w] - static_cast<double>(d.w) * ring[(seen - d.w) & mask_];
  }
  for (std::size_t j = 0; j < sums_.size(); ++j) s0[j] += x - ring[(seen - sums_[j]) & mask_];
  ring[seen & mask_] = x;
  const std::int64_t n = seen + 1;
  if ((n & mask_) == 0) recompute_sums(state, ring, n);
  // The matched filters over the newest samples.
  for (int i = 0; i < nw; ++i) {
    const Width& d = widths_[i];
    const bool full = in_season && n >= d.w && !Gap{gap.fresh + 1, gap.length}.blocks(d.w);
    ready[3 * i + 1] = ready[3 * i + 2] = full;
    all_ready = all_ready && full;
    f[3 * i + 1] = full ? (2.0 * s0[d.sum_half] - s0[d.sum_w]) * d.inv_half : 0.0;
    f[3 * i + 2] = full ? -(s1[i] - d.centre * s0[d.sum_w]) * d.inv_spread : 0.0;
  }
  f[noise_k] = 0.0;
  ready[noise_k] = false;

  double* loc = state + loc_;
  double* scale = state + scale_;
  double* updates = state + updates_;
  const double rate = alerting ? std::min(alpha_ * RobustStat::kAlertSpeedup, 0.5) : alpha_;
  if (season_.enabled()) {
    // the profile learns x, clipped at 3 sigma of the short residual
    const bool scaled = updates[0] >= kSettleUpdates;
    const double clip =
        scaled ? kClipSigmas * std::max(scale[0] * kSigmaPerMeanAbs, floor) : std::numeric_limits<double>::infinity();
    if (!fresh_phase) season_.learn(profile, state + season_state_, frame, x, clip);
  }
  if (all_ready && !features && settled(updates, state + noise_))
    return steady_statistics(f, loc, scale, state + noise_, floor, rate);

  // Each feature's deviation in sigmas, against the statistics before x.
  double z[kMaxFeatures];
  for (int k = 0; k < noise_k; ++k) {
    const double sigma = std::max(scale[k] * kSigmaPerMeanAbs, floor);
    const bool counted = ready[k] && updates[k] >= kSettleUpdates;
    z[k] = counted ? std::abs(f[k] - loc[k]) / sigma : 0.0;
  }
  // The noise level: |residual| in sigmas, averaged over the smallest width.
  // Capped, so one spike (which the residual reports) leaves it nearly as
  // it was; a wider spread of the noise moves every term.
  z[noise_k] = 0.0;
  if (ready[0] && updates[0] >= kSettleUpdates) {
    double* noise = state + noise_;
    const double u = std::min(z[0], 2 * kClipSigmas);
    noise[0] += (noise_alpha_ * (noise[1] + 1.0) < 1.0 ? 1.0 / (noise[1] + 1.0) : noise_alpha_) * (u - noise[0]);
    noise[1] += 1.0;
    if (noise[1] >= static_cast<double>(widths_[0].w)) {
      f[noise_k] = noise[0];
      ready[noise_k] = true;
      if (updates[noise_k] >= kSettleUpdates)  // one-sided: only a rise in the noise counts
        z[noise_k] =
            std::max(f[noise_k] - loc[noise_k], 0.0) / std::max(scale[noise_k] * kSigmaPerMeanAbs, kNoiseScaleFloor);
    }
  }
  double largest = 0.0;
  for (int k = 0; k <= noise_k; ++k) largest = std::max(largest, z[k]);

  // Then the statistics learn x (robust: clipped at kClipSigmas).
  for (int k = 0; k <= noise_k; ++k) {
    if (!ready[k]) continue;
    RobustStat{loc + k, scale + k, updates + k}.update(f[k], rate);
  }
  if (features) {
    for (int k = 0; k <= noise_k; ++k) features[k] = ready[k] ? f[k] : std::numeric_limits<double>::quiet_NaN();
  }
  return largest;
}

}  // namespace faltung::signal
