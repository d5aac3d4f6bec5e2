// faltung._core.Plan: a reusable plan for one problem, as Python sees it.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "execute.hpp"
#include "faltung/errors.hpp"
#include "faltung/plan.hpp"

namespace faltung::python {

namespace {

// kernel: None, or the kernel's values (lets the planner consider separable).
Plan create_plan(const std::string& problem, int method, int threads, std::size_t max_workspace_bytes,
                 const std::string& accuracy, nb::handle kernel) {
  const Problem p = canonical(parse_problem(problem));
  PlanOptions o;
  o.method = static_cast<Method>(method);
  o.threads = threads;
  o.max_workspace_bytes = max_workspace_bytes;
  o.accuracy = parse_accuracy(accuracy);
  nb::object k;
  if (!kernel.is_none()) {
    k = input_array(kernel, p.dtype);
    if (shape_of(k) != p.k)
      throw Error(ErrorKind::invalid_argument, "kernel must have the shape " + shape_to_string(p.k));
    o.kernel = data_of(k);
  }
  return Plan::create(p, o);
}

nb::object input_for(const char* what, nb::handle a, const Plan& plan, const Shape& shape) {
  nb::object arr = input_array(a, plan.problem().dtype);
  if (shape_of(arr) != shape)
    throw Error(ErrorKind::invalid_argument, std::string(what) + " has the shape " + shape_to_string(shape_of(arr)) +
                                                 "; this plan takes " + shape_to_string(shape));
  return arr;
}

nb::object execute(const Plan& plan, nb::handle x, nb::handle k, nb::handle out) {
  const Problem& p = plan.problem();
  const nb::object xa = input_for("x", x, plan, p.x);
  const nb::object ka = input_for("k", k, plan, p.k);
  return execute_plan(plan, xa, ka, out);
}

}  // namespace

void bind_plan(nb::module_& m) {
  nb::class_<Plan>(m, "Plan")
      .def(nb::new_(&create_plan), nb::arg("problem"), nb::arg("method"), nb::arg("threads"),
           nb::arg("max_workspace_bytes"), nb::arg("accuracy"), nb::arg("kernel").none())
      .def("execute", &execute, nb::arg("x"), nb::arg("k"), nb::arg("out").none())
      .def("explain", &Plan::explain)
      .def_prop_ro("problem", [](const Plan& p) { return to_string(p.problem()); })
      .def_prop_ro("method", [](const Plan& p) { return std::string(name(p.method())); })
      .def_prop_ro("dtype", [](const Plan& p) { return std::string(numpy_name(p.problem().dtype)); })
      .def_prop_ro("x_shape", [](const Plan& p) { return p.problem().x; })
      .def_prop_ro("k_shape", [](const Plan& p) { return p.problem().k; })
      .def_prop_ro("output_shape", &Plan::output_shape)
      .def_prop_ro("threads", &Plan::threads)
      .def_prop_ro("workspace_bytes", &Plan::workspace_bytes)
      .def_prop_ro("estimated_seconds", &Plan::estimated_seconds)
      .def_prop_ro("accuracy", [](const Plan& p) { return std::string(name(p.accuracy())); });
}

}  // namespace faltung::python
