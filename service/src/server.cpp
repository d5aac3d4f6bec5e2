#include "server.hpp"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>

#include "auth.hpp"
#include "checkpoint.hpp"
#include "exposition.hpp"
#include "file_util.hpp"
#include "guarded_http.hpp"
#include "proto/checkpoint.pb.h"
#include "notifier.hpp"
#include "request_gate.hpp"

namespace faltungd {

namespace {

std::string wal_dir(const ServerOptions& o) { return (std::filesystem::path(o.state_dir) / "wal").string(); }
std::string checkpoint_dir(const ServerOptions& o) {
  return (std::filesystem::path(o.state_dir) / "checkpoints").string();
}
std::string outbox_dir(const ServerOptions& o, const std::string& name) {
  return (std::filesystem::path(o.state_dir) / "outbox" / name).string();
}

state::Alert to_message(const Alert& a) {
  state::Alert m;
  for (const auto& [k, v] : a.labels) (*m.mutable_labels())[k] = v;
  for (const auto& [k, v] : a.annotations) (*m.mutable_annotations())[k] = v;
  m.set_starts_ms(a.starts_ms);
  m.set_ends_ms(a.ends_ms);
  return m;
}

Alert from_message(const state::Alert& m) {
  Alert a;
  a.labels.insert(m.labels().begin(), m.labels().end());
  a.annotations.insert(m.annotations().begin(), m.annotations().end());
  a.starts_ms = m.starts_ms();
  a.ends_ms = m.ends_ms();
  return a;
}

// The Content-Length a request declares, or nullopt without a valid one.
std::optional<std::uint64_t> declared_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string text = req.get_header_value("Content-Length");
  std::uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// 401 with the challenge the credentials call for.
void answer_unauthorized(const Credentials& c, httplib::Response& res) {
  res.status = 401;
  res.set_header("WWW-Authenticate", c.basic_auth_users.empty() ? "Bearer" : "Basic realm=\"faltungd\"");
}

std::unique_ptr<httplib::Server> make_http(const ServerSection& s, ConnectionTable& connections) {
  if (s.tls_cert_file.empty()) return std::make_unique<Guarded<httplib::Server>>(connections);
  auto tls = std::make_unique<Guarded<httplib::SSLServer>>(
      connections, s.tls_cert_file.c_str(), s.tls_key_file.c_str(),
      s.tls_client_ca_file.empty() ? nullptr : s.tls_client_ca_file.c_str());
  if (!tls->is_valid())
    throw std::runtime_error("TLS: cannot use " + s.tls_cert_file + " and " + s.tls_key_file +
                             (s.tls_client_ca_file.empty() ? "" : " with " + s.tls_client_ca_file));
  return tls;
}

}  // namespace

Server::Server(const Config& config, const Limits& limits, const ServerOptions& options)
    : limits_(limits),
      options_(options),
      section_(config.server),
      alerting_(config.alerting),
      state_lock_(options.state_dir),
      connections_(config.server.connections),
      http_(make_http(config.server, connections_)),
      wal_({wal_dir(options), options.wal_segment_bytes, static_cast<std::uint32_t>(limits.max_body_bytes + 64)}),
      engine_(std::make_unique<Engine>(config, !config.remote_write.empty())) {
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
  outputs_.spill = [this](const OutputBatch& part) { queue_outputs(outputs_for_, part, false); };
  http_->set_payload_max_length(limits_.max_body_bytes);
  // SO_REUSEADDR (a restart binds while old connections linger) but not
  // cpp-httplib's default SO_REUSEPORT, with which a second faltungd on the
  // same port starts silently and takes half the writes.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Without it a keep-alive sender's small request meets Nagle and delayed
  // ACKs: 40 ms per request on loopback.
  http_->set_tcp_nodelay(true);
  // Write responses are counted before they leave: 2xx by the handler,
  // every error here (the HTTP layer's own too: 413, a gzip body that does
  // not inflate), so a client reading /metrics right after sees its request.
  http_->set_error_handler(
      httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
        if (req.path == "/api/v1/write") {
          std::lock_guard lock(mu_);
          requests_by_code_[res.status] += 1;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      }));
  // Credentials, and for remote write the encoding, type and length, are
  // checked on the headers, before cpp-httplib reads a byte of the body (it
  // would inflate a gzip body without a cap, and take a chunked one past
  // the size limit). A refused request's body is never read, so its
  // connection is closed.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "POST") return httplib::Server::HandlerResponse::Unhandled;
    const bool write = req.path == "/api/v1/write";
    if (!write && req.path != "/-/reload") return httplib::Server::HandlerResponse::Unhandled;
    const Credentials& needed = write ? section_.write : section_.admin;
    std::optional<Refusal> refusal;
    if (!authorized(needed, req.get_header_value("Authorization"))) {
      answer_unauthorized(needed, res);
      res.set_content("faltungd: this endpoint needs credentials\n", "text/plain");
    } else if (write &&
               (refusal = refuse_write_headers(
                    req.get_header_value("Content-Type"), req.get_header_value("Content-Encoding"),
                    req.get_header_value("Transfer-Encoding"), declared_length(req), limits_.max_body_bytes))) {
      res.status = refusal->status;
      res.set_content("faltungd: " + refusal->reply + "\n", "text/plain");
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  http_->Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    struct Timed {
      Server& s;
      std::chrono::steady_clock::time_point start;
      ~Timed() {
        std::lock_guard lock(s.mu_);
        s.request_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    } timed{*this, start};
    std::string reply;                          // credentials were checked before the body was read
    handle_write(req.body, res.status, reply);  // encoding and type too: refuse_write_headers
    if (res.status == 503) res.set_header("Retry-After", "1");
    if (!reply.empty()) res.set_content(reply + "\n", "text/plain");
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics(), "text/plain; version=0.0.4");
  });
  http_->Post("/-/reload", [this](const httplib::Request&, httplib::Response& res) {
    if (!section_.admin_auth()) {
      res.status = 403;
      res.set_content("faltungd: /-/reload needs server.admin_auth in the configuration (SIGHUP always works)\n",
                      "text/plain");
      return;
    }
    // credentials were checked before the body was read; the outcome is
    // logged as a SIGHUP reload's is
    try {
      const std::string said = reload_from_file();
      std::fprintf(stderr, "faltungd: POST /-/reload: %s\n", said.c_str());
      res.set_content(said + "\n", "text/plain");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faltungd: POST /-/reload: reload refused, the running configuration stays: %s\n", e.what());
      res.status = 400;
      res.set_content(std::string("faltungd: reload refused, the running configuration stays: ") + e.what() + "\n",
                      "text/plain");
    }
  });
  http_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("faltungd is healthy\n", "text/plain");
  });
  http_->Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_) {
      res.set_content("faltungd is ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("faltungd is recovering its state\n", "text/plain");
    }
  });
}

