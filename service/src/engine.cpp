#include "engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace faltungd {

namespace {

// Series whose selected pipelines are remembered; beyond this the memory
// is given back and series are matched again (series that end with a stale
// marker are not forgotten one by one: a million series cost ~100 MB here).
constexpr std::size_t kMaxRemembered = 4'000'000;

// Prometheus' text format for a sample value.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Labels with_name(const Labels& labels, const std::string& name, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (const auto& l : labels) merged[l.name] = l.value;
  for (const auto& [k, v] : extra) merged[k] = v;
  merged["__name__"] = name;
  Labels out;
  for (auto& [k, v] : merged) out.push_back({k, v});
  return out;
}

}  // namespace

void IngestCounts::add(const IngestCounts& o) {
  samples += o.samples;
  processed += o.processed;
  stale_markers += o.stale_markers;
  for (const auto& [k, v] : o.dropped) dropped[k] += v;
  for (const auto& [k, v] : o.nonfinite) nonfinite[k] += v;
}

struct Engine::PipelineState {
  const Pipeline* spec;
  std::vector<faltung::FilterBank> banks;  // one per filter stage
  std::string kernel_id;                   // the last filter's name@version
  const Stage* detect = nullptr;

  struct Series {
    std::vector<std::int64_t> slots;  // one per bank
    std::unique_ptr<faltung::Detector> detector;
    std::int64_t last_ts = INT64_MIN;
    // the newest accepted timestamps, newest first: a sample at one of them
    // is a duplicate (a retried batch), one older than the last is late
    std::array<std::int64_t, 4> recent{INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
    std::string value_line, score_line;  // "name{labels} " for /metrics
    double value = NAN, score = NAN;
    std::int64_t value_ts = 0;
  };
  KeyMap<Series> series;

  PipelineState(const Pipeline& p, const Config& c) : spec(&p) {
    for (const auto& stage : p.stages) {
      if (stage.kind == Stage::Kind::detect) {
        detect = &stage;
        continue;
      }
      const auto& k = c.kernels.at(stage.kernel).kernel;
      banks.push_back(faltung::FilterBank::create(k.values.data(), static_cast<std::int64_t>(k.values.size())));
      kernel_id = stage.kernel + "@" + k.version;
    }
  }

  Series* find_or_add(const SeriesSamples& s, std::string_view key, IngestCounts& counts) {
    auto it = series.find(key);
    if (it != series.end()) return &it->second;
    if (static_cast<std::int64_t>(series.size()) >= spec->max_series) {
      counts.dropped["series_limit"] += static_cast<std::int64_t>(s.samples.size());
      return nullptr;
    }
    Series fresh;
    for (auto& b : banks) fresh.slots.push_back(b.add());
    if (detect) fresh.detector = std::make_unique<faltung::Detector>(faltung::Detector::create(detect->detector));
    const std::string input_name(label_value(s.labels, "__name__"));
    std::map<std::string, std::string> extra = spec->output.labels;
    extra["pipeline"] = spec->name;
    if (!kernel_id.empty()) extra["kernel"] = kernel_id;
    fresh.value_line = to_text(with_name(s.labels, spec->output.metric_for(input_name), extra)) + " ";
    if (detect)
      fresh.score_line =
          to_text(with_name(s.labels, spec->output.prefix + input_name + spec->output.score_suffix, extra)) + " ";
    return &series.emplace(std::string(key), std::move(fresh)).first->second;
  }

  void end(std::string_view key) {
    auto it = series.find(key);
    if (it == series.end()) return;
    for (std::size_t i = 0; i < banks.size(); ++i) banks[i].remove(it->second.slots[i]);
    series.erase(it);
  }

  void ingest(const SeriesSamples& s, std::string_view key, IngestCounts& counts) {
    Series* state = nullptr;
    for (const auto& sample : s.samples) {
      if (is_stale_marker(sample.value)) {
        end(key);
        state = nullptr;
        continue;
      }
      if (!state && !(state = find_or_add(s, key, counts))) return;
      if (sample.timestamp_ms <= state->last_ts) {
        const auto& r = state->recent;
        const bool seen = std::find(r.begin(), r.end(), sample.timestamp_ms) != r.end();
        counts.dropped[seen ? "duplicate" : "out_of_order"] += 1;
        continue;
      }
      state->last_ts = sample.timestamp_ms;
      std::copy_backward(state->recent.begin(), state->recent.end() - 1, state->recent.end());
      state->recent[0] = sample.timestamp_ms;
      double v = sample.value;
      for (std::size_t i = 0; i < banks.size(); ++i) banks[i].process(state->slots[i], &v, &v, 1);
      if (state->detector) {
        std::uint8_t alert;
        state->detector->process(&v, &state->score, &alert, 1);
      }
      state->value = v;
      state->value_ts = sample.timestamp_ms;
      counts.processed += 1;
    }
  }
};

Engine::Engine(Config config) : config_(std::move(config)) {
  for (const auto& p : config_.pipelines) pipelines_.push_back(std::make_unique<PipelineState>(p, config_));
}

Engine::~Engine() = default;

IngestCounts Engine::ingest(const std::vector<SeriesSamples>& request) {
  IngestCounts counts;
  for (const auto& s : request) {
    counts.samples += static_cast<std::int64_t>(s.samples.size());
    for (const auto& sample : s.samples) {
      if (is_stale_marker(sample.value)) counts.stale_markers += 1;
      else if (std::isnan(sample.value)) counts.nonfinite["nan"] += 1;
      else if (std::isinf(sample.value)) counts.nonfinite["inf"] += 1;
    }
    key_.clear();
    for (const auto& l : s.labels) key_.append(l.name).append(1, '\xff').append(l.value).append(1, '\xfe');
    auto it = selected_.find(std::string_view(key_));
    if (it == selected_.end()) {
      std::vector<PipelineState*> chosen;
      for (auto& p : pipelines_)
        if (p->spec->select.matches(s.labels)) chosen.push_back(p.get());
      if (selected_.size() >= kMaxRemembered) selected_.clear();  // bounded: forget and match again
      it = selected_.emplace(key_, std::move(chosen)).first;
    }
    for (PipelineState* p : it->second) p->ingest(s, key_, counts);
  }
  // a sample counts as processed once, however many pipelines took it
  return counts;
}

void Engine::render(std::string& out) const {
  for (const auto& p : pipelines_)
    for (const auto& [key, s] : p->series) {
      if (s.value_ts == 0 && std::isnan(s.value)) continue;  // no sample yet
      const std::string ts = std::to_string(s.value_ts);
      for (const auto& [line, value] : {std::pair{&s.value_line, s.value}, std::pair{&s.score_line, s.score}}) {
        if (line->empty()) continue;
        out.append(*line).append(format_value(value)).append(" ").append(ts).append("\n");
      }
    }
}

std::int64_t Engine::active_series(const std::string& pipeline) const {
  for (const auto& p : pipelines_)
    if (p->spec->name == pipeline) return static_cast<std::int64_t>(p->series.size());
  return 0;
}

std::int64_t Engine::state_bytes() const {
  std::int64_t total = 0;
  for (const auto& p : pipelines_) {
    for (const auto& b : p->banks) total += b.state_bytes();
    for (const auto& [key, s] : p->series)
      total += static_cast<std::int64_t>(key.size() + s.value_line.size() + s.score_line.size() + sizeof(s)) +
               (s.detector ? s.detector->state_bytes() : 0);
  }
  return total;
}

}  // namespace faltungd
