// faltung::Detector: options, the per-sample driver shared by every kind
// (missing samples, warm-up, score, alert), save/restore.
#include "faltung/detect.hpp"

#include <cmath>
#include <sstream>
#include <variant>

#include "faltung/errors.hpp"
#include "signal/detector_math.hpp"
#include "signal/multiscale_detector.hpp"
#include "signal/reference_detectors.hpp"
#include "signal/surprise_detector.hpp"
#include "stream/byte_io.hpp"

namespace faltung {

namespace {

constexpr stream::SavedFormat kFormat{"faltung-detector", 1, "detector"};
constexpr std::int64_t kMaxSeries = std::int64_t{1} << 26;
constexpr std::int64_t kWarmupBeyondWidth = 64;
// Per series: finite samples seen, the alert, the alert's run, `seen` at
// the last missing sample and the length of that gap.
constexpr std::int64_t kIntsPerSeries = 5;

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "detector: " + what); }

using KindModel = std::variant<signal::SurpriseDetector, signal::MultiscaleDetector, signal::ZScoreDetector,
                               signal::EwmaDetector, signal::HoltDetector>;

KindModel make_model(const DetectorOptions& o) {
  switch (o.kind) {
    case DetectorKind::surprise:
      return signal::SurpriseDetector(o);
    case DetectorKind::multiscale:
      return signal::MultiscaleDetector(o);
    case DetectorKind::zscore:
      return signal::ZScoreDetector(o);
    case DetectorKind::ewma:
      return signal::EwmaDetector(o);
    case DetectorKind::holt:
      return signal::HoltDetector(o);
  }
  throw invalid("unknown kind code " + std::to_string(static_cast<int>(o.kind)));
}

void check_options(const DetectorOptions& o) {
  if (o.series < 1 || o.series > kMaxSeries)
    throw invalid("series must be in 1.." + std::to_string(kMaxSeries) + ", got " + std::to_string(o.series));
  if (!(o.scale_halflife >= 1.0 && o.scale_halflife <= 1e9))
    throw invalid("scale_halflife must be in 1..1e9 samples, got " + std::to_string(o.scale_halflife));
  if (o.warmup < -1) throw invalid("warmup must be >= 0 (or -1: automatic), got " + std::to_string(o.warmup));
  if (!(o.set_score > 0.0 && o.set_score <= 1.0))
    throw invalid("set_score must be in (0, 1], got " + std::to_string(o.set_score));
  if (!(o.clear_score >= 0.0 && o.clear_score <= o.set_score))
    throw invalid("clear_score must be in [0, set_score], got " + std::to_string(o.clear_score));
  if (o.set_samples < 1) throw invalid("set_samples must be >= 1, got " + std::to_string(o.set_samples));
  if (o.clear_samples < 1) throw invalid("clear_samples must be >= 1, got " + std::to_string(o.clear_samples));
  // widths shape the multiscale kind only: given to another kind they would
  // be ignored without a word (a config written when multiscale was the
  // default would silently change meaning)
  if (o.kind != DetectorKind::multiscale && o.widths != DetectorOptions{}.widths)
    throw invalid(std::string("widths apply to the multiscale kind only (the kind is ") + name(o.kind) + ")");
}

}  // namespace

const char* name(DetectorKind kind) {
  switch (kind) {
    case DetectorKind::surprise:
      return "surprise";
    case DetectorKind::multiscale:
      return "multiscale";
    case DetectorKind::zscore:
      return "zscore";
    case DetectorKind::ewma:
      return "ewma";
    case DetectorKind::holt:
      return "holt";
  }
  return "?";
}

DetectorKind parse_detector_kind(std::string_view text) {
  for (auto k :
       {DetectorKind::surprise, DetectorKind::multiscale, DetectorKind::zscore, DetectorKind::ewma, DetectorKind::holt})
    if (text == name(k)) return k;
  throw Error(ErrorKind::parse,
              "unknown detector kind '" + std::string(text) + "' (known: surprise, multiscale, zscore, ewma, holt)");
}

struct Detector::State {
  DetectorOptions options;
  KindModel model;
  signal::AlertLatch latch;
  std::int64_t warmup = 0, doubles_per_series = 0, ring_per_series = 0;
  std::vector<double> doubles, ring;
  std::vector<std::int64_t> ints;
  std::int64_t processed = 0;

