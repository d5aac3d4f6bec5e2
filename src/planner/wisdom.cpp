#include "faltung/wisdom.hpp"

#include <map>
#include <mutex>
#include <sstream>
#include <tuple>

#include "faltung/errors.hpp"
#include "faltung/files.hpp"
#include "simd/targets.hpp"
#include "planner/wisdom_store.hpp"

namespace faltung::wisdom {
namespace {

constexpr std::string_view kHeader = "faltung-wisdom 1";

// problem (canonical text), cpu target, threads -> method
using Key = std::tuple<std::string, std::string, int>;

struct Store {
  std::mutex mutex;
  std::map<Key, Method> choices;
};

Store& store() {
  static Store s;
  return s;
}

// The best SIMD target of this CPU, asked once: the question costs ~25 us
// (cpuid), far more than a cached plan lookup.
const std::string& cpu_target() {
  static const std::string target = [] {
    const auto targets = simd::available_targets();
    return targets.empty() ? std::string("unknown") : targets.front().name;
  }();
  return target;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = line.find(sep, start);
    parts.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

std::string export_text() {
  Store& s = store();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::ostringstream out;
  out << kHeader << "\n";
  for (const auto& [key, method] : s.choices)
    out << std::get<0>(key) << "\t" << std::get<1>(key) << "\t" << std::get<2>(key) << "\t" << name(method) << "\n";
  return out.str();
}

std::vector<std::string> import_text(std::string_view text) {
  std::vector<std::string> warnings;
  std::vector<std::string_view> lines = split(text, '\n');
  if (lines.empty() || lines[0] != kHeader) {
    warnings.push_back("not faltung wisdom (the first line is not \"" + std::string(kHeader) +
                       "\"); nothing loaded, plans fall back to auto");
    return warnings;
  }
  std::map<Key, Method> parsed;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty() || line[0] == '#') continue;
    const auto fields = split(line, '\t');
    const std::string where = "wisdom line " + std::to_string(i + 1) + ": ";
    if (fields.size() != 4) {
      warnings.push_back(where + "expected 4 tab-separated fields, got " + std::to_string(fields.size()) + "; skipped");
      continue;
    }
    try {
      const Problem p = parse_problem(fields[0]);
      validate(p);
      const int threads = std::stoi(std::string(fields[2]));
      if (threads < 1) throw Error(ErrorKind::parse, "threads must be >= 1");
      const Method m = parse_method(fields[3]);
      if (m == Method::automatic || m == Method::measure || m == Method::reference)
        throw Error(ErrorKind::parse, "'" + std::string(fields[3]) + "' is not a measured method");
      parsed[{to_string(p), std::string(fields[1]), threads}] = m;
    } catch (const std::exception& e) {
      warnings.push_back(where + e.what() + "; skipped");
    }
  }
  Store& s = store();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto& [key, m] : parsed) s.choices[key] = m;
  return warnings;
}

void save(const std::string& path) {
  // Whole or not at all: a crash while saving leaves the previous file.
  files::replace_file(path, export_text(), /*sync=*/true);
}

std::vector<std::string> load(const std::string& path) {
  auto warnings = import_text(files::read_file(path));
  for (auto& w : warnings) w = path + ": " + w;
  return warnings;
}

void forget() {
  Store& s = store();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.choices.clear();
}

bool recall(const Problem& p, int threads, Method& method) {
  Store& s = store();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.choices.empty()) return false;  // the common case, without building a key
  const auto it = s.choices.find({to_string(canonical(p)), cpu_target(), threads});
  if (it == s.choices.end()) return false;
  method = it->second;
  return true;
}

void remember(const Problem& p, int threads, Method method) {
  Store& s = store();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.choices[{to_string(canonical(p)), cpu_target(), threads}] = method;
}

}  // namespace faltung::wisdom
