// One execute() of a plan from Python: the result in a new array or in
// `out`, the GIL released for calls worth it, large workspaces taken from the
// recycled buffers (output_pool.hpp).
#pragma once

#include <nanobind/nanobind.h>

#include "faltung/plan.hpp"

namespace faltung::python {

// Below this estimated time a call keeps the GIL: releasing and re-taking it
// costs about as much as the whole computation.
inline constexpr double kReleaseGilAbove = 5e-6;  // seconds

// x and k: arrays from input_array() of the plan's dtype and shapes. out:
// None (a new array is returned) or the array to write into (returned).
// Call with the GIL held.
nanobind::object execute_plan(const Plan& plan, nanobind::handle x, nanobind::handle k, nanobind::handle out);

}  // namespace faltung::python
