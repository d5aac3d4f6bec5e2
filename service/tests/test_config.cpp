// The configuration file: a full example loads as written; each mistake is
// refused naming the file, the line and the field.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "../src/config.hpp"
#include "faltung/files.hpp"
#include "faltung/kernels.hpp"

namespace faltungd {
namespace {

const char* kExample = R"(# an example
kernels:
  smooth15: "gaussian:sigma=2.5,radius=7"
  box5: {spec: "box:width=5"}
pipelines:
  - name: cpu_smooth
    select: 'node_cpu_utilisation{mode="user"}'
    max_series: 5000
    stages:
      - filter: smooth15
      - detect: {kind: multiscale, period: 288, set_score: 0.8}
    output:
      suffix: ":smooth"
      labels: {source: faltungd}
    alert:
      name: CpuAnomaly
      labels: {severity: page}
      annotations: {summary: "CPU is unusual"}
  - name: latency_box
    select: '{__name__=~"http_.*_seconds", job!="test"}'
    stages:
      - filter: box5
)";

TEST(Config, TheExampleLoadsAsWritten) {
  const Config c = parse_config(kExample, "faltungd.yml");
  ASSERT_EQ(c.kernels.size(), 2u);
  EXPECT_EQ(c.kernels.at("smooth15").kernel.values.size(), 15u);
  EXPECT_EQ(c.kernels.at("box5").kernel.id(), faltung::kernels::make("box:width=5").id());
  ASSERT_EQ(c.pipelines.size(), 2u);
  const auto& p = c.pipelines[0];
  EXPECT_EQ(p.name, "cpu_smooth");
  EXPECT_EQ(p.max_series, 5000);
  EXPECT_TRUE(p.select.matches({{"__name__", "node_cpu_utilisation"}, {"mode", "user"}}));
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0].kernel, "smooth15");
  EXPECT_EQ(p.stages[1].detector.period, 288);
  EXPECT_EQ(p.stages[1].detector.set_score, 0.8);
  EXPECT_EQ(p.output.metric_for("node_cpu_utilisation"), "node_cpu_utilisation:smooth");
  EXPECT_EQ(p.output.labels.at("source"), "faltungd");
  ASSERT_TRUE(p.alert.has_value());
  EXPECT_EQ(p.alert->labels.at("severity"), "page");
  // defaults: the suffix is the pipeline's name
  EXPECT_EQ(c.pipelines[1].output.metric_for("http_request_seconds"), "http_request_seconds:latency_box");
  EXPECT_EQ(c.pipelines[1].max_series, 100000);
}

