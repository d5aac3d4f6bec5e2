// Choosing transform lengths and blocks for the FFT methods by the cost
// model (algorithms/costs.hpp).
#pragma once

#include <cstddef>
#include <optional>

#include "algorithms/fft/fft_executor.hpp"
#include "algorithms/solver.hpp"

namespace faltung::fft {

struct Scheduled {
  FftSchedule schedule;
  double seconds = 0;
  std::size_t workspace_bytes = 0;
};

// One block per convolved axis: the cheapest fast lengths >= out + m - 1
// (less where the span wraps, tiles.hpp).
Scheduled whole_array_schedule(const Problem& p, const algorithms::Context& c);
// The cheapest blocking whose workspace fits c.max_workspace_bytes, if any.
std::optional<Scheduled> blocked_schedule(const Problem& p, const algorithms::Context& c);

}  // namespace faltung::fft
