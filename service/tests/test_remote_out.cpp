// Remote-write output: the hand-built WriteRequests decode (with the
// generated protobuf code) as the series and samples put in; the queue on
// disk batches, remembers the receiver's position across restarts, cuts a
// torn tail and drops its oldest records when full; and end to end every
// output sample reaches a receiver: retried through 5xx, 429 and outages,
// dropped only when the receiver refuses it for good, kept across a
// restart, never sent twice with another value.
#include <gtest/gtest.h>
#include <httplib.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "faltung/convolve.hpp"
#include "loopback.hpp"
#include "stand_ins.hpp"
#include "../src/remote_queue.hpp"
#include "../src/write_request_builder.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

std::vector<SeriesSamples> decode_uncompressed(const std::string& write_request) {
  std::string body;
  snappy::Compress(write_request.data(), write_request.size(), &body);
  return decode_remote_write(body, Limits{});
}

double stale() { return std::bit_cast<double>(kStaleNaNBits); }

TEST(WriteRequestBuilder, DecodesAsTheSeriesAndSamplesPutIn) {
  const Labels a{{"__name__", "cpu:smooth"}, {"host", std::string(300, 'h')}, {"pipeline", "p"}};
  const Labels b{{"__name__", "x"}};
  const auto la = encode_labels_field(a), lb = encode_labels_field(b);
  OutputBatch batch;
  batch.add(la, 1700000000123, 1.5);
  batch.add(lb, -5, -0.0);
  batch.add(la, 1700000000124, std::numeric_limits<double>::quiet_NaN());
  batch.add(lb, 0, std::numeric_limits<double>::infinity());
  batch.add(la, 1700000000125, stale());
  batch.add(lb, INT64_MAX, -std::numeric_limits<double>::signaling_NaN());
  EXPECT_EQ(batch.samples, 6);
  EXPECT_EQ(batch.min_ms, -5);
  EXPECT_EQ(batch.max_ms, INT64_MAX);
  const auto got = decode_uncompressed(batch.write_request);
  ASSERT_EQ(got.size(), 6u);  // one TimeSeries per sample, as Prometheus sends them
  const std::vector<std::pair<Labels, std::int64_t>> want{{a, 1700000000123}, {b, -5},       {a, 1700000000124}, {b, 0},
                                                          {a, 1700000000125}, {b, INT64_MAX}};
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].labels, want[i].first) << i;
    ASSERT_EQ(got[i].samples.size(), 1u);
    EXPECT_EQ(got[i].samples[0].timestamp_ms, want[i].second) << i;
  }
  EXPECT_EQ(got[0].samples[0].value, 1.5);
  EXPECT_TRUE(std::signbit(got[1].samples[0].value));
  EXPECT_TRUE(std::isnan(got[2].samples[0].value));
  EXPECT_FALSE(is_stale_marker(got[2].samples[0].value));
  EXPECT_EQ(got[3].samples[0].value, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(is_stale_marker(got[4].samples[0].value));
  EXPECT_FALSE(is_stale_marker(got[5].samples[0].value)) << "a computed NaN never reads as a stale marker";
}

// `records` records of `per` samples each; record r's samples are at
// timestamps 1000 r + i.
OutputBatch record(int r, int per) {
  static const auto labels = encode_labels_field({{"__name__", "q"}, {"i", "1"}});
  OutputBatch b;
  for (int i = 0; i < per; ++i) b.add(labels, 1000LL * r + i, r + 0.001 * i);
  return b;
}

