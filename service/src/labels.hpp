// A series' labels: name/value pairs sorted by name, names unique (the
// remote-write specification's rule, which the decoder enforces).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltungd {

struct Label {
  std::string name, value;
  bool operator==(const Label&) const = default;
};

using Labels = std::vector<Label>;

// The value of `name`, or "" if the series has no such label (Prometheus:
// a missing label and an empty one are the same).
inline std::string_view label_value(const Labels& labels, std::string_view name) {
  for (const auto& l : labels)
    if (l.name == name) return l.value;
  return {};
}

// name{a="1",b="2"}: the series as Prometheus prints it (also its identity).
std::string to_text(const Labels& labels);

// Prometheus' label-name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool valid_label_name(std::string_view name);

}  // namespace faltungd
