// Streaming anomaly detection: an anomaly score in [0, 1] and an alert flag
// for every sample of one or many series, computed from samples <= t only.
//
//   faltung::DetectorOptions o;                 // multiscale, one series
//   auto d = faltung::Detector::create(o);
//   d.process(values, scores, alerts, count);   // any count, any number of times
//   auto state = d.save();                      // ... later, maybe elsewhere:
//   auto e = faltung::Detector::restore(state.data(), state.size());
//
// Many series: `series` independent series processed together; samples are
// frames (in[t * series + s] is sample t of series s), as in StreamFilter.
// Like the stream filter, the outputs do not depend on how the samples are
// cut into calls (bit-identical), and save/restore continues bit-identically.
//
// Kinds (docs/detection.md has the details and the evaluation):
//   multiscale  faltung's detector: residuals against causal least-squares
//               smooths at several widths, the matched step and ramp filters
//               (kernels step:width=w, ramp:width=w) and a short-term noise
//               level, each scaled by a robust running location and scale.
//   zscore      reference: windowed Gaussian (sliding mean and deviation).
//   ewma        reference: an exponentially weighted mean and variance band.
//   holt        reference: Holt's double exponential smoothing forecast
//               (PromQL double_exponential_smoothing) and its error scale.
// Every kind turns its statistic z (in units of the estimated noise) into
// score = 1 - 2^-(max(z - 3, 0) / 2)^2 (z = 5 gives 0.5, z = 7 gives 0.94),
// and raises the alert after `set_samples` consecutive scores >= set_score;
// it clears after `clear_samples` consecutive scores < clear_score.
// Non-finite samples (NaN, Inf: missing data) are skipped: they score 0, do
// not move any statistic, and leave the alert as it was.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faltung {

// Codes are saved with a detector's state: new kinds go at the end.
enum class DetectorKind : std::uint8_t { multiscale, zscore, ewma, holt, surprise };
const char* name(DetectorKind kind);
DetectorKind parse_detector_kind(std::string_view text);  // throws faltung::Error (parse)

struct DetectorOptions {
  DetectorKind kind = DetectorKind::surprise;
  std::int64_t series = 1;
  // multiscale: the widths (even, 4..4096, at most 6) of the smooths and
  // matched filters.
  std::vector<std::int64_t> widths = {8, 32, 128};
  // multiscale: the seasonal period in samples (a day of 5-minute samples:
  // 288), or 0 for none. With a period the features run on the series less
  // its learnt seasonal profile (docs/detection.md); P doubles per series.
  std::int64_t period = 0;
  // Memory of the running location and scale, in samples (half-life).
  double scale_halflife = 1000;
  // Samples with score 0 at the start while the statistics settle;
  // -1: automatic (the period plus the largest width or window plus 64).
  std::int64_t warmup = -1;
  double set_score = 0.75;         // z about 5.8
  double clear_score = 0.35;       // z about 4.3
  std::int64_t set_samples = 1;    // debounce: consecutive samples >= set_score to raise
  std::int64_t clear_samples = 8;  // hysteresis: consecutive samples < clear_score to clear
  // zscore: the sliding window, in samples.
  std::int64_t window = 128;
  // ewma: the weight of the newest sample.
  double alpha = 0.05;
  // holt: smoothing factor (level) and trend factor, both in (0, 1).
  double smoothing = 0.3;
  double trend = 0.1;
};

class Detector {
 public:
  struct State;  // opaque

  // Throws faltung::Error naming the option at fault.
  static Detector create(const DetectorOptions& options = {});

  // `count` frames of `series` values in; a score per value out, and an
  // alert flag (0/1) per value if `alert` is not null. Allocates nothing,
  // throws nothing.
  void process(const double* in, double* score, std::uint8_t* alert, std::int64_t count) noexcept;
  // Back to a new detector: every past sample forgotten, warm-up again.
  void reset() noexcept;

  // Options and state as versioned bytes; restore() continues bit-identically.
  std::vector<std::uint8_t> save() const;
  // Throws faltung::Error for bytes of another format or version, or
  // truncated or damaged bytes.
  static Detector restore(const std::uint8_t* bytes, std::size_t size);

  const DetectorOptions& options() const;
  std::int64_t series() const;
  std::int64_t warmup() const;             // the warm-up in effect, in samples
  std::int64_t samples_processed() const;  // frames since creation or reset
  std::int64_t state_bytes() const;        // memory held for the series' state
  std::string explain() const;

  Detector(const Detector& other);
  Detector& operator=(const Detector& other);
  Detector(Detector&&) noexcept;
  Detector& operator=(Detector&&) noexcept;
  ~Detector();

 private:
  explicit Detector(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

}  // namespace faltung
