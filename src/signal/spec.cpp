#include "signal/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "faltung/errors.hpp"

namespace faltung::signal {

namespace {

Error bad(const std::string& what) { return Error(ErrorKind::parse, "kernel spec: " + what); }

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Spec parse_spec(std::string_view text) {
  Spec spec;
  const std::size_t colon = text.find(':');
  spec.name = trim(text.substr(0, colon));
  if (spec.name.empty()) throw bad("'" + std::string(text) + "' has no kernel name (e.g. gaussian:sigma=4)");
  if (colon == std::string_view::npos) return spec;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) throw bad("'" + trim(item) + "' in '" + std::string(text) + "' is not key=value");
    const std::string key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    if (key.empty() || value.empty()) throw bad("'" + trim(item) + "' in '" + std::string(text) + "' is not key=value");
    if (!spec.params.emplace(key, value).second)
      throw bad("'" + key + "' is given twice in '" + std::string(text) + "'");
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

const std::string* Params::find(const std::string& key) {
  used_.push_back(key);
  const auto it = spec_.params.find(key);
  return it == spec_.params.end() ? nullptr : &it->second;
}

double Params::number(const std::string& key, double fallback) {
  const std::string* v = find(key);
  if (!v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0' || !std::isfinite(d))
    throw bad(spec_.name + ": " + key + "=" + *v + " is not a number");
  return d;
}

double Params::required_number(const std::string& key) {
  if (!has(key)) throw bad(spec_.name + " needs " + key + "= (e.g. " + spec_.name + ":" + key + "=4)");
  return number(key, 0);
}

long long Params::integer(const std::string& key, long long fallback) {
  const std::string* v = find(key);
  if (!v) return fallback;
  char* end = nullptr;
  const long long i = std::strtoll(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0') throw bad(spec_.name + ": " + key + "=" + *v + " is not an integer");
  return i;
}

long long Params::required_integer(const std::string& key) {
  if (!has(key)) throw bad(spec_.name + " needs " + key + "= (e.g. " + spec_.name + ":" + key + "=11)");
  return integer(key, 0);
}

void Params::finish() const {
  for (const auto& [key, value] : spec_.params)
    if (std::find(used_.begin(), used_.end(), key) == used_.end())
      throw bad(spec_.name + " has no parameter '" + key + "'");
}

}  // namespace faltung::signal
