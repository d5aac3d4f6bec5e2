// The metrics registry: each metric declared once renders as Prometheus'
// text format says (one HELP and TYPE per family, its samples after), and
// the whole /metrics of a running faltungd, with remote_write and an
// Alertmanager configured, passes promtool's own check of the format.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "../src/metrics_registry.hpp"
#include "loopback.hpp"

namespace faltungd {
namespace {

TEST(MetricsRegistry, EachFamilyOnceWithItsSamplesInOrder) {
  MetricsRegistry m;
  Counter& sent = m.counter("x_posts_total", "Posts by result.", "result=\"sent\"");
  Counter& failed = m.counter("x_posts_total", "Posts by result.", "result=\"failed\"");
  CounterByLabel& codes = m.counter_by_label("x_requests_total", "Requests by code.", "code");
  double level = 2.5;
  m.read("x_level", "gauge", "A level.", {}, [&] { return level; });
  m.custom([](std::string& out) { out += "# a family that writes itself\n"; });
  sent.add(3);
  failed.add();
  codes.add("503");
  codes.add("204", 2);
  EXPECT_EQ(m.render(),
            "# HELP x_posts_total Posts by result.\n# TYPE x_posts_total counter\n"
            "x_posts_total{result=\"sent\"} 3\nx_posts_total{result=\"failed\"} 1\n"
            "# HELP x_requests_total Requests by code.\n# TYPE x_requests_total counter\n"
            "x_requests_total{code=\"204\"} 2\nx_requests_total{code=\"503\"} 1\n"
            "# HELP x_level A level.\n# TYPE x_level gauge\nx_level 2.5\n"
            "# a family that writes itself\n");
  level = 7;  // read at each render
  EXPECT_NE(m.render().find("x_level 7\n"), std::string::npos);
}

TEST(MetricsRegistry, AFamilyRegisteredTwiceMustMeanTheSame) {
  MetricsRegistry m;
  m.counter("x_total", "One meaning.");
  EXPECT_THROW(m.counter("x_total", "Another meaning."), std::logic_error);
  EXPECT_THROW(m.read("x_total", "gauge", "One meaning.", {}, [] { return 0.0; }), std::logic_error);
}

TEST(MetricsRegistry, ValuesAsTheTextFormatTakesThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-12), "-12");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1e300), "1e+300");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(MetricsRegistry, FaltungdsWholeExpositionPassesPromtool) {
  const std::string dir = temp_dir("metrics-registry");
  // receivers on a closed loopback port: their families are there, their
  // posts fail (and are counted)
  const std::string config = R"yaml(kernels:
  smooth5: "box:width=5"
pipelines:
  - name: smooth
    select: 'cpu{job="api"}'
    stages:
      - filter: smooth5
    output: {suffix: ":smooth"}
alerting:
  alertmanagers: ["http://127.0.0.1:1"]
  resend_interval: 0.05
remote_write:
  - url: http://127.0.0.1:1/api/v1/write
    name: nowhere
)yaml";
  std::string exposition;
  {
    Loopback faltungd(parse_config(config, "t.yml"), test_options(dir));
    httplib::Client client("127.0.0.1", faltungd.port());
    const auto r =
        client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}},
                    encode_remote_write({{{{"__name__", "cpu"}, {"job", "api"}}, {{1000, 1.0}, {2000, 2.0}}}}),
                    "application/x-protobuf");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
    client.Post("/api/v1/write", "not snappy", "application/x-protobuf");  // a 4xx, counted too
    exposition = client.Get("/metrics")->body;
  }
  std::filesystem::remove_all(dir);
  for (const char* family : {"faltungd_write_requests_total{code=\"204\"} 1", "faltungd_remote_write_lag_seconds{",
                             "faltungd_alert_notifications_total{result=\"failed\"}", "faltungd_connections{",
                             "faltungd_wal_damaged_records_total{log=\"outbox\",checkpointed=\"true\"} 0",
                             "faltungd_samples_dropped_total{reason=\"series_limit\"} 0", "cpu:smooth{"})
    EXPECT_NE(exposition.find(family), std::string::npos) << family << " missing from\n" << exposition;
  const std::string path = dir + ".prom";
  std::ofstream(path) << exposition;
  FILE* check = ::popen((std::string(PROMTOOL_BINARY) + " check metrics < " + path + " 2>&1").c_str(), "r");
  ASSERT_NE(check, nullptr);
  std::string said;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, check)) > 0;) said.append(buffer, n);
  const int status = ::pclose(check);
  std::filesystem::remove(path);
  // promtool's lint also asks counters to end in _total and units in names;
  // the format errors (a family twice, a sample without its family, a bad
  // value) are what this checks
  EXPECT_EQ(said.find("error"), std::string::npos) << said << "\n" << exposition;
  EXPECT_TRUE(WIFEXITED(status)) << said;
}

}  // namespace
}  // namespace faltungd
