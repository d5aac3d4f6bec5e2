#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "faltung/errors.hpp"
#include "faltung/files.hpp"

namespace faltungd {

namespace {

// A pipeline kernel's taps at most: every series of the pipeline keeps
// taps - 1 samples (512 KiB per series at this bound).
constexpr std::size_t kMaxPipelineTaps = 1 << 16;

std::string format_seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// Seconds from "0.5" (a plain number) or a Prometheus duration: one or
// more <whole number><unit>, units largest first and each once, as
// Prometheus' model.ParseDuration takes them ("1m30s", "50ms").
std::optional<double> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double plain = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size()) return std::isfinite(plain) ? std::optional<double>(plain) : std::nullopt;
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"y", 31536000}, {"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}, {"ms", 0.001}};
  double total = 0;
  std::size_t at = 0, next_unit = 0;
  while (at < text.size()) {
    const std::size_t digits = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    if (at == digits || at - digits > 12) return std::nullopt;
    const double count = std::stod(text.substr(digits, at - digits));
    const std::size_t letters = at;
    while (at < text.size() && std::isalpha(static_cast<unsigned char>(text[at]))) ++at;
    const std::string_view unit(text.data() + letters, at - letters);
    std::size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].first != unit) ++u;
    if (u == std::size(kUnits)) return std::nullopt;
    total += count * kUnits[u].second;
    next_unit = u + 1;
  }
  return total;
}

// Reads one YAML file, keeping the file name and each field's path for errors.
class Reader {
 public:
  // `lines` gets the line of every field read, for the later steps' errors.
  Reader(std::string file, std::map<std::string, int>& lines) : file_(std::move(file)), lines_(lines) {}

  void note(const YAML::Node& at, const std::string& path) const {
    if (at.Mark().line >= 0) lines_[path] = at.Mark().line + 1;
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& path, const std::string& what) const {
    const auto mark = at.Mark();
    const std::string line = mark.line >= 0 ? ":" + std::to_string(mark.line + 1) : "";
    throw ConfigError(file_ + line + ": " + path + ": " + what);
  }

  // A map whose keys must all be among `known`.
  void expect_map(const YAML::Node& n, const std::string& path, const std::set<std::string>& known) const {
    note(n, path);
    if (!n.IsMap()) fail(n, path, "expected a mapping");
    for (const auto& kv : n) {
      const auto key = kv.first.as<std::string>();
      if (!known.count(key)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(kv.first, path + "." + key, "unknown field (known: " + list + ")");
      }
    }
  }

  std::string text(const YAML::Node& n, const std::string& path) const {
    note(n, path);
    if (!n.IsScalar()) fail(n, path, "expected a string");
    return n.as<std::string>();
  }

  template <class T>
  T number(const YAML::Node& n, const std::string& path) const {
    note(n, path);
    if (!n.IsScalar()) fail(n, path, "expected a number");
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, path, "'" + n.as<std::string>() + "' is not a " + (std::is_integral_v<T> ? "whole number" : "number"));
    }
  }

  // A time: a number of seconds (0.5), or a duration as Prometheus writes
  // them (50ms, 30s, 1m30s, 2h, 1d), between lo and hi seconds.
  double seconds(const YAML::Node& n, const std::string& path, double lo, double hi) const {
    if (!n.IsScalar()) fail(n, path, "expected a duration (seconds, or as 1m30s)");
    const std::string text = n.as<std::string>();
    const std::optional<double> s = parse_duration(text);
    if (!s)
      fail(n, path,
           "'" + text +
               "' is not a duration: a number of seconds, or units as Prometheus writes them "
               "(ms, s, m, h, d, w; 50ms, 1m30s)");
    if (!(*s >= lo && *s <= hi))
      fail(n, path, "must be between " + format_seconds(lo) + " and " + format_seconds(hi) + " seconds");
    return *s;
  }

  std::map<std::string, std::string> string_map(const YAML::Node& n, const std::string& path, bool label_names) const {
    if (!n.IsMap()) fail(n, path, "expected a mapping of names to strings");
    std::map<std::string, std::string> out;
    for (const auto& kv : n) {
      const auto key = kv.first.as<std::string>();
      if (label_names && !valid_label_name(key)) fail(kv.first, path + "." + key, "not a label name");
      out[key] = text(kv.second, path + "." + key);
    }
    return out;
  }

 private:
  std::string file_;
  std::map<std::string, int>& lines_;
};