TEST(RemoteQueue, BatchesAcknowledgesAndRemembersThePosition) {
  const auto dir = temp_dir("queue");
  {
    RemoteQueue q(dir, 64 << 20, true);
    EXPECT_EQ(q.recover().last_input_sequence, 0u);
    for (int r = 0; r < 10; ++r) q.append(100 + r, record(r, 100));
    q.append(200, OutputBatch{});  // nothing to queue
    EXPECT_EQ(q.stats().pending_samples, 1000);
    EXPECT_DOUBLE_EQ(q.stats().lag_seconds, 9.099);
    RemoteQueue::Batch batch;
    ASSERT_TRUE(q.next(250, batch, std::chrono::seconds(0)));
    EXPECT_EQ(batch.samples, 200) << "whole records, up to max_samples";
    const auto first = decode_remote_write(batch.body, Limits{});
    ASSERT_EQ(first.size(), 200u);
    EXPECT_EQ(first.front().samples[0].timestamp_ms, 0);
    EXPECT_EQ(first.back().samples[0].timestamp_ms, 1099);
    q.acknowledge(batch);
    EXPECT_EQ(q.stats().pending_samples, 800);
    ASSERT_TRUE(q.next(1, batch, std::chrono::seconds(0)));
    EXPECT_EQ(batch.samples, 100) << "at least one record";
    // not acknowledged: after a restart it comes again
  }
  RemoteQueue q(dir, 64 << 20, true);
  EXPECT_EQ(q.recover().last_input_sequence, 109u);
  EXPECT_EQ(q.stats().pending_samples, 800);
  RemoteQueue::Batch batch;
  ASSERT_TRUE(q.next(100000, batch, std::chrono::seconds(0)));
  EXPECT_EQ(batch.samples, 800);
  EXPECT_EQ(decode_remote_write(batch.body, Limits{}).front().samples[0].timestamp_ms, 2000);
  q.acknowledge(batch);
  EXPECT_FALSE(q.next(100000, batch, std::chrono::milliseconds(1)));
  EXPECT_EQ(q.stats().pending_samples, 0);
  EXPECT_EQ(q.stats().lag_seconds, 0);
  fs::remove_all(dir);
}

TEST(RemoteQueue, CutsATornTailAndKeepsTheRest) {
  const auto dir = temp_dir("queue-torn");
  {
    RemoteQueue q(dir, 64 << 20, true);
    q.recover();
    for (int r = 0; r < 3; ++r) q.append(r + 1, record(r, 10));
  }
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().extension() == ".wal") std::ofstream(f.path(), std::ios::app) << "half a record";
  RemoteQueue q(dir, 64 << 20, true);
  const auto rec = q.recover();
  EXPECT_EQ(rec.log.cut_bytes, 13u);
  EXPECT_EQ(rec.last_input_sequence, 3u);
  EXPECT_EQ(q.stats().pending_samples, 30);
  q.append(4, record(3, 10));  // and it goes on after the cut
  RemoteQueue::Batch batch;
  ASSERT_TRUE(q.next(1000, batch, std::chrono::seconds(0)));
  EXPECT_EQ(decode_remote_write(batch.body, Limits{}).size(), 40u);
  fs::remove_all(dir);
}

TEST(RemoteQueue, RecordsTheDiskRefusedWaitInOrder) {
  const auto dir = temp_dir("queue-backlog");
  RemoteQueue q(dir, 64 << 20, true);
  q.recover();
  q.append(1, record(0, 10));
  q.fail_next_write_for_test();
  q.append(2, record(1, 10));
  EXPECT_GT(q.stats().backlog_bytes, 0u);
  EXPECT_EQ(q.stats().pending_samples, 20) << "waiting, not lost";
  q.fail_next_write_for_test();
  EXPECT_FALSE(q.flush());
  q.append(3, record(2, 10));  // writes the waiting record first
  EXPECT_EQ(q.stats().backlog_bytes, 0u);
  RemoteQueue::Batch batch;
  ASSERT_TRUE(q.next(1000, batch, std::chrono::seconds(0)));
  const auto got = decode_remote_write(batch.body, Limits{});
  ASSERT_EQ(got.size(), 30u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i].samples[0].timestamp_ms, static_cast<std::int64_t>(1000 * (i / 10) + i % 10)) << i;
  fs::remove_all(dir);
}

TEST(RemoteQueue, ARequestInPartsCountsOnlyOnceComplete) {
  const auto dir = temp_dir("queue-parts");
  {
    RemoteQueue q(dir, 64 << 20, true);
    q.recover();
    q.append(6, record(0, 10));
    q.append(7, record(1, 10), false);
    q.append(7, record(2, 10), false);  // a crash here: request 7 is not complete
  }
  {
    RemoteQueue q(dir, 64 << 20, true);
    EXPECT_EQ(q.recover().last_input_sequence, 6u) << "replay queues request 7 again";
    EXPECT_EQ(q.stats().pending_samples, 30) << "the parts already here are sent all the same";
    q.append(7, record(1, 10), false);
    q.append(7, OutputBatch{}, true);  // the last part can be empty: it closes the request
    q.append(8, OutputBatch{}, true);  // an empty request closes nothing: no record
  }
  RemoteQueue q(dir, 64 << 20, true);
  EXPECT_EQ(q.recover().last_input_sequence, 7u);
  RemoteQueue::Batch batch;
  ASSERT_TRUE(q.next(1000, batch, std::chrono::seconds(0)));
  EXPECT_EQ(batch.samples, 40);
  EXPECT_EQ(decode_remote_write(batch.body, Limits{}).size(), 40u);
  q.acknowledge(batch);
  EXPECT_FALSE(q.next(1000, batch, std::chrono::milliseconds(1))) << "the closing record was taken too";
  fs::remove_all(dir);
}

