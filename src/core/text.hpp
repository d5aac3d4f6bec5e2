// Small text helpers shared by the grammar and error messages.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltung::core {

std::vector<std::string_view> split(std::string_view s, char sep);
std::optional<std::int64_t> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);
// Shortest text that parses back to the same double.
std::string format_double(double v);

template <class T>
std::string join(const std::vector<T>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += std::to_string(v[i]);
  }
  return out;
}

}  // namespace faltung::core