Server::~Server() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (notifier_.joinable()) notifier_.join();
  for (auto& r : remotes_) r.sender->stop();
}

int Server::bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  if (auto* guarded = dynamic_cast<GuardedListener*>(http_.get()))
    guarded->set_backlog(4096);  // the kernel caps it at net.core.somaxconn
  return bound;
}

void Server::run() { http_->listen_after_bind(); }

std::string Server::answer_bytes(std::string_view request) {
  return dynamic_cast<GuardedListener&>(*http_).answer_bytes(request);
}

void Server::stop() {
  http_->stop();
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  for (auto& r : remotes_) r.sender->stop();
}

std::string Server::log_damage(const std::string& which, const std::string& log, const WalReplay& report) {
  wal_damaged_[{log, false}] += static_cast<std::int64_t>(report.damaged_spans);
  wal_damaged_[{log, true}] += static_cast<std::int64_t>(report.damaged_covered_spans);
  std::string said;
  for (const auto& d : report.damage) said += which + ": passed over a damaged record: " + d + "; ";
  for (const auto& k : report.kept_aside) said += which + ": damaged segment kept for inspection: " + k + "; ";
  return said;
}

std::string Server::recover() {
  const auto loaded = load_newest_checkpoint(checkpoint_dir(options_));
  std::uint64_t from = 0;
  std::string said;
  std::lock_guard lock(mu_);
  checkpoints_skipped_ += static_cast<std::int64_t>(loaded.skipped.size());
  for (const auto& s : loaded.skipped) said += "skipped " + s + "; ";
  if (loaded.checkpoint) {
    for (const auto& a : loaded.checkpoint->resolved_alerts()) unsent_resolved_.push_back(from_message(a));
    const auto reset = engine_->restore(*loaded.checkpoint);
    state_resets_ += static_cast<std::int64_t>(reset.size());
    for (const auto& name : reset) said += "pipeline " + name + " changed: its state starts empty; ";
    from = loaded.checkpoint->sequence();
    said += "checkpoint " + loaded.path + " (log position " + std::to_string(from) + "); ";
  }
  // Replay with the widest limits: these bodies were accepted once.
  Limits replay_limits;
  replay_limits.max_body_bytes = replay_limits.max_decoded_bytes = std::size_t{1} << 31;
  replay_limits.max_labels = replay_limits.max_label_name_bytes = replay_limits.max_label_value_bytes = 1 << 20;
  // Each remote's queue holds the outputs of the requests up to some
  // sequence: replay queues the outputs of the requests after it.
  std::uint64_t queued_through = UINT64_MAX, newest_queued = 0;
  for (auto& r : remotes_) {
    const auto rec = r.queue->recover();
    r.queued_through = rec.last_input_sequence;
    queued_through = std::min(queued_through, rec.last_input_sequence);
    newest_queued = std::max(newest_queued, rec.last_input_sequence);
    wal_cut_bytes_ += static_cast<std::int64_t>(rec.log.cut_bytes);
    said += log_damage("outbox of " + r.sender->target().name, "outbox", rec.log);
  }
  const auto report = wal_.replay(from, [&](std::uint64_t sequence, std::string_view body) {
    try {
      outputs_.clear();
      outputs_for_ = sequence;
      engine_->ingest(decode_remote_write(body, replay_limits), sequence > queued_through ? &outputs_ : nullptr);
      queue_outputs(sequence, outputs_, true);
      ++replayed_;
    } catch (const BadRequest&) {
      ++replay_skipped_;
    }
  });
  wal_.advance_to(from);
  // New requests' sequences come after every one a queue holds (the log's
  // tail may have been cut below them), so queue_outputs takes them all.
  wal_.advance_to(newest_queued);
  wal_cut_bytes_ += static_cast<std::int64_t>(report.cut_bytes);
  if (!report.cut_reason.empty()) said += "cut the log's torn tail: " + report.cut_reason + "; ";
  said += log_damage("input log", "input", report);
  applied_through_ = wal_.last_sequence();
  said += "replayed " + std::to_string(report.records) + " log records";
  ready_ = true;
  if (options_.checkpoint_seconds > 0 && !checkpointer_.joinable())
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
  if (!alerting_.alertmanagers.empty() && !notifier_.joinable()) notifier_ = std::thread([this] { notify_loop(); });
  for (auto& r : remotes_) r.sender->start();
  return said;
}

