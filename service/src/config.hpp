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
//         - detect: {kind: multiscale, period: 288, set_score: 0.75}
//       output:
//         suffix: ":smooth"                            # or prefix: / name:
//         score_suffix: ":anomaly_score"               # with a detect stage
//         labels: {source: faltungd}
//       alert:                                         # with a detect stage
//         name: CpuAnomaly
//         labels: {severity: page}
//         annotations: {summary: "CPU of {{ $labels.instance }} is unusual"}
//
// load() checks everything and throws ConfigError naming the file, the line
// and the field: unknown keys (typos), types, kernel references and pins,
// selectors, names, and outputs two pipelines would both write.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "faltung/detect.hpp"
#include "faltung/kernels.hpp"
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
  std::string kernel;                // filter: the kernel's name
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

struct Config {
  std::map<std::string, KernelEntry> kernels;
  std::vector<Pipeline> pipelines;
  ServerSection server;
  AlertingSection alerting;
};

// `text` is the file's content; `file` names it in errors.
Config parse_config(const std::string& text, const std::string& file);
Config load_config(const std::string& path);

}  // namespace faltungd