bool valid_metric_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

KernelEntry read_kernel(const Reader& r, const std::string& name, const YAML::Node& n, const std::string& path) {
  std::string spec, pinned;
  if (n.IsScalar()) {
    spec = n.as<std::string>();
  } else {
    r.expect_map(n, path, {"spec", "version"});
    if (!n["spec"]) r.fail(n, path, "needs a spec (e.g. gaussian:sigma=2)");
    spec = r.text(n["spec"], path + ".spec");
    if (n["version"]) pinned = r.text(n["version"], path + ".version");
  }
  KernelEntry e{name, {}};
  try {
    e.kernel = faltung::kernels::make(spec);
  } catch (const faltung::Error& err) {
    r.fail(n, path, err.what());
  }
  if (e.kernel.shape.size() != 1) r.fail(n, path, "a pipeline filters series: the kernel must be 1-D");
  if (e.kernel.values.size() > kMaxPipelineTaps)
    r.fail(n, path,
           e.kernel.spec + " has " + std::to_string(e.kernel.values.size()) + " taps; a pipeline kernel may have " +
               "at most " + std::to_string(kMaxPipelineTaps) + " (every series keeps taps - 1 samples)");
  if (!pinned.empty() && pinned != e.kernel.version)
    r.fail(n, path + ".version",
           "pinned " + pinned + " but " + e.kernel.spec + " is version " + e.kernel.version + " in this build");
  return e;
}

faltung::DetectorOptions read_detector(const Reader& r, const YAML::Node& n, const std::string& path) {
  r.expect_map(n, path,
               {"kind", "widths", "period", "scale_halflife", "warmup", "set_score", "clear_score", "set_samples",
                "clear_samples", "window", "alpha", "smoothing", "trend"});
  faltung::DetectorOptions o;
  try {
    if (n["kind"]) o.kind = faltung::parse_detector_kind(r.text(n["kind"], path + ".kind"));
  } catch (const faltung::Error& e) {
    r.fail(n["kind"], path + ".kind", e.what());
  }
  if (n["widths"]) {
    if (!n["widths"].IsSequence()) r.fail(n["widths"], path + ".widths", "expected a list of widths");
    o.widths.clear();
    for (std::size_t i = 0; i < n["widths"].size(); ++i)
      o.widths.push_back(r.number<std::int64_t>(n["widths"][i], path + ".widths[" + std::to_string(i) + "]"));
  }
  auto integer = [&](const char* key, std::int64_t& v) {
    if (n[key]) v = r.number<std::int64_t>(n[key], path + "." + key);
  };
  auto real = [&](const char* key, double& v) {
    if (n[key]) v = r.number<double>(n[key], path + "." + key);
  };
  integer("period", o.period);
  integer("warmup", o.warmup);
  integer("set_samples", o.set_samples);
  integer("clear_samples", o.clear_samples);
  integer("window", o.window);
  real("scale_halflife", o.scale_halflife);
  real("set_score", o.set_score);
  real("clear_score", o.clear_score);
  real("alpha", o.alpha);
  real("smoothing", o.smoothing);
  real("trend", o.trend);
  try {
    faltung::Detector::create(o);  // the library validates every option by name
  } catch (const faltung::Error& e) {
    r.fail(n, path, e.what());
  }
  return o;
}

Stage read_stage(const Reader& r, ParsedConfig& pc, std::size_t pipeline, std::size_t index, const YAML::Node& n,
                 const std::string& path) {
  r.expect_map(n, path, {"filter", "detect"});
  if (n.size() != 1) r.fail(n, path, "a stage is one of filter: KERNEL or detect: {...}");
  Stage s;
  if (n["filter"]) {
    s.kind = Stage::Kind::filter;
    const std::string ref = r.text(n["filter"], path + ".filter");
    s.kernel = ref.substr(0, ref.find('@'));
    pc.kernel_uses.push_back({pipeline, index, ref, path + ".filter"});
  } else {
    s.kind = Stage::Kind::detect;
    s.detector = read_detector(r, n["detect"], path + ".detect");
  }
  return s;
}

