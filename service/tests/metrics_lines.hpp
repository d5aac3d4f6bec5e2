// The /metrics lines of faltungd's pipeline outputs (its own faltungd_ SLIs
// left out), sorted: the order of series on /metrics is not part of the
// contract, so runs are compared this way.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace faltungd {

inline std::string outputs(const std::string& metrics) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < metrics.size()) {
    const auto end = metrics.find('\n', at);
    const std::string line = metrics.substr(at, end - at);
    if (!line.empty() && line[0] != '#' && line.rfind("faltungd_", 0) != 0) lines.push_back(line);
    at = end == std::string::npos ? metrics.size() : end + 1;
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace faltungd
