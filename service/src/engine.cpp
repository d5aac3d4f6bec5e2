#include "engine.hpp"

#include "proto/checkpoint.pb.h"

#include <algorithm>
#include <array>
#include <bit>
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

// Labels back from a series key (name 0xff value 0xfe ...).
Labels labels_of_key(std::string_view key) {
  Labels out;
  while (!key.empty()) {
    const auto sep = key.find('\xff'), end = key.find('\xfe');
    if (sep == std::string_view::npos || end == std::string_view::npos || end < sep) break;
    out.push_back({std::string(key.substr(0, sep)), std::string(key.substr(sep + 1, end - sep - 1))});
    key.remove_prefix(end + 1);
  }
  return out;
}

// What the saved state of a pipeline depends on: its stages' kernels and
// detector options.
std::string fingerprint(const Pipeline& p, const Config& c) {
  std::string out;
  for (const auto& s : p.stages) {
    if (s.kind == Stage::Kind::filter) {
      out.append("filter ").append(c.kernels.at(s.kernel).kernel.id()).append(";");
      continue;
    }
    const auto& d = s.detector;
    out.append("detect ").append(faltung::name(d.kind)).append(" period ").append(std::to_string(d.period));
    out.append(" widths");
    for (auto w : d.widths) out.append(" ").append(std::to_string(w));
    for (double v : {d.scale_halflife, d.set_score, d.clear_score, d.alpha, d.smoothing, d.trend})
      out.append(" ").append(format_value(v));
    for (auto v : {d.warmup, d.set_samples, d.clear_samples, d.window}) out.append(" ").append(std::to_string(v));
    out.append(";");
  }
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
    std::string value_line, score_line;      // "name{labels} " for /metrics
    std::string value_labels, score_labels;  // encode_labels_field() of the outputs (encode_outputs)
    double value = NAN, score = NAN;
    std::int64_t value_ts = 0;
    bool alerting = false;
    std::int64_t alert_since = 0;
  };
  KeyMap<Series> series;
  // Kept as series come and go, so /metrics and the alert rounds do not
  // walk every series: the keys of series whose alert is raised, and the
  // bytes the series hold.
  KeyMap<bool> firing;
  std::int64_t series_bytes = 0;
  std::vector<Alert>* resolved = nullptr;  // the engine's queue
  bool encode = false;

  static std::int64_t bytes_of(std::string_view key, const Series& s) {
    return static_cast<std::int64_t>(key.size() + s.value_line.size() + s.score_line.size() + s.value_labels.size() +
                                     s.score_labels.size() + sizeof(s)) +
           (s.detector ? s.detector->state_bytes() : 0);
  }
  void set_firing(std::string_view key, bool raised) {
    const auto it = firing.find(key);
    if (raised && it == firing.end()) firing.emplace(std::string(key), true);
    if (!raised && it != firing.end()) firing.erase(it);
  }

  std::string print;  // fingerprint()

  PipelineState(const Pipeline& p, const Config& c) : spec(&p), print(fingerprint(p, c)) {
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
    name_outputs(fresh, s.labels);
    series_bytes += bytes_of(key, fresh);
    return &series.emplace(std::string(key), std::move(fresh)).first->second;
  }

  // The alert of a series: the rule's name and labels over the series'
  // labels (less __name__) and the pipeline; annotations with
  // {{ $labels.NAME }} and {{ $value }} (the score) filled in.
  Alert alert_of(std::string_view key, const Series& s, std::int64_t ends_ms) const {
    Alert a;
    for (auto& l : labels_of_key(key))
      if (l.name != "__name__") a.labels[l.name] = l.value;
    a.labels["pipeline"] = spec->name;
    for (const auto& [k, v] : spec->alert->labels) a.labels[k] = v;
    a.labels["alertname"] = spec->alert->name;
    for (auto [k, text] : spec->alert->annotations) {
      for (const auto& [name, value] : a.labels)
        for (std::size_t at; (at = text.find("{{ $labels." + name + " }}")) != std::string::npos;)
          text.replace(at, name.size() + 14, value);
      for (std::size_t at; (at = text.find("{{ $value }}")) != std::string::npos;)
        text.replace(at, 12, format_value(s.score));
      a.annotations[k] = text;
    }
    a.starts_ms = s.alert_since;
    a.ends_ms = ends_ms;
    return a;
  }

  // The output series' names and labels, as /metrics prints them.
  void name_outputs(Series& out, const Labels& labels) const {
    const std::string input_name(label_value(labels, "__name__"));
    std::map<std::string, std::string> extra = spec->output.labels;
    extra["pipeline"] = spec->name;
    if (!kernel_id.empty()) extra["kernel"] = kernel_id;
    const Labels value = with_name(labels, spec->output.metric_for(input_name), extra);
    out.value_line = to_text(value) + " ";
    if (encode) out.value_labels = encode_labels_field(value);
    if (!detect) return;
    const Labels score = with_name(labels, spec->output.prefix + input_name + spec->output.score_suffix, extra);
    out.score_line = to_text(score) + " ";
    if (encode) out.score_labels = encode_labels_field(score);
  }

  void save(state::Pipeline& out) const {
    out.set_name(spec->name);
    out.set_fingerprint(print);
    for (const auto& b : banks) {
      const auto bytes = b.save();
      out.add_banks(bytes.data(), bytes.size());
    }
    for (const auto& [key, s] : series) {
      auto* m = out.add_series();
      m->set_key(key);
      for (auto slot : s.slots) m->add_slots(slot);
      if (s.detector) {
        const auto bytes = s.detector->save();
        m->set_detector(bytes.data(), bytes.size());
      }
      m->set_last_timestamp(s.last_ts);
      for (auto t : s.recent) m->add_recent_timestamps(t);
      m->set_value(s.value);
      m->set_score(s.score);
      m->set_value_timestamp(s.value_ts);
      m->set_alerting(s.alerting);
      m->set_alert_since(s.alert_since);
    }
  }

  // Throws faltung::Error or std::invalid_argument if the saved state is damaged.
  void restore(const state::Pipeline& in) {
    if (static_cast<std::size_t>(in.banks_size()) != banks.size())
      throw std::invalid_argument("pipeline " + spec->name + ": saved banks do not match");
    std::vector<faltung::FilterBank> restored;
    for (const auto& bytes : in.banks())
      restored.push_back(
          faltung::FilterBank::restore(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    KeyMap<Series> loaded;
    for (const auto& m : in.series()) {
      const Labels labels = labels_of_key(m.key());
      if (!spec->select.matches(labels)) {  // the selector changed (a reload): let it go
        for (std::size_t i = 0; i < restored.size(); ++i)
          if (restored[i].live(m.slots(static_cast<int>(i)))) restored[i].remove(m.slots(static_cast<int>(i)));
        continue;
      }
      Series s;
      if (static_cast<std::size_t>(m.slots_size()) != banks.size() || m.recent_timestamps_size() != 4)
        throw std::invalid_argument("pipeline " + spec->name + ": a saved series does not match");
      for (std::size_t i = 0; i < banks.size(); ++i) {
        s.slots.push_back(m.slots(static_cast<int>(i)));
        if (!restored[i].live(s.slots.back()))
          throw std::invalid_argument("pipeline " + spec->name + ": a saved series has no filter state");
      }
      if (detect)
        s.detector = std::make_unique<faltung::Detector>(faltung::Detector::restore(
            reinterpret_cast<const std::uint8_t*>(m.detector().data()), m.detector().size()));
      s.last_ts = m.last_timestamp();
      for (int i = 0; i < 4; ++i) s.recent[static_cast<std::size_t>(i)] = m.recent_timestamps(i);
      s.value = m.value();
      s.score = m.score();
      s.value_ts = m.value_timestamp();
      s.alerting = m.alerting();
      s.alert_since = m.alert_since();
      name_outputs(s, labels);
      loaded.emplace(m.key(), std::move(s));
    }
    banks = std::move(restored);
    series = std::move(loaded);
    firing.clear();
    series_bytes = 0;
    for (const auto& [key, s] : series) {
      series_bytes += bytes_of(key, s);
      if (s.alerting) set_firing(key, true);
    }
  }

  void end(std::string_view key, std::int64_t at_ms, OutputBatch* outputs) {
    auto it = series.find(key);
    if (it == series.end()) return;
    if (it->second.alerting && spec->alert) resolved->push_back(alert_of(key, it->second, at_ms));
    // the receivers see the outputs end too (only after a sample, in time order)
    if (outputs && it->second.value_ts != 0 && at_ms > it->second.last_ts) {
      const double stale = std::bit_cast<double>(kStaleNaNBits);
      outputs->add(it->second.value_labels, at_ms, stale);
      if (detect) outputs->add(it->second.score_labels, at_ms, stale);
    }
    for (std::size_t i = 0; i < banks.size(); ++i) banks[i].remove(it->second.slots[i]);
    set_firing(key, false);
    series_bytes -= bytes_of(key, it->second);
    series.erase(it);
  }

  void ingest(const SeriesSamples& s, std::string_view key, IngestCounts& counts, OutputBatch* outputs) {
    Series* state = nullptr;
    for (const auto& sample : s.samples) {
      if (is_stale_marker(sample.value)) {
        end(key, sample.timestamp_ms, outputs);
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
        if (alert && !state->alerting) {
          state->alerting = true;
          state->alert_since = sample.timestamp_ms;
          set_firing(key, true);
        } else if (!alert && state->alerting) {
          state->alerting = false;
          set_firing(key, false);
          if (spec->alert) resolved->push_back(alert_of(key, *state, sample.timestamp_ms));
        }
      }
      state->value = v;
      state->value_ts = sample.timestamp_ms;
      counts.processed += 1;
      if (outputs) {
        outputs->add(state->value_labels, sample.timestamp_ms, v);
        if (state->detector) outputs->add(state->score_labels, sample.timestamp_ms, state->score);
      }
    }
  }
};

Engine::Engine(Config config, bool encode_outputs) : config_(std::move(config)), encode_outputs_(encode_outputs) {
  for (const auto& p : config_.pipelines) {
    pipelines_.push_back(std::make_unique<PipelineState>(p, config_));
    pipelines_.back()->resolved = &resolved_;
    pipelines_.back()->encode = encode_outputs_;
  }
}

std::vector<Alert> Engine::firing() const {
  std::vector<Alert> out;
  for (const auto& p : pipelines_) {
    if (!p->spec->alert) continue;
    for (const auto& [key, raised] : p->firing) out.push_back(p->alert_of(key, p->series.find(key)->second, 0));
  }
  return out;
}

std::vector<Alert> Engine::take_resolved() {
  std::vector<Alert> out;
  out.swap(resolved_);
  return out;
}

Engine::~Engine() = default;

void Engine::save(state::Checkpoint& out) const {
  for (const auto& p : pipelines_) p->save(*out.add_pipelines());
}

std::vector<std::string> Engine::restore(const state::Checkpoint& in) {
  std::vector<std::string> reset;
  for (auto& p : pipelines_) {
    const state::Pipeline* saved = nullptr;
    for (const auto& m : in.pipelines())
      if (m.name() == p->spec->name) saved = &m;
    if (!saved) continue;  // a new pipeline: nothing to restore
    if (saved->fingerprint() != p->print) {
      reset.push_back(p->spec->name);
      continue;
    }
    p->restore(*saved);
  }
  selected_.clear();
  return reset;
}

IngestCounts Engine::ingest(const std::vector<SeriesSamples>& request, OutputBatch* outputs) {
  if (!encode_outputs_) outputs = nullptr;
  IngestCounts counts;
  for (const auto& s : request) {
    counts.samples += static_cast<std::int64_t>(s.samples.size());
    for (const auto& sample : s.samples) {
      if (is_stale_marker(sample.value))
        counts.stale_markers += 1;
      else if (std::isnan(sample.value))
        counts.nonfinite["nan"] += 1;
      else if (std::isinf(sample.value))
        counts.nonfinite["inf"] += 1;
    }
    key_.clear();
    for (const auto& l : s.labels) key_.append(l.name).append(1, '\xff').append(l.value).append(1, '\xfe');
    auto it = selected_.find(std::string_view(key_));
    if (it == selected_.end()) {
      // A pipeline never takes its own outputs back as inputs (they carry
      // its name as `pipeline`): fed back by a sender, a selector such as
      // {__name__=~"x.*"} would otherwise smooth them again, round after round.
      std::vector<PipelineState*> chosen;
      const auto from_pipeline = label_value(s.labels, "pipeline");
      for (auto& p : pipelines_)
        if (p->spec->select.matches(s.labels) && from_pipeline != p->spec->name) chosen.push_back(p.get());
      if (selected_.size() >= kMaxRemembered) selected_.clear();  // bounded: forget and match again
      it = selected_.emplace(key_, std::move(chosen)).first;
    }
    for (PipelineState* p : it->second) p->ingest(s, key_, counts, outputs);
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
    total += p->series_bytes;
  }
  return total;
}

}  // namespace faltungd
