// Tikhonov-regularised impulse-response estimation (deconvolve.hpp), on the
// SVD of the input's convolution matrix: every lambda costs O(taps^2) once
// the SVD is known, so GCV and the L-curve scan many of them.
#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <string>

#include "faltung/deconvolve.hpp"
#include "faltung/errors.hpp"

namespace faltung::deconvolve {

namespace {

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "impulse response: " + what); }

struct Fit {
  double lambda, residual2, solution2, gcv;
};

}  // namespace

ImpulseResponse estimate_impulse_response(const double* x, const double* y, std::int64_t n, std::int64_t taps,
                                          const ImpulseResponseOptions& o) {
  if (!x || !y) throw invalid("x or y is a null pointer");
  if (taps < 1) throw invalid("taps must be >= 1, got " + std::to_string(taps));
  if (n < taps) throw invalid(std::to_string(n) + " samples cannot determine " + std::to_string(taps) + " taps");
  for (std::int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) throw invalid("sample " + std::to_string(i) + " is not finite");
  if (o.choose == Regularisation::fixed && !(o.lambda >= 0)) throw invalid("lambda must be >= 0");

  // X[t][j] = x[t - j]: the convolution matrix of the causal model
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(n, taps);
  for (std::int64_t j = 0; j < taps; ++j)
    for (std::int64_t t = j; t < n; ++t) X(t, j) = x[t - j];
  const Eigen::Map<const Eigen::VectorXd> Y(y, n);
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  const Eigen::VectorXd beta = svd.matrixU().transpose() * Y;                  // y in the left singular basis
  const double outside = std::max(0.0, Y.squaredNorm() - beta.squaredNorm());  // beyond X's range
  const double smax = s.size() ? s(0) : 0.0;
  const double tiny = smax * std::numeric_limits<double>::epsilon() * static_cast<double>(std::max(n, taps));
  std::int64_t rank = 0;
  for (std::int64_t i = 0; i < s.size(); ++i) rank += s(i) > tiny;
  if (rank == 0) throw invalid("the input is zero: nothing can be identified");

  auto fit = [&](double lambda) {
    Fit f{lambda, outside, 0, 0};
    double dof = static_cast<double>(n);  // n - trace of the influence matrix
    for (std::int64_t i = 0; i < rank; ++i) {
      const double s2 = s(i) * s(i), filter = lambda == 0 ? 1.0 : s2 / (s2 + lambda);
      const double left = (1 - filter) * beta(i);
      f.residual2 += left * left;
      const double coef = filter * beta(i) / s(i);
      f.solution2 += coef * coef;
      dof -= filter;
    }
    for (std::int64_t i = rank; i < s.size(); ++i) f.residual2 += beta(i) * beta(i);
    f.gcv = dof > 0 ? static_cast<double>(n) * f.residual2 / (dof * dof) : std::numeric_limits<double>::infinity();
    return f;
  };

  double lambda = o.lambda;
  if (o.choose != Regularisation::fixed) {
    // lambda = 0 and a log grid from smax^2 * 1e-16 to smax^2 * 1e2
    std::vector<Fit> fits{fit(0)};
    for (int k = 0; k <= 180; ++k) fits.push_back(fit(smax * smax * std::pow(10.0, -16.0 + k / 10.0)));
    if (o.choose == Regularisation::gcv) {
      const Fit* best = &fits[0];
      for (const Fit& f : fits)
        if (f.gcv < best->gcv) best = &f;
      lambda = best->lambda;
    } else {
      // the L-curve's corner: the largest curvature of (log residual, log
      // solution norm) along the grid; an exact fit (zero residual) wins outright
      if (fits[0].residual2 <= 1e-28 * Y.squaredNorm()) {
        lambda = 0;
      } else {
        double best_kappa = -std::numeric_limits<double>::infinity();
        lambda = fits[1].lambda;
        for (std::size_t i = 2; i + 1 < fits.size(); ++i) {
          auto point = [&](std::size_t k) {
            return std::pair<double, double>{0.5 * std::log(std::max(fits[k].residual2, 1e-300)),
                                             0.5 * std::log(std::max(fits[k].solution2, 1e-300))};
          };
          const auto [a0, b0] = point(i - 1);
          const auto [a1, b1] = point(i);
          const auto [a2, b2] = point(i + 1);
          const double da = (a2 - a0) / 2, db = (b2 - b0) / 2, dda = a2 - 2 * a1 + a0, ddb = b2 - 2 * b1 + b0;
          const double denom = std::pow(da * da + db * db, 1.5);
          if (denom <= 0) continue;
          const double kappa = (da * ddb - db * dda) / denom;
          if (kappa > best_kappa) best_kappa = kappa, lambda = fits[i].lambda;
        }
      }
    }
  }
  ImpulseResponse out;
  out.lambda = lambda;
  Eigen::VectorXd coef = Eigen::VectorXd::Zero(s.size());
  for (std::int64_t i = 0; i < rank; ++i) coef(i) = s(i) * beta(i) / (s(i) * s(i) + lambda);
  const Eigen::VectorXd h = svd.matrixV() * coef;
  out.h.assign(h.data(), h.data() + h.size());
  out.residual_norm = (X * h - Y).norm();
  out.solution_norm = h.norm();
  return out;
}

}  // namespace faltung::deconvolve