  explicit State(const DetectorOptions& o)
      : options(o), model(make_model(o)), latch{o.set_score, o.clear_score, o.set_samples, o.clear_samples} {
    std::visit(
        [&](const auto& m) {
          doubles_per_series = m.doubles_per_series();
          ring_per_series = m.ring_per_series();
          warmup = o.warmup >= 0 ? o.warmup : m.longest_width() + kWarmupBeyondWidth;
        },
        model);
    doubles.assign(static_cast<std::size_t>(o.series * doubles_per_series), 0.0);
    ring.assign(static_cast<std::size_t>(o.series * ring_per_series), 0.0);
    ints.assign(static_cast<std::size_t>(o.series * kIntsPerSeries), 0);
    initialise();
  }

  // Every series as new (after zeroing): the kind sets what is not zero.
  void initialise() {
    std::fill(doubles.begin(), doubles.end(), 0.0);
    std::fill(ring.begin(), ring.end(), 0.0);
    std::fill(ints.begin(), ints.end(), 0);
    processed = 0;
    std::visit(
        [&](const auto& m) {
          for (std::int64_t s = 0; s < options.series; ++s)
            m.initialise(doubles.data() + s * doubles_per_series, ring.data() + s * ring_per_series);
        },
        model);
  }

  template <class Model>
  void run(const Model& m, const double* in, double* score, std::uint8_t* alert, std::int64_t count) {
    const std::int64_t series = options.series;
    for (std::int64_t t = 0; t < count; ++t) {
      for (std::int64_t s = 0; s < series; ++s) {
        const std::int64_t at = t * series + s;
        std::int64_t* my = ints.data() + s * kIntsPerSeries;  // seen, alert, run, gap at, gap length
        const double x = in[at];
        double sc = 0.0;
        std::uint8_t raised;
        if (!std::isfinite(x)) {  // missing: no statistic moves, the alert holds
          raised = static_cast<std::uint8_t>(my[1]);
          my[4] = my[3] == my[0] ? my[4] + 1 : 1;  // the same gap goes on, or a new one
          my[3] = my[0];
        } else {
          const double z = m.step(doubles.data() + s * doubles_per_series, ring.data() + s * ring_per_series,
                                  processed + t, my[0], signal::Gap{my[0] - my[3], my[4]}, x, my[1] != 0);
          my[0] += 1;
          if (my[0] > warmup) sc = signal::score_from_z(z);
          raised = latch.update(my + 1, sc);
        }
        score[at] = sc;
        if (alert) alert[at] = raised;
      }
    }
    processed += count;
  }
};

