// faltungd end to end on loopback: remote-write requests in, /metrics out.
// The smoothed value equals the library's batch result for the same
// samples; retried batches change nothing; stale markers end series; bad
// requests get the status the specification asks for.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <atomic>
#include <thread>

#include "loopback.hpp"
#include "metrics_lines.hpp"
#include "../src/file_util.hpp"
#include "../src/wal.hpp"
#include "../src/wal_record.hpp"
#include "faltung/convolve.hpp"
#include "faltung/kernels.hpp"

namespace faltungd {
namespace {

const char* kConfig = R"yaml(kernels:
  smooth5: "box:width=5"
pipelines:
  - name: smooth
    select: 'cpu{job="api"}'
    max_series: 3
    stages:
      - filter: smooth5
    output: {suffix: ":smooth", labels: {source: test}}
)yaml";

struct TempDir {
  std::string path;
  TempDir() {
    static int count = 0;
    path = (std::filesystem::temp_directory_path() /
            ("faltungd-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count)))
               .string();
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A faltungd on loopback over a state directory; recovered unless told not.
class Running {
 public:
  explicit Running(const std::string& config, Limits limits = {}, const std::string& dir = "", bool recover = true)
      : own_dir_(),
        loop_(parse_config(config, "test.yml"), test_options(dir.empty() ? own_dir_.path : dir), limits, recover),
        client_("127.0.0.1", loop_.port()) {}
  Server& server() { return loop_.server(); }
  int port() const { return loop_.port(); }
  const std::string& said() const { return loop_.said(); }
  httplib::Client& client() { return client_; }
  httplib::Result write(const std::string& body, const char* encoding = "snappy") {
    httplib::Headers h = {{"Content-Encoding", encoding}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    return client_.Post("/api/v1/write", h, body, "application/x-protobuf");
  }
  std::string metrics() { return client_.Get("/metrics")->body; }

 private:
  TempDir own_dir_;
  Loopback loop_;
  httplib::Client client_;
};

SeriesSamples series(const std::string& name, const std::string& job, std::vector<Sample> samples) {
  return {{{"__name__", name}, {"host", "h1"}, {"job", job}}, std::move(samples)};
}

// The value on the /metrics line that starts with `prefix`, and its timestamp.
std::pair<double, std::int64_t> value_of(const std::string& metrics, const std::string& prefix) {
  const auto at = metrics.find("\n" + prefix);
  if (at == std::string::npos) return {std::numeric_limits<double>::quiet_NaN(), -1};
  const auto line_end = metrics.find('\n', at + 1);
  const std::string line = metrics.substr(at + 1, line_end - at - 1);
  const auto last = line.rfind(' '), value_at = line.rfind(' ', last - 1);
  return {std::stod(line.substr(value_at + 1, last - value_at - 1)), std::stoll(line.substr(last + 1))};
}

TEST(Server, SmoothsWhatItReceivesAsTheBatchEngineWould) {
  Running faltungd(kConfig);
  std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7};
  x[6] = std::numeric_limits<double>::quiet_NaN();  // a missing sample
  const std::string out = "cpu:smooth{host=\"h1\",job=\"api\",kernel=\"smooth5@" +
                          faltung::kernels::make("box:width=5").version + "\",pipeline=\"smooth\",source=\"test\"} ";
  // the batch answer: four NaNs before x (nothing known before the first
  // sample), nan=ignore, full mode
  std::vector<double> padded(4, std::numeric_limits<double>::quiet_NaN());
  padded.insert(padded.end(), x.begin(), x.end());
  faltung::Options o;
  o.nan = faltung::NanPolicy::ignore;
  o.method = faltung::Method::direct;
  const auto want = faltung::convolve(faltung::Array<double>{{18}, padded},
                                      faltung::Array<double>{{5}, std::vector<double>(5, 0.2)}, o)
                        .data;
  for (std::size_t t = 0; t < x.size(); t += 2) {  // two samples per request
    auto r = faltungd.write(encode_remote_write(
        {series("cpu", "api",
                {{1000 * static_cast<std::int64_t>(t + 1), x[t]}, {1000 * static_cast<std::int64_t>(t + 2), x[t + 1]}}),
         series("cpu", "web", {{1000 * static_cast<std::int64_t>(t + 1), 100.0}})}));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
    const auto [value, ts] = value_of(faltungd.metrics(), out);
    EXPECT_NEAR(value, want[t + 5], 1e-12) << "t " << t + 1;
    EXPECT_EQ(ts, 1000 * static_cast<std::int64_t>(t + 2));
  }
  const std::string m = faltungd.metrics();
  EXPECT_EQ(m.find("job=\"web\""), std::string::npos) << "the selector leaves web out";
  EXPECT_NE(m.find("faltungd_samples_received_total 21"), std::string::npos) << m;
  EXPECT_NE(m.find("faltungd_nonfinite_samples_total{kind=\"nan\"} 1"), std::string::npos);
  EXPECT_NE(m.find("faltungd_active_series{pipeline=\"smooth\"} 1"), std::string::npos);
  EXPECT_NE(m.find("faltungd_write_requests_total{code=\"204\"} 7"), std::string::npos);
}

TEST(Server, RetriedBatchesChangeNothingAndStaleMarkersEndSeries) {
  Running faltungd(kConfig);
  const std::string batch = encode_remote_write({series("cpu", "api", {{1000, 1.0}, {2000, 2.0}})});
  ASSERT_EQ(faltungd.write(batch)->status, 204);
  const std::string before = faltungd.metrics();
  const auto line = std::string("cpu:smooth{host=\"h1\"");
  const auto v1 = value_of(before, line);
  ASSERT_EQ(faltungd.write(batch)->status, 204);  // the sender retried
  EXPECT_EQ(value_of(faltungd.metrics(), line), v1);
  EXPECT_NE(faltungd.metrics().find("faltungd_samples_dropped_total{reason=\"duplicate\"} 2"), std::string::npos);
  ASSERT_EQ(faltungd.write(encode_remote_write({series("cpu", "api", {{1500, 7.0}})}))->status, 204);
  EXPECT_NE(faltungd.metrics().find("faltungd_samples_dropped_total{reason=\"out_of_order\"} 1"), std::string::npos);
  // a stale marker ends the series: its output leaves /metrics
  double stale;
  const std::uint64_t bits = kStaleNaNBits;
  std::memcpy(&stale, &bits, sizeof stale);
  ASSERT_EQ(faltungd.write(encode_remote_write({series("cpu", "api", {{3000, stale}})}))->status, 204);
  const std::string after = faltungd.metrics();
  EXPECT_EQ(after.find(line), std::string::npos);
  EXPECT_NE(after.find("faltungd_stale_markers_total 1"), std::string::npos);
  EXPECT_NE(after.find("faltungd_active_series{pipeline=\"smooth\"} 0"), std::string::npos);
}

TEST(Server, SeriesBeyondThePipelineLimitAreDropped) {
  Running faltungd(kConfig);
  std::vector<SeriesSamples> many;
  for (int i = 0; i < 5; ++i)
    many.push_back({{{"__name__", "cpu"}, {"host", "h" + std::to_string(i)}, {"job", "api"}}, {{1000, 1.0}}});
  ASSERT_EQ(faltungd.write(encode_remote_write(many))->status, 204);
  const std::string m = faltungd.metrics();
  EXPECT_NE(m.find("faltungd_active_series{pipeline=\"smooth\"} 3"), std::string::npos) << m;
  EXPECT_NE(m.find("faltungd_samples_dropped_total{reason=\"series_limit\"} 2"), std::string::npos);
}

TEST(Server, BadRequestsGetTheStatusTheSpecificationAsks) {
  Limits limits;
  limits.max_body_bytes = 4096;
  Running faltungd(kConfig, limits);
  auto r = faltungd.write("definitely not snappy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("snappy"), std::string::npos) << r->body;
  r = faltungd.write(encode_remote_write({series("cpu", "api", {{1, 1}})}), "zstd");
  EXPECT_EQ(r->status, 415);  // an encoding remote write 1.0 does not use, refused on the headers
  EXPECT_NE(r->body.find("Content-Encoding must be snappy"), std::string::npos) << r->body;
  r = faltungd.write(encode_remote_write({{{{"job", "x"}, {"__name__", "cpu"}}, {{1, 1}}}}));
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("not sorted"), std::string::npos) << r->body;
  r = faltungd.write(std::string(10000, 'x'));
  EXPECT_EQ(r->status, 413);
  const std::string m = faltungd.metrics();
  EXPECT_NE(m.find("faltungd_write_requests_total{code=\"400\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("faltungd_write_requests_total{code=\"415\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("faltungd_write_requests_total{code=\"413\"} 1"), std::string::npos) << m;
}

const char* kDetectConfig = R"yaml(kernels:
  smooth5: "box:width=5"
pipelines:
  - name: smooth
    select: '{__name__=~"cpu|mem"}'
    stages:
      - filter: smooth5
      - detect: {kind: multiscale, widths: [4, 8], warmup: 10}
)yaml";

std::vector<std::string> load(int requests, int first = 0) {
  std::vector<std::string> bodies;
  for (int r = first; r < first + requests; ++r) {
    std::vector<SeriesSamples> batch;
    for (int s = 0; s < 5; ++s) {
      const std::int64_t t = 1000 * (r + 1);
      batch.push_back({{{"__name__", s % 2 ? "cpu" : "mem"}, {"host", "h" + std::to_string(s)}},
                       {{t, std::sin(0.3 * r + s) + (r == 40 && s == 1 ? 9.0 : 0.0)}}});
    }
    bodies.push_back(encode_remote_write(batch));
  }
  return bodies;
}

TEST(Server, ARestartContinuesFromCheckpointAndLog) {
  const auto bodies = load(60);
  std::string want;
  {  // uninterrupted
    Running once(kDetectConfig);
    for (const auto& b : bodies) ASSERT_EQ(once.write(b)->status, 204);
    want = outputs(once.metrics());
  }
  ASSERT_NE(want.find("cpu:smooth{"), std::string::npos) << want;
  ASSERT_NE(want.find("cpu:anomaly_score{"), std::string::npos) << want;
  for (const int checkpoint_at : {-1, 25}) {  // log only; checkpoint then log
    TempDir dir;
    {
      Running first(kDetectConfig, {}, dir.path);
      for (int i = 0; i < 45; ++i) {
        ASSERT_EQ(first.write(bodies[static_cast<std::size_t>(i)])->status, 204);
        if (i == checkpoint_at) first.server().checkpoint_now();
      }
    }  // gone without a last checkpoint (a crash, as far as the state is concerned)
    Running second(kDetectConfig, {}, dir.path);
    EXPECT_NE(second.said().find(checkpoint_at < 0 ? "replayed 45 log records" : "replayed 19 log records"),
              std::string::npos)
        << second.said();
    const std::string m = second.metrics();
    EXPECT_NE(m.find(std::string("faltungd_wal_replayed_records_total ") + (checkpoint_at < 0 ? "45" : "19")),
              std::string::npos);
    EXPECT_NE(m.find("faltungd_wal_replay_skipped_records_total 0\n"), std::string::npos);
    // a retried batch from before the restart changes nothing
    ASSERT_EQ(second.write(bodies[44])->status, 204);
    for (int i = 45; i < 60; ++i) ASSERT_EQ(second.write(bodies[static_cast<std::size_t>(i)])->status, 204);
    EXPECT_EQ(outputs(second.metrics()), want) << "checkpoint at " << checkpoint_at;
  }
}

// The byte offset of log record `sequence` in a segment file.
std::uint64_t record_offset(const std::string& segment, std::uint64_t sequence) {
  std::ifstream in(segment, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t at = 0; at + kWalHeaderBytes <= data.size();) {
    const auto header = wal_header_at(data.data() + at);
    if (header.sequence == sequence) return at;
    at += kWalHeaderBytes + header.length;
  }
  ADD_FAILURE() << "no record " << sequence << " in " << segment;
  return 0;
}

TEST(Server, ADamagedLogRecordCostsThatRequestAlone) {
  const auto bodies = load(60);
  const std::size_t damaged_after_checkpoint = 35;  // request 36 in the log
  std::string want;
  {  // every request but the one whose record will be damaged
    Running once(kDetectConfig);
    for (std::size_t i = 0; i < bodies.size(); ++i)
      if (i != damaged_after_checkpoint) {
        ASSERT_EQ(once.write(bodies[i])->status, 204);
      }
    want = outputs(once.metrics());
  }
  TempDir dir;
  {
    Running first(kDetectConfig, {}, dir.path);
    for (int i = 0; i < 45; ++i) {
      ASSERT_EQ(first.write(bodies[static_cast<std::size_t>(i)])->status, 204);
      if (i == 25) first.server().checkpoint_now();  // covers requests 1..26
    }
  }
  const std::string segment = dir.path + "/wal/00000000000000000001.wal";
  for (const std::uint64_t sequence : {std::uint64_t{11}, std::uint64_t{damaged_after_checkpoint + 1}}) {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(record_offset(segment, sequence) + kWalHeaderBytes + 5));
    f.put('\x7f');
  }
  Running second(kDetectConfig, {}, dir.path);
  EXPECT_NE(second.said().find("replayed 18 log records"), std::string::npos) << second.said();
  EXPECT_NE(second.said().find("passed over a damaged record"), std::string::npos) << second.said();
  EXPECT_NE(second.said().find("damaged segment kept for inspection: " + dir.path + "/wal/damaged/"), std::string::npos)
      << second.said();
  const std::string m = second.metrics();
  EXPECT_NE(m.find("faltungd_wal_damaged_records_total{log=\"input\",checkpointed=\"false\"} 1\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("faltungd_wal_damaged_records_total{log=\"input\",checkpointed=\"true\"} 1\n"), std::string::npos)
      << m;
  for (int i = 45; i < 60; ++i) ASSERT_EQ(second.write(bodies[static_cast<std::size_t>(i)])->status, 204);
  EXPECT_EQ(outputs(second.metrics()), want) << "every acknowledged request but the damaged one is applied";
}

TEST(Server, ACheckpointThatCannotBeMadeDurableKeepsTheLog) {
  const auto bodies = load(10);
  TempDir dir;
  {
    Running first(kDetectConfig, {}, dir.path);
    for (const auto& b : bodies) ASSERT_EQ(first.write(b)->status, 204);
    fail_directory_syncs_for_test(1);  // the checkpoint's rename cannot be made durable
    first.server().checkpoint_now();
    fail_directory_syncs_for_test(0);
    const std::string m = first.metrics();
    EXPECT_NE(m.find("faltungd_checkpoint_failures_total 1\n"), std::string::npos) << m;
    EXPECT_NE(m.find("faltungd_checkpoints_written_total 0\n"), std::string::npos) << m;
    EXPECT_EQ(m.find("faltungd_directory_sync_failures_total 0\n"), std::string::npos) << m;
  }
  // the log was not trimmed for it: every request is still there
  Wal log({dir.path + "/wal"});
  int records = 0;
  log.replay(0, [&](std::uint64_t, std::string_view) { ++records; });
  EXPECT_EQ(records, 10);
}

TEST(Server, OverloadIsAnsweredWith503NotWithMemory) {
  Limits limits;
  limits.max_in_flight = 1;
  Running faltungd(kDetectConfig, limits);
  std::vector<SeriesSamples> big;
  for (int s = 0; s < 3000; ++s)
    big.push_back({{{"__name__", "cpu"}, {"host", "h" + std::to_string(s)}}, {{1000, 1.0}}});
  const std::string body = encode_remote_write(big);
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 6; ++t)
    senders.emplace_back([&] {
      httplib::Client c("127.0.0.1", faltungd.port());
      for (int i = 0; i < 10; ++i) {
        auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, body, "application/x-protobuf");
        if (r && r->status == 204)
          ++ok;
        else if (r && r->status == 503 && r->get_header_value("Retry-After") == "1" &&
                 r->body.find("overloaded") != std::string::npos)
          ++busy;
        else
          ++other;
      }
    });
  for (auto& t : senders) t.join();
  EXPECT_EQ(other, 0);
  EXPECT_GT(ok, 0);
  EXPECT_GT(busy, 0) << "six senders at once against max_in_flight 1";
  const std::string m = faltungd.metrics();
  EXPECT_NE(m.find("faltungd_overloaded_requests_total " + std::to_string(busy.load())), std::string::npos) << m;
  EXPECT_NE(m.find("faltungd_write_request_duration_seconds_count " + std::to_string(ok + busy)), std::string::npos);
}

TEST(Server, AReloadKeepsTheStateOfUnchangedPipelines) {
  const std::string two = R"yaml(kernels:
  smooth5: "box:width=5"
  smooth3: "box:width=3"
pipelines:
  - name: kept
    select: 'cpu'
    stages: [{filter: smooth5}]
  - name: changed
    select: 'cpu'
    stages: [{filter: smooth5}]
    output: {suffix: ":changed"}
)yaml";
  std::string changed = two;
  changed.replace(changed.rfind("smooth5"), 7, "smooth3");
  changed += "  - name: added\n    select: 'cpu'\n    stages: [{filter: smooth3}]\n";
  auto body = [](int t) { return encode_remote_write({{{{"__name__", "cpu"}}, {{1000 * t, 1.0 * t}}}}); };
  Running faltungd(two);
  for (int t = 1; t <= 6; ++t) ASSERT_EQ(faltungd.write(body(t))->status, 204);
  const std::string said = faltungd.server().reload(parse_config(changed, "new.yml"));
  EXPECT_NE(said.find("changed changed, its state starts empty"), std::string::npos) << said;
  ASSERT_EQ(faltungd.write(body(7))->status, 204);
  const std::string m = faltungd.metrics();
  // kept: the mean of 3..7 (its history survived); changed: box 3 over just 7
  EXPECT_NEAR(value_of(m, "cpu:kept{").first, 5.0, 1e-12) << m;
  EXPECT_NEAR(value_of(m, "cpu:changed{").first, 7.0, 1e-12);
  EXPECT_NEAR(value_of(m, "cpu:added{").first, 7.0, 1e-12);
  EXPECT_NE(m.find("faltungd_state_resets_total 1"), std::string::npos);
  EXPECT_NE(m.find("faltungd_config_reloads_total 1"), std::string::npos);
  // the HTTP endpoint needs admin credentials configured
  EXPECT_EQ(faltungd.client().Post("/-/reload", "", "text/plain")->status, 403);
}

TEST(Server, WritesWaitForRecovery) {
  Running recovering(kConfig, {}, "", false);
  auto r = recovering.write(encode_remote_write({series("cpu", "api", {{1000, 1.0}})}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(recovering.client().Get("/-/ready")->status, 503);
  recovering.server().recover();
  EXPECT_EQ(recovering.client().Get("/-/ready")->status, 200);
  EXPECT_EQ(recovering.write(encode_remote_write({series("cpu", "api", {{1000, 1.0}})}))->status, 204);
}

}  // namespace
}  // namespace faltungd

namespace faltungd {
namespace {

// The engine keeps its state size and firing alerts as running totals (no
// pass over every series per scrape or alert round): they follow series
// that come, raise alerts and end.
TEST(Engine, StateBytesAndFiringFollowTheSeries) {
  Engine engine(parse_config(R"yaml(kernels:
  k: "box:width=3"
pipelines:
  - name: p
    select: 'm'
    stages: [{filter: k}, {detect: {kind: zscore, window: 8, warmup: 4}}]
    alert: {name: Odd}
)yaml",
                             "t.yml"));
  const std::int64_t empty = engine.state_bytes();
  auto batch = [](int t, double v, int series) {
    std::vector<SeriesSamples> out;
    for (int s = 0; s < series; ++s) out.push_back({{{"__name__", "m"}, {"i", std::to_string(s)}}, {{1000LL * t, v}}});
    return out;
  };
  for (int t = 1; t <= 20; ++t) engine.ingest(batch(t, std::sin(t), 100));
  const std::int64_t full = engine.state_bytes();
  EXPECT_GT(full - empty, 100 * 200) << "each series holds its key, labels, filter and detector state";
  EXPECT_TRUE(engine.firing().empty());
  engine.ingest(batch(21, 50, 3));  // three series jump
  EXPECT_EQ(engine.firing().size(), 3u);
  double stale;
  const std::uint64_t bits = kStaleNaNBits;
  std::memcpy(&stale, &bits, sizeof stale);
  engine.ingest(batch(22, stale, 100));  // every series ends
  EXPECT_TRUE(engine.firing().empty());
  EXPECT_EQ(engine.take_resolved().size(), 3u);
  EXPECT_LT(engine.state_bytes(), full - 100 * 200) << "ended series give their bytes back";
  for (int t = 23; t <= 42; ++t) engine.ingest(batch(t, std::sin(t), 100));
  // the same series again: the same bytes, filter slots reused (the bank's
  // free list keeps the capacity it grew to, 100 slots of 8 bytes)
  EXPECT_GE(engine.state_bytes(), full);
  EXPECT_LE(engine.state_bytes(), full + 1024);
}

}  // namespace
}  // namespace faltungd

namespace faltungd {
namespace {

// Outputs fed back (a sender forwarding everything it stores) are not taken
// again by the pipeline that made them; another pipeline may chain on them.
TEST(Engine, APipelineNeverTakesItsOwnOutputsBack) {
  Engine engine(parse_config(R"yaml(kernels:
  k: "box:width=3"
pipelines:
  - name: p
    select: '{__name__=~"load.*"}'
    stages: [{filter: k}]
  - name: q
    select: '{__name__=~"load:p"}'
    stages: [{filter: k}]
    output: {suffix: ":q"}
)yaml",
                             "t.yml"));
  engine.ingest({{{{"__name__", "load"}, {"host", "a"}}, {{1000, 1.0}}}});
  EXPECT_EQ(engine.active_series("p"), 1);
  // load:p{pipeline="p"} comes back: p does not take it, q (chained) does
  engine.ingest({{{{"__name__", "load:p"}, {"host", "a"}, {"kernel", "k@x"}, {"pipeline", "p"}}, {{1000, 1.0}}}});
  EXPECT_EQ(engine.active_series("p"), 1);
  EXPECT_EQ(engine.active_series("q"), 1);
}

}  // namespace
}  // namespace faltungd
