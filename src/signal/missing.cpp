// Normalised convolution and NaN interpolation (include/faltung/missing.hpp).
#include "faltung/missing.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "faltung/errors.hpp"
#include "faltung/plan.hpp"

namespace faltung::missing {

namespace {

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "missing data: " + what); }

double kernel_sum(const double* k, const Shape& kernel_shape) {
  double sum = 0;
  for (std::int64_t i = 0; i < element_count(kernel_shape); ++i) {
    if (!std::isfinite(k[i]))
      throw Error(ErrorKind::nonfinite_kernel, "missing data: kernel value " + std::to_string(i) + " is not finite");
    sum += k[i];
  }
  if (sum == 0) throw invalid("the kernel sums to 0: there is nothing to normalise by");
  return sum;
}

Plan same_plan(const Shape& shape, const Shape& kernel_shape, const Options& o, double cval) {
  Problem p;
  p.dtype = DType::f64;
  p.x = shape;
  p.k = kernel_shape;
  p.mode = Mode::same;
  p.boundary = {o.boundary};
  p.cval = cval;
  PlanOptions po;
  po.threads = o.threads;
  return Plan::create(p, po);
}

}  // namespace

std::vector<double> normalized_convolve(const double* x, const double* weights, const Shape& shape, const double* k,
                                        const Shape& kernel_shape, const Options& o) {
  if (!x || !k) throw invalid("x or the kernel is a null pointer");
  if (shape.size() != kernel_shape.size())
    throw invalid("the kernel " + shape_to_string(kernel_shape) + " and x " + shape_to_string(shape) +
                  " need the same number of axes");
  const double total = kernel_sum(k, kernel_shape);
  const auto n = static_cast<std::size_t>(element_count(shape));
  std::vector<double> wx(n), w(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = weights ? weights[i] : 1.0;
    if (!(wi >= 0 && wi <= 1)) throw invalid("weight " + std::to_string(i) + " is outside [0, 1]");
    const bool ok = std::isfinite(x[i]);
    w[i] = ok ? wi : 0.0;
    wx[i] = ok ? wi * x[i] : 0.0;
  }
  // Outside x the boundary rule supplies values; a constant boundary's
  // values count with weight 1 (astropy's fill), the others carry the
  // weights of the samples they repeat.
  const Plan values = same_plan(shape, kernel_shape, o, o.cval);
  const Plan weight = same_plan(shape, kernel_shape, o, 1.0);
  std::vector<double> num(n), den(n), y(n);
  values.execute(wx.data(), k, num.data());
  weight.execute(w.data(), k, den.data());
  const double tiny = 1e-12 * std::abs(total);  // no weight left in the window
  for (std::size_t i = 0; i < n; ++i)
    y[i] = std::abs(den[i]) <= tiny ? std::numeric_limits<double>::quiet_NaN() : num[i] / den[i] * total;
  return y;
}

std::vector<double> interpolate_nans(const double* x, const Shape& shape, const double* k, const Shape& kernel_shape,
                                     const Options& o) {
  std::vector<double> y = normalized_convolve(x, nullptr, shape, k, kernel_shape, o);
  const double total = kernel_sum(k, kernel_shape);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::isnan(x[i]) ? y[i] / total : x[i];
  return y;
}

}  // namespace faltung::missing