void Server::checkpoint_now() {
  state::Checkpoint cp;
  for (auto& r : remotes_) r.queue->flush();
  {
    std::lock_guard lock(mu_);
    // Outputs waiting in memory (their queue could not be written) can only
    // be made again from the log after this point: no checkpoint until
    // they are on disk.
    for (const auto& r : remotes_)
      if (r.queue->backlog_bytes() > 0) {
        ++checkpoints_failed_;
        checkpoint_problems_.note("no checkpoint: outputs for remote_write " + r.sender->target().name +
                                  " wait in memory (their queue cannot be written to disk)");
        return;
      }
    cp.set_sequence(applied_through_);
    engine_->save(cp);
    // resolved alerts not delivered yet are part of the state
    collect_resolved();
    for (const auto& a : unsent_resolved_) *cp.add_resolved_alerts() = to_message(a);
  }
  try {
    // The outputs of every request the checkpoint covers are queued; they
    // must be on disk before the log that could make them again is trimmed.
    for (auto& r : remotes_)
      if (!r.queue->sync()) throw std::runtime_error("remote-write queue " + r.sender->target().name + " not synced");
    write_checkpoint(checkpoint_dir(options_), cp);
    wal_.remove_through(cp.sequence());
    std::lock_guard lock(mu_);
    ++checkpoints_ok_;
    last_checkpoint_ = std::chrono::steady_clock::now();
  } catch (const std::exception& e) {
    checkpoint_problems_.note(std::string("a checkpoint could not be written: ") + e.what());
    std::lock_guard lock(mu_);
    ++checkpoints_failed_;
  }
}