void refused(const std::string& text, const std::string& words) {
  try {
    parse_config(text, "f.yml");
    ADD_FAILURE() << "accepted; expected an error about " << words;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

std::string with(const std::string& from, const std::string& to) {
  std::string s = kExample;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(Config, MistakesNameFileLineAndField) {
  refused(with("max_series: 5000", "max_seris: 5000"), "f.yml:8: pipelines[0].max_seris: unknown field");
  refused(with("- filter: smooth15", "- filter: smoth15"),
          "f.yml:10: pipelines[0].stages[0].filter: unknown kernel 'smoth15' (known: box5, smooth15)");
  refused(with("- filter: smooth15", "- filter: smooth15@0000000000000000"),
          "pinned smooth15@0000000000000000 but kernel smooth15 is version");
  refused(with("box5: {spec: \"box:width=5\"}", "box5: {spec: \"box:width=5\", version: abc}"),
          "kernels.box5.version: pinned abc");
  refused(with("gaussian:sigma=2.5,radius=7", "gaussian:sigma=-1"), "f.yml:3: kernels.smooth15: ");
  refused(with("box:width=5", "box:width=5,dims=2"), "must be 1-D");
  // a huge kernel is refused at once, where it is written
  refused(with("gaussian:sigma=2.5,radius=7", "gaussian:sigma=1e7"),
          "f.yml:3: kernels.smooth15: kernel spec: gaussian: 80000001 taps");
  refused(with("gaussian:sigma=2.5,radius=7", "box:width=70000"),
          "f.yml:3: kernels.smooth15: box:width=70000 has 70000 taps; a pipeline kernel may have at most 65536");
  refused(with("node_cpu_utilisation{mode=\"user\"}", "node_cpu{mode=}"), "f.yml:7: pipelines[0].select: selector");
  refused(with("set_score: 0.8", "set_score: 2"), "pipelines[0].stages[1].detect: detector: set_score");
  refused(with("set_score: 0.8", "set_score: high"), "pipelines[0].stages[1].detect.set_score: 'high' is not a number");
  refused(with("period: 288", "period: -5"), "period");
  refused(with("kind: multiscale", "kind: prophet"), "unknown detector kind 'prophet'");
  refused(with("      - filter: smooth15\n      - detect: {kind: multiscale, period: 288, set_score: 0.8}",
               "      - detect: {kind: multiscale}\n      - filter: smooth15"),
          "the detect stage comes last");
  refused(with("      - filter: box5\n", "      - filter: box5\n    alert: {name: X}\n"), "alerts need a detect stage");
  refused(with("suffix: \":smooth\"", "suffix: \" smooth\""), "not valid");
  refused(with("labels: {source: faltungd}", "labels: {pipeline: x}"), "is set by faltungd");
  refused(with("name: latency_box", "name: cpu_smooth"), "two pipelines are named 'cpu_smooth'");
  refused(with("'{__name__=~\"http_.*_seconds\", job!=\"test\"}'", "'node_cpu_utilisation'") +
              "    output: {suffix: \":smooth\"}\n",
          "would write the same series (node_cpu_utilisation:smooth)");
  refused("pipelines: [", "not YAML");
  refused("kernels: {}\n", "pipelines: expected a list of pipelines");
  refused(with("pipelines:", "pipeline:"), "config.pipeline: unknown field");
}

TEST(Config, ConnectionLimits) {
  const std::string base = kExample;
  const auto c =
      parse_config(base + "server:\n  connections: {max: 64, idle_timeout: 5, request_timeout: 2.5}\n", "f.yml");
  EXPECT_EQ(c.server.connections.max_connections, 64u);
  EXPECT_EQ(c.server.connections.idle_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.server.connections.request_read_timeout, std::chrono::milliseconds(2500));
  const auto defaults_of = parse_config(base, "f.yml").server;
  const auto& defaults_connections = defaults_of.connections;
  EXPECT_EQ(defaults_connections.max_connections, 1024u);
  EXPECT_EQ(defaults_connections.request_read_timeout, std::chrono::milliseconds(30000));
  const auto& defaults = defaults_of.limits;
  refused(base + "server:\n  connections: {max: 2}\n", "server.connections.max: must be between 16 and 65536");
  refused(base + "server:\n  connections: {request_timeout: 0}\n",
          "server.connections.request_timeout: must be between 0.1 and 3600 seconds");
  refused(base + "server:\n  connections: {idle: 5}\n", "server.connections.idle: unknown field");
  const auto limited =
      parse_config(base +
                       "server:\n  limits: {max_body_bytes: 1048576, max_decoded_bytes: 4194304, max_in_flight: 2, "
                       "max_future: 60}\n",
                   "f.yml")
          .server.limits;
  EXPECT_EQ(limited.max_body_bytes, 1u << 20);
  EXPECT_EQ(limited.max_decoded_bytes, 4u << 20);
  EXPECT_EQ(limited.max_in_flight, 2);
  EXPECT_EQ(limited.max_future_ms, 60000);
  EXPECT_EQ(defaults.max_body_bytes, Limits{}.max_body_bytes);
  refused(base + "server:\n  limits: {max_decoded_bytes: 10}\n",
          "server.limits.max_decoded_bytes: must be between 1024 and 2147483648");
}

TEST(Config, DurationsInSecondsOrAsPrometheusWritesThem) {
  const std::string base = kExample;
  const auto timeouts = [&](const std::string& idle, const std::string& request) {
    const auto c = parse_config(
        base + "server:\n  connections: {idle_timeout: " + idle + ", request_timeout: " + request + "}\n", "f.yml");
    return std::pair{c.server.connections.idle_timeout.count(), c.server.connections.request_read_timeout.count()};
  };
  EXPECT_EQ(timeouts("2.5", "300ms"), std::pair(std::int64_t{2500}, std::int64_t{300}));
  EXPECT_EQ(timeouts("1m30s", "1h"), std::pair(std::int64_t{90000}, std::int64_t{3600000}));
  EXPECT_EQ(timeouts("1m", "1s500ms"), std::pair(std::int64_t{60000}, std::int64_t{1500}));
  const auto future = [&](const std::string& d) {
    return parse_config(base + "server:\n  limits: {max_future: " + d + "}\n", "f.yml").server.limits.max_future_ms;
  };
  EXPECT_EQ(future("10m"), 600000);
  EXPECT_EQ(future("1d"), 86400000);
  EXPECT_EQ(future("0"), 0);
  for (const char* bad : {"5 minutes", "1x", "s", "1s1m", "1m1m", "-5s", "1.5m", "nan", "\"\""})
    refused(base + "server:\n  connections: {idle_timeout: " + bad + "}\n", "server.connections.idle_timeout: '");
  refused(base + "server:\n  connections: {idle_timeout: 2h}\n",
          "server.connections.idle_timeout: must be between 0.1 and 3600 seconds");
  refused(base + "server:\n  connections: {idle_timeout: -5}\n",
          "server.connections.idle_timeout: must be between 0.1 and 3600 seconds");
  refused(base + "server:\n  connections: {idle_timeout: [5]}\n",
          "server.connections.idle_timeout: expected a duration");
  const auto remote = parse_config(base +
                                       "remote_write:\n  - url: http://a:1/w\n    remote_timeout: 30s\n"
                                       "    queue_config: {min_backoff: 30ms, max_backoff: 5s}\n"
                                       "alerting: {alertmanagers: ['http://a:2'], resend_interval: 1m}\n",
                                   "f.yml");
  EXPECT_DOUBLE_EQ(remote.remote_write[0].timeout_seconds, 30);
  EXPECT_DOUBLE_EQ(remote.remote_write[0].min_backoff_seconds, 0.03);
  EXPECT_DOUBLE_EQ(remote.remote_write[0].max_backoff_seconds, 5);
  EXPECT_DOUBLE_EQ(remote.alerting.resend_seconds, 60);
}

TEST(Config, RemoteWriteTargets) {
  const std::string base = kExample;
  const auto c = parse_config(base + R"yaml(remote_write:
  - url: http://thanos:19291/api/v1/write
  - url: https://mimir.example:443/api/v1/push
    name: mimir
    basic_auth: {username: u, password: p}
    remote_timeout: 10
    queue_config: {max_samples_per_send: 500, min_backoff: 0.1, max_backoff: 2, max_bytes: 10000000, when_full: refuse_writes}
)yaml",
                              "f.yml");
  ASSERT_EQ(c.remote_write.size(), 2u);
  EXPECT_EQ(c.remote_write[0].name, "thanos_19291") << "named after host and port by default";
  EXPECT_EQ(c.remote_write[0].max_samples_per_send, 2000);
  EXPECT_FALSE(c.remote_write[0].refuse_writes_when_full);
  EXPECT_EQ(c.remote_write[1].basic_user, "u");
  EXPECT_EQ(c.remote_write[1].max_bytes, 10000000u);
  EXPECT_TRUE(c.remote_write[1].refuse_writes_when_full);
  EXPECT_DOUBLE_EQ(c.remote_write[1].timeout_seconds, 10);

  const auto rw = [&](const std::string& entry) { return base + "remote_write:\n  - " + entry + "\n"; };
  refused(rw("url: ftp://x/y"), "remote_write[0].url: 'ftp://x/y' is not an http:// or https:// URL");
  refused(rw("{name: a}"), "remote_write[0]: needs a url");
  refused(rw("{url: 'http://a:1/w', urls: x}"), "remote_write[0].urls: unknown field");
  refused(rw("{url: 'http://a:1/w', name: ../etc}"), "remote_write[0].name: '../etc' must be letters");
  refused(base + "remote_write:\n  - url: http://a:1/w\n  - url: http://a:1/other\n",
          "f.yml:25: remote_write[1].name: 'a_1' names remote_write[0] too");
  refused(rw("{url: 'http://a:1/w', bearer_token: t, basic_auth: {username: u, password: p}}"),
          "give one of bearer_token, bearer_token_file, basic_auth");
  refused(rw("{url: 'http://a:1/w', basic_auth: {username: u}}"), "needs a username and one of password");
  refused(rw("{url: 'http://a:1/w', queue_config: {max_bytes: 1000}}"), "max_bytes: must be at least 8388608");
  refused(rw("{url: 'http://a:1/w', queue_config: {when_full: block}}"), "'block' is not drop_oldest or refuse_writes");
  refused(rw("{url: 'http://a:1/w', queue_config: {min_backoff: 2, max_backoff: 1}}"),
          "max_backoff: is less than min_backoff");
  refused(rw("{url: 'http://a:1/w', tls_config: {ca_file: /nonexistent/ca.crt}}"), "cannot read /nonexistent/ca.crt");
}

}  // namespace
}  // namespace faltungd

