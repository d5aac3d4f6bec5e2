// numpy arrays <-> the engine, through numpy's C API: the cheapest way in and
// out (a cached small call costs well under a microsecond here).
#pragma once

#include <nanobind/nanobind.h>

#include "faltung/problem.hpp"

namespace faltung::python {

namespace nb = nanobind;

// Must run once, in the module's init, before any other function here.
void import_numpy();

// A C-contiguous, aligned numpy array of `t` holding `obj`'s values: `obj`
// itself when it already is one (no copy; read-only arrays are fine),
// otherwise a converted copy. Throws nb::python_error if numpy cannot convert.
nb::object input_array(nb::handle obj, DType t);

// The engine dtype of a numpy array; throws faltung::Error naming the dtype if
// the engine does not compute it (the Python layer casts before calling).
DType engine_dtype(nb::handle array);

Shape shape_of(nb::handle array);
const void* data_of(nb::handle array);

// A new C-ordered numpy array of this dtype and shape.
nb::object new_array(DType t, const Shape& shape);

// `out` as the destination of a result of this dtype and shape: a writable,
// C-contiguous numpy array; throws faltung::Error otherwise.
void* output_data(nb::handle out, DType t, const Shape& shape);

}  // namespace faltung::python