std::string Server::reload(const Config& config) {
  // The new pipelines take the state of the old ones with the same name and
  // stages (as a checkpoint would be restored); changed ones start empty.
  auto fresh = std::make_unique<Engine>(config, !remotes_.empty());
  std::lock_guard lock(mu_);
  state::Checkpoint carried;
  engine_->save(carried);
  collect_resolved();  // the old engine's, before it goes
  const auto reset = fresh->restore(carried);
  engine_ = std::move(fresh);
  state_resets_ += static_cast<std::int64_t>(reset.size());
  pipeline_names_.clear();
  for (const auto& p : config.pipelines) pipeline_names_.push_back(p.name);
  ++reloads_;
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

void Server::collect_resolved() {
  for (auto& a : engine_->take_resolved()) unsent_resolved_.push_back(std::move(a));
}

void Server::notify_once() {
  std::vector<Alert> alerts;
  std::size_t resolved_in_body = 0;
  {
    std::lock_guard lock(mu_);
    alerts = engine_->firing();
    alerts_firing_ = static_cast<std::int64_t>(alerts.size());
    collect_resolved();
    alerts.insert(alerts.end(), unsent_resolved_.begin(), unsent_resolved_.end());
    resolved_in_body = unsent_resolved_.size();
  }
  if (alerts.empty()) return;
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string body = alerts_json(alerts, now_ms, static_cast<std::int64_t>(4000 * alerting_.resend_seconds));
  bool delivered = false;
  for (const auto& url : alerting_.alertmanagers) {
    const bool ok = post_alerts(url, body);
    delivered = delivered || ok;
    std::lock_guard lock(mu_);
    (ok ? notifications_ok_ : notifications_failed_) += 1;
  }
  if (delivered) {  // the resolved alerts of this body were taken (only this thread adds to the list)
    std::lock_guard lock(mu_);
    unsent_resolved_.erase(unsent_resolved_.begin(),
                           unsent_resolved_.begin() + static_cast<std::ptrdiff_t>(resolved_in_body));
  }
}

void Server::notify_loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    lock.unlock();
    notify_once();
    lock.lock();
    stop_cv_.wait_for(lock, std::chrono::duration<double>(alerting_.resend_seconds));
  }
}

void Server::checkpoint_loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::duration<double>(options_.checkpoint_seconds));
    if (stopping_) break;
    lock.unlock();
    checkpoint_now();
    lock.lock();
  }
}

