// Pieces of the faltung._core module, defined in their own files.
#pragma once

#include <nanobind/nanobind.h>

namespace faltung::python {

namespace nb = nanobind;

void bind_plan(nb::module_& m);
void bind_stream(nb::module_& m);
void bind_detector(nb::module_& m);

}  // namespace faltung::python
