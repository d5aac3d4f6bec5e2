#pragma once

#include <memory>

#include "algorithms/solver.hpp"

namespace faltung::separable {
// method=separable: a rank-1 kernel of 2 or 3 convolved axes as one direct
// 1-D pass per axis.
std::unique_ptr<algorithms::Solver> make_separable_solver();
}  // namespace faltung::separable
