// kill -9 at random moments (mid-request, mid-checkpoint, mid-recovery,
// mid-send) under a deterministic load, 20 times and more: the sender
// retries what was not acknowledged, as Prometheus does. At the end
// everything faltungd put out equals an uninterrupted run's: the newest
// values on /metrics, every output sample a remote-write receiver got (none
// missing, none with another value), and the alert transitions Alertmanager
// saw (each alert's start, and its end if it resolved).
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "child_process.hpp"
#include "loopback.hpp"
#include "metrics_lines.hpp"
#include "stand_ins.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

std::string config(const FakeReceiver& receiver, const FakeAlertmanager& am) {
  return R"yaml(kernels:
  smooth5: "box:width=5"
  smooth9: "gaussian:sigma=2,radius=4"
pipelines:
  - name: smooth
    select: '{__name__=~"cpu|mem"}'
    stages:
      - filter: smooth5
      - filter: smooth9
      - detect: {kind: multiscale, widths: [4, 8], warmup: 10}
    alert: {name: Unusual}
alerting:
  alertmanagers: [")yaml" +
         am.url() + R"yaml("]
  resend_interval: 0.05
remote_write:
  - url: )yaml" +
         receiver.url() + R"yaml(
    queue_config: {max_samples_per_send: 200, min_backoff: 0.005, max_backoff: 0.05}
)yaml";
}

// The alert transitions Alertmanager was told of: (labels, start) -> the end
// if it resolved, "firing" if not. Sample times are in 1970, so an end
// before now is a resolution (a firing alert's end is ahead of now).
std::map<std::string, std::string> transitions(const std::vector<nlohmann::json>& posted) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now - std::chrono::hours(24));
  char yesterday[32];
  std::strftime(yesterday, sizeof yesterday, "%Y-%m-%dT%H:%M:%S", std::gmtime(&t));
  std::map<std::string, std::string> out;
  for (const auto& a : posted) {
    const std::string key = a["labels"].dump() + " from " + a["startsAt"].get<std::string>();
    const std::string ends = a["endsAt"].get<std::string>();
    if (ends < yesterday)
      out[key] = ends;
    else
      out.emplace(key, "firing");
  }
  return out;
}

// Everything the run put out, once the receiver and Alertmanager have it all.
struct Outputs {
  std::string metrics;
  FakeReceiver::Samples samples;
  std::map<std::string, std::string> alerts;
};

// The text after `prefix` up to the line's end on /metrics ("" if absent).
std::string metric_line_rest(const std::string& metrics, const std::string& prefix) {
  const auto at = metrics.find(prefix);
  if (at == std::string::npos) return "";
  return metrics.substr(at + prefix.size(), metrics.find('\n', at) - at - prefix.size());
}

Outputs collect(httplib::Client& client, FakeReceiver& receiver, FakeAlertmanager& am) {
  const bool drained = wait_for(
      [&] {
        auto r = client.Get("/metrics");
        return r && metric_line_rest(r->body, "faltungd_remote_write_pending_samples{remote=\"127.0.0.1_") ==
                        std::to_string(receiver.port()) + "\"} 0";
      },
      20);
  EXPECT_TRUE(drained) << "the remote-write queue did not drain";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few alert rounds
  return {outputs(client.Get("/metrics")->body), receiver.samples(), transitions(am.posted())};
}

std::vector<std::string> load(int requests) {
  std::vector<std::string> bodies;
  for (int r = 0; r < requests; ++r) {
    std::vector<SeriesSamples> batch;
    for (int s = 0; s < 8; ++s)
      batch.push_back({{{"__name__", s % 2 ? "cpu" : "mem"}, {"host", "h" + std::to_string(s)}},
                       {{1000 * (r + 1), std::sin(0.2 * r + s) + (r % 97 == 50 && s == 3 ? 30.0 : 0.0)}}});
    bodies.push_back(encode_remote_write(batch));
  }
  return bodies;
}

fs::path newest_segment(const fs::path& dir) {
  fs::path newest;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().extension() == ".wal" && f.path().filename() > newest.filename()) newest = f.path();
  return newest;
}

