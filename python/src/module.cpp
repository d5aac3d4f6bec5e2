// faltung._core: the engine for Python. The Python package (faltung/*.py)
// turns scipy-style arguments into these calls; nothing here knows scipy.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>

#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "execute.hpp"
#include "faltung/convolve.hpp"
#include "faltung/deconvolve.hpp"
#include "faltung/errors.hpp"
#include "faltung/kernels.hpp"
#include "faltung/missing.hpp"
#include "faltung/plan.hpp"
#include "faltung/wisdom.hpp"
#include "output_pool.hpp"

namespace nb = nanobind;
using namespace faltung;
using namespace faltung::python;

namespace {

// Everything but op, mode, method and threads; Python builds one only when a
// call departs from the defaults, so the common call converts four ints.
struct CallOptions {
  bool filter_family = false;  // ndimage: mode same, ndimage origin
  std::vector<int> boundary;   // BoundaryRule codes, one or one per convolved axis
  double cval = 0.0;
  std::vector<std::int64_t> origin;
  std::vector<int> axes;
  int nan = 0;  // NanPolicy code
  double fill = 0.0;
};

// The fields a Problem and FilterOptions share, from the Python options.
template <class Target>
void copy_options(const CallOptions& o, Target& to) {
  to.axes = o.axes;
  to.boundary.clear();
  for (int b : o.boundary) to.boundary.push_back(static_cast<BoundaryRule>(b));
  to.cval = o.cval;
  to.origin = o.origin;
  to.nan = static_cast<NanPolicy>(o.nan);
  to.fill = o.fill;
}

Problem make_problem(int op, DType t, Shape x, Shape k, int mode, const CallOptions* o) {
  Problem p;
  p.op = static_cast<Op>(op);
  p.dtype = t;
  p.x = std::move(x);
  p.k = std::move(k);
  p.mode = static_cast<Mode>(mode);
  if (!o) return p;
  if (o->filter_family) {
    FilterOptions f;
    f.op = p.op;
    copy_options(*o, f);  // ndimage's origin, translated by filter_problem
    return filter_problem(t, p.x, p.k, f);
  }
  copy_options(*o, p);
  return p;
}

// One call: the problem from the arrays and options, a plan (cached by the
// engine), one execute into a new array or into `out`.
nb::object run(int op, nb::handle x, nb::handle k, int mode, int method, int threads, const CallOptions* options,
               nb::handle out) {
  const DType t = engine_dtype(x);
  const nb::object xa = input_array(x, t);
  const nb::object ka = input_array(k, t);
  const Problem p = make_problem(op, t, shape_of(xa), shape_of(ka), mode, options);
  PlanOptions po;
  po.method = static_cast<Method>(method);
  po.threads = threads;
  po.kernel = data_of(ka);  // the values are known: lets auto consider separable kernels
  const Plan plan = Plan::create(p, po);
  return execute_plan(plan, xa, ka, out);
}

std::string problem_text(int op, const std::string& dtype, const Shape& x, const Shape& k, int mode,
                         const CallOptions* options) {
  const Problem p = make_problem(op, parse_numpy_dtype(dtype), x, k, mode, options);
  validate(p);
  return to_string(canonical(p));
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "faltung's C++ engine (use the faltung package, not this module)";
  import_numpy();

  // faltung::Error -> the Python exception a numpy user expects.
  nb::register_exception_translator([](const std::exception_ptr& e, void*) {
    try {
      std::rethrow_exception(e);
    } catch (const Error& err) {
      switch (err.kind()) {
        case ErrorKind::nonfinite_input:
          PyErr_SetString(PyExc_FloatingPointError, err.what());
          break;
        case ErrorKind::io:
          PyErr_SetString(PyExc_OSError, err.what());
          break;
        default:
          PyErr_SetString(PyExc_ValueError, err.what());
          break;
      }
    }
  });

  nb::class_<CallOptions>(m, "CallOptions")
      .def(nb::init<>())
      .def_rw("filter_family", &CallOptions::filter_family)
      .def_rw("boundary", &CallOptions::boundary)
      .def_rw("cval", &CallOptions::cval)
      .def_rw("origin", &CallOptions::origin)
      .def_rw("axes", &CallOptions::axes)
      .def_rw("nan", &CallOptions::nan)
      .def_rw("fill", &CallOptions::fill);

  m.def("run", &run, nb::arg("op"), nb::arg("x"), nb::arg("k"), nb::arg("mode"), nb::arg("method"), nb::arg("threads"),
        nb::arg("options").none(), nb::arg("out").none());
  m.def("problem_text", &problem_text, nb::arg("op"), nb::arg("dtype"), nb::arg("x"), nb::arg("k"), nb::arg("mode"),
        nb::arg("options").none());
  // The engine's enum names in code order (problem.hpp's enum_names): the
  // Python tables of codes and the command line's choices are made from them.
  m.def("enum_names", [] {
    nb::dict out;
    const auto list = [](std::span<const std::string_view> names) {
      nb::list l;
      for (const auto n : names) l.append(nb::str(n.data(), n.size()));
      return l;
    };
    out["op"] = list(enum_names<Op>());
    out["mode"] = list(enum_names<Mode>());
    out["boundary"] = list(enum_names<BoundaryRule>());
    out["nan"] = list(enum_names<NanPolicy>());
    out["method"] = list(enum_names<Method>());
    return out;
  });
  m.def("canonical_problem", [](const std::string& text) { return to_string(canonical(parse_problem(text))); });
  m.def("output_shape", [](const std::string& text) { return output_shape(parse_problem(text)); });

  m.def("release_memory", &drop_kept_buffers,
        "frees the recycled result buffers no array uses now; returns the bytes freed");

  m.def("make_kernel", [](const std::string& spec) {
    const kernels::Kernel k = kernels::make(spec);
    nb::object values = new_array(DType::f64, k.shape);
    std::copy(k.values.begin(), k.values.end(), static_cast<double*>(const_cast<void*>(data_of(values))));
    return nb::make_tuple(k.spec, values, k.version);
  });
  m.def("kernel_catalogue", &kernels::catalogue);

  // Deconvolution on float64 arrays (the Python layer casts).
  auto result = [](const std::vector<double>& y, const Shape& shape) {
    nb::object out = new_array(DType::f64, shape);
    std::copy(y.begin(), y.end(), static_cast<double*>(const_cast<void*>(data_of(out))));
    return out;
  };
  m.def("wiener", [result](nb::handle image, nb::handle psf, double balance, bool laplacian, bool clip) {
    const nb::object x = input_array(image, DType::f64), k = input_array(psf, DType::f64);
    deconvolve::WienerOptions o;
    o.balance = balance;
    o.regulariser = laplacian ? deconvolve::Regulariser::laplacian : deconvolve::Regulariser::identity;
    o.clip = clip;
    std::vector<double> y;
    {
      nb::gil_scoped_release unlocked;
      y = deconvolve::wiener(static_cast<const double*>(data_of(x)), shape_of(x),
                             static_cast<const double*>(data_of(k)), shape_of(k), o);
    }
    return result(y, shape_of(x));
  });
  m.def("impulse_response", [](nb::handle x, nb::handle y, std::int64_t taps, int choose, double lambda) {
    const nb::object xa = input_array(x, DType::f64), ya = input_array(y, DType::f64);
    const Shape xs = shape_of(xa), ys = shape_of(ya);
    if (xs.size() != 1 || xs != ys)
      throw Error(ErrorKind::invalid_argument, "impulse response: x and y must be 1-D arrays of one length, got " +
                                                   shape_to_string(xs) + " and " + shape_to_string(ys));
    deconvolve::ImpulseResponseOptions o;
    o.choose = static_cast<deconvolve::Regularisation>(choose);
    o.lambda = lambda;
    deconvolve::ImpulseResponse r;
    {
      nb::gil_scoped_release unlocked;
      r = deconvolve::estimate_impulse_response(static_cast<const double*>(data_of(xa)),
                                                static_cast<const double*>(data_of(ya)), xs[0], taps, o);
    }
    nb::object h = new_array(DType::f64, {static_cast<std::int64_t>(r.h.size())});
    std::copy(r.h.begin(), r.h.end(), static_cast<double*>(const_cast<void*>(data_of(h))));
    return nb::make_tuple(h, r.lambda, r.residual_norm, r.solution_norm);
  });
  m.def(
      "normalized_convolve",
      [result](nb::handle x, nb::handle weights, nb::handle k, int boundary, double cval, int threads,
               bool interpolate) {
        const nb::object xa = input_array(x, DType::f64), ka = input_array(k, DType::f64);
        nb::object wa;
        if (!weights.is_none()) {
          wa = input_array(weights, DType::f64);
          if (shape_of(wa) != shape_of(xa))
            throw Error(ErrorKind::invalid_argument, "missing data: weights " + shape_to_string(shape_of(wa)) +
                                                         " must have the shape of x " + shape_to_string(shape_of(xa)));
        }
        missing::Options o;
        o.boundary = static_cast<BoundaryRule>(boundary);
        o.cval = cval;
        o.threads = threads;
        std::vector<double> y;
        {
          nb::gil_scoped_release unlocked;
          const auto* xp = static_cast<const double*>(data_of(xa));
          const auto* kp = static_cast<const double*>(data_of(ka));
          y = interpolate
                  ? missing::interpolate_nans(xp, shape_of(xa), kp, shape_of(ka), o)
                  : missing::normalized_convolve(xp, wa.is_valid() ? static_cast<const double*>(data_of(wa)) : nullptr,
                                                 shape_of(xa), kp, shape_of(ka), o);
        }
        return result(y, shape_of(xa));
      },
      nb::arg("x"), nb::arg("weights").none(), nb::arg("k"), nb::arg("boundary"), nb::arg("cval"), nb::arg("threads"),
      nb::arg("interpolate"));
  m.def("richardson_lucy",
        [result](nb::handle image, nb::handle psf, int iterations, bool clip, double filter_epsilon, int threads) {
          const nb::object x = input_array(image, DType::f64), k = input_array(psf, DType::f64);
          deconvolve::RichardsonLucyOptions o;
          o.iterations = iterations;
          o.clip = clip;
          o.filter_epsilon = filter_epsilon;
          o.threads = threads;
          std::vector<double> y;
          {
            nb::gil_scoped_release unlocked;
            y = deconvolve::richardson_lucy(static_cast<const double*>(data_of(x)), shape_of(x),
                                            static_cast<const double*>(data_of(k)), shape_of(k), o);
          }
          return result(y, shape_of(x));
        });

  m.def("wisdom_export", &wisdom::export_text);
  m.def("wisdom_import", [](const std::string& text) { return wisdom::import_text(text); });
  m.def("wisdom_save", &wisdom::save);
  m.def("wisdom_load", &wisdom::load);
  m.def("wisdom_forget", &wisdom::forget);

  bind_plan(m);
  bind_stream(m);
  bind_detector(m);
}