Detector::Detector(std::unique_ptr<State> s) : state_(std::move(s)) {}
Detector::Detector(const Detector& other) : state_(std::make_unique<State>(*other.state_)) {}
Detector& Detector::operator=(const Detector& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;
Detector::~Detector() = default;

Detector Detector::create(const DetectorOptions& options) {
  check_options(options);
  return Detector(std::make_unique<State>(options));
}

void Detector::process(const double* in, double* score, std::uint8_t* alert, std::int64_t count) noexcept {
  if (count <= 0) return;
  std::visit([&](const auto& m) { state_->run(m, in, score, alert, count); }, state_->model);
}

void Detector::reset() noexcept { state_->initialise(); }

std::vector<std::uint8_t> Detector::save() const {
  const DetectorOptions& o = state_->options;
  stream::ByteWriter w;
  kFormat.write(w);
  w.put(static_cast<std::uint8_t>(o.kind));
  w.put(o.series);
  w.put_array(o.widths.data(), o.widths.size());
  w.put(o.period);
  w.put(o.scale_halflife);
  w.put(o.warmup);
  w.put(o.set_score);
  w.put(o.clear_score);
  w.put(o.set_samples);
  w.put(o.clear_samples);
  w.put(o.window);
  w.put(o.alpha);
  w.put(o.smoothing);
  w.put(o.trend);
  w.put(state_->processed);
  w.put_array(state_->doubles.data(), state_->doubles.size());
  w.put_array(state_->ring.data(), state_->ring.size());
  w.put_array(state_->ints.data(), state_->ints.size());
  return w.take();
}

Detector Detector::restore(const std::uint8_t* bytes, std::size_t size) {
  if (!bytes && size) throw invalid("restore() got a null pointer");
  stream::ByteReader r(bytes, size);
  kFormat.read(r);
  DetectorOptions o;
  const auto kind = r.get<std::uint8_t>();
  if (kind > static_cast<std::uint8_t>(DetectorKind::surprise)) throw invalid("saved state is damaged (kind code)");
  o.kind = static_cast<DetectorKind>(kind);
  o.series = r.get<std::int64_t>();
  o.widths = r.get_vector<std::int64_t>(64, "widths");
  o.period = r.get<std::int64_t>();
  o.scale_halflife = r.get<double>();
  o.warmup = r.get<std::int64_t>();
  o.set_score = r.get<double>();
  o.clear_score = r.get<double>();
  o.set_samples = r.get<std::int64_t>();
  o.clear_samples = r.get<std::int64_t>();
  o.window = r.get<std::int64_t>();
  o.alpha = r.get<double>();
  o.smoothing = r.get<double>();
  o.trend = r.get<double>();
  const auto processed = r.get<std::int64_t>();
  Detector d = create(o);  // validates the saved options as new ones
  State& s = *d.state_;
  s.processed = processed;
  r.get_array(s.doubles.data(), s.doubles.size(), "the detector statistics");
  r.get_array(s.ring.data(), s.ring.size(), "the sample history");
  r.get_array(s.ints.data(), s.ints.size(), "the sample counts and alerts");
  if (!r.at_end()) throw invalid("saved state has " + std::to_string(size) + " bytes, more than this detector's");
  return d;
}

const DetectorOptions& Detector::options() const { return state_->options; }
std::int64_t Detector::series() const { return state_->options.series; }
std::int64_t Detector::warmup() const { return state_->warmup; }
std::int64_t Detector::samples_processed() const { return state_->processed; }
std::int64_t Detector::state_bytes() const {
  return static_cast<std::int64_t>((state_->doubles.size() + state_->ring.size()) * sizeof(double) +
                                   state_->ints.size() * sizeof(std::int64_t));
}

std::string Detector::explain() const {
  const DetectorOptions& o = state_->options;
  std::ostringstream out;
  out << "detector " << name(o.kind) << ", " << o.series << (o.series == 1 ? " series" : " series (frames)") << "\n";
  switch (o.kind) {
    case DetectorKind::surprise:
      out << "  features: the value, its residual against an exponential average (half-life "
          << signal::SurpriseDetector::kResidualHalflife << "), the mean of the newest "
          << signal::SurpriseDetector::kMeanWidth << " samples"
          << (o.period > 0 ? ", the change since the same phase one period (" + std::to_string(o.period) +
                                 " samples) before, and that mean less the learnt seasonal profile"
                           : std::string())
          << "\n  z = the largest over the features of min(3 + " << signal::SurpriseDetector::kExcessGain
          << " (deviation / record - 1), deviation), the record being the largest deviation the feature has shown\n"
          << "    (half-life " << signal::SurpriseDetector::kRecordHalflife << " samples, at least "
          << signal::SurpriseDetector::kRecordFloor << " sigma)\n";
      break;
    case DetectorKind::multiscale: {
      out << "  features per width w in {";
      for (std::size_t i = 0; i < o.widths.size(); ++i) out << (i ? ", " : "") << o.widths[i];
      out << "}: residual against the least-squares line through the previous w samples,\n"
             "    step:width=w (level shift), ramp:width=w (slope); plus the noise level of the\n"
             "    smallest width's residual (rises with the variance)\n";
      if (o.period > 0)
        out << "  on the series less its seasonal profile (period " << o.period
            << " samples, learnt as it goes; features wait for the first period)\n";
      break;
    }
    case DetectorKind::zscore:
      out << "  sliding mean and deviation over " << o.window << " samples\n";
      break;
    case DetectorKind::ewma:
      out << "  exponentially weighted mean and variance, alpha " << o.alpha << "\n";
      break;
    case DetectorKind::holt:
      out << "  Holt forecast, smoothing " << o.smoothing << ", trend " << o.trend << "; error scale alpha " << o.alpha
          << "\n";
      break;
  }
  out << "  robust location and scale with half-life " << o.scale_halflife << " samples\n"
      << "  score = 1 - 2^-((z - 3) / 2)^2 for z > 3; warm-up " << state_->warmup << " samples (score 0)\n"
      << "  alert raised after " << o.set_samples << " sample(s) with score >= " << o.set_score << ", cleared after "
      << o.clear_samples << " below " << o.clear_score << "\n"
      << "  non-finite samples are skipped (score 0, alert held)\n"
      << "  state " << state_bytes() << " bytes, " << state_->processed << " samples processed\n";
  return out.str();
}

}  // namespace faltung