Pipeline read_pipeline(const Reader& r, ParsedConfig& pc, std::size_t index, const YAML::Node& n,
                       const std::string& path) {
  r.expect_map(n, path, {"name", "select", "max_series", "stages", "output", "alert"});
  for (const char* key : {"name", "select", "stages"})
    if (!n[key]) r.fail(n, path, std::string("needs ") + key);
  Pipeline p;
  p.name = r.text(n["name"], path + ".name");
  if (!valid_label_name(p.name)) r.fail(n["name"], path + ".name", "'" + p.name + "' is not [a-zA-Z_][a-zA-Z0-9_]*");
  try {
    p.select = Selector::parse(r.text(n["select"], path + ".select"));
  } catch (const std::invalid_argument& e) {
    r.fail(n["select"], path + ".select", e.what());
  }
  if (n["max_series"]) {
    p.max_series = r.number<std::int64_t>(n["max_series"], path + ".max_series");
    if (p.max_series < 1) r.fail(n["max_series"], path + ".max_series", "must be at least 1");
  }
  const auto& stages = n["stages"];
  if (!stages.IsSequence() || stages.size() == 0) r.fail(stages, path + ".stages", "expected a list of stages");
  for (std::size_t i = 0; i < stages.size(); ++i)
    p.stages.push_back(read_stage(r, pc, index, i, stages[i], path + ".stages[" + std::to_string(i) + "]"));
  int detectors = 0;
  for (const auto& s : p.stages) detectors += s.kind == Stage::Kind::detect;
  if (detectors > 1) r.fail(stages, path + ".stages", "at most one detect stage");
  if (detectors && p.stages.back().kind != Stage::Kind::detect)
    r.fail(stages, path + ".stages", "the detect stage comes last (it scores the filtered value)");
  p.output.suffix = ":" + p.name;
  if (n["output"]) {
    const auto& o = n["output"];
    const std::string op = path + ".output";
    r.expect_map(o, op, {"prefix", "suffix", "name", "score_suffix", "labels"});
    if (o["name"] && (o["prefix"] || o["suffix"])) r.fail(o, op, "give name, or prefix and/or suffix, not both");
    p.output.suffix =
        o["suffix"] ? r.text(o["suffix"], op + ".suffix") : (o["prefix"] || o["name"] ? "" : p.output.suffix);
    if (o["prefix"]) p.output.prefix = r.text(o["prefix"], op + ".prefix");
    if (o["name"]) p.output.name = r.text(o["name"], op + ".name");
    if (o["score_suffix"]) p.output.score_suffix = r.text(o["score_suffix"], op + ".score_suffix");
    if (o["labels"]) p.output.labels = r.string_map(o["labels"], op + ".labels", true);
    for (const auto& [k, _] : p.output.labels)
      if (k == "__name__" || k == "pipeline" || k == "kernel")
        r.fail(o["labels"], op + ".labels." + k, "is set by faltungd");
    if (p.output.name.empty() && p.output.prefix.empty() && p.output.suffix.empty())
      r.fail(o, op, "the output would have the input's name: give a prefix, suffix or name");
  }
  for (const std::string& metric : {p.output.metric_for("x"), p.output.prefix + "x" + p.output.score_suffix})
    if (!valid_metric_name(metric))
      r.fail(n["output"] ? n["output"] : n, path + ".output", "gives the metric name '" + metric + "', not valid");
  if (n["alert"]) {
    if (!detectors) r.fail(n["alert"], path + ".alert", "alerts need a detect stage");
    const auto& a = n["alert"];
    r.expect_map(a, path + ".alert", {"name", "labels", "annotations"});
    if (!a["name"]) r.fail(a, path + ".alert", "needs name");
    AlertRule rule;
    rule.name = r.text(a["name"], path + ".alert.name");
    if (!valid_metric_name(rule.name)) r.fail(a["name"], path + ".alert.name", "not a valid alert name");
    if (a["labels"]) rule.labels = r.string_map(a["labels"], path + ".alert.labels", true);
    if (a["annotations"]) rule.annotations = r.string_map(a["annotations"], path + ".alert.annotations", true);
    p.alert = std::move(rule);
  }
  return p;
}

bool looks_like_bcrypt(const std::string& h) {
  return h.size() == 60 && h[0] == '$' && h[1] == '2' && (h[2] == 'a' || h[2] == 'b' || h[2] == 'y') && h[3] == '$';
}

