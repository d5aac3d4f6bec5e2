// Stand-ins for faltungd's peers, served on 127.0.0.1 by a thread of the
// test: an Alertmanager (keeps every alert posted to its API v2) and a
// remote-write receiver (decodes every request with the same decoder
// faltungd's own ingest uses, which is built on the generated protobuf
// code, and keeps every sample). Both can be told to fail.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../src/remote_write.hpp"

namespace faltungd {

class FakeAlertmanager {
 public:
  FakeAlertmanager() : port_(http_.bind_to_any_port("127.0.0.1")) {
    http_.Post("/prefix/api/v2/alerts", [this](const httplib::Request& req, httplib::Response& res) {
      if (failing_) {
        res.status = 500;
        return;
      }
      std::lock_guard lock(mu_);
      for (auto& a : nlohmann::json::parse(req.body)) posted_.push_back(a);
      res.status = 200;
    });
    thread_ = std::thread([this] { http_.listen_after_bind(); });
  }
  ~FakeAlertmanager() {
    http_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/prefix/"; }
  std::vector<nlohmann::json> posted() {
    std::lock_guard lock(mu_);
    return posted_;
  }
  std::atomic<bool> failing_{false};

 private:
  httplib::Server http_;
  int port_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<nlohmann::json> posted_;
};

// A remote-write receiver. answer(n) gives the status for the n-th request
// (from 0); 204 by default. Samples of answered-2xx requests are kept per
// series (name{labels}) and timestamp; one arriving again with the same
// value counts as a duplicate (as Prometheus takes it), with another value
// as a conflict.
class FakeReceiver {
 public:
  // port 0: any free port; else that one (a receiver started again)
  explicit FakeReceiver(int port = 0) : port_(bind(http_, port)) {
    http_.Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      const int n = requests_++;
      headers_ = req.headers;
      res.status = answer ? answer(n) : 204;
      if (res.status == 503) res.set_header("Retry-After", "0");
      if (res.status < 200 || res.status >= 300) return;
      if (req.get_header_value("Content-Encoding") != "snappy" ||
          req.get_header_value("Content-Type") != "application/x-protobuf" ||
          req.get_header_value("X-Prometheus-Remote-Write-Version") != "0.1.0") {
        res.status = 400;
        ++malformed_;
        return;
      }
      try {
        for (const auto& s : decode_remote_write(req.body, Limits{})) {
          auto& series = samples_[to_text(s.labels)];
          for (const auto& p : s.samples) {
            const auto [at, fresh] = series.emplace(p.timestamp_ms, p.value);
            if (fresh) continue;
            if (std::memcmp(&at->second, &p.value, sizeof p.value) == 0)
              ++duplicates_;
            else
              ++conflicts_;
          }
          received_ += static_cast<std::int64_t>(s.samples.size());
        }
      } catch (const BadRequest&) {
        res.status = 400;
        ++malformed_;
      }
    });
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    for (int i = 0; i < 200 && !http_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeReceiver() {
    http_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/write"; }

  using Samples = std::map<std::string, std::map<std::int64_t, double>>;
  Samples samples() { return locked(samples_); }
  std::int64_t received() { return locked(received_); }  // samples in 2xx requests, duplicates included
  int requests() { return locked(requests_); }
  int duplicates() { return locked(duplicates_); }
  int conflicts() { return locked(conflicts_); }
  int malformed() { return locked(malformed_); }
  std::string header(const std::string& name) {
    std::lock_guard lock(mu_);
    const auto it = headers_.find(name);
    return it == headers_.end() ? "" : it->second;
  }
  std::function<int(int)> answer;  // set before faltungd sends

 private:
  template <class T>
  T locked(const T& field) {
    std::lock_guard lock(mu_);
    return field;
  }
  static int bind(httplib::Server& http, int port) {
    if (port == 0) return http.bind_to_any_port("127.0.0.1");
    return http.bind_to_port("127.0.0.1", port) ? port : -1;
  }

  httplib::Server http_;
  int port_;
  std::thread thread_;
  std::mutex mu_;
  Samples samples_;
  httplib::Headers headers_;
  std::int64_t received_ = 0;
  int requests_ = 0, duplicates_ = 0, conflicts_ = 0, malformed_ = 0;
};

// Polls `done` every 10 ms for up to `seconds`.
inline bool wait_for(const std::function<bool()>& done, double seconds = 4) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace faltungd