void Server::handle_write(const std::string& body, int& status, std::string& reply) {
  // Admission: at most max_in_flight decoded requests held at once.
  struct Admitted {
    std::atomic<int>& n;
    ~Admitted() { --n; }
  } admitted{in_flight_};
  if (++in_flight_ > limits_.max_in_flight) {
    status = 503;
    reply = "faltungd is overloaded (" + std::to_string(limits_.max_in_flight) + " requests in flight); retry";
    std::lock_guard lock(mu_);
    ++overloaded_;
    return;
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
    status = 400;
    reply = e.what();
    return;
  }
  if (!ready_) {
    status = 503;
    reply = "faltungd is recovering its state; retry";
    return;
  }
  for (const auto& r : remotes_) {
    if (r.sender->target().refuse_writes_when_full && r.queue->full()) {
      status = 503;
      reply = "the queue of remote_write " + r.sender->target().name + " is full (when_full: refuse_writes); retry";
      return;
    }
    if (r.queue->backlog_bytes() > RemoteQueue::max_backlog_bytes) {
      status = 503;
      reply = "the queue of remote_write " + r.sender->target().name + " cannot be written to disk; retry";
      queue_problems_.note(reply + " (answered 503)");
      return;
    }
  }
  // On disk first (synced, with every request waiting at the same time),
  // then applied in log order, then answered.
  const std::uint64_t sequence = wal_.append(body);
  const bool durable = wal_.wait_durable(sequence);
  std::unique_lock lock(mu_);
  applied_cv_.wait(lock, [&] { return applied_through_ + 1 >= sequence; });
  if (durable) {
    const auto start = std::chrono::steady_clock::now();
    outputs_.clear();
    outputs_for_ = sequence;
    totals_.add(engine_->ingest(request, remotes_.empty() ? nullptr : &outputs_));
    queue_outputs(sequence, outputs_, true);
    pipeline_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  applied_through_ = sequence;
  applied_cv_.notify_all();
  status = durable ? 204 : 503;
  if (!durable) {
    reply = "the write-ahead log could not be written (disk full?); retry";
    wal_problems_.note("the write-ahead log could not be written (" + wal_.last_write_error() +
                       "): write requests are answered 503 until it can");
  }
  if (status < 400) requests_by_code_[status] += 1;
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

namespace {

void render_remote_metrics(std::string& out, const std::vector<Server::RemoteStats>& remotes) {
  if (remotes.empty()) return;
  using Stats = Server::RemoteStats;
  using Value = std::function<std::string(const Stats&)>;
  struct Family {
    const char *name, *type, *help;
    std::vector<std::pair<const char*, Value>> lines;  // the result label (none: nullptr) and the value
  };
  const auto n = [](auto v) { return std::to_string(v); };
  const std::vector<Family> families{
      {"faltungd_remote_write_samples_total",
       "counter",
       "Output samples by what became of them: sent, rejected by the receiver (4xx), dropped unsent (queue full).",
       {{"sent", [&](const Stats& r) { return n(r.sender.sent_samples); }},
        {"rejected", [&](const Stats& r) { return n(r.sender.rejected_samples); }},
        {"dropped", [&](const Stats& r) { return n(r.queue.dropped_samples); }}}},
      {"faltungd_remote_write_requests_total",
       "counter",
       "Remote-write requests sent, by result: ok (2xx), failed (retried), rejected (4xx, dropped).",
       {{"ok", [&](const Stats& r) { return n(r.sender.requests_ok); }},
        {"failed", [&](const Stats& r) { return n(r.sender.requests_failed); }},
        {"rejected", [&](const Stats& r) { return n(r.sender.requests_rejected); }}}},
      {"faltungd_remote_write_pending_samples",
       "gauge",
       "Output samples queued for the receiver, not yet taken.",
       {{nullptr, [&](const Stats& r) { return n(r.queue.pending_samples); }}}},
      {"faltungd_remote_write_queue_bytes",
       "gauge",
       "Bytes of the receiver's queue on disk.",
       {{nullptr, [&](const Stats& r) { return n(r.queue.bytes); }}}},
      {"faltungd_remote_write_backlog_bytes",
       "gauge",
       "Bytes of outputs waiting in memory because the queue's disk refused them (0: all on disk).",
       {{nullptr, [&](const Stats& r) { return n(r.queue.backlog_bytes); }}}},
      {"faltungd_remote_write_lag_seconds",
       "gauge",
       "Sample time from the oldest output the receiver has not taken to the newest queued (0: caught up).",
       {{nullptr, [&](const Stats& r) { return n(r.queue.lag_seconds); }}}},
  };
  for (const auto& f : families) {
    write_family(out, f.name, f.type, f.help);
    for (const auto& r : remotes)
      for (const auto& [result, value] : f.lines) {
        std::string labels = label("remote", r.name);
        if (result) labels.append(",").append(label("result", result));
        write_sample(out, f.name, labels, value(r));
      }
  }
}

}  // namespace

std::string Server::metrics() {
  std::lock_guard lock(mu_);
  std::string out;
  // a family of one unlabelled sample
  const auto single = [&](const char* name, const char* type, const char* help, const std::string& value) {
    write_family(out, name, type, help);
    write_sample(out, name, "", value);
  };
  // a family with one sample per label value, 0 where the map has none
  const auto by = [&](const char* name, const char* help, const char* label_name,
                      std::initializer_list<const char*> values, const std::map<std::string, std::int64_t>& counts) {
    write_family(out, name, "counter", help);
    for (const char* v : values) {
      const auto it = counts.find(v);
      write_sample(out, name, label(label_name, v), std::to_string(it == counts.end() ? 0 : it->second));
    }
  };
  write_family(out, "faltungd_write_requests_total", "counter", "Remote-write requests by response code.");
  for (const auto& [code, n] : requests_by_code_)
    write_sample(out, "faltungd_write_requests_total", label("code", std::to_string(code)), std::to_string(n));
  single("faltungd_samples_received_total", "counter", "Samples in accepted requests.",
         std::to_string(totals_.samples));
  by("faltungd_samples_dropped_total", "Samples not applied, by reason.", "reason",
     {"duplicate", "out_of_order", "series_limit"}, totals_.dropped);
  by("faltungd_nonfinite_samples_total", "Non-finite input samples by kind (stale markers apart).", "kind",
     {"nan", "inf"}, totals_.nonfinite);
  single("faltungd_stale_markers_total", "counter", "Stale markers received (each ends a series).",
         std::to_string(totals_.stale_markers));
  write_family(out, "faltungd_active_series", "gauge", "Series with state, by pipeline.");
  for (const auto& name : pipeline_names_)
    write_sample(out, "faltungd_active_series", label("pipeline", name), std::to_string(engine_->active_series(name)));
  const auto gauge = [&](const char* name, const char* help, const std::string& value) {
    single(name, "gauge", help, value);
  };
  const auto counter = [&](const char* name, const char* help, std::int64_t value) {
    single(name, "counter", help, std::to_string(value));
  };
  gauge("faltungd_wal_bytes", "Bytes in the write-ahead log's segments.", std::to_string(wal_.bytes_on_disk()));
  gauge("faltungd_wal_segments", "Segment files of the write-ahead log.", std::to_string(wal_.segments()));
  gauge("faltungd_checkpoint_age_seconds", "Seconds since the last checkpoint (or the start).",
        std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint_).count()));
  counter("faltungd_checkpoints_written_total", "Checkpoints written.", checkpoints_ok_);
  counter("faltungd_directory_sync_failures_total",
          "fsyncs of a state directory that failed (a new log segment's write, or a checkpoint, did not count).",
          directory_sync_failures());
  counter("faltungd_checkpoint_failures_total", "Checkpoints that could not be written.", checkpoints_failed_);
  counter("faltungd_checkpoints_skipped_total", "Damaged checkpoint files passed over at recovery.",
          checkpoints_skipped_);
  counter("faltungd_wal_cut_bytes_total", "Bytes of torn or corrupt log tail cut at recovery.", wal_cut_bytes_);
  write_family(out, "faltungd_wal_damaged_records_total", "counter",
               "Damaged log records passed over at recovery, by log; checkpointed=\"false\": acknowledged data lost.");
  for (const char* log : {"input", "outbox"})
    for (const bool checkpointed : {false, true}) {
      const auto it = wal_damaged_.find({log, checkpointed});
      write_sample(out, "faltungd_wal_damaged_records_total",
                   label("log", log) + "," + label("checkpointed", checkpointed ? "true" : "false"),
                   std::to_string(it == wal_damaged_.end() ? 0 : it->second));
    }
  counter("faltungd_wal_replayed_records_total", "Log records replayed at recovery.", replayed_);
  counter("faltungd_wal_replay_skipped_records_total",
          "Log records passed over at recovery because they no longer decode.", replay_skipped_);
  counter("faltungd_state_resets_total", "Pipelines whose saved state did not fit their new stages.", state_resets_);
  counter("faltungd_config_reloads_total", "Configurations loaded while running.", reloads_);
  write_family(out, "faltungd_alert_notifications_total", "counter", "Posts of alerts to Alertmanagers, by result.");
  write_sample(out, "faltungd_alert_notifications_total", label("result", "sent"), std::to_string(notifications_ok_));
  write_sample(out, "faltungd_alert_notifications_total", label("result", "failed"),
               std::to_string(notifications_failed_));
  gauge("faltungd_alerts_firing", "Alerts firing at the last notification round.", std::to_string(alerts_firing_));
  gauge("faltungd_ready", "1 once recovery is done.", ready_ ? "1" : "0");
  const ConnectionCounts connections = connections_.counts();
  write_family(out, "faltungd_connections", "gauge", "Open HTTP connections: idle (waiting for a request) or busy.");
  write_sample(out, "faltungd_connections", label("state", "idle"), std::to_string(connections.idle));
  write_sample(out, "faltungd_connections", label("state", "busy"),
               std::to_string(connections.open - connections.idle));
  write_family(out, "faltungd_connections_total", "counter",
               "HTTP connections accepted, and refused at the cap with every connection busy.");
  write_sample(out, "faltungd_connections_total", label("result", "accepted"), std::to_string(connections.accepted));
  write_sample(out, "faltungd_connections_total", label("result", "refused"), std::to_string(connections.refused));
  write_family(out, "faltungd_connections_closed_total", "counter",
               "HTTP connections faltungd closed: idle past the idle timeout, idle at the cap for a new one, "
               "or a request not whole within its deadline.");
  write_sample(out, "faltungd_connections_closed_total", label("reason", "idle_timeout"),
               std::to_string(connections.closed_idle));
  write_sample(out, "faltungd_connections_closed_total", label("reason", "evicted"),
               std::to_string(connections.evicted));
  write_sample(out, "faltungd_connections_closed_total", label("reason", "request_deadline"),
               std::to_string(connections.cut_slow));
  counter("faltungd_overloaded_requests_total", "Write requests answered 503 because too many were in flight.",
          overloaded_);
  request_seconds_.render(out, "faltungd_write_request_duration_seconds",
                          "Time from a write request's body received to its answer.");
  pipeline_seconds_.render(out, "faltungd_pipeline_duration_seconds",
                           "Time the pipelines took over one write request's samples.");
  render_remote_metrics(out, remote_stats());
  gauge("faltungd_state_bytes", "Memory held for the pipelines' state.", std::to_string(engine_->state_bytes()));
  engine_->render(out);
  return out;
}

}  // namespace faltungd
