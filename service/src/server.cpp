#include "server.hpp"

#include <algorithm>
#include <filesystem>

#include "exposition.hpp"
#include "file_util.hpp"
#include "proto/checkpoint.pb.h"

namespace faltungd {

namespace {

std::string wal_dir(const ServerOptions& o) { return (std::filesystem::path(o.state_dir) / "wal").string(); }
std::string outbox_dir(const ServerOptions& o, const std::string& name) {
  return (std::filesystem::path(o.state_dir) / "outbox" / name).string();
}

// Families whose label values are known before any sample: each rendered
// from the start (0 until counted), so a rate over them never starts absent.
constexpr const char* kDropReasons[] = {"duplicate", "out_of_order", "series_limit"};
constexpr const char* kNonfiniteKinds[] = {"nan", "inf"};

constexpr const char* kDamagedName = "faltungd_wal_damaged_records_total";
constexpr const char* kDamagedHelp =
    "Damaged log records passed over at recovery, by log; checkpointed=\"false\": acknowledged data lost.";
std::string damaged_labels(const char* log, bool checkpointed) {
  return label("log", log) + "," + label("checkpointed", checkpointed ? "true" : "false");
}

}  // namespace

Server::Counters::Counters(MetricsRegistry& m)
    : samples_received(m.counter("faltungd_samples_received_total", "Samples in accepted requests.")),
      stale_markers(m.counter("faltungd_stale_markers_total", "Stale markers received (each ends a series).")),
      overloaded(m.counter("faltungd_overloaded_requests_total",
                           "Write requests answered 503 because too many were in flight.")),
      checkpoints_ok(m.counter("faltungd_checkpoints_written_total", "Checkpoints written.")),
      checkpoints_failed(m.counter("faltungd_checkpoint_failures_total", "Checkpoints that could not be written.")),
      checkpoints_skipped(
          m.counter("faltungd_checkpoints_skipped_total", "Damaged checkpoint files passed over at recovery.")),
      wal_cut_bytes(m.counter("faltungd_wal_cut_bytes_total", "Bytes of torn or corrupt log tail cut at recovery.")),
      replayed(m.counter("faltungd_wal_replayed_records_total", "Log records replayed at recovery.")),
      replay_skipped(m.counter("faltungd_wal_replay_skipped_records_total",
                               "Log records passed over at recovery because they no longer decode.")),
      state_resets(
          m.counter("faltungd_state_resets_total", "Pipelines whose saved state did not fit their new stages.")),
      reloads(m.counter("faltungd_config_reloads_total", "Configurations loaded while running.")),
      input_damaged(m.counter(kDamagedName, kDamagedHelp, damaged_labels("input", false))),
      input_damaged_covered(m.counter(kDamagedName, kDamagedHelp, damaged_labels("input", true))),
      outbox_damaged(m.counter(kDamagedName, kDamagedHelp, damaged_labels("outbox", false))),
      outbox_damaged_covered(m.counter(kDamagedName, kDamagedHelp, damaged_labels("outbox", true))),
      dropped(m.counter_by_label("faltungd_samples_dropped_total", "Samples not applied, by reason.", "reason")),
      nonfinite(m.counter_by_label("faltungd_nonfinite_samples_total",
                                   "Non-finite input samples by kind (stale markers apart).", "kind")) {
  for (const char* reason : kDropReasons) dropped.add(reason, 0);
  for (const char* kind : kNonfiniteKinds) nonfinite.add(kind, 0);
}

Server::Server(const Config& config, const Limits& limits, const ServerOptions& options)
    : limits_(limits),
      options_(options),
      state_lock_(options.state_dir),
      wal_({wal_dir(options), options.wal_segment_bytes, static_cast<std::uint32_t>(limits.max_body_bytes + 64)}),
      engine_(std::make_unique<Engine>(config, !config.remote_write.empty())),
      alerts_(config.alerting, metrics_, [this] { return firing_alerts(); }),
      http_(config.server, limits, *this, metrics_) {
  for (const auto& p : config.pipelines) pipeline_names_.push_back(p.name);
  for (const auto& target : config.remote_write) {
    Remote r;
    r.queue = std::make_unique<RemoteQueue>(outbox_dir(options_, target.name), target.max_bytes,
                                            !target.refuse_writes_when_full);
    r.sender = std::make_unique<RemoteSender>(target, *r.queue);
    remotes_.push_back(std::move(r));
  }
  // A request's outputs past 4 MiB go to the queues in parts (memory stays
  // bounded however many samples a request holds).
  outputs_.spill = [this](const OutputBatch& part) REQUIRES(mu_) { queue_outputs(outputs_for_, part, false); };
  register_gauges();
}

Server::~Server() {
  stop_background();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void Server::stop() {
  http_.stop();
  stop_background();
}

void Server::stop_background() {
  {
    MutexLock lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  alerts_.stop();
  for (auto& r : remotes_) r.sender->stop();
}

std::string Server::reload(const Config& config) {
  // The new pipelines take the state of the old ones with the same name and
  // stages (as a checkpoint would be restored); changed ones start empty.
  auto fresh = std::make_unique<Engine>(config, !remotes_.empty());
  MutexLock lock(mu_);
  state::Checkpoint carried;
  engine_->save(carried);
  alerts_.add_resolved(engine_->take_resolved());  // the old engine's, before it goes
  const auto reset = fresh->restore(carried);
  engine_ = std::move(fresh);
  counters_.state_resets.add(static_cast<std::int64_t>(reset.size()));
  pipeline_names_.clear();
  for (const auto& p : config.pipelines) pipeline_names_.push_back(p.name);
  counters_.reloads.add();
  std::string said = "reloaded: " + std::to_string(config.pipelines.size()) + " pipelines";
  for (const auto& name : reset) said += "; " + name + " changed, its state starts empty";
  std::vector<std::string> running, asked;
  for (const auto& r : remotes_) running.push_back(r.sender->target().name + " " + r.sender->target().url);
  for (const auto& t : config.remote_write) asked.push_back(t.name + " " + t.url);
  if (running != asked) said += "; remote_write changes take effect at the next start";
  return said;
}

std::string Server::reload_from_file() {
  if (options_.config_path.empty()) throw std::runtime_error("running the embedded configuration: no file to reload");
  return reload(load_config(options_.config_path));
}

std::vector<Alert> Server::firing_alerts() {
  MutexLock lock(mu_);
  alerts_.add_resolved(engine_->take_resolved());
  return engine_->firing();
}

std::optional<HttpBackend::Answer> Server::not_now() {
  if (!ready_) return Answer{503, "faltungd is recovering its state; retry"};
  for (const auto& r : remotes_) {
    if (r.sender->target().refuse_writes_when_full && r.queue->full())
      return Answer{
          503, "the queue of remote_write " + r.sender->target().name + " is full (when_full: refuse_writes); retry"};
    if (r.queue->backlog_bytes() > RemoteQueue::max_backlog_bytes) {
      Answer refused{503, "the queue of remote_write " + r.sender->target().name + " cannot be written to disk; retry"};
      queue_problems_.note(refused.reply + " (answered 503)");
      return refused;
    }
  }
  return std::nullopt;
}

HttpBackend::Answer Server::write(const std::string& body) {
  // Admission: at most max_in_flight decoded requests held at once.
  struct Admitted {
    std::atomic<int>& n;
    ~Admitted() { --n; }
  } admitted{in_flight_};
  if (++in_flight_ > limits_.max_in_flight) {
    counters_.overloaded.add();
    return {503, "faltungd is overloaded (" + std::to_string(limits_.max_in_flight) + " requests in flight); retry"};
  }
  thread_local std::vector<SeriesSamples> request;  // storage reused request after request
  try {
    decode_remote_write_into(body, limits_, request);
    check_sample_times(
        request,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count(),
        limits_);
  } catch (const BadRequest& e) {
    return {400, e.what()};
  }
  if (auto refused = not_now()) return *refused;
  // On disk first (synced, with every request waiting at the same time),
  // then applied in log order, then answered.
  const std::uint64_t sequence = wal_.append(body);
  const bool durable = wal_.wait_durable(sequence);
  MutexLock lock(mu_);
  lock.wait(applied_cv_, [&]() REQUIRES(mu_) { return applied_through_ + 1 >= sequence; });
  if (durable) {
    const auto start = std::chrono::steady_clock::now();
    outputs_.clear();
    outputs_for_ = sequence;
    const IngestCounts counts = engine_->ingest(request, remotes_.empty() ? nullptr : &outputs_);
    queue_outputs(sequence, outputs_, true);
    pipeline_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    counters_.samples_received.add(counts.samples);
    counters_.stale_markers.add(counts.stale_markers);
    for (const auto& [reason, n] : counts.dropped) counters_.dropped.add(reason, n);
    for (const auto& [kind, n] : counts.nonfinite) counters_.nonfinite.add(kind, n);
  }
  applied_through_ = sequence;
  applied_cv_.notify_all();
  if (durable) return {204, {}};
  wal_problems_.note("the write-ahead log could not be written (" + wal_.last_write_error() +
                     "): write requests are answered 503 until it can");
  return {503, "the write-ahead log could not be written (disk full?); retry"};
}

void Server::queue_outputs(std::uint64_t sequence, const OutputBatch& outputs, bool complete) {
  for (auto& r : remotes_)
    if (sequence > r.queued_through) r.queue->append(sequence, outputs, complete);
}

std::vector<Server::RemoteStats> Server::remote_stats() const {
  std::vector<RemoteStats> out;
  for (const auto& r : remotes_) out.push_back({r.sender->target().name, r.queue->stats(), r.sender->counts()});
  return out;
}

// The gauges, and the counts other parts keep, read at each scrape (with
// mu_ held: metrics()).
void Server::register_gauges() {
  MetricsRegistry& m = metrics_;
  m.read("faltungd_ready", "gauge", "1 once recovery is done.", {}, [this] { return ready_ ? 1.0 : 0.0; });
  m.custom([this](std::string& out) REQUIRES(mu_) {  // the pipelines change at a reload
    write_family(out, "faltungd_active_series", "gauge", "Series with state, by pipeline.");
    for (const auto& name : pipeline_names_)
      write_sample(out, "faltungd_active_series", label("pipeline", name),
                   std::to_string(engine_->active_series(name)));
  });
  m.read("faltungd_wal_bytes", "gauge", "Bytes in the write-ahead log's segments.", {},
         [this] { return static_cast<double>(wal_.bytes_on_disk()); });
  m.read("faltungd_wal_segments", "gauge", "Segment files of the write-ahead log.", {},
         [this] { return static_cast<double>(wal_.segments()); });
  m.read("faltungd_checkpoint_age_seconds", "gauge", "Seconds since the last checkpoint (or the start).", {},
         [this]() REQUIRES(mu_) {
           return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint_).count();
         });
  m.read("faltungd_directory_sync_failures_total", "counter",
         "fsyncs of a state directory that failed (a new log segment's write, or a checkpoint, did not count).", {},
         [] { return static_cast<double>(directory_sync_failures()); });
  m.custom([this](std::string& out) REQUIRES(mu_) {
    pipeline_seconds_.render(out, "faltungd_pipeline_duration_seconds",
                             "Time the pipelines took over one write request's samples.");
  });
  register_remote_metrics();
  m.read("faltungd_state_bytes", "gauge", "Memory held for the pipelines' state.", {},
         [this]() REQUIRES(mu_) { return static_cast<double>(engine_->state_bytes()); });
  m.custom([this](std::string& out) REQUIRES(mu_) { engine_->render(out); });
}

// Per receiver of remote_write: what became of its outputs, and its queue.
void Server::register_remote_metrics() {
  struct Line {
    const char* result;  // the result label (none: nullptr)
    double (*value)(const RemoteQueue::Stats&, const RemoteSender::Counts&);
  };
  struct Family {
    const char *name, *type, *help;
    std::vector<Line> lines;
  };
  using Q = RemoteQueue::Stats;
  using S = RemoteSender::Counts;
  const Family families[] = {
      {"faltungd_remote_write_samples_total",
       "counter",
       "Output samples by what became of them: sent, rejected by the receiver (4xx), dropped unsent (queue full).",
       {{"sent", [](const Q&, const S& s) { return static_cast<double>(s.sent_samples); }},
        {"rejected", [](const Q&, const S& s) { return static_cast<double>(s.rejected_samples); }},
        {"dropped", [](const Q& q, const S&) { return static_cast<double>(q.dropped_samples); }}}},
      {"faltungd_remote_write_requests_total",
       "counter",
       "Remote-write requests sent, by result: ok (2xx), failed (retried), rejected (4xx, dropped).",
       {{"ok", [](const Q&, const S& s) { return static_cast<double>(s.requests_ok); }},
        {"failed", [](const Q&, const S& s) { return static_cast<double>(s.requests_failed); }},
        {"rejected", [](const Q&, const S& s) { return static_cast<double>(s.requests_rejected); }}}},
      {"faltungd_remote_write_pending_samples",
       "gauge",
       "Output samples queued for the receiver, not yet taken.",
       {{nullptr, [](const Q& q, const S&) { return static_cast<double>(q.pending_samples); }}}},
      {"faltungd_remote_write_queue_bytes",
       "gauge",
       "Bytes of the receiver's queue on disk.",
       {{nullptr, [](const Q& q, const S&) { return static_cast<double>(q.bytes); }}}},
      {"faltungd_remote_write_backlog_bytes",
       "gauge",
       "Bytes of outputs waiting in memory because the queue's disk refused them (0: all on disk).",
       {{nullptr, [](const Q& q, const S&) { return static_cast<double>(q.backlog_bytes); }}}},
      {"faltungd_remote_write_lag_seconds",
       "gauge",
       "Sample time from the oldest output the receiver has not taken to the newest queued (0: caught up).",
       {{nullptr, [](const Q& q, const S&) { return q.lag_seconds; }}}},
  };
  for (const auto& f : families)
    for (const auto& r : remotes_)
      for (const auto& line : f.lines) {
        std::string labels = label("remote", r.sender->target().name);
        if (line.result) labels.append(",").append(label("result", line.result));
        const RemoteQueue* queue = r.queue.get();
        const RemoteSender* sender = r.sender.get();
        metrics_.read(f.name, f.type, f.help, labels,
                      [queue, sender, value = line.value] { return value(queue->stats(), sender->counts()); });
      }
}

std::string Server::metrics() {
  MutexLock lock(mu_);
  return metrics_.render();
}

}  // namespace faltungd
