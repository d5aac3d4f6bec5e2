// The reference as a method: selectable with method=reference for checks; the
// planner never picks it on its own.
#pragma once

#include <memory>

#include "algorithms/solver.hpp"

namespace faltung::planner {
std::unique_ptr<algorithms::Solver> make_reference_solver();
}
