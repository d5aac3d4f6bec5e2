#pragma once

#include <memory>

#include "algorithms/solver.hpp"

namespace faltung::fft {
// method=fft: one transform over the whole (extended) array per batch index.
std::unique_ptr<algorithms::Solver> make_whole_array_solver();
// method=overlap_save: blocks whose lengths minimise the cost model, within
// max_workspace_bytes.
std::unique_ptr<algorithms::Solver> make_overlap_save_solver();
}  // namespace faltung::fft
