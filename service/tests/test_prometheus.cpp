// With the real peers, Debian's Prometheus and Alertmanager started on
// loopback. A Prometheus scrapes a deterministic test target and
// remote-writes to faltungd; faltungd remote-writes its outputs into a
// second Prometheus (--web.enable-remote-write-receiver), and the first
// also scrapes faltungd's /metrics: in both, a PromQL query finds the
// smoothed series equal to the library's batch result over the very samples
// the first holds for the input. Alertmanager receives faltungd's alert,
// shows it active, and lets it go once faltungd resolves it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <thread>

#include "loopback.hpp"
#include "faltung/convolve.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Runs `f` when the scope ends, however it ends (an ASSERT returns early).
struct Finally {
  std::function<void()> f;
  ~Finally() { f(); }
};

pid_t start(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    freopen(log.c_str(), "w", stderr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

TEST(Prometheus, SmoothsWhatARealPrometheusSends) {
  const std::string dir = (fs::temp_directory_path() / ("faltungd-prom-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);

  // the target: a gauge whose every scrape shows the next value of a fixed sequence
  std::atomic<int> scrapes{0};
  httplib::Server target;
  target.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    const int n = scrapes++;
    res.set_content(
        "# TYPE e2e_value gauge\ne2e_value{series=\"a\"} " + std::to_string((n * 37) % 11 + 0.25 * n) + "\n",
        "text/plain; version=0.0.4");
  });
  const int target_port = target.bind_to_any_port("127.0.0.1");
  std::thread targeting([&] { target.listen_after_bind(); });
  Finally stop_target{[&] {
    target.stop();
    targeting.join();
  }};

  // the second Prometheus, which takes faltungd's remote write
  const int store_port = free_port();
  std::ofstream(dir + "/store.yml") << "global: {}\n";
  const pid_t store =
      start({"prometheus", "--config.file=" + dir + "/store.yml", "--storage.tsdb.path=" + dir + "/store",
             "--web.listen-address=127.0.0.1:" + std::to_string(store_port), "--web.enable-remote-write-receiver"},
            dir + "/store.log");
  Finally stop_store{[&] {
    ::kill(store, SIGTERM);
    ::waitpid(store, nullptr, 0);
  }};

  Loopback faltungd(parse_config(R"yaml(kernels:
  box3: "box:width=3"
pipelines:
  - name: smooth
    select: 'e2e_value'
    stages: [{filter: box3}]
remote_write:
  - url: http://127.0.0.1:)yaml" + std::to_string(store_port) +
                                     R"yaml(/api/v1/write
    name: store
    queue_config: {min_backoff: 0.05, max_backoff: 0.5}
)yaml",
                                 "t.yml"),
                    test_options(dir + "/faltungd"));
  const int faltungd_port = faltungd.port();

  const int prom_port = free_port();
  std::ofstream(dir + "/prometheus.yml") << "global: {scrape_interval: 1s}\n"
                                            "remote_write:\n"
                                            "  - url: http://127.0.0.1:"
                                         << faltungd_port
                                         << "/api/v1/write\n"
                                            "    queue_config: {batch_send_deadline: 200ms, min_backoff: 50ms}\n"
                                            "scrape_configs:\n"
                                            "  - job_name: target\n"
                                            "    static_configs: [{targets: ['127.0.0.1:"
                                         << target_port
                                         << "']}]\n"
                                            "  - job_name: faltungd\n"
                                            "    honor_labels: true\n"
                                            "    static_configs: [{targets: ['127.0.0.1:"
                                         << faltungd_port << "']}]\n";
  const pid_t prometheus = ::fork();
  if (prometheus == 0) {
    freopen((dir + "/prometheus.log").c_str(), "w", stderr);
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(prom_port);
    const std::string config = "--config.file=" + dir + "/prometheus.yml";
    const std::string storage = "--storage.tsdb.path=" + dir + "/tsdb";
    ::execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  Finally stop_prometheus{[&] {
    ::kill(prometheus, SIGTERM);
    ::waitpid(prometheus, nullptr, 0);
  }};
  httplib::Client prom("127.0.0.1", prom_port), store_client("127.0.0.1", store_port);
  auto query = [&](httplib::Client& c, const std::string& q) {
    auto r = c.Get("/api/v1/query", httplib::Params{{"query", q}}, httplib::Headers{});
    return r && r->status == 200 ? nlohmann::json::parse(r->body)["data"]["result"] : nlohmann::json::array();
  };
  // Wait until both hold at least 8 smoothed samples: the first by
  // scraping faltungd, the second by faltungd's remote write.
  nlohmann::json scraped, received;
  for (int i = 0; i < 600; ++i) {
    scraped = query(prom, "e2e_value:smooth[5m]");
    received = query(store_client, "e2e_value:smooth[5m]");
    if (!scraped.empty() && scraped[0]["values"].size() >= 8 && !received.empty() && received[0]["values"].size() >= 8)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(scraped.empty()) << "no smoothed series scraped; see " << dir << "/prometheus.log";
  ASSERT_FALSE(received.empty()) << "no smoothed series remote-written; see " << dir << "/store.log";
  const auto raw = query(prom, "e2e_value[5m]");
  ASSERT_FALSE(raw.empty());
  for (const auto* smoothed : {&scraped, &received}) {
    EXPECT_EQ((*smoothed)[0]["metric"]["pipeline"], "smooth");
    EXPECT_EQ((*smoothed)[0]["metric"]["series"], "a");
  }

  // the batch answer over the raw samples (nothing before the first): box 3, nan=ignore
  std::vector<double> x(2, std::numeric_limits<double>::quiet_NaN());
  std::vector<std::int64_t> times;
  for (const auto& v : raw[0]["values"]) {
    times.push_back(static_cast<std::int64_t>(std::llround(v[0].get<double>() * 1000)));
    x.push_back(std::stod(v[1].get<std::string>()));
  }
  faltung::Options opts;
  opts.nan = faltung::NanPolicy::ignore;
  const auto want = faltung::convolve(faltung::Array<double>{{static_cast<std::int64_t>(x.size())}, x},
                                      faltung::Array<double>{{3}, std::vector<double>(3, 1.0 / 3)}, opts)
                        .data;
  for (const auto* smoothed : {&scraped, &received}) {
    int compared = 0;
    for (const auto& v : (*smoothed)[0]["values"]) {
      const auto ts = static_cast<std::int64_t>(std::llround(v[0].get<double>() * 1000));
      const auto at = std::find(times.begin(), times.end(), ts);
      ASSERT_NE(at, times.end()) << "a smoothed sample at " << ts << " without an input sample";
      const std::size_t i = static_cast<std::size_t>(at - times.begin()) + 2;
      EXPECT_NEAR(std::stod(v[1].get<std::string>()), want[i], 1e-9 * (1 + std::abs(want[i]))) << "at " << ts;
      ++compared;
    }
    EXPECT_GE(compared, 8) << (smoothed == &scraped ? "scraped" : "remote-written");
  }

  if (!HasFailure()) fs::remove_all(dir);
}

TEST(Alertmanager, ReceivesTheAlertAndItsResolution) {
  const std::string dir = (fs::temp_directory_path() / ("faltungd-am-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/alertmanager.yml")
      << "route: {receiver: nobody, group_wait: 0s}\nreceivers: [{name: nobody}]\n";
  const int am_port = free_port();
  const pid_t am =
      start({"prometheus-alertmanager", "--config.file=" + dir + "/alertmanager.yml", "--storage.path=" + dir + "/am",
             "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
            dir + "/alertmanager.log");
  Finally stop_am{[&] {
    ::kill(am, SIGTERM);
    ::waitpid(am, nullptr, 0);
  }};
  httplib::Client amc("127.0.0.1", am_port);
  auto alerts = [&] {
    auto r = amc.Get("/api/v2/alerts");
    return r && r->status == 200 ? nlohmann::json::parse(r->body) : nlohmann::json::array();
  };
  for (int i = 0; i < 200; ++i) {
    auto r = amc.Get("/-/ready");
    if (r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  Loopback faltungd(parse_config(latency_alert_config("http://127.0.0.1:" + std::to_string(am_port), 0.2,
                                                      "latency of {{ $labels.host }} is unusual"),
                                 "t.yml"),
                    test_options(dir + "/faltungd"));
  httplib::Client c("127.0.0.1", faltungd.port());
  auto send = [&](int t, double v) { send_latency(c, t, v); };
  int t = 1;
  for (; t <= 300; ++t) send(t, 10 + 0.1 * std::sin(t));
  for (; t <= 306; ++t) send(t, 40);
  nlohmann::json active;
  for (int i = 0; i < 100 && active.empty(); ++i) {
    for (const auto& a : alerts())
      if (a["labels"]["alertname"] == "LatencyAnomaly") active = a;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(active.empty()) << "no alert in Alertmanager; see " << dir;
  EXPECT_EQ(active["status"]["state"], "active");
  EXPECT_EQ(active["labels"]["host"], "web-1");
  EXPECT_EQ(active["labels"]["severity"], "page");
  EXPECT_EQ(active["annotations"]["summary"], "latency of web-1 is unusual");

  // the level holds: the detector learns it, the alert clears, Alertmanager lets it go
  for (; t <= 340; ++t) send(t, 40 + 0.1 * std::sin(t));
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = true;
    for (const auto& a : alerts())
      if (a["labels"]["alertname"] == "LatencyAnomaly") gone = false;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone) << "the resolved alert is still active in Alertmanager";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
