// Prometheus' text exposition format, as /metrics writes it: a family's
// HELP and TYPE lines, then its samples (`name{labels} value`).
#pragma once

#include <string>
#include <string_view>

namespace faltungd {

inline void write_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// labels: `a="1",b="2"`, or empty for none.
inline void write_sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

// One label pair, `name="value"` (values here never need escaping: metric
// and label names, numbers, pipeline names).
inline std::string label(std::string_view name, std::string_view value) {
  return std::string(name).append("=\"").append(value).append("\"");
}

}  // namespace faltungd
