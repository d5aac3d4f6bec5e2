// faltungd's node: the state behind the HTTP front (http_front.hpp).
// Remote write in (POST /api/v1/write), the pipelines' outputs and the
// service's own SLIs out (GET /metrics), /-/healthy and /-/ready.
//
// Remote-write answers follow the specification: 204 once the samples are
// in the write-ahead log (synced) and applied, 400 (with the reason) for a
// body that can never be accepted (wrong encoding, malformed, labels
// breaking the rules), 413 for a body over the size limit (none of these is
// retried), and 503 with Retry-After while recovering, when more than
// max_in_flight requests are being handled, or when the log cannot be
// written (the sender retries).
//
// POST /-/reload (behind server.admin_auth) and SIGHUP load the
// configuration file again, keeping the state of unchanged pipelines.
//
// Crash safety (server_recovery.cpp): requests are applied in log order;
// checkpoints of the pipelines' state (tagged with the log position) are
// written periodically; recover() = the newest valid checkpoint + the log
// after it, then ready.
//
// Outputs also go to the remote_write receivers of the configuration, each
// through its own queue on disk (remote_queue.hpp) and sender thread
// (remote_sender.hpp). The receivers are those of the starting
// configuration (a reload keeps them, as it keeps auth and TLS). Alerts go
// to the Alertmanagers through alert_delivery.hpp.

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "mutex.hpp"
#include "alert_delivery.hpp"
#include "config.hpp"
#include "engine.hpp"
#include "histogram.hpp"
#include "http_front.hpp"
#include "metrics_registry.hpp"
#include "problem_log.hpp"
#include "remote_queue.hpp"
#include "remote_sender.hpp"
#include "remote_write.hpp"
#include "state_lock.hpp"
#include "wal.hpp"

namespace faltungd {

struct ServerOptions {
  std::string state_dir = "faltungd-data";  // wal/ and checkpoints/
  double checkpoint_seconds = 60;           // 0: only when asked (checkpoint_now)
  std::uint64_t wal_segment_bytes = 64ull << 20;
  std::string config_path;  // what POST /-/reload reads ("" : the embedded configuration)
};

class Server final : public HttpBackend {
 public:
  Server(const Config& config, const Limits& limits, const ServerOptions& options);
  ~Server() override;

  // Binds (port 0: any free port) and returns the port.
  int bind(const std::string& host, int port) { return http_.bind(host, port); }
  void run() { http_.run(); }  // serves until stop(); writes answer 503 until recover() is done
  void stop();
  // The newest valid checkpoint, then the log after it; then ready. Returns
  // a line saying what it did.
  std::string recover();
  // A connection's bytes through the HTTP layer (parsing, the header gate,
  // the routes) without a socket; returns the response bytes. For the HTTP
  // fuzz target (service/fuzz/http_request_fuzz.cpp).
  std::string answer_bytes(std::string_view request) { return http_.answer_bytes(request); }
  // Writes a checkpoint now (also the periodic one's work).
  void checkpoint_now();
  // Runs `config`'s pipelines from now on, keeping the state of those whose
  // name and stages are unchanged (auth, TLS and limits are kept from the
  // start). Returns what it did.
  std::string reload(const Config& config);
  // reload() of options.config_path; throws ConfigError (the running
  // configuration stays).
  std::string reload_from_file() override;
  bool ready() const override { return ready_; }
  // The remote-write queues' and senders' numbers (tests and /metrics).
  struct RemoteStats {
    std::string name;
    RemoteQueue::Stats queue;
    RemoteSender::Counts sender;
  };
  std::vector<RemoteStats> remote_stats() const;

  // HttpBackend: a remote-write body whose headers the front let through.
  Answer write(const std::string& body) override;
  std::string metrics() override;

 private:
  struct Remote {
    std::unique_ptr<RemoteQueue> queue;
    std::unique_ptr<RemoteSender> sender;
    std::uint64_t queued_through = 0;  // input sequence whose outputs the queue holds (at recovery)
  };
  // Every metric but the HTTP front's and the alert delivery's, declared
  // once (metrics_registry.hpp).
  struct Counters {
    explicit Counters(MetricsRegistry& m);
    Counter &samples_received, &stale_markers, &overloaded;
    Counter &checkpoints_ok, &checkpoints_failed, &checkpoints_skipped;
    Counter &wal_cut_bytes, &replayed, &replay_skipped, &state_resets, &reloads;
    // damaged log records passed over at recovery, by log and by whether a
    // checkpoint covered them
    Counter &input_damaged, &input_damaged_covered, &outbox_damaged, &outbox_damaged_covered;
    CounterByLabel &dropped, &nonfinite;
  };
  void register_gauges();
  void register_remote_metrics();

  // Appends to every queue that does not hold this request's outputs yet.
  void queue_outputs(std::uint64_t sequence, const OutputBatch& outputs, bool complete);
  // The answer while the request cannot be taken yet (recovering, a queue
  // full or not written), or nullopt.
  std::optional<Answer> not_now();
  // Counts what a log's replay passed over and says it, for recover().
  std::string log_damage(const std::string& which, Counter& damaged, Counter& covered, const WalReplay& report);
  void checkpoint_loop();
  // Tells the checkpoint loop to end; stops the alert rounds and the senders
  // (stop() and the destructor, maybe both: each step is idempotent).
  void stop_background();
  // The engine's firing alerts, its resolved ones handed to alerts_ (mu_ held).
  std::vector<Alert> firing_alerts();

  Limits limits_;
  ServerOptions options_;
  StateDirLock state_lock_;  // first: nothing touches the directory before it is ours
  MetricsRegistry metrics_;
  Counters counters_{metrics_};
  // Failures to write to disk, on stderr (at most a line a minute each).
  ProblemLog wal_problems_, checkpoint_problems_, queue_problems_;
  Wal wal_;
  std::atomic<bool> ready_{false};

  Mutex mu_;  // the engine, the apply order and the pipeline histogram
  std::condition_variable applied_cv_;
  std::unique_ptr<Engine> engine_ PT_GUARDED_BY(mu_);
  std::vector<Remote> remotes_;
  OutputBatch outputs_ GUARDED_BY(mu_);                // one request's outputs for the remotes (reused)
  std::uint64_t outputs_for_ GUARDED_BY(mu_) = 0;      // the request outputs_ holds (for its spill)
  std::uint64_t applied_through_ GUARDED_BY(mu_) = 0;  // every log record <= this is applied (or failed)
  Histogram pipeline_seconds_ GUARDED_BY(mu_);
  std::atomic<int> in_flight_{0};
  std::vector<std::string> pipeline_names_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_checkpoint_ GUARDED_BY(mu_) = std::chrono::steady_clock::now();

  AlertDelivery alerts_;
  Mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ GUARDED_BY(stop_mu_) = false;
  std::thread checkpointer_;
  HttpFront http_;  // last: its threads call the members above, and it stops first
};

}  // namespace faltungd
