// faltung._core.StreamFilter: the C++ stream filter for Python.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "faltung/errors.hpp"
#include "faltung/stream.hpp"

namespace faltung::python {

namespace {

// Process calls estimated longer than this release the GIL.
constexpr double kReleaseGilAboveNs = 5000;

StreamFilter create_stream(nb::handle kernel, const std::string& dtype, std::int64_t channels, bool per_channel,
                           std::int64_t max_block, std::int64_t latency, int nan, double fill, int method) {
  StreamOptions o;
  o.dtype = parse_numpy_dtype(dtype);
  o.channels = channels;
  o.kernel_per_channel = per_channel;
  o.max_block = max_block;
  o.latency = latency;
  o.nan = static_cast<NanPolicy>(nan);
  o.fill = fill;
  o.method = static_cast<Method>(method);
  const nb::object k = input_array(kernel, o.dtype);
  const Shape shape = shape_of(k);
  if (shape.empty()) throw Error(ErrorKind::invalid_argument, "the kernel must be an array of taps");
  return StreamFilter::create(data_of(k), shape.back(), o);
}

// chunk: (n,) for one channel, (n, channels) otherwise; the result has its shape.
nb::object process(StreamFilter& f, nb::handle chunk) {
  const nb::object x = input_array(chunk, f.dtype());
  const Shape shape = shape_of(x);
  const bool one = shape.size() == 1 && f.channels() == 1;
  const bool frames = shape.size() == 2 && shape[1] == f.channels();
  if (!one && !frames)
    throw Error(ErrorKind::invalid_argument,
                "a chunk for this filter has the shape " +
                    std::string(f.channels() == 1 ? "(n,)" : "(n, " + std::to_string(f.channels()) + ")") + "; got " +
                    shape_to_string(shape));
  nb::object y = new_array(f.dtype(), shape);
  const std::int64_t n = shape[0];
  void* out = const_cast<void*>(data_of(y));
  if (static_cast<double>(n * f.channels()) * f.estimated_ns_per_sample() > kReleaseGilAboveNs) {
    nb::gil_scoped_release unlocked;
    f.process(data_of(x), out, n);
  } else {
    f.process(data_of(x), out, n);
  }
  return y;
}

nb::bytes save(const StreamFilter& f) {
  const auto bytes = f.save();
  return nb::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

StreamFilter restore(nb::bytes data) {
  return StreamFilter::restore(reinterpret_cast<const std::uint8_t*>(data.c_str()), data.size());
}

}  // namespace

void bind_stream(nb::module_& m) {
  nb::class_<StreamFilter>(m, "StreamFilter")
      .def(nb::new_(&create_stream), nb::arg("kernel"), nb::arg("dtype"), nb::arg("channels"), nb::arg("per_channel"),
           nb::arg("max_block"), nb::arg("latency"), nb::arg("nan"), nb::arg("fill"), nb::arg("method"))
      .def("process", &process, nb::arg("chunk"))
      .def("reset", &StreamFilter::reset)
      .def("save", &save)
      .def_static("restore", &restore, nb::arg("data"))
      .def("load_state",
           [](StreamFilter& f, nb::bytes data) {
             f.load_state(reinterpret_cast<const std::uint8_t*>(data.c_str()), data.size());
           })
      .def("explain", &StreamFilter::explain)
      .def_prop_ro("taps", &StreamFilter::taps)
      .def_prop_ro("channels", &StreamFilter::channels)
      .def_prop_ro("dtype", [](const StreamFilter& f) { return std::string(numpy_name(f.dtype())); })
      .def_prop_ro("method", [](const StreamFilter& f) { return std::string(name(f.method())); })
      .def_prop_ro("latency", &StreamFilter::latency)
      .def_prop_ro("samples_processed", &StreamFilter::samples_processed);
}

}  // namespace faltung::python
