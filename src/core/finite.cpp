#include "core/finite.hpp"

#include <cmath>

#include "faltung/errors.hpp"

namespace faltung::core {
namespace {

// Calls f(i) for each non-finite element until f returns false.
template <class F>
void for_each_nonfinite(const void* data, DType t, std::int64_t count, F&& f) {
  auto scan = [&](const auto* d, std::int64_t parts) {
    for (std::int64_t i = 0; i < count; ++i) {
      bool finite = true;
      for (std::int64_t c = 0; c < parts; ++c) finite = finite && std::isfinite(d[i * parts + c]);
      if (!finite && !f(i)) return;
    }
  };
  switch (t) {
    case DType::f32:
      scan(static_cast<const float*>(data), 1);
      break;
    case DType::f64:
      scan(static_cast<const double*>(data), 1);
      break;
    case DType::c64:
      scan(static_cast<const float*>(data), 2);
      break;
    case DType::c128:
      scan(static_cast<const double*>(data), 2);
      break;
  }
}

}  // namespace

std::int64_t first_nonfinite(const void* data, DType t, std::int64_t count) {
  std::int64_t first = -1;
  for_each_nonfinite(data, t, count, [&](std::int64_t i) {
    first = i;
    return false;
  });
  return first;
}

std::int64_t count_nonfinite(const void* data, DType t, std::int64_t count) {
  std::int64_t n = 0;
  for_each_nonfinite(data, t, count, [&](std::int64_t) {
    ++n;
    return true;
  });
  return n;
}

std::string index_string(const Shape& shape, std::int64_t flat) {
  std::string s;
  std::int64_t stride = element_count(shape);
  for (std::size_t a = 0; a < shape.size(); ++a) {
    stride /= shape[a];
    s += (a ? "," : "") + std::to_string(flat / stride);
    flat %= stride;
  }
  return "[" + s + "]";
}

void require_finite_kernel(const Problem& p, const void* k) {
  const std::int64_t i = first_nonfinite(k, p.dtype, element_count(p.k));
  if (i >= 0)
    throw Error(ErrorKind::nonfinite_kernel, "kernel value k" + index_string(p.k, i) + " is not finite (" +
                                                 to_string(p) +
                                                 "); a non-finite kernel is an error under every nan policy");
}

void raise_on_nonfinite_input(const Problem& p, const void* x) {
  const std::int64_t i = first_nonfinite(x, p.dtype, element_count(p.x));
  if (i >= 0)
    throw Error(ErrorKind::nonfinite_input,
                "input sample x" + index_string(p.x, i) + " is not finite and nan=raise (" + to_string(p) + ")");
}

}  // namespace faltung::core