// A secret given inline as `key` or in the file `key`_file (not both):
// `take` gets an inline one now, a file's content in resolve_config_files.
// Says whether either was given.
bool read_secret(const Reader& r, ParsedConfig& pc, const YAML::Node& n, const std::string& path,
                 const std::string& key, std::function<std::string(Config&, std::string)> take) {
  const std::string file_key = key + "_file";
  if (n[key] && n[file_key]) r.fail(n, path, "give " + key + " or " + file_key + ", not both");
  if (n[key]) {
    if (const std::string wrong = take(pc.config, r.text(n[key], path + "." + key)); !wrong.empty())
      r.fail(n, path, wrong);
    return true;
  }
  if (n[file_key]) {
    pc.file_fields.push_back({path + "." + file_key, r.text(n[file_key], path + "." + file_key), std::move(take)});
    return true;
  }
  return false;
}

// `which` picks the credentials in a Config (write or admin), for a token
// read from a file later.
Credentials read_credentials(const Reader& r, ParsedConfig& pc, const YAML::Node& a, const std::string& path,
                             Credentials ServerSection::*which) {
  Credentials out;
  r.expect_map(a, path, {"bearer_token", "bearer_token_file", "basic_auth_users"});
  const bool token = read_secret(r, pc, a, path, "bearer_token", [which](Config& c, std::string value) -> std::string {
    if (value.size() < 16) return "the bearer token is shorter than 16 characters";
    (c.server.*which).bearer_token = std::move(value);
    return "";
  });
  if (a["basic_auth_users"]) {
    out.basic_auth_users = r.string_map(a["basic_auth_users"], path + ".basic_auth_users", false);
    for (const auto& [user, hash] : out.basic_auth_users)
      if (!looks_like_bcrypt(hash))
        r.fail(a["basic_auth_users"], path + ".basic_auth_users." + user,
               "not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; make one with htpasswd -nBC 10 USER)");
  }
  if (!token && out.basic_auth_users.empty()) r.fail(a, path, "give a bearer token or basic_auth_users");
  return out;
}

