// faltungd scores with the detector `faltung detect` and faltung::Detector
// run: ten days of 5-minute samples of three series (one anomaly-free, one
// with a spike, one with a level shift; made here, seeded) replayed through
// remote write into a pipeline with the default detector and an alert rule.
// The scores that come back by remote write equal the detector's bit for
// bit; the alerts that reach the Alertmanager are the detector's alert
// onsets, and the anomaly-free series raises none.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "faltung/detect.hpp"
#include "loopback.hpp"
#include "stand_ins.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

constexpr int kDay = 288;            // 5-minute samples
constexpr int kSamples = 10 * kDay;  // ten days
constexpr std::int64_t kStartMs = 1'700'000'000'000;
constexpr std::int64_t kStepMs = 300'000;
const char* const kHosts[] = {"quiet", "spike", "shift"};

std::string config(const std::string& receiver_url, const std::string& alertmanager_url) {
  return R"yaml(pipelines:
  - name: watch
    select: 'requests'
    stages:
      - detect: {period: )yaml" +
         std::to_string(kDay) + R"yaml(}
    alert:
      name: RequestsAnomaly
      labels: {severity: ticket}
remote_write:
  - url: )yaml" +
         receiver_url + R"yaml(
    name: receiver
    queue_config: {max_samples_per_send: 2000, min_backoff: 0.005, max_backoff: 0.02}
alerting:
  alertmanagers: [")yaml" +
         alertmanager_url + R"yaml("]
  resend_interval: 0.05
)yaml";
}

// A daily cycle of +-20% around 1000 requests, Gaussian noise of 2%, and
// each host's incident (seed 7: the same series every run).
std::vector<std::vector<double>> make_series() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 20.0);
  std::vector<std::vector<double>> out(3, std::vector<double>(kSamples));
  for (int h = 0; h < 3; ++h)
    for (int t = 0; t < kSamples; ++t) out[h][t] = 1000.0 + 200.0 * std::sin(2 * M_PI * t / kDay) + noise(rng);
  out[1][7 * kDay + 100] += 400.0;                                    // a spike of 20 sigma
  for (int t = 8 * kDay + 50; t < kSamples; ++t) out[2][t] += 150.0;  // a shift of 7.5 sigma
  return out;
}

// Milliseconds since the epoch as Alertmanager's API writes times (written
// here, not taken from notifier.cpp: the test checks that code, not with it).
std::string rfc3339(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(text) + millis;
}

TEST(DetectReplay, ScoresAndAlertsAreTheDetectorsOnTheSameSeries) {
  FakeReceiver receiver;
  FakeAlertmanager am;
  const auto dir = temp_dir("replay");
  Loopback faltungd(parse_config(config(receiver.url(), am.url()), "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  const auto series = make_series();

  // one request per hour of samples, every host in it, in time order
  for (int at = 0; at < kSamples; at += 12) {
    std::vector<SeriesSamples> batch;
    for (int h = 0; h < 3; ++h) {
      SeriesSamples s{{{"__name__", "requests"}, {"host", kHosts[h]}}, {}};
      for (int t = at; t < at + 12; ++t) s.samples.push_back({kStartMs + kStepMs * t, series[h][t]});
      batch.push_back(std::move(s));
    }
    auto r =
        c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, encode_remote_write(batch), "application/x-protobuf");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
  }

  // the detector itself, as faltung detect runs it (period: a day of rows)
  faltung::DetectorOptions o;
  o.period = kDay;
  std::vector<std::vector<double>> want_score(3, std::vector<double>(kSamples));
  std::vector<std::set<std::int64_t>> want_onsets(3);
  for (int h = 0; h < 3; ++h) {
    auto d = faltung::Detector::create(o);
    std::vector<std::uint8_t> alert(kSamples);
    d.process(series[h].data(), want_score[h].data(), alert.data(), kSamples);
    for (int t = 0; t < kSamples; ++t)
      if (alert[t] && (t == 0 || !alert[t - 1])) want_onsets[h].insert(kStartMs + kStepMs * t);
  }
  EXPECT_TRUE(want_onsets[0].empty()) << "the anomaly-free series alerts at the defaults";
  EXPECT_FALSE(want_onsets[1].empty());
  EXPECT_FALSE(want_onsets[2].empty());

  // every score sample back (received() counts a re-sent one twice: count per series)
  auto all_back = [&] {
    std::size_t scores = 0;
    for (const auto& [key, samples] : receiver.samples())
      if (key.rfind("requests:anomaly_score{", 0) == 0) scores += samples.size();
    return scores == 3u * kSamples;
  };
  ASSERT_TRUE(wait_for(all_back, 20)) << receiver.received();
  EXPECT_EQ(receiver.conflicts(), 0);
  const auto got = receiver.samples();
  for (int h = 0; h < 3; ++h) {
    const std::string name = std::string("requests:anomaly_score{host=\"") + kHosts[h] + "\"";
    const std::map<std::int64_t, double>* scores = nullptr;
    for (const auto& [key, samples] : got)
      if (key.rfind(name, 0) == 0) scores = &samples;
    ASSERT_NE(scores, nullptr) << name;
    ASSERT_EQ(scores->size(), static_cast<std::size_t>(kSamples)) << name;
    int t = 0;
    for (const auto& [ts, v] : *scores) {
      ASSERT_EQ(ts, kStartMs + kStepMs * t) << name;
      ASSERT_EQ(v, want_score[h][t]) << name << " t " << t;
      ++t;
    }
  }

  // every onset reaches the Alertmanager (firing, or resolved if it cleared
  // between two notifications) with its sample's time, and nothing else
  std::vector<std::set<std::string>> started(3);
  auto arrived = [&] {
    for (auto& s : started) s.clear();
    for (const auto& a : am.posted())
      for (int h = 0; h < 3; ++h)
        if (a["labels"]["host"] == kHosts[h]) started[h].insert(a["startsAt"].get<std::string>());
    for (int h = 0; h < 3; ++h)
      if (started[h].size() < want_onsets[h].size()) return false;
    return true;
  };
  ASSERT_TRUE(wait_for(arrived, 20));
  for (int h = 0; h < 3; ++h) {
    std::set<std::string> want;
    for (auto ms : want_onsets[h]) want.insert(rfc3339(ms));
    EXPECT_EQ(started[h], want) << kHosts[h];
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