TEST(RemoteQueue, DropsItsOldestRecordsWhenFull) {
  const auto dir = temp_dir("queue-full");
  RemoteQueue q(dir, 3 << 20, true);  // 1 MiB segments
  q.recover();
  std::int64_t queued = 0;
  for (int r = 0; r < 100; ++r, queued += 5000) q.append(r + 1, record(r, 5000));  // ~70 KB each compressed
  const auto s = q.stats();
  EXPECT_GT(s.dropped_samples, 0);
  EXPECT_EQ(s.pending_samples + s.dropped_samples, queued);
  EXPECT_LE(s.bytes, (3u << 20) + (1u << 20));
  RemoteQueue::Batch batch;
  ASSERT_TRUE(q.next(5000, batch, std::chrono::seconds(0)));
  const auto first = decode_remote_write(batch.body, Limits{}).front().samples[0].timestamp_ms;
  EXPECT_EQ(first, 1000 * (s.dropped_samples / 5000)) << "sending goes on from the oldest record kept";
  fs::remove_all(dir);
}

// A pipeline that smooths and scores; its outputs go to `url`.
constexpr const char* kQuickQueue = "{max_samples_per_send: 50, min_backoff: 0.005, max_backoff: 0.02}";
std::string config_to(const std::string& url, const std::string& queue = kQuickQueue, const std::string& extra = "") {
  return R"yaml(kernels:
  box3: "box:width=3"
pipelines:
  - name: p
    select: 'load'
    stages:
      - filter: box3
      - detect: {kind: zscore, window: 8, warmup: 4}
remote_write:
  - url: )yaml" +
         url + R"yaml(
    name: receiver
    queue_config: )yaml" +
         queue + "\n" + extra;
}

std::string request(int t, int series = 3) {
  std::vector<SeriesSamples> batch;
  for (int s = 0; s < series; ++s)
    batch.push_back({{{"__name__", "load"}, {"host", "h" + std::to_string(s)}}, {{1000LL * t, std::sin(0.3 * t + s)}}});
  return encode_remote_write(batch);
}

void write(httplib::Client& c, const std::string& body) {
  auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, body, "application/x-protobuf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 204) << r->body;
}

const std::string kValue = "load:p{host=\"h0\",kernel=\"box3@", kScore = "load:anomaly_score{host=\"h0\"";

std::vector<double> series_values(const FakeReceiver::Samples& got, const std::string& prefix) {
  for (const auto& [name, samples] : got)
    if (name.rfind(prefix, 0) == 0) {
      std::vector<double> out;
      for (const auto& [ts, v] : samples) out.push_back(v);
      return out;
    }
  return {};
}