void read_server(const Reader& r, ParsedConfig& pc, const YAML::Node& n) {
  ServerSection& out = pc.config.server;
  r.expect_map(n, "server", {"write_auth", "admin_auth", "tls", "connections", "limits"});
  // (An inline token is already in out.*which: only the users are taken.)
  const auto credentials = [&](const char* key, Credentials ServerSection::*which) {
    if (const auto& a = n[key]) {
      (out.*which).basic_auth_users = read_credentials(r, pc, a, std::string("server.") + key, which).basic_auth_users;
    }
  };
  credentials("write_auth", &ServerSection::write);
  credentials("admin_auth", &ServerSection::admin);
  if (const auto& t = n["tls"]) {
    r.expect_map(t, "server.tls", {"cert_file", "key_file", "client_ca_file"});
    if (!t["cert_file"] || !t["key_file"]) r.fail(t, "server.tls", "needs cert_file and key_file");
    out.tls_cert_file = r.text(t["cert_file"], "server.tls.cert_file");
    out.tls_key_file = r.text(t["key_file"], "server.tls.key_file");
    if (t["client_ca_file"]) out.tls_client_ca_file = r.text(t["client_ca_file"], "server.tls.client_ca_file");
    for (const auto& [key, file] : {std::pair{"cert_file", out.tls_cert_file}, std::pair{"key_file", out.tls_key_file},
                                    std::pair{"client_ca_file", out.tls_client_ca_file}})
      if (!file.empty()) pc.file_fields.push_back({std::string("server.tls.") + key, file, {}});
  }
  if (const auto& c = n["connections"]) {
    r.expect_map(c, "server.connections", {"max", "idle_timeout", "request_timeout"});
    auto& policy = out.connections;
    if (c["max"]) {
      const auto max = r.number<std::int64_t>(c["max"], "server.connections.max");
      if (max < 16 || max > 65536) r.fail(c["max"], "server.connections.max", "must be between 16 and 65536");
      policy.max_connections = static_cast<std::size_t>(max);
    }
    const auto timeout = [&](const char* key, std::chrono::milliseconds& into) {
      if (!c[key]) return;
      const std::string at = std::string("server.connections.") + key;
      const double s = r.seconds(c[key], at, 0.1, 3600);
      into = std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
    };
    timeout("idle_timeout", policy.idle_timeout);
    timeout("request_timeout", policy.request_read_timeout);
  }
  if (const auto& l = n["limits"]) {
    r.expect_map(l, "server.limits", {"max_body_bytes", "max_decoded_bytes", "max_in_flight", "max_future"});
    const auto bounded = [&](const char* key, std::int64_t lo, std::int64_t hi) -> std::optional<std::int64_t> {
      if (!l[key]) return std::nullopt;
      const std::string at = std::string("server.limits.") + key;
      const auto v = r.number<std::int64_t>(l[key], at);
      if (v < lo || v > hi) r.fail(l[key], at, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return v;
    };
    auto& limits = out.limits;
    if (const auto v = bounded("max_body_bytes", 1 << 10, std::int64_t{1} << 30))
      limits.max_body_bytes = static_cast<std::size_t>(*v);
    if (const auto v = bounded("max_decoded_bytes", 1 << 10, std::int64_t{1} << 31))
      limits.max_decoded_bytes = static_cast<std::size_t>(*v);
    if (const auto v = bounded("max_in_flight", 1, 1024)) limits.max_in_flight = static_cast<int>(*v);
    if (l["max_future"])
      limits.max_future_ms = static_cast<std::int64_t>(
          std::llround(1000 * r.seconds(l["max_future"], "server.limits.max_future", 0, 7 * 86400)));
  }
}

// host_port of an http(s) URL: a default queue name that is also a directory name.
std::string name_from_url(const std::string& url) {
  const auto host_at = url.find("://") + 3;
  std::string out = url.substr(host_at, url.find('/', host_at) - host_at);
  for (char& ch : out)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') ch = '_';
  return out;
}

// Appends remote_write[index] to the config.
void read_remote_write(const Reader& r, ParsedConfig& pc, std::size_t index, const YAML::Node& n,
                       const std::string& path) {
  r.expect_map(n, path,
               {"url", "name", "bearer_token", "bearer_token_file", "basic_auth", "tls_config", "remote_timeout",
                "queue_config"});
  RemoteWriteTarget& t = pc.config.remote_write.emplace_back();
  if (!n["url"]) r.fail(n, path, "needs a url (e.g. http://receiver:9090/api/v1/write)");
  t.url = r.text(n["url"], path + ".url");
  if ((t.url.rfind("http://", 0) != 0 && t.url.rfind("https://", 0) != 0) || t.url.find("://") + 3 == t.url.size())
    r.fail(n["url"], path + ".url", "'" + t.url + "' is not an http:// or https:// URL");
  t.name = n["name"] ? r.text(n["name"], path + ".name") : name_from_url(t.url);
  if (t.name.empty() || t.name[0] == '.' ||
      t.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    r.fail(n["name"] ? n["name"] : n, path + ".name",
           "'" + t.name + "' must be letters, digits, _ - . (it names a directory)");
  const bool token = read_secret(r, pc, n, path, "bearer_token", [index](Config& c, std::string value) {
    c.remote_write[index].bearer_token = std::move(value);
    return std::string();
  });
  if (const auto& b = n["basic_auth"]) {
    if (token) r.fail(n, path, "give one of bearer_token, bearer_token_file, basic_auth");
    const std::string at = path + ".basic_auth";
    r.expect_map(b, at, {"username", "password", "password_file"});
    const bool password = read_secret(r, pc, b, at, "password", [index](Config& c, std::string value) {
      c.remote_write[index].basic_password = std::move(value);
      return std::string();
    });
    if (!b["username"] || !password) r.fail(b, at, "needs a username and one of password, password_file");
    t.basic_user = r.text(b["username"], at + ".username");
  }
  if (const auto& tls = n["tls_config"]) {
    const std::string at = path + ".tls_config";
    r.expect_map(tls, at, {"ca_file", "cert_file", "key_file"});
    if (!tls["cert_file"] != !tls["key_file"]) r.fail(tls, at, "cert_file and key_file go together");
    for (auto [key, field] :
         {std::pair{"ca_file", &t.ca_file}, std::pair{"cert_file", &t.cert_file}, std::pair{"key_file", &t.key_file}}) {
      if (!tls[key]) continue;
      *field = r.text(tls[key], at + "." + key);
      pc.file_fields.push_back({at + "." + key, *field, {}});
    }
  }
  const auto seconds = [&](const YAML::Node& v, const std::string& at, double lo, double hi) {
    return r.seconds(v, at, lo, hi);
  };
  if (n["remote_timeout"]) t.timeout_seconds = seconds(n["remote_timeout"], path + ".remote_timeout", 0.1, 600);
  if (const auto& q = n["queue_config"]) {
    const std::string at = path + ".queue_config";
    r.expect_map(q, at, {"max_samples_per_send", "min_backoff", "max_backoff", "max_bytes", "when_full"});
    if (q["max_samples_per_send"]) {
      t.max_samples_per_send = r.number<std::int64_t>(q["max_samples_per_send"], at + ".max_samples_per_send");
      if (t.max_samples_per_send < 1 || t.max_samples_per_send > 1000000)
        r.fail(q["max_samples_per_send"], at + ".max_samples_per_send", "must be between 1 and 1000000");
    }
    if (q["min_backoff"]) t.min_backoff_seconds = seconds(q["min_backoff"], at + ".min_backoff", 0.001, 60);
    if (q["max_backoff"]) t.max_backoff_seconds = seconds(q["max_backoff"], at + ".max_backoff", 0.001, 3600);
    if (t.max_backoff_seconds < t.min_backoff_seconds) r.fail(q, at + ".max_backoff", "is less than min_backoff");
    if (q["max_bytes"]) {
      const auto bytes = r.number<std::int64_t>(q["max_bytes"], at + ".max_bytes");
      if (bytes < (8 << 20)) r.fail(q["max_bytes"], at + ".max_bytes", "must be at least 8388608 (8 MiB)");
      t.max_bytes = static_cast<std::uint64_t>(bytes);
    }
    if (q["when_full"]) {
      const auto policy = r.text(q["when_full"], at + ".when_full");
      if (policy != "drop_oldest" && policy != "refuse_writes")
        r.fail(q["when_full"], at + ".when_full", "'" + policy + "' is not drop_oldest or refuse_writes");
      t.refuse_writes_when_full = policy == "refuse_writes";
    }
  }
}

}  // namespace

[[noreturn]] void ParsedConfig::fail(const std::string& path, const std::string& what) const {
  // The field's line, or its nearest enclosing field's (a.b[2].c, a.b[2], a.b, a).
  std::string at = path;
  auto line = lines.find(at);
  while (line == lines.end() && !at.empty()) {
    const auto cut = at.find_last_of(".[");
    at = cut == std::string::npos ? "" : at.substr(0, cut);
    line = lines.find(at);
  }
  throw ConfigError(file + (line != lines.end() ? ":" + std::to_string(line->second) : "") + ": " + path + ": " + what);
}

namespace {

ParsedConfig parse_fields(const std::string& text, const std::string& file) {
  ParsedConfig pc;
  pc.file = file;
  const Reader r(file, pc.lines);
  Config& c = pc.config;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": not YAML: " + e.msg);
  }
  if (!root.IsMap()) throw ConfigError(file + ": expected a mapping with kernels and pipelines");
  r.expect_map(root, "config", {"kernels", "pipelines", "server", "alerting", "remote_write"});
  if (const auto& list = root["remote_write"]) {
    if (!list.IsSequence()) r.fail(list, "remote_write", "expected a list of receivers");
    for (std::size_t i = 0; i < list.size(); ++i)
      read_remote_write(r, pc, i, list[i], "remote_write[" + std::to_string(i) + "]");
  }
  if (root["server"]) read_server(r, pc, root["server"]);
  if (const auto& a = root["alerting"]) {
    r.expect_map(a, "alerting", {"alertmanagers", "resend_interval"});
    if (a["alertmanagers"]) {
      if (!a["alertmanagers"].IsSequence())
        r.fail(a["alertmanagers"], "alerting.alertmanagers", "expected a list of URLs");
      for (std::size_t i = 0; i < a["alertmanagers"].size(); ++i) {
        const std::string path = "alerting.alertmanagers[" + std::to_string(i) + "]";
        const std::string url = r.text(a["alertmanagers"][i], path);
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
          r.fail(a["alertmanagers"][i], path, "'" + url + "' is not an http:// or https:// URL");
        c.alerting.alertmanagers.push_back(url);
      }
    }
    if (a["resend_interval"]) {
      c.alerting.resend_seconds = r.seconds(a["resend_interval"], "alerting.resend_interval", 0.01, 86400);
    }
  }
  if (root["kernels"]) {
    if (!root["kernels"].IsMap()) r.fail(root["kernels"], "kernels", "expected a mapping of names to kernel specs");
    for (const auto& kv : root["kernels"]) {
      const auto name = kv.first.as<std::string>();
      if (!valid_label_name(name)) r.fail(kv.first, "kernels." + name, "not [a-zA-Z_][a-zA-Z0-9_]*");
      c.kernels[name] = read_kernel(r, name, kv.second, "kernels." + name);
    }
  }
  const auto& list = root["pipelines"];
  if (!list || !list.IsSequence() || list.size() == 0) r.fail(root, "pipelines", "expected a list of pipelines");
  r.note(list, "pipelines");
  for (std::size_t i = 0; i < list.size(); ++i)
    c.pipelines.push_back(read_pipeline(r, pc, i, list[i], "pipelines[" + std::to_string(i) + "]"));
  return pc;
}

}  // namespace

