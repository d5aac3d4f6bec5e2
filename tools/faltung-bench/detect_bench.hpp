// faltung-bench's detector mode: `series` series of normal noise through a
// faltung::Detector, `block` frames per call, timed; prints a JSON line.
#pragma once

#include <cstdint>
#include <string>

namespace faltung::bench {

struct DetectCase {
  std::string kind;  // empty: no detector run
  std::int64_t series = 1;
  std::int64_t period = 0;         // multiscale's seasonal period (0: none)
  std::int64_t block = 4096;       // frames per process() call
  std::int64_t samples = 1 << 22;  // values in all (series * frames)
  double budget = 0.3;             // seconds of timed repetitions
};

// Returns 0, or 1 after printing a message if the case cannot run.
int run_detect(const DetectCase& c);

}  // namespace faltung::bench
