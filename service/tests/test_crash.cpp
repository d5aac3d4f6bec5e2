// kill -9 at random moments (mid-request, mid-checkpoint, mid-recovery)
// under a deterministic load, 20 times and more: the sender retries what was
// not acknowledged, as Prometheus does. At the end the outputs equal an
// uninterrupted run's: no acknowledged sample lost, none applied twice.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "loopback.hpp"
#include "metrics_lines.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

const char* kConfig = R"yaml(kernels:
  smooth5: "box:width=5"
  smooth9: "gaussian:sigma=2,radius=4"
pipelines:
  - name: smooth
    select: '{__name__=~"cpu|mem"}'
    stages:
      - filter: smooth5
      - filter: smooth9
      - detect: {kind: multiscale, widths: [4, 8], warmup: 10}
)yaml";

std::vector<std::string> load(int requests) {
  std::vector<std::string> bodies;
  for (int r = 0; r < requests; ++r) {
    std::vector<SeriesSamples> batch;
    for (int s = 0; s < 8; ++s)
      batch.push_back({{{"__name__", s % 2 ? "cpu" : "mem"}, {"host", "h" + std::to_string(s)}},
                       {{1000 * (r + 1), std::sin(0.2 * r + s) + (r % 97 == 50 && s == 3 ? 8.0 : 0.0)}}});
    bodies.push_back(encode_remote_write(batch));
  }
  return bodies;
}

struct Child {
  pid_t pid = -1;
  int port = 0;
};

Child spawn(const std::string& dir) {
  const std::string port_file = dir + "/port";
  fs::remove(port_file);
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    const std::string log = dir + "/faltungd.log";
    freopen(log.c_str(), "a", stderr);
    ::execl(FALTUNGD_BINARY, FALTUNGD_BINARY, "--config", (dir + "/faltungd.yml").c_str(), "--state-dir",
            (dir + "/state").c_str(), "--listen", "127.0.0.1:0", "--port-file", port_file.c_str(),
            "--checkpoint-interval", "0.02", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 2000 && !fs::exists(port_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::ifstream(port_file) >> c.port;
  return c;
}

TEST(CrashSafety, KillNineAtRandomMomentsLosesNothing) {
  const auto bodies = load(600);
  std::string want;
  {
    const std::string dir = (fs::temp_directory_path() / ("faltungd-crash-ref-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    {
      Loopback faltungd(parse_config(kConfig, "test.yml"), test_options(dir));
      httplib::Client client("127.0.0.1", faltungd.port());
      for (const auto& b : bodies)
        ASSERT_EQ(client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, b, "application/x-protobuf")->status,
                  204);
      want = outputs(client.Get("/metrics")->body);
    }
    fs::remove_all(dir);
  }

  const std::string dir = (fs::temp_directory_path() / ("faltungd-crash-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/faltungd.yml") << kConfig;
  std::mt19937 rng(20261126);
  std::size_t next = 0;  // the first request not acknowledged yet
  int kills = 0, retried = 0, kills_with_requests_in_flight = 0;
  while (next < bodies.size() || kills < 20) {
    Child child = spawn(dir);
    ASSERT_GT(child.port, 0) << "faltungd did not start";
    // the kill comes at a random moment: sometimes during recovery
    const int after_ms = std::uniform_int_distribution<int>(0, 12)(rng);
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
      if (r->status == 503) continue;  // recovering: retry
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
  Child last = spawn(dir);
  httplib::Client client("127.0.0.1", last.port);
  for (int i = 0; i < 500; ++i) {
    auto r = client.Get("/-/ready");
    if (r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string got = outputs(client.Get("/metrics")->body);
  ::kill(last.pid, SIGKILL);
  ::waitpid(last.pid, nullptr, 0);
  std::printf("%d kills (%d while requests were being sent, %d requests cut off and retried)\n", kills,
              kills_with_requests_in_flight, retried);
  EXPECT_GE(kills, 20);
  EXPECT_GE(kills_with_requests_in_flight, 20);
  EXPECT_EQ(got, want);
  std::ifstream log(dir + "/faltungd.log");
  const std::string said((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(said.find("recovered from"), std::string::npos);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
