// faltungd: filters and watches live metrics (docs/operations.md).
//
//   faltungd [--config faltungd.yml] [--listen 127.0.0.1:9464] [--state-dir DIR]
//            [--checkpoint-interval SECONDS] [--demo]
//
// SIGHUP (or POST /-/reload with server.admin_auth) reloads the configuration
// file, keeping the state of unchanged pipelines.
// Without --config it runs its embedded example: every series smoothed
// with a 15-tap Gaussian and scored by the default (surprise) detector.
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <random>
#include <map>
#include <string>
#include <cstdio>
#include <thread>

#include "config.hpp"
#include "faltung/files.hpp"
#include "remote_write.hpp"
#include "server.hpp"

namespace {

constexpr const char* kEmbeddedConfig = R"yaml(kernels:
  smooth15: "gaussian:sigma=2.5,radius=7"
pipelines:
  - name: smooth
    select: '{__name__=~".+", __name__!~".*:(smooth|anomaly_score)"}'
    stages:
      - filter: smooth15
      - detect: {kind: surprise}
    output:
      suffix: ":smooth"
)yaml";

std::atomic<bool> demo_stop{false};
constexpr double kDemoAnomalous = 0.75;  // the detector's default set_score (detect.hpp)

// --demo: six series sent to ourselves through the normal write path, 5
// samples a second each: a cycle, noise, a spike on host-3 every minute, a
// level shift on host-5 after two minutes.
void feed_demo(int port, const faltungd::Server& server) {
  httplib::Client client("127.0.0.1", port);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 1.0);
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, double> peaks;  // series scoring as anomalous since the last status line, by host
  for (long tick = 0; !demo_stop; ++tick) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::vector<faltungd::SeriesSamples> batch;
    for (int h = 0; h < 6; ++h) {
      double v = 50 + 10 * std::sin(0.01 * static_cast<double>(tick) + h) + noise(rng);
      if (h == 3 && tick % 300 == 250) v += 25;
      if (h == 5 && tick > 600) v += 12;
      batch.push_back({{{"__name__", "demo_cpu_percent"}, {"host", "host-" + std::to_string(h)}}, {{now_ms, v}}});
    }
    if (server.ready())
      client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, faltungd::encode_remote_write(batch),
                  "application/x-protobuf");
    // Scores are read after every batch, so a spike that rises and falls
    // between two status lines is still reported (a reading every 10 s
    // missed them all).
    const auto r = client.Get("/metrics");
    const std::string m = r ? r->body : "";
    int smoothed = 0;
    for (std::size_t at = 0; (at = m.find("\ndemo_cpu_percent:", at)) != std::string::npos; ++at) {
      const auto end = m.find('\n', at + 1);
      const std::string line = m.substr(at + 1, end - at - 1);
      if (line.rfind("demo_cpu_percent:smooth{", 0) == 0) ++smoothed;
      if (line.rfind("demo_cpu_percent:anomaly_score{", 0) == 0) {
        const auto host_at = line.find("host=\"") + 6;
        const std::string host = line.substr(host_at, line.find('"', host_at) - host_at);
        const double score = std::stod(line.substr(line.rfind(' ', line.rfind(' ') - 1) + 1));
        if (score >= kDemoAnomalous) peaks[host] = std::max(peaks[host], score);
      }
    }
    if (tick % 50 == 49) {
      std::string seen;
      for (const auto& [host, peak] : peaks)
        seen += (seen.empty() ? " (" : ", ") + host + " peaked at " + std::to_string(peak).substr(0, 5);
      std::fprintf(stderr,
                   "faltungd: demo: %ld samples sent, %d smoothed series; in the last 10 s %zu scored as "
                   "anomalous%s (curl http://127.0.0.1:%d/metrics)\n",
                   6 * (tick + 1), smoothed, peaks.size(), seen.empty() ? "" : (seen + ")").c_str(), port);
      peaks.clear();
    }
    std::this_thread::sleep_until(start + std::chrono::milliseconds(200 * (tick + 1)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"faltungd: smooths and watches live metrics (Prometheus remote write in, /metrics out)"};
  std::string config_path, listen = "127.0.0.1:9464";
  app.add_option("--config", config_path, "the YAML configuration (default: the embedded example)");
  app.add_option("--listen", listen, "host:port to serve on")->capture_default_str();
  faltungd::ServerOptions options;
  app.add_option("--state-dir", options.state_dir, "write-ahead log and checkpoints")->capture_default_str();
  app.add_option("--checkpoint-interval", options.checkpoint_seconds, "seconds between checkpoints")
      ->capture_default_str();
  std::string port_file;
  app.add_option("--port-file", port_file, "write the port listened on to this file (with --listen host:0)");
  bool demo = false;
  app.add_flag("--demo", demo,
               "feed itself a few synthetic series (a daily cycle, noise, a spike, a level shift) "
               "so /metrics shows smoothed values and anomaly scores");
  bool check = false;
  app.add_flag("--check-config", check, "load and check the configuration, then exit");
  CLI11_PARSE(app, argc, argv);
  try {
    const faltungd::Config config = config_path.empty() ? faltungd::parse_config(kEmbeddedConfig, "(embedded)")
                                                        : faltungd::load_config(config_path);
    if (check) {
      std::printf("%s: %zu kernels, %zu pipelines: OK\n", config_path.empty() ? "(embedded)" : config_path.c_str(),
                  config.kernels.size(), config.pipelines.size());
      return 0;
    }
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--listen wants host:port, got '" + listen + "'");
    options.config_path = config_path;
    // Signals are blocked here (before any thread starts, so every thread
    // inherits the mask) and taken by one thread with sigwait: SIGHUP
    // reloads, SIGINT and SIGTERM stop. (A handler could not safely take
    // the locks a reload or a stop needs.)
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&signals, sig);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    faltungd::Server server(config, config.server.limits, options);
    const int port = server.bind(listen.substr(0, colon), std::stoi(listen.substr(colon + 1)));
    if (!port_file.empty()) {
      faltung::files::replace_file(port_file, std::to_string(port) + "\n", /*sync=*/false);  // whole, or not there
    }
    std::fprintf(stderr, "faltungd: %zu pipelines, listening on %s:%d (POST /api/v1/write, GET /metrics)\n",
                 config.pipelines.size(), listen.substr(0, colon).c_str(), port);
    // Serving starts at once (/-/ready says 503 until recovery is done).
    std::atomic<bool> serving_done{false};
    std::thread serving([&] {
      server.run();
      serving_done = true;
    });
    // Stops the server (its senders too, even if serving ended by itself).
    // cpp-httplib drops a stop that comes before it has begun to listen (a
    // signal or a recovery error right at the start): stop again until
    // serving has ended.
    auto stop_serving = [&] {
      server.stop();
      while (!serving_done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        server.stop();
      }
    };
    std::thread signal_taker([&] {
      int sig = 0;
      while (sigwait(&signals, &sig) == 0) {
        if (sig != SIGHUP) {
          stop_serving();
          return;
        }
        try {
          std::fprintf(stderr, "faltungd: SIGHUP: %s\n", server.reload_from_file().c_str());
        } catch (const std::exception& e) {
          std::fprintf(stderr, "faltungd: SIGHUP: reload refused, the running configuration stays: %s\n", e.what());
        }
      }
    });
    // Both threads are joined on every way out: one left joinable when an
    // exception unwinds aborts the process, and a signal thread still
    // inside server.stop() while `server` is destroyed is a use after free.
    // The signal thread is woken with a SIGTERM of its own (it stops the
    // server again, which does nothing the second time).
    std::thread demo_feed;
    auto stop_and_join = [&] {
      stop_serving();
      if (serving.joinable()) serving.join();
      // not to end the thread: sigwait() takes this SIGTERM and returns
      pthread_kill(signal_taker.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
      signal_taker.join();
      demo_stop = true;
      if (demo_feed.joinable()) demo_feed.join();
    };
    try {
      std::fprintf(stderr, "faltungd: recovered from %s: %s\n", options.state_dir.c_str(), server.recover().c_str());
      if (demo) demo_feed = std::thread([&] { feed_demo(port, server); });
      serving.join();
    } catch (...) {
      stop_and_join();
      throw;
    }
    stop_and_join();
    server.checkpoint_now();  // a clean stop leaves a fresh checkpoint
    std::fprintf(stderr, "faltungd: stopped\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faltungd: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
