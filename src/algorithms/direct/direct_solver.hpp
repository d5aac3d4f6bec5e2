#pragma once

#include <memory>

#include "algorithms/solver.hpp"

namespace faltung::direct {
std::unique_ptr<algorithms::Solver> make_direct_solver();
}
