// faltung-bench's stream mode: a 1-D problem run through a StreamFilter fed
// `block` samples per call (and `channels` series at once), timed and checked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung::bench {

struct StreamCase {
  std::int64_t total = 0;  // samples per channel
  std::int64_t block = 0;  // samples per process() call
  std::int64_t taps = 0;
  DType dtype = DType::f32;
};

struct StreamSettings {
  std::int64_t channels = 1;
  Method method = Method::automatic;
  bool verify = false, perf = false, explain = false;
  double budget = 0.3;
  std::uint64_t seed = 1;
};

// A 1-D problem string's stream case (x=N k=M dtype=f32|f64; conv, full).
StreamCase stream_case(const Problem& p, std::int64_t block);
// The grid's "stream" group.
std::vector<StreamCase> grid_stream_cases(const std::string& grid_json);
// Runs each case: prints a JSON line per case (with ns_per_sample and
// latency_samples); returns the number of failures.
int run_streams(const std::vector<StreamCase>& cases, const StreamSettings& s);

}  // namespace faltung::bench
