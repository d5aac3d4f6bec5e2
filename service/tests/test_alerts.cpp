// Alerts to Alertmanager's API v2: a raised detector alert is posted with
// the rule's labels and filled-in annotations and re-sent with endsAt ahead;
// when it clears, the resolved alert is sent until an Alertmanager takes it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "loopback.hpp"
#include "stand_ins.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

TEST(Alerts, RaisedResentAndResolved) {
  FakeAlertmanager am;
  const std::string config =
      latency_alert_config(am.url(), 0.05, "latency of {{ $labels.host }} is unusual (score {{ $value }})");
  const std::string dir = (fs::temp_directory_path() / ("faltungd-alerts-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  Loopback faltungd(parse_config(config, "t.yml"), test_options(dir));
  httplib::Client c("127.0.0.1", faltungd.port());
  auto send = [&](int t, double v) { send_latency(c, t, v); };
  int t = 1;
  for (; t <= 300; ++t) send(t, 10 + 0.1 * std::sin(t));  // quiet
  EXPECT_TRUE(am.posted().empty());
  for (; t <= 306; ++t) send(t, 40);  // a jump: the alert is raised
  ASSERT_TRUE(wait_for([&] { return am.posted().size() >= 2; })) << "re-sent while firing";
  const auto firing = am.posted().front();
  EXPECT_EQ(firing["labels"]["alertname"], "LatencyAnomaly");
  EXPECT_EQ(firing["labels"]["severity"], "page");
  EXPECT_EQ(firing["labels"]["host"], "web-1");
  EXPECT_EQ(firing["labels"]["pipeline"], "latency");
  EXPECT_EQ(firing["labels"].count("__name__"), 0u);
  EXPECT_EQ(firing["annotations"]["summary"].get<std::string>().rfind("latency of web-1 is unusual (score ", 0), 0u);
  EXPECT_EQ(firing["startsAt"], "1970-01-01T00:05:01.000Z");
  EXPECT_GT(firing["endsAt"].get<std::string>(), "2026");  // ahead of now: it resolves itself if faltungd dies

  // it clears while Alertmanager is down: the resolved alert waits for it
  am.failing_ = true;
  for (; t <= 340; ++t) send(t, 40 + 0.1 * std::sin(t));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  const auto before = am.posted().size();
  am.failing_ = false;
  ASSERT_TRUE(wait_for([&] {
    for (const auto& a : am.posted())
      if (a["endsAt"].get<std::string>() < "2000") return true;
    return false;
  })) << "a resolved alert (endsAt at the sample time) arrives once Alertmanager is back";
  EXPECT_GE(am.posted().size(), before);
  const std::string m = c.Get("/metrics")->body;
  EXPECT_NE(m.find("faltungd_alert_notifications_total{result=\"failed\"} "), std::string::npos);
  EXPECT_EQ(m.find("faltungd_alert_notifications_total{result=\"failed\"} 0\n"), std::string::npos) << m;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
