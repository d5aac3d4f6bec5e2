// faltungd Servers for the tests: on 127.0.0.1 (any free port), served by a
// thread, stopped and joined when they go out of scope (also when an ASSERT
// returns early). And the latency scenario the alert tests share.
#pragma once

#include <httplib.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "../src/server.hpp"

namespace faltungd {

// A fresh path for a test's state: <tmp>/faltungd-<name>-<pid>, emptied
// (not created: a Server creates what it needs).
inline std::string temp_dir(const std::string& name) {
  const auto dir =
      (std::filesystem::temp_directory_path() / ("faltungd-" + name + "-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  return dir;
}

// State in `dir`; checkpoints only when a test asks for one.
inline ServerOptions test_options(const std::string& dir) {
  ServerOptions o;
  o.state_dir = dir;
  o.checkpoint_seconds = 0;
  return o;
}

class Loopback {
 public:
  // Serving once constructed; recovered too unless told not.
  Loopback(const Config& config, const ServerOptions& options, const Limits& limits = {}, bool recover = true)
      : server_(config, limits, options), port_(server_.bind("127.0.0.1", 0)), thread_([this] { server_.run(); }) {
    httplib::Client probe("127.0.0.1", port_);
    for (int i = 0; i < 200 && !probe.Get("/-/healthy"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (recover) said_ = server_.recover();
  }
  ~Loopback() {
    server_.stop();
    thread_.join();
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  Server& server() { return server_; }
  int port() const { return port_; }
  const std::string& said() const { return said_; }  // what recover() said

 private:
  Server server_;
  int port_;
  std::thread thread_;
  std::string said_;
};

// The alert tests' scenario: http_latency{host="web-1"}, a light filter and
// a quick detector whose alert rule LatencyAnomaly (severity page) has the
// annotation `summary`; alerts go to `alertmanager_url`.
inline std::string latency_alert_config(const std::string& alertmanager_url, double resend_seconds,
                                        const std::string& summary) {
  return R"yaml(kernels:
  k: "box:width=2"
pipelines:
  - name: latency
    select: 'http_latency'
    stages:
      - filter: k
      - detect: {kind: multiscale, widths: [4, 8], warmup: 20, clear_samples: 3}
    alert:
      name: LatencyAnomaly
      labels: {severity: page}
      annotations: {summary: ")yaml" +
         summary + R"yaml("}
alerting:
  alertmanagers: [")yaml" +
         alertmanager_url + R"yaml("]
  resend_interval: )yaml" +
         std::to_string(resend_seconds) + "\n";
}

// One sample of the scenario's series at second t; the write must succeed.
inline void send_latency(httplib::Client& c, int t, double value) {
  const auto body = encode_remote_write({{{{"__name__", "http_latency"}, {"host", "web-1"}}, {{1000LL * t, value}}}});
  ASSERT_EQ(c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, body, "application/x-protobuf")->status, 204);
}

}  // namespace faltungd