ParsedConfig parse_config_fields(const std::string& text, const std::string& file) {
  try {
    return parse_fields(text, file);
  } catch (const YAML::Exception& e) {  // a node of an unexpected kind where the checks did not look
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

void validate_config(ParsedConfig& parsed) {
  const Config& c = parsed.config;
  for (std::size_t i = 0; i < c.remote_write.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (c.remote_write[j].name == c.remote_write[i].name)
        parsed.fail(
            "remote_write[" + std::to_string(i) + "].name",
            "'" + c.remote_write[i].name + "' names remote_write[" + std::to_string(j) + "] too (give each a name:)");
  for (const auto& use : parsed.kernel_uses) {
    const std::string& name = c.pipelines[use.pipeline].stages[use.stage].kernel;
    const auto k = c.kernels.find(name);
    if (k == c.kernels.end()) {
      std::string known;
      for (const auto& [kn, _] : c.kernels) known += (known.empty() ? "" : ", ") + kn;
      parsed.fail(use.path, "unknown kernel '" + name + "' (known: " + known + ")");
    }
    if (use.ref != name && use.ref.substr(name.size() + 1) != k->second.kernel.version)
      parsed.fail(use.path, "pinned " + use.ref + " but kernel " + name + " is version " + k->second.kernel.version);
  }
  // Two pipelines may not write the same series: the same explicit name, or
  // the same prefix/suffix over selectors that fix the same metric name (or
  // do not fix one).
  std::set<std::string> names;
  for (const auto& p : c.pipelines)
    if (!names.insert(p.name).second) parsed.fail("pipelines", "two pipelines are named '" + p.name + "'");
  for (std::size_t i = 0; i < c.pipelines.size(); ++i)
    for (std::size_t j = i + 1; j < c.pipelines.size(); ++j) {
      const auto& a = c.pipelines[i];
      const auto& b = c.pipelines[j];
      const std::string an = a.select.metric_name(), bn = b.select.metric_name();
      const bool same_input = an.empty() || bn.empty() || an == bn;
      const bool same_rule =
          a.output.name.empty() == b.output.name.empty() &&
          (a.output.name.empty() ? a.output.prefix == b.output.prefix && a.output.suffix == b.output.suffix
                                 : a.output.name == b.output.name);
      if (same_rule && (same_input || !a.output.name.empty()))
        parsed.fail("pipelines[" + std::to_string(j) + "].output",
                    "pipelines " + a.name + " and " + b.name + " would write the same series (" +
                        a.output.metric_for(an.empty() ? "<input>" : an) +
                        "); give one another prefix, suffix or name");
    }
}

void resolve_config_files(ParsedConfig& parsed) {
  for (auto& field : parsed.file_fields) {
    std::string content;
    try {
      content = faltung::files::read_file(field.file);
    } catch (const faltung::Error& e) {
      parsed.fail(field.path, e.what());
    }
    if (!field.take) continue;  // checked readable only (TLS files: the TLS library reads them)
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' '))
      content.pop_back();
    if (const std::string wrong = field.take(parsed.config, std::move(content)); !wrong.empty())
      parsed.fail(field.path, wrong);
  }
}

Config parse_config(const std::string& text, const std::string& file) {
  ParsedConfig parsed = parse_config_fields(text, file);
  validate_config(parsed);
  resolve_config_files(parsed);
  return std::move(parsed.config);
}

Config load_config(const std::string& path) {
  std::string text;
  try {
    text = faltung::files::read_file(path);
  } catch (const faltung::Error& e) {
    throw ConfigError(e.what());
  }
  return parse_config(text, path);
}

}  // namespace faltungd