TEST(RemoteWrite, EveryOutputSampleReachesTheReceiver) {
  FakeReceiver receiver;
  const auto dir = temp_dir("rw-e2e");
  Loopback faltungd(parse_config(config_to(receiver.url()), "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  const int n = 40;
  for (int t = 1; t <= n; ++t) write(c, request(t));
  ASSERT_TRUE(wait_for([&] { return receiver.received() >= 2 * 3 * n; })) << receiver.received();
  const auto got = receiver.samples();
  EXPECT_EQ(got.size(), 6u) << "a value and a score series per input series";
  EXPECT_EQ(receiver.duplicates() + receiver.conflicts(), 0);
  // the value series equals the batch engine over the input (nothing before the first sample)
  std::vector<double> x(2, std::numeric_limits<double>::quiet_NaN());
  for (int t = 1; t <= n; ++t) x.push_back(std::sin(0.3 * t));
  faltung::Options opts;
  opts.nan = faltung::NanPolicy::ignore;
  const auto want = faltung::convolve(faltung::Array<double>{{n + 2}, x},
                                      faltung::Array<double>{{3}, std::vector<double>(3, 1.0 / 3)}, opts)
                        .data;
  const auto values = series_values(got, kValue);
  ASSERT_EQ(values.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_NEAR(values[i], want[i + 2], 1e-12) << i;
  for (double s : series_values(got, kScore))
    if (!std::isnan(s)) {
      EXPECT_TRUE(s >= 0 && s <= 1) << s;
    }
  EXPECT_EQ(receiver.header("User-Agent"), "faltungd");
  // the receiver keeps the samples before it answers: faltungd counts them a moment later
  ASSERT_EQ(faltungd.server().remote_stats().size(), 1u);
  EXPECT_TRUE(wait_for([&] {
    const auto s = faltungd.server().remote_stats()[0];
    return s.sender.sent_samples == 2 * 3 * n && s.queue.pending_samples == 0;
  }));
  const auto metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("faltungd_remote_write_samples_total{remote=\"receiver\",result=\"sent\"} 240"),
            std::string::npos);
  EXPECT_NE(metrics.find("faltungd_remote_write_lag_seconds{remote=\"receiver\"} 0"), std::string::npos);
  fs::remove_all(dir);
}

TEST(RemoteWrite, RetriesFailuresAndDropsOnlyWhatTheReceiverRefuses) {
  FakeReceiver receiver;
  // 503 (with Retry-After), 500, 429, then a 400 for one batch, then all taken
  receiver.answer = [](int n) { return n == 0 ? 503 : n == 1 ? 500 : n == 2 ? 429 : n == 3 ? 400 : 204; };
  const auto dir = temp_dir("rw-retry");
  Loopback faltungd(parse_config(config_to(receiver.url()), "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  for (int t = 1; t <= 40; ++t) write(c, request(t));
  ASSERT_TRUE(wait_for([&] {
    const auto s = faltungd.server().remote_stats()[0];
    return s.sender.sent_samples + s.sender.rejected_samples == 240;
  }));
  const auto s = faltungd.server().remote_stats()[0];
  EXPECT_EQ(s.sender.requests_failed, 3);
  EXPECT_EQ(s.sender.requests_rejected, 1);
  EXPECT_GT(s.sender.rejected_samples, 0);
  EXPECT_LE(s.sender.rejected_samples, 50) << "one batch";
  EXPECT_EQ(receiver.received(), s.sender.sent_samples);
  EXPECT_EQ(receiver.duplicates() + receiver.conflicts(), 0);
  fs::remove_all(dir);
}

TEST(RemoteWrite, AHugeRequestsOutputsGoInPartsAndAllArrive) {
  FakeReceiver receiver;
  const auto dir = temp_dir("rw-huge");
  Loopback faltungd(parse_config(config_to(receiver.url(), "{max_samples_per_send: 50000}"), "t.yml"),
                    test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  // 10 series x 20,000 samples: 400,000 outputs, more than 4 MiB of them
  std::vector<SeriesSamples> big;
  for (int s = 0; s < 10; ++s) {
    big.push_back({{{"__name__", "load"}, {"host", "h" + std::to_string(s)}}, {}});
    for (int t = 1; t <= 20000; ++t) big.back().samples.push_back({1000LL * t, std::sin(0.01 * t + s)});
  }
  write(c, encode_remote_write(big));
  write(c, request(20001));
  ASSERT_TRUE(wait_for([&] { return receiver.received() >= 400006; }, 20)) << receiver.received();
  EXPECT_EQ(receiver.received(), 400006);
  EXPECT_EQ(receiver.duplicates() + receiver.conflicts(), 0);
  EXPECT_GE(receiver.requests(), 8) << "the parts went as several requests";
  EXPECT_EQ(series_values(receiver.samples(), kValue).size(), 20001u);
  fs::remove_all(dir);
}

TEST(RemoteWrite, TheQueueOutlivesARestartWhileTheReceiverIsDown) {
  int port;
  {
    FakeReceiver probe;  // a free port, closed again: the receiver is down
    port = probe.port();
  }
  const auto dir = temp_dir("rw-restart");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  {
    Loopback faltungd(parse_config(config_to(url), "t.yml"), test_options(dir));
    httplib::Client c("127.0.0.1", faltungd.port());
    for (int t = 1; t <= 30; ++t) {
      write(c, request(t));
      if (t == 20) faltungd.server().checkpoint_now();  // the input log is trimmed: the queue must hold
    }
    EXPECT_EQ(faltungd.server().remote_stats()[0].queue.pending_samples, 180);
    EXPECT_GT(faltungd.server().remote_stats()[0].sender.requests_failed, 0);
  }
  FakeReceiver receiver(port);
  ASSERT_GT(receiver.port(), 0);
  Loopback faltungd(parse_config(config_to(url), "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  for (int t = 31; t <= 35; ++t) write(c, request(t));
  ASSERT_TRUE(wait_for([&] { return receiver.received() >= 210; })) << receiver.received();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(receiver.received(), 210) << "each output once: replay queued none twice";
  EXPECT_EQ(series_values(receiver.samples(), kValue).size(), 35u);
  EXPECT_EQ(receiver.conflicts(), 0);
  fs::remove_all(dir);
}

TEST(RemoteWrite, AStaleMarkerEndsTheOutputSeriesToo) {
  FakeReceiver receiver;
  const auto dir = temp_dir("rw-stale");
  Loopback faltungd(parse_config(config_to(receiver.url()), "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  for (int t = 1; t <= 5; ++t) write(c, request(t, 1));
  write(c, encode_remote_write({{{{"__name__", "load"}, {"host", "h0"}}, {{6000, stale()}}}}));
  ASSERT_TRUE(wait_for([&] { return receiver.received() >= 12; }));
  for (const auto& [name, samples] : receiver.samples()) {
    ASSERT_EQ(samples.size(), 6u) << name;
    EXPECT_TRUE(is_stale_marker(samples.rbegin()->second)) << name;
    EXPECT_EQ(samples.rbegin()->first, 6000) << name;
  }
  fs::remove_all(dir);
}

TEST(RemoteWrite, SendsItsCredentials) {
  FakeReceiver receiver;
  const auto dir = temp_dir("rw-auth");
  Loopback faltungd(
      parse_config(config_to(receiver.url(), kQuickQueue, "    bearer_token: 0123456789abcdef-token\n"), "t.yml"),
      test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  write(c, request(1));
  ASSERT_TRUE(wait_for([&] { return receiver.received() >= 6; }));
  EXPECT_EQ(receiver.header("Authorization"), "Bearer 0123456789abcdef-token");
  fs::remove_all(dir);
}

TEST(RemoteWrite, AFullQueueRefusesWritesWhenToldTo) {
  int port;
  {
    FakeReceiver probe;
    port = probe.port();
  }
  const auto dir = temp_dir("rw-refuse");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  Loopback faltungd(parse_config(config_to(url, "{max_bytes: 8388608, when_full: refuse_writes}"), "t.yml"),
                    test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  // requests of 200 series x 250 samples (100,000 outputs) until the queue
  // passes 8 MiB (a few: the queue holds them snappy-compressed)
  int accepted = 0, status = 0;
  std::string reply, retry_after;
  for (int request = 0; request < 100; ++request) {
    std::vector<SeriesSamples> big;
    for (int s = 0; s < 200; ++s) {
      big.push_back({{{"__name__", "load"}, {"host", "h" + std::to_string(s)}}, {}});
      for (int t = 1; t <= 250; ++t) big.back().samples.push_back({1000LL * (250 * request + t), std::cos(t + s)});
    }
    const bool was_full = faltungd.server().remote_stats()[0].queue.bytes > (8u << 20);
    auto r =
        c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, encode_remote_write(big), "application/x-protobuf");
    ASSERT_TRUE(r);
    status = r->status;
    reply = r->body;
    retry_after = r->get_header_value("Retry-After");
    if (status != 204) {
      EXPECT_TRUE(was_full) << "refused before the queue was full";
      break;
    }
    ASSERT_FALSE(was_full) << "accepted with a full queue";
    ++accepted;
  }
  EXPECT_GE(accepted, 2);
  EXPECT_EQ(status, 503);
  EXPECT_NE(reply.find("queue of remote_write receiver is full"), std::string::npos) << reply;
  EXPECT_EQ(retry_after, "1");
  EXPECT_EQ(faltungd.server().remote_stats()[0].queue.dropped_samples, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
