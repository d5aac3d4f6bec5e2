// faltung::convolve / correlate / filter: problem construction and one-shot runs.
#include <string>

#include "core/geometry.hpp"
#include "faltung/convolve.hpp"

namespace faltung {

Problem signal_problem(Op op, DType dtype, const Shape& x, const Shape& k, const Options& o) {
  Problem p;
  p.op = op;
  p.dtype = dtype;
  p.x = x;
  p.k = k;
  p.axes = o.axes;
  p.mode = o.mode;
  p.boundary = o.boundary;
  p.cval = o.cval;
  p.origin = o.origin;
  p.nan = o.nan;
  p.fill = o.fill;
  return canonical(p);
}

Problem filter_problem(DType dtype, const Shape& x, const Shape& k, const FilterOptions& o) {
  Problem p;
  p.op = o.op;
  p.dtype = dtype;
  p.x = x;
  p.k = k;
  p.axes = o.axes;
  p.mode = Mode::same;
  p.boundary = o.boundary;
  p.cval = o.cval;
  p.nan = o.nan;
  p.fill = o.fill;
  validate(p);                     // shapes and axes first, so the kernel sizes below exist
  std::vector<std::int64_t> taps;  // kernel length per convolved axis
  for (const auto& ax : core::make_geometry(p).axes)
    if (ax.convolved) taps.push_back(ax.m);
  const std::size_t naxes = taps.size();
  if (o.origin.size() > 1 && o.origin.size() != naxes)
    throw Error(ErrorKind::invalid_problem, "origin lists " + std::to_string(o.origin.size()) +
                                                " values; give one, or one per convolved axis (" +
                                                std::to_string(naxes) + ")");
  // Every axis, also with no origin given: convolve shifts even kernels.
  for (std::size_t i = 0; i < naxes; ++i) {
    const std::int64_t m = taps[i];
    const std::int64_t nd = o.origin.empty() ? 0 : o.origin.size() == 1 ? o.origin[0] : o.origin[i];
    if (nd < -(m / 2) || nd > (m - 1) / 2)
      throw Error(ErrorKind::invalid_problem,
                  "origin " + std::to_string(nd) + " is outside " + std::to_string(-(m / 2)) + ".." +
                      std::to_string((m - 1) / 2) + " for a kernel of " + std::to_string(m) +
                      " taps (filter: the centre tap M//2 + origin must lie in the kernel)");
    // Engine origin: correlate -> -origin; convolve -> origin + 1 for even M
    // (scipy.ndimage's convolve1d == correlate1d(w[::-1], -origin - (M even))).
    p.origin.push_back(o.op == Op::corr ? -nd : nd + (m % 2 == 0 ? 1 : 0));
  }
  return canonical(p);
}

namespace detail {

void run_problem(const Problem& p, const void* x, std::size_t x_count, const void* k, std::size_t k_count, void* y,
                 Method method, int threads) {
  if (static_cast<std::int64_t>(x_count) != element_count(p.x))
    throw Error(ErrorKind::invalid_argument, "x holds " + std::to_string(x_count) + " values but its shape " +
                                                 shape_to_string(p.x) + " needs " + std::to_string(element_count(p.x)));
  if (static_cast<std::int64_t>(k_count) != element_count(p.k))
    throw Error(ErrorKind::invalid_argument, "k holds " + std::to_string(k_count) + " values but its shape " +
                                                 shape_to_string(p.k) + " needs " + std::to_string(element_count(p.k)));
  PlanOptions options;
  options.method = method;
  options.threads = threads;
  options.kernel = k;  // the values are known: lets auto consider separable
  Plan::create(p, options).execute(x, k, y);
}

}  // namespace detail
}  // namespace faltung
