// Slow and idle clients cannot stop faltungd (the real binary, tokens on):
// with 500 idle sockets and 50 connections dripping a header a byte at a
// time, /-/healthy, /-/ready and /metrics answer within a second; the slow
// ones are cut at the configured request deadline; at the connection cap
// the longest-idle connection makes room for a new one. (cpp-httplib's
// 8-thread pool let 8 drippers or 500 idle sockets time health checks out.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "loopback.hpp"

namespace faltungd {
namespace {

using Clock = std::chrono::steady_clock;

std::string config(int max_connections, double request_timeout) {
  return "pipelines:\n"
         "  - name: p\n"
         "    select: 'load'\n"
         "    stages:\n"
         "      - detect: {}\n"
         "server:\n"
         "  write_auth: {bearer_token: write-secret-0123456789}\n"
         "  admin_auth: {bearer_token: admin-secret-0123456789}\n"
         "  connections: {max: " +
         std::to_string(max_connections) + ", idle_timeout: 60, request_timeout: " + std::to_string(request_timeout) +
         "}\n";
}

// A connected TCP socket to 127.0.0.1:port (-1 on failure).
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the peer has closed the socket: after whatever it sent last (a
// 400 for headers cut short), the end of the stream or a reset.
bool closed_by_peer(int fd) {
  char bytes[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, bytes, sizeof bytes, MSG_DONTWAIT);
    if (n > 0) continue;
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }
}

struct Answer {
  int status = -1;
  double seconds = 0;
  std::string body;
};

Answer get(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  c.set_read_timeout(2);
  const auto start = Clock::now();
  const auto r = c.Get(path.c_str());
  Answer a;
  a.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (r) {
    a.status = r->status;
    a.body = r->body;
  }
  return a;
}

TEST(Connections, HealthAnswersWithinASecondUnderAnIdleAndSlowFlood) {
  const auto dir = temp_dir("flood");
  std::filesystem::create_directories(dir);
  const double request_timeout = 3;
  std::ofstream(dir + "/faltungd.yml") << config(1024, request_timeout);
  const Child faltungd = spawn(dir);
  ASSERT_GT(faltungd.port, 0) << read_file(dir + "/faltungd.log");
  for (int i = 0; i < 500 && get(faltungd.port, "/-/ready").status != 200; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  std::vector<int> idle, slow;
  for (int i = 0; i < 500; ++i) idle.push_back(connect_to(faltungd.port));
  for (int i = 0; i < 50; ++i) slow.push_back(connect_to(faltungd.port));
  for (const int fd : idle) ASSERT_GE(fd, 0);
  for (const int fd : slow) ASSERT_GE(fd, 0);
  const auto slow_started = Clock::now();
  // The drippers: a request line, then a header a byte every 100 ms.
  std::atomic<bool> dripping{true};
  std::thread drip([&] {
    const std::string request = "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (const int fd : slow) ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    while (dripping) {
      for (const int fd : slow) ::send(fd, "a", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // Health, readiness and metrics answer within a second, again and again,
  // while the flood lasts.
  for (int round = 0; round < 6; ++round) {
    for (const char* path : {"/-/healthy", "/-/ready", "/metrics"}) {
      const Answer a = get(faltungd.port, path);
      EXPECT_EQ(a.status, 200) << path << " in round " << round;
      EXPECT_LT(a.seconds, 1.0) << path << " in round " << round;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  // The drippers are cut at the request deadline (with a second's grace);
  // the idle sockets are still open (their timeout is a minute).
  std::size_t cut = 0;
  while (Clock::now() < slow_started + std::chrono::duration<double>(request_timeout + 1)) {
    cut = 0;
    for (const int fd : slow) cut += closed_by_peer(fd) ? 1 : 0;
    if (cut == slow.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(cut, slow.size()) << "slow connections cut by the deadline";
  EXPECT_GT(std::chrono::duration<double>(Clock::now() - slow_started).count(), request_timeout - 0.5)
      << "not before it";
  dripping = false;
  drip.join();
  std::size_t idle_open = 0;
  for (const int fd : idle) idle_open += closed_by_peer(fd) ? 0 : 1;
  EXPECT_EQ(idle_open, idle.size());
  const std::string metrics = get(faltungd.port, "/metrics").body;
  EXPECT_NE(metrics.find("faltungd_connections_closed_total{reason=\"request_deadline\"} 50\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("faltungd_connections{state=\"idle\"} 500\n"), std::string::npos) << metrics;

  for (const int fd : idle) ::close(fd);
  for (const int fd : slow) ::close(fd);
  // A stop with connections open ends promptly.
  std::vector<int> more;
  for (int i = 0; i < 100; ++i) more.push_back(connect_to(faltungd.port));
  ::kill(faltungd.pid, SIGTERM);
  EXPECT_EQ(wait_exit(faltungd.pid, 5), 0) << read_file(dir + "/faltungd.log");
  for (const int fd : more) ::close(fd);
  std::filesystem::remove_all(dir);
}

TEST(Connections, AtTheCapTheLongestIdleMakesRoom) {
  const auto dir = temp_dir("cap");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/faltungd.yml") << config(16, 30);
  const Child faltungd = spawn(dir);
  ASSERT_GT(faltungd.port, 0) << read_file(dir + "/faltungd.log");
  // 40 idle connections at a cap of 16: each past the 16th closes the
  // longest-idle one (connections are admitted by their own threads, so
  // which ones is up to the scheduler; how many is not).
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) idle.push_back(connect_to(faltungd.port));
  const auto closed_count = [&] {
    std::size_t closed = 0;
    for (const int fd : idle) closed += closed_by_peer(fd) ? 1 : 0;
    return closed;
  };
  for (int i = 0; i < 200 && closed_count() < 24; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(closed_count(), 24u);
  // and a health check gets in at once, as one more
  const Answer a = get(faltungd.port, "/-/healthy");
  EXPECT_EQ(a.status, 200);
  EXPECT_LT(a.seconds, 1.0);
  const std::string metrics = get(faltungd.port, "/metrics").body;
  const std::string evicted = "faltungd_connections_closed_total{reason=\"evicted\"} ";
  const auto evicted_at = metrics.find(evicted);
  ASSERT_NE(evicted_at, std::string::npos) << metrics;
  EXPECT_GE(std::stoi(metrics.substr(evicted_at + evicted.size())), 25) << metrics;
  EXPECT_NE(metrics.find("faltungd_connections_total{result=\"refused\"} 0\n"), std::string::npos) << metrics;
  for (const int fd : idle) ::close(fd);
  ::kill(faltungd.pid, SIGTERM);
  EXPECT_EQ(wait_exit(faltungd.pid, 5), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
