// Parsing "name:key=value,key=value" kernel specs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faltung::signal {

struct Spec {
  std::string name;
  std::map<std::string, std::string> params;
};

// Splits the text; throws faltung::Error(parse) on malformed syntax.
Spec parse_spec(std::string_view text);

// Reads the parameters of one kernel kind: each accessor marks its key as
// used; finish() rejects keys nobody asked for, naming them.
class Params {
 public:
  explicit Params(const Spec& spec) : spec_(spec) {}
  bool has(const std::string& key) const { return spec_.params.count(key) > 0; }
  double number(const std::string& key, double fallback);
  double required_number(const std::string& key);
  long long integer(const std::string& key, long long fallback);
  long long required_integer(const std::string& key);
  void finish() const;

 private:
  const std::string* find(const std::string& key);
  const Spec& spec_;
  std::vector<std::string> used_;
};

}  // namespace faltung::signal