namespace faltungd {
namespace {

std::string config_error(const std::function<void()>& step) {
  try {
    step();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// The three steps apart: parse reads no file and checks each field alone,
// validate what fields say about each other, resolve the files named.
TEST(Config, ParseValidateAndResolveFilesAreThreeSteps) {
  const std::string dir = ::testing::TempDir() + "faltungd-config-steps-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string token_file = dir + "/token";
  const std::string text =
      with("kernels:", "server:\n  write_auth: {bearer_token_file: " + token_file +
                           "}\nremote_write:\n  - {url: 'http://a:1/w', tls_config: {ca_file: " + dir +
                           "/ca.crt}}\nkernels:") +
      "  - name: cpu_smooth\n    select: up\n    stages:\n      - filter: smoth15\n";
  // Parse: the files are not there yet, and two pipelines share a name and
  // one names a kernel that does not exist: all for the later steps.
  ParsedConfig parsed = parse_config_fields(text, "f.yml");
  ASSERT_EQ(parsed.file_fields.size(), 2u);
  EXPECT_EQ(parsed.file_fields[0].path, "remote_write[0].tls_config.ca_file");
  EXPECT_EQ(parsed.file_fields[1].path, "server.write_auth.bearer_token_file");
  EXPECT_EQ(config_error([&] { validate_config(parsed); }),
            "f.yml:30: pipelines[2].stages[0].filter: unknown kernel 'smoth15' (known: box5, smooth15)");
  parsed.kernel_uses.pop_back();
  EXPECT_EQ(config_error([&] { validate_config(parsed); }),
            "f.yml:10: pipelines: two pipelines are named 'cpu_smooth'");
  parsed.config.pipelines.pop_back();
  validate_config(parsed);
  // Resolve: each file named, where the config names it.
  EXPECT_EQ(config_error([&] { resolve_config_files(parsed); }),
            "f.yml:5: remote_write[0].tls_config.ca_file: cannot read " + dir + "/ca.crt: No such file or directory");
  faltung::files::replace_file(dir + "/ca.crt", "-----BEGIN CERTIFICATE-----\n", false);
  faltung::files::replace_file(token_file, "short\n", false);
  EXPECT_EQ(config_error([&] { resolve_config_files(parsed); }),
            "f.yml:3: server.write_auth.bearer_token_file: the bearer token is shorter than 16 characters");
  faltung::files::replace_file(token_file, "a-token-of-32-characters-or-so..\n", false);
  resolve_config_files(parsed);
  EXPECT_EQ(parsed.config.server.write.bearer_token, "a-token-of-32-characters-or-so..");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
