// Hostile and odd requests, decided on the headers before a byte of the
// body is read: without credentials a gzip bomb or an endless chunked body
// gets 401 at once and costs no memory; with them, encodings and types
// remote write 1.0 does not use get 415 (before any inflation), a chunked
// body 411, a declared length over the limit 413. The Authorization
// scheme's name is case-insensitive (RFC 7235).
#include <gtest/gtest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <snappy.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../src/request_gate.hpp"
#include "loopback.hpp"
#include "stand_ins.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

const std::string kToken = "0123456789abcdef-write";
const std::string kConfig = R"yaml(pipelines:
  - name: p
    select: 'load'
    stages:
      - detect: {}
server:
  write_auth: {bearer_token: )yaml" +
                            kToken + "}\n";

// `megabytes` of zeros, gzip-compressed a chunk at a time (the test never
// holds the inflated size: what the server would make of it is the point).
std::string gzip_bomb(int megabytes) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string zeros(1 << 20, '\0'), out;
  char buffer[1 << 16];
  for (int i = 0; i <= megabytes; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = i < megabytes ? static_cast<uInt>(zeros.size()) : 0;
    const int flush = i < megabytes ? Z_NO_FLUSH : Z_FINISH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, flush);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Sends raw bytes on a new connection and returns what comes back first
// (the status line and headers), reading at most `seconds`.
std::string raw_exchange(int port, const std::string& head, const std::string& body, double seconds = 2) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "no connection";
  timeval tv{static_cast<time_t>(seconds), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  (void)!::send(fd, body.data(), body.size(), MSG_NOSIGNAL);
  char reply[4096];
  const ssize_t n = ::recv(fd, reply, sizeof reply, 0);
  ::close(fd);
  return n > 0 ? std::string(reply, static_cast<std::size_t>(n)) : "";
}

