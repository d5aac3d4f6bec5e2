// Memory per active series: SERIES series (one sample each, 15-tap smoothing
// pipeline) through the engine; prints the process's resident memory before
// and after, and the engine's own count. With `remote` 1 the engine also
// keeps each output's encoded labels, as it does when remote_write is
// configured.
//
//   ./build/service/faltungd-memory-bench [series] [remote]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "../src/config.hpp"
#include "../src/engine.hpp"

namespace {

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const long series = argc > 1 ? std::atol(argv[1]) : 1000000;
  const auto config = faltungd::parse_config(R"yaml(kernels:
  smooth15: "gaussian:sigma=2.5,radius=7"
pipelines:
  - name: smooth
    select: '{__name__=~"node_.*"}'
    max_series: 100000000
    stages: [{filter: smooth15}]
)yaml",
                                             "(bench)");
  const bool remote = argc > 2 && std::atoi(argv[2]) != 0;
  faltungd::Engine engine(config, remote);
  const long before = resident_kib();
  const long batch = 10000;
  for (long first = 0; first < series; first += batch) {
    std::vector<faltungd::SeriesSamples> request;
    for (long s = first; s < std::min(series, first + batch); ++s)
      request.push_back({{{"__name__", "node_cpu_seconds_total"},
                          {"cpu", std::to_string(s % 64)},
                          {"instance", "host-" + std::to_string(s / 64) + ":9100"},
                          {"mode", "user"}},
                         {{1000, 1.0}}});
    engine.ingest(request);
  }
  const long after = resident_kib();
  std::printf(
      "{\"series\": %ld, \"remote_write\": %s, \"resident_bytes_per_series\": %.0f, \"engine_state_bytes_per_series\": "
      "%.0f, "
      "\"resident_mib\": %.0f}\n",
      series, remote ? "true" : "false", 1024.0 * static_cast<double>(after - before) / static_cast<double>(series),
      static_cast<double>(engine.state_bytes()) / static_cast<double>(series), static_cast<double>(after) / 1024.0);
}
