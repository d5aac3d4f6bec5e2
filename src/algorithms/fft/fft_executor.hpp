// The FFT executor shared by the whole-array and overlap-save methods: they
// differ only in the tiling (tiles.hpp) the solver chooses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/fft/fftw_plans.hpp"
#include "algorithms/solver.hpp"

namespace faltung::fft {

struct FftSchedule {
  std::vector<std::int64_t> L;      // transform length per convolved axis
  std::vector<std::int64_t> block;  // outputs per block per convolved axis
  PlanEffort effort = PlanEffort::estimate;
  int workers = 1;  // threads that run blocks (each has its own buffers)
};

// Bytes the executor needs for schedule s with `workers` workers.
std::size_t fft_workspace_bytes(const Problem& p, const FftSchedule& s, int workers);

std::unique_ptr<algorithms::Executor> make_fft_executor(const Problem& p, const FftSchedule& s);

}  // namespace faltung::fft