TEST(CrashSafety, KillNineAtRandomMomentsLosesNothing) {
  const auto bodies = load(600);
  Outputs want;
  {
    FakeReceiver receiver;
    FakeAlertmanager am;
    const std::string dir = (fs::temp_directory_path() / ("faltungd-crash-ref-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    {
      Loopback faltungd(parse_config(config(receiver, am), "test.yml"), test_options(dir));
      httplib::Client client("127.0.0.1", faltungd.port());
      for (const auto& b : bodies)
        ASSERT_EQ(client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, b, "application/x-protobuf")->status,
                  204);
      want = collect(client, receiver, am);
    }
    fs::remove_all(dir);
  }
  std::size_t resolved = 0;
  for (const auto& [key, end] : want.alerts) resolved += end != "firing";
  ASSERT_GE(resolved, 2u) << "the load raises and clears alerts; " << want.alerts.size() << " transitions";
  ASSERT_EQ(want.samples.size(), 16u);  // 8 series: a value and a score each

  FakeReceiver receiver;
  FakeAlertmanager am;
  const std::string dir = (fs::temp_directory_path() / ("faltungd-crash-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/faltungd.yml") << config(receiver, am);
  std::mt19937 rng(20261126);
  std::size_t next = 0;  // the first request not acknowledged yet
  int kills = 0, retried = 0, kills_with_requests_in_flight = 0;
  int torn_lives = 0, full_disk_lives = 0, disk_full_refusals = 0;
  while (next < bodies.size() || kills < 20) {
    // Every fourth life starts after a torn write (half a record at the end
    // of the input log and of the queue, as a crash mid-write leaves them);
    // every seventh runs on a full disk.
    if (kills % 4 == 3) {
      ++torn_lives;
      for (const char* sub : {"/state/wal", "/state/outbox"})
        for (const auto& f : fs::recursive_directory_iterator(dir + sub))
          if (f.path().extension() == ".wal" && f.path() == newest_segment(f.path().parent_path()))
            std::ofstream(f.path(), std::ios::app | std::ios::binary) << std::string("\x30\x00\x00", 3);
    }
    std::uint64_t file_size_limit = 0;
    if (kills % 7 == 5) {
      ++full_disk_lives;
      // the input log takes a request or two more; the queue's segment,
      // larger, none (its records wait in memory)
      file_size_limit = fs::file_size(newest_segment(dir + "/state/wal")) + 1024;
    }
    Child child = spawn(dir, {file_size_limit, 0, {"--checkpoint-interval", "0.02"}});
    ASSERT_GT(child.port, 0) << "faltungd did not start";
    // the kill comes at a random moment: sometimes during recovery
    const int after_ms = std::uniform_int_distribution<int>(0, 12)(rng) + (file_size_limit ? 30 : 0);
    std::thread killer([&, pid = child.pid] {
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      ::kill(pid, SIGKILL);
    });
    httplib::Client client("127.0.0.1", child.port);
    client.set_connection_timeout(0, 200000);
    client.set_read_timeout(1, 0);
    while (next < bodies.size()) {
      auto r = client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, bodies[next], "application/x-protobuf");
      if (!r) {  // killed: retry this request on the next life
        ++retried;
        break;
      }
      if (r->status == 503) {  // recovering, or the disk is full: retry
        disk_full_refusals += r->body.find("could not be written") != std::string::npos;
        continue;
      }
      ASSERT_EQ(r->status, 204) << r->body;
      ++next;
    }
    killer.join();
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    ++kills;
    kills_with_requests_in_flight += next < bodies.size();
  }
  // one more life to read the outputs
  Child last = spawn(dir, {0, 0, {"--checkpoint-interval", "0.02"}});
  httplib::Client client("127.0.0.1", last.port);
  for (int i = 0; i < 500; ++i) {
    auto r = client.Get("/-/ready");
    if (r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const Outputs got = collect(client, receiver, am);
  ::kill(last.pid, SIGKILL);
  ::waitpid(last.pid, nullptr, 0);
  std::printf(
      "%d kills (%d while requests were being sent, %d requests cut off and retried, %d lives after a torn "
      "write, %d on a full disk: %d writes refused); %d output samples received twice (same value), %zu alert "
      "transitions\n",
      kills, kills_with_requests_in_flight, retried, torn_lives, full_disk_lives, disk_full_refusals,
      receiver.duplicates(), got.alerts.size());
  EXPECT_GE(kills, 20);
  EXPECT_GE(kills_with_requests_in_flight, 20);
  EXPECT_GT(disk_full_refusals, 0) << "the full disk was never met";
  EXPECT_EQ(got.metrics, want.metrics);
  EXPECT_EQ(receiver.conflicts(), 0) << "an output sample sent again with another value";
  EXPECT_EQ(got.samples.size(), want.samples.size());
  for (const auto& [name, samples] : want.samples) {
    const auto it = got.samples.find(name);
    ASSERT_TRUE(it != got.samples.end()) << name << " never arrived";
    EXPECT_EQ(it->second.size(), samples.size()) << name;
    for (const auto& [ts, v] : samples) {  // bit for bit (scores are NaN while the detector warms up)
      const auto at = it->second.find(ts);
      ASSERT_TRUE(at != it->second.end()) << name << " lost its sample at " << ts;
      ASSERT_EQ(std::memcmp(&at->second, &v, sizeof v), 0) << name << " at " << ts << ": " << at->second << " != " << v;
    }
  }
  EXPECT_EQ(got.alerts, want.alerts);
  std::ifstream log(dir + "/faltungd.log");
  const std::string said((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(said.find("recovered from"), std::string::npos);
  EXPECT_NE(said.find("cut the log"), std::string::npos) << "a torn tail was cut";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
