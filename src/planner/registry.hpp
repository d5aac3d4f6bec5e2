// The registry: the only place that lists every method, in order of preference
// for ties, reference last.
#pragma once

#include <vector>

#include "algorithms/solver.hpp"

namespace faltung::planner {

const std::vector<const algorithms::Solver*>& solvers();
const algorithms::Solver* solver_for(Method m);

}  // namespace faltung::planner
