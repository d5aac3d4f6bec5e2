// faltungd's HTTP side: Prometheus remote write in (POST /api/v1/write),
// the pipelines' outputs and the service's own SLIs out (GET /metrics),
// /-/healthy and /-/ready.
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
// Crash safety: requests are applied in log order; checkpoints of the
// pipelines' state (tagged with the log position) are written periodically;
// recover() = the newest valid checkpoint + the log after it, then ready.
//
// Outputs also go to the remote_write receivers of the configuration, each
// through its own queue on disk (remote_queue.hpp) and sender thread
// (remote_sender.hpp). The receivers are those of the starting
// configuration (a reload keeps them, as it keeps auth and TLS).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config.hpp"
#include "connections.hpp"
#include "engine.hpp"
#include "histogram.hpp"
#include "problem_log.hpp"
#include "remote_queue.hpp"
#include "remote_sender.hpp"
#include "remote_write.hpp"
#include "state_lock.hpp"
#include "wal.hpp"

namespace httplib {
class Server;
}

namespace faltungd {

struct ServerOptions {
  std::string state_dir = "faltungd-data";  // wal/ and checkpoints/
  double checkpoint_seconds = 60;           // 0: only when asked (checkpoint_now)
  std::uint64_t wal_segment_bytes = 64ull << 20;
  std::string config_path;  // what POST /-/reload reads ("" : the embedded configuration)
};

class Server {
 public:
  Server(const Config& config, const Limits& limits, const ServerOptions& options);
  ~Server();

  // Binds (port 0: any free port) and returns the port.
  int bind(const std::string& host, int port);
  void run();  // serves until stop(); writes answer 503 until recover() is done
  void stop();
  // The newest valid checkpoint, then the log after it; then ready. Returns
  // a line saying what it did.
  std::string recover();
  // A connection's bytes through the HTTP layer (parsing, the header gate,
  // the routes) without a socket; returns the response bytes. For the HTTP
  // fuzz target (service/fuzz/http_request_fuzz.cpp).
  std::string answer_bytes(std::string_view request);
  // Writes a checkpoint now (also the periodic one's work).
  void checkpoint_now();
  // Runs `config`'s pipelines from now on, keeping the state of those whose
  // name and stages are unchanged (auth, TLS and limits are kept from the
  // start). Returns what it did.
  std::string reload(const Config& config);
  // reload() of options.config_path; throws ConfigError (the running
  // configuration stays).
  std::string reload_from_file();
  bool ready() const { return ready_; }
  // The remote-write queues' and senders' numbers (tests and /metrics).
  struct RemoteStats {
    std::string name;
    RemoteQueue::Stats queue;
    RemoteSender::Counts sender;
  };
  std::vector<RemoteStats> remote_stats() const;

 private:
  // Appends to every queue that does not hold this request's outputs yet.
  void queue_outputs(std::uint64_t sequence, const OutputBatch& outputs, bool complete);
  // A remote-write body whose headers the pre-routing handler let through
  // (credentials, encoding, type, length).
  void handle_write(const std::string& body, int& status, std::string& reply);
  std::string metrics();
  // Counts what a log's replay passed over and says it, for recover().
  std::string log_damage(const std::string& which, const std::string& log, const WalReplay& report);
  void checkpoint_loop();
  void notify_loop();
  void notify_once();
  // Moves the engine's newly resolved alerts to unsent_resolved_ (mu_ held).
  void collect_resolved();

  Limits limits_;
  ServerOptions options_;
  ServerSection section_;  // auth and TLS
  AlertingSection alerting_;
  StateDirLock state_lock_;      // first: nothing touches the directory before it is ours
  ConnectionTable connections_;  // before http_, whose threads use it
  // Failures to write to disk, on stderr (at most a line a minute each).
  ProblemLog wal_problems_, checkpoint_problems_, queue_problems_;
  std::unique_ptr<httplib::Server> http_;
  Wal wal_;
  std::atomic<bool> ready_{false};

  std::mutex mu_;  // the engine, the apply order and the counters
  std::condition_variable applied_cv_;
  std::unique_ptr<Engine> engine_;
  struct Remote {
    std::unique_ptr<RemoteQueue> queue;
    std::unique_ptr<RemoteSender> sender;
    std::uint64_t queued_through = 0;  // input sequence whose outputs the queue holds (at recovery)
  };
  std::vector<Remote> remotes_;
  OutputBatch outputs_;                // one request's outputs for the remotes (reused)
  std::uint64_t outputs_for_ = 0;      // the request outputs_ holds (for its spill)
  std::uint64_t applied_through_ = 0;  // every log record <= this is applied (or failed)
  IngestCounts totals_;
  std::map<int, std::int64_t> requests_by_code_;
  Histogram request_seconds_, pipeline_seconds_;
  std::atomic<int> in_flight_{0};
  std::int64_t overloaded_ = 0;
  std::vector<std::string> pipeline_names_;
  std::int64_t state_resets_ = 0, wal_cut_bytes_ = 0, replayed_ = 0, replay_skipped_ = 0;
  // Damaged log records passed over at recovery, by log ("input",
  // "outbox") and by whether a checkpoint covered them.
  std::map<std::pair<std::string, bool>, std::int64_t> wal_damaged_;
  std::int64_t checkpoints_ok_ = 0, checkpoints_failed_ = 0, checkpoints_skipped_ = 0, reloads_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread checkpointer_, notifier_;
  std::vector<Alert> unsent_resolved_;  // resolved alerts no Alertmanager has taken yet
  std::int64_t notifications_ok_ = 0, notifications_failed_ = 0, alerts_firing_ = 0;
};

}  // namespace faltungd
