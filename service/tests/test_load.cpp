// A bounded load on the real binary: eight senders, thousands of series,
// requests as fast as they go, for a few seconds. faltungd answers every
// request (204, or 503 with Retry-After when more are in flight than it
// takes), its memory stays bounded, and it is healthy afterwards.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../src/remote_write.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = -1;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      break;
    }
    status.ignore(1 << 12, '\n');
  }
  return value;
}

TEST(Load, ManySendersManySeriesBoundedMemory) {
  const std::string dir = (fs::temp_directory_path() / ("faltungd-load-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir + "/f.yml") << "kernels:\n  smooth15: \"gaussian:sigma=2.5,radius=7\"\npipelines:\n"
                                   "  - name: smooth\n    select: '{__name__=~\"load_.*\"}'\n"
                                   "    stages: [{filter: smooth15}, {detect: {kind: multiscale}}]\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    freopen((dir + "/faltungd.log").c_str(), "w", stderr);
    ::execl(FALTUNGD_BINARY, FALTUNGD_BINARY, "--config", (dir + "/f.yml").c_str(), "--state-dir",
            (dir + "/state").c_str(), "--listen", "127.0.0.1:0", "--port-file", (dir + "/port").c_str(),
            "--checkpoint-interval", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 2000 && !fs::exists(dir + "/port"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int port = 0;
  std::ifstream(dir + "/port") >> port;
  ASSERT_GT(port, 0);

  constexpr int kSenders = 8, kSeries = 2500;  // 20,000 series in all
  std::atomic<long> ok{0}, busy{0}, other{0}, peak_kib{0};
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      peak_kib = std::max(peak_kib.load(), resident_kib(pid));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::vector<std::thread> senders;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  for (int s = 0; s < kSenders; ++s)
    senders.emplace_back([&, s] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(10, 0);
      for (std::int64_t t = 1; std::chrono::steady_clock::now() < until; ++t) {
        std::vector<SeriesSamples> batch;
        for (int k = 0; k < kSeries; ++k)
          batch.push_back({{{"__name__", "load_metric"}, {"sender", std::to_string(s)}, {"series", std::to_string(k)}},
                           {{1000 * t, static_cast<double>((k * 31 + t) % 97)}}});
        auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, encode_remote_write(batch),
                        "application/x-protobuf");
        if (r && r->status == 204)
          ++ok;
        else if (r && r->status == 503 && !r->get_header_value("Retry-After").empty())
          ++busy, --t;  // retry it
        else
          ++other;
      }
    });
  for (auto& t : senders) t.join();
  done = true;
  watcher.join();
  httplib::Client c("127.0.0.1", port);
  auto health = c.Get("/-/healthy");
  const std::string metrics = c.Get("/metrics")->body;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::printf("%ld requests applied, %ld answered 503, peak resident %ld MiB\n", ok.load(), busy.load(),
              peak_kib.load() / 1024);
  EXPECT_EQ(other, 0) << "every request gets 204 or 503 with Retry-After";
  EXPECT_GT(ok, 8);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(metrics.find("faltungd_active_series{pipeline=\"smooth\"} 20000"), std::string::npos);
  // 20,000 series (about 2.5 kB each with a detector), at most 8 decoded
  // requests in flight, and per worker thread its reused decode buffers and
  // malloc arena: measured about 210 MiB; far from growing until killed.
  EXPECT_LT(peak_kib, 512 * 1024);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
