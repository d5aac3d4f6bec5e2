// One execute() of a plan from Python: the GIL released for calls worth it,
// large workspaces taken from the recycled buffers (output_pool.hpp).
#pragma once

#include "faltung/plan.hpp"

namespace faltung::python {

// Below this estimated time a call keeps the GIL: releasing and re-taking it
// costs about as much as the whole computation.
inline constexpr double kReleaseGilAbove = 5e-6;  // seconds

// Call with the GIL held.
void execute_plan(const Plan& plan, const void* x, const void* k, void* y);

}  // namespace faltung::python
