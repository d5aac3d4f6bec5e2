// Pieces of the faltung._core module, defined in their own files.
#pragma once

#include <nanobind/nanobind.h>

namespace faltung::python {

namespace nb = nanobind;

// Below this estimated time a call keeps the GIL: releasing and re-taking it
// costs about as much as the whole computation.
inline constexpr double kReleaseGilAbove = 5e-6;  // seconds

void bind_plan(nb::module_& m);

}  // namespace faltung::python
