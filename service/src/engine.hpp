// The pipelines at work: each accepted sample of a series a pipeline
// selects goes through its filter stages (one faltung::FilterBank per
// stage, a slot per series) and its detector, and the newest output of each
// output series is kept for /metrics.
//
// Per series and pipeline: samples at or before the last accepted timestamp
// are dropped, as duplicates when they repeat one of the last four accepted
// timestamps (a retried batch changes nothing), else as out of order,
// a stale marker ends the series (its state is freed and its outputs leave
// /metrics), and new series beyond the pipeline's max_series are dropped.
// Non-finite values (other than stale markers) are missing samples: the
// filters' nan=ignore and the detector skip them. Output samples carry
// their input sample's timestamp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "faltung/detect.hpp"
#include "faltung/filter_bank.hpp"
#include "remote_write.hpp"
#include "write_request_builder.hpp"

namespace faltungd {

namespace state {
class Checkpoint;
}

// What one request did, for the response and the SLIs.
struct IngestCounts {
  std::int64_t samples = 0;                       // received
  std::int64_t processed = 0;                     // through at least one pipeline
  std::map<std::string, std::int64_t> dropped;    // by reason: duplicate, out_of_order, series_limit
  std::map<std::string, std::int64_t> nonfinite;  // by kind: nan, inf (stale markers apart)
  std::int64_t stale_markers = 0;
  void add(const IngestCounts& other);
};

// An alert as Alertmanager's API v2 takes it (times in ms since the epoch;
// ends_ms 0: firing, its end set by the sender).
struct Alert {
  std::map<std::string, std::string> labels, annotations;
  std::int64_t starts_ms = 0, ends_ms = 0;
};

class Engine {
 public:
  // `config` is kept: the pipelines refer to it. With encode_outputs every
  // output sample is also written into ingest()'s OutputBatch (for
  // remote-write receivers), and a series that ends gets stale markers.
  explicit Engine(Config config, bool encode_outputs = false);
  ~Engine();

  IngestCounts ingest(const std::vector<SeriesSamples>& request, OutputBatch* outputs = nullptr);

  // Every pipeline's state (checkpoint.proto's Pipeline messages).
  void save(state::Checkpoint& out) const;
  // Restores what fits: a saved pipeline with this config's name and the
  // same stages (fingerprint). Returns the names of pipelines whose saved
  // state did not fit (they start empty: a state reset).
  std::vector<std::string> restore(const state::Checkpoint& in);

  // The newest value of every output series (filtered values and scores)
  // in the Prometheus text format, with their timestamps.
  void render(std::string& out) const;
  std::int64_t active_series(const std::string& pipeline) const;

  // Every series whose detector alert is raised, in a pipeline with an
  // alert rule.
  std::vector<Alert> firing() const;
  // Alerts that cleared (or whose series ended) since the last call.
  std::vector<Alert> take_resolved();
  std::int64_t state_bytes() const;

 private:
  struct PipelineState;
  // Hashes std::string and std::string_view alike, so a lookup by the key
  // built in key_ allocates nothing.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using KeyMap = std::unordered_map<std::string, V, KeyHash, std::equal_to<>>;

  Config config_;
  bool encode_outputs_;
  std::vector<std::unique_ptr<PipelineState>> pipelines_;
  // Which pipelines select each series seen (selectors run once per series).
  KeyMap<std::vector<PipelineState*>> selected_;
  std::string key_;  // the series key, rebuilt for each series of a request
  std::vector<Alert> resolved_;
};

}  // namespace faltungd