TEST(RequestGate, BombsWithoutCredentialsGet401AtOnceAndCostNothing) {
  const auto dir = temp_dir("gate");
  Loopback faltungd(parse_config(kConfig, "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  const std::string bomb = gzip_bomb(512);  // 512 MiB of zeros in about half a megabyte
  const long before = peak_rss_mb();
  const auto start = std::chrono::steady_clock::now();
  auto r = c.Post("/api/v1/write", {{"Content-Encoding", "gzip"}}, bomb, "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
  // with the token the encoding is refused, still without inflating
  r = c.Post("/api/v1/write", {{"Content-Encoding", "gzip"}, {"Authorization", "Bearer " + kToken}}, bomb,
             "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_NE(r->body.find("Content-Encoding must be snappy"), std::string::npos) << r->body;
  EXPECT_LT(peak_rss_mb() - before, 100) << "the body was inflated";

  // a chunked body that would never end: 401 on the headers, then the connection closes
  const std::string chunked_head =
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
      "Content-Encoding: snappy\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunk = "100000\r\n" + std::string(0x100000, 'a') + "\r\n";
  EXPECT_EQ(raw_exchange(faltungd.port(), chunked_head, chunk).rfind("HTTP/1.1 401", 0), 0u);
  const std::string authorized_head =
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
      "Content-Encoding: snappy\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer " +
      kToken + "\r\n\r\n";
  EXPECT_EQ(raw_exchange(faltungd.port(), authorized_head, chunk).rfind("HTTP/1.1 411", 0), 0u);
  EXPECT_LT(peak_rss_mb() - before, 100);

  // and the service goes on serving
  EXPECT_EQ(c.Get("/-/healthy")->status, 200);
  const auto body = encode_remote_write({{{{"__name__", "load"}, {"host", "h"}}, {{1000, 1.0}}}});
  r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}, {"Authorization", "bearer " + kToken}}, body,
             "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << "the scheme name is case-insensitive: " << r->body;
  fs::remove_all(dir);
}

TEST(RequestGate, FutureAndNonPositiveTimestampsAreRefusedAndTheSeriesGoesOn) {
  const auto dir = temp_dir("future");
  Loopback faltungd(parse_config(kConfig, "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto send = [&](std::int64_t ts) {
    const auto body = encode_remote_write({{{{"__name__", "load"}, {"host", "h"}}, {{ts, 1.0}}}});
    return c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}, {"Authorization", "Bearer " + kToken}}, body,
                  "application/x-protobuf");
  };
  auto r = send(std::numeric_limits<std::int64_t>::max());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("series load{host=\"h\"}: sample timestamp"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("ahead of the clock (at most 600 s)"), std::string::npos) << r->body;
  EXPECT_EQ(send(now + 10'000'000'000'000)->status, 400);
  EXPECT_EQ(send(0)->status, 400);
  EXPECT_NE(send(-5)->body.find("is not after 1970"), std::string::npos);
  // the series takes its real samples, a few minutes of clock skew included
  EXPECT_EQ(send(now - 60'000)->status, 204);
  EXPECT_EQ(send(now)->status, 204);
  EXPECT_EQ(send(now + 5 * 60'000)->status, 204);
  fs::remove_all(dir);
}

long resident_mb() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE) / (1 << 20);
}

TEST(RequestGate, LargeDecodeBuffersAreGivenBack) {
  // 12 senders at once, with the token, each a snappy block of 63 MiB of
  // zeros (refused: not a WriteRequest): the server threads' decode buffers
  // are released afterwards, so resident memory returns near where it was
  // (it stayed 1.2 GB higher before)
  const auto dir = temp_dir("buffers");
  Loopback faltungd(parse_config(kConfig, "t.yml"), test_options(dir));
  std::string body;
  {
    const std::string zeros(63 << 20, '\0');
    snappy::Compress(zeros.data(), zeros.size(), &body);
  }
  const long before = resident_mb();
  std::vector<std::thread> senders;
  std::atomic<int> refused{0};
  for (int i = 0; i < 12; ++i)
    senders.emplace_back([&] {
      httplib::Client c("127.0.0.1", faltungd.port());
      c.set_read_timeout(20, 0);
      auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}, {"Authorization", "Bearer " + kToken}}, body,
                      "application/x-protobuf");
      if (r && (r->status == 400 || r->status == 503)) ++refused;
    });
  for (auto& t : senders) t.join();
  EXPECT_EQ(refused.load(), 12);
  EXPECT_LT(resident_mb() - before, 100) << "decode buffers kept after the requests";
  fs::remove_all(dir);
}

TEST(RequestGate, TypesAndLengthsOnTheHeaders) {
  EXPECT_TRUE(is_remote_write_1_type("application/x-protobuf"));
  EXPECT_TRUE(is_remote_write_1_type("Application/X-Protobuf ; proto=prometheus.WriteRequest"));
  EXPECT_FALSE(is_remote_write_1_type("application/x-protobuf;proto=io.prometheus.write.v2.Request"));
  EXPECT_FALSE(is_remote_write_1_type("application/x-protobufXYZ"));
  EXPECT_FALSE(is_remote_write_1_type("text/plain"));
  const std::string type = "application/x-protobuf";
  EXPECT_FALSE(refuse_write_headers(type, "snappy", "", 100, 1000));
  EXPECT_EQ(refuse_write_headers(type, "br", "", 100, 1000)->status, 415);
  EXPECT_EQ(refuse_write_headers(type, "", "", 100, 1000)->status, 415);
  EXPECT_EQ(refuse_write_headers(type + ";proto=io.prometheus.write.v2.Request", "snappy", "", 100, 1000)->status, 415);
  EXPECT_EQ(refuse_write_headers(type, "snappy", "chunked", std::nullopt, 1000)->status, 411);
  EXPECT_EQ(refuse_write_headers(type, "snappy", "", std::nullopt, 1000)->status, 411);
  const auto big = refuse_write_headers(type, "snappy", "", 1001, 1000);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->reply.find("1001 bytes is over the limit of 1000"), std::string::npos) << big->reply;
}

}  // namespace
}  // namespace faltungd
