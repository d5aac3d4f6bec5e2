// faltung._core.Detector: the C++ streaming detector for Python. The Python
// class (faltung/_detect.py) shapes and allocates; this checks and runs.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <string>

#include "bindings.hpp"
#include "faltung/detect.hpp"
#include "faltung/errors.hpp"

namespace faltung::python {

namespace {

// Process calls estimated longer than this release the GIL.
constexpr std::int64_t kReleaseGilAboveSamples = 20000;

using Values = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;
using Scores = nb::ndarray<double, nb::c_contig, nb::device::cpu>;
using Alerts = nb::ndarray<std::uint8_t, nb::c_contig, nb::device::cpu>;

Detector create(const std::string& kind, std::int64_t series, std::vector<std::int64_t> widths, std::int64_t period,
                double halflife, std::int64_t warmup, double set_score, double clear_score, std::int64_t set_samples,
                std::int64_t clear_samples, std::int64_t window, double alpha, double smoothing, double trend) {
  DetectorOptions o;
  o.kind = parse_detector_kind(kind);
  o.series = series;
  o.widths = std::move(widths);
  o.period = period;
  o.scale_halflife = halflife;
  o.warmup = warmup;
  o.set_score = set_score;
  o.clear_score = clear_score;
  o.set_samples = set_samples;
  o.clear_samples = clear_samples;
  o.window = window;
  o.alpha = alpha;
  o.smoothing = smoothing;
  o.trend = trend;
  return Detector::create(o);
}

// values, score and alert hold the same count of frames (the caller shapes them).
void process(Detector& d, Values values, Scores score, Alerts alert) {
  const auto n = static_cast<std::int64_t>(values.size());
  if (static_cast<std::int64_t>(score.size()) != n || static_cast<std::int64_t>(alert.size()) != n || n % d.series())
    throw Error(ErrorKind::invalid_argument, "detector: values, score and alert must hold the same whole frames");
  const std::int64_t frames = n / d.series();
  if (n > kReleaseGilAboveSamples) {
    nb::gil_scoped_release unlocked;
    d.process(values.data(), score.data(), alert.data(), frames);
  } else {
    d.process(values.data(), score.data(), alert.data(), frames);
  }
}

nb::bytes save(const Detector& d) {
  const auto bytes = d.save();
  return nb::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Detector restore(nb::bytes data) {
  return Detector::restore(reinterpret_cast<const std::uint8_t*>(data.c_str()), data.size());
}

}  // namespace

void bind_detector(nb::module_& m) {
  nb::class_<Detector>(m, "Detector")
      .def(nb::new_(&create), nb::arg("kind"), nb::arg("series"), nb::arg("widths"), nb::arg("period"),
           nb::arg("scale_halflife"), nb::arg("warmup"), nb::arg("set_score"), nb::arg("clear_score"),
           nb::arg("set_samples"), nb::arg("clear_samples"), nb::arg("window"), nb::arg("alpha"), nb::arg("smoothing"),
           nb::arg("trend"))
      .def("process", &process, nb::arg("values"), nb::arg("score"), nb::arg("alert"))
      .def("reset", &Detector::reset)
      .def("save", &save)
      .def_static("restore", &restore, nb::arg("data"))
      .def("explain", &Detector::explain)
      .def_prop_ro("kind", [](const Detector& d) { return std::string(name(d.options().kind)); })
      .def_prop_ro("series", &Detector::series)
      .def_prop_ro("widths", [](const Detector& d) { return d.options().widths; })
      .def_prop_ro("period", [](const Detector& d) { return d.options().period; })
      .def_prop_ro("warmup", &Detector::warmup)
      .def_prop_ro("samples_processed", &Detector::samples_processed)
      .def_prop_ro("state_bytes", &Detector::state_bytes);
}

}  // namespace faltung::python
