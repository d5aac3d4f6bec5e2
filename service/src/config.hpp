// faltungd's configuration: one YAML file, Prometheus-shaped.
//
//   kernels:
//     smooth15: "gaussian:sigma=2.5,radius=7"          # a named kernel spec
//     box5: {spec: "box:width=5", version: 0123456789abcdef}   # pinned
//   pipelines:
//     - name: cpu_smooth
//       select: 'node_cpu_utilisation{mode="user"}'    # a PromQL selector
//       max_series: 10000
//       stages:
//         - filter: smooth15                           # or smooth15@<version>
//         - detect: {kind: surprise, period: 288, set_score: 0.75}
//       output:
//         suffix: ":smooth"                            # or prefix: / name:
//         score_suffix: ":anomaly_score"               # with a detect stage
//         labels: {source: faltungd}
//       alert:                                         # with a detect stage
//         name: CpuAnomaly
//         labels: {severity: page}
//         annotations: {summary: "CPU of {{ $labels.instance }} is unusual"}
//
// load_config() checks everything and throws ConfigError naming the file, the
// line and the field: unknown keys (typos), types, kernel references and
// pins, selectors, names, outputs two pipelines would both write, and the
// files it names (three steps: parse_config below).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "faltung/detect.hpp"
#include "faltung/kernels.hpp"
#include "connections.hpp"
#include "remote_write.hpp"
#include "selector.hpp"

namespace faltungd {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KernelEntry {
  std::string name;
  faltung::kernels::Kernel kernel;  // spec, values and version (content hash)
};

struct Stage {
  enum class Kind { filter, detect } kind;
  std::string kernel;                 // filter: the kernel's name
  faltung::DetectorOptions detector;  // detect
};

struct Output {
  std::string prefix, suffix, name;  // name, or prefix + input name + suffix
  std::string score_suffix = ":anomaly_score";
  std::map<std::string, std::string> labels;
  std::string metric_for(const std::string& input_name) const {
    return name.empty() ? prefix + input_name + suffix : name;
  }
};

struct AlertRule {
  std::string name;
  std::map<std::string, std::string> labels, annotations;
};

struct Pipeline {
  std::string name;
  Selector select;
  std::int64_t max_series = 100000;
  std::vector<Stage> stages;
  Output output;
  std::optional<AlertRule> alert;
  bool has_detector() const {
    for (const auto& s : stages)
      if (s.kind == Stage::Kind::detect) return true;
    return false;
  }
};

// server: who may write, and TLS.
//
//   server:
//     admin_auth: {basic_auth_users: {admin: "$2y$10$..."}}   # POST /-/reload
//     write_auth:
//       bearer_token_file: /etc/faltungd/token   # or bearer_token: "..."
//       basic_auth_users: {prometheus: "$2y$10$..."}   # bcrypt hashes
//     tls: {cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt}
//     connections: {max: 1024, idle_timeout: 30, request_timeout: 30}   # seconds
//     limits: {max_body_bytes: 16777216, max_decoded_bytes: 67108864, max_in_flight: 8, max_future: 600}
//
// connections (connections.hpp): at `max` open connections the longest-idle
// one is closed for a new one; a connection waiting for a request is closed
// after idle_timeout; a request must arrive whole (headers and body) within
// request_timeout of its first byte. limits (remote_write.hpp): a write
// body's size on the wire and decoded, the write requests decoded at once
// (more get 503), how far ahead of the clock a sample may be (seconds).
//
// Either credential opens the write endpoint; with none configured it is
// open (trusted networks only). client_ca_file makes TLS require a client
// certificate signed by that CA.
struct Credentials {
  std::string bearer_token;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
  bool any() const { return !bearer_token.empty() || !basic_auth_users.empty(); }
};

struct ServerSection {
  Credentials write, admin;  // admin: POST /-/reload
  std::string tls_cert_file, tls_key_file, tls_client_ca_file;
  ConnectionPolicy connections;
  Limits limits;
  bool write_auth() const { return write.any(); }
  bool admin_auth() const { return admin.any(); }
};

// alerting: where alerts go (Alertmanager's API v2).
//
//   alerting:
//     alertmanagers: ["http://127.0.0.1:9093"]
//     resend_interval: 60      # seconds; firing alerts are re-sent this often
struct AlertingSection {
  std::vector<std::string> alertmanagers;
  double resend_seconds = 60;
};

// remote_write: receivers the outputs are sent to (besides /metrics), each
// through its own durable queue on disk (remote_queue.hpp).
//
//   remote_write:
//     - url: http://thanos-receive:19291/api/v1/write
//       name: longterm             # the queue's name (default: host_port of the URL)
//       bearer_token_file: /etc/faltungd/remote-token   # or bearer_token, or:
//       basic_auth: {username: faltungd, password_file: /etc/faltungd/remote-password}
//       tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
//       remote_timeout: 30         # seconds per request
//       queue_config:
//         max_samples_per_send: 2000
//         min_backoff: 0.03        # seconds; doubled after each failed try
//         max_backoff: 5
//         max_bytes: 1073741824    # the queue's size on disk
//         when_full: drop_oldest   # or refuse_writes (503 to senders until it drains)
struct RemoteWriteTarget {
  std::string name, url;
  std::string bearer_token, basic_user, basic_password;
  std::string ca_file, cert_file, key_file;
  double timeout_seconds = 30;
  std::int64_t max_samples_per_send = 2000;
  double min_backoff_seconds = 0.03, max_backoff_seconds = 5;
  std::uint64_t max_bytes = 1ull << 30;
  bool refuse_writes_when_full = false;
};

struct Config {
  std::map<std::string, KernelEntry> kernels;
  std::vector<Pipeline> pipelines;
  ServerSection server;
  AlertingSection alerting;
  std::vector<RemoteWriteTarget> remote_write;
};

// The configuration is read in three steps; parse_config takes all three.
//   parse:         the YAML, each field alone: its type, range and form;
//   validate:      what fields say about each other: kernel references and
//                  pins, names used twice, outputs two pipelines would write;
//   resolve_files: the files it names: secrets read (*_file), TLS files
//                  checked readable.
// Each throws ConfigError naming the file, the line and the field.
struct ParsedConfig {
  Config config;
  std::string file;
  std::map<std::string, int> lines;  // field path -> its line in `file` (from 1), for errors
  struct KernelUse {                 // a filter stage's kernel reference, NAME or NAME@VERSION
    std::size_t pipeline, stage;
    std::string ref, path;
  };
  std::vector<KernelUse> kernel_uses;
  struct FileField {  // a field that names a file
    std::string path, file;
    // Takes the file's content (trailing blanks cut) into the config, or
    // says what is wrong with it; empty for a file only checked readable.
    std::function<std::string(Config&, std::string)> take;
  };
  std::vector<FileField> file_fields;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const;
};
ParsedConfig parse_config_fields(const std::string& text, const std::string& file);
void validate_config(ParsedConfig& parsed);
void resolve_config_files(ParsedConfig& parsed);

// All three steps. `text` is the file's content; `file` names it in errors.
Config parse_config(const std::string& text, const std::string& file);
Config load_config(const std::string& path);

}  // namespace faltungd
