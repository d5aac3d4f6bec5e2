// Wiener and Richardson-Lucy deconvolution (include/faltung/deconvolve.hpp).
#include "faltung/deconvolve.hpp"

#include <cmath>
#include <complex>
#include <string>

#include "core/aligned_array.hpp"
#include "faltung/errors.hpp"
#include "faltung/plan.hpp"
#include "planner/real_spectra.hpp"

namespace faltung::deconvolve {

namespace {

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "deconvolve: " + what); }

void check(const double* data, const Shape& shape, const char* what) {
  if (!data) throw invalid(std::string(what) + " is a null pointer");
  for (std::int64_t i = 0; i < element_count(shape); ++i)
    if (!std::isfinite(data[i])) throw invalid(std::string(what) + " value " + std::to_string(i) + " is not finite");
}

void check_shapes(const Shape& shape, const Shape& psf_shape) {
  if (shape.empty() || shape.size() > 3)
    throw invalid("the image has " + std::to_string(shape.size()) + " axes; 1 to 3 are supported");
  if (psf_shape.size() != shape.size())
    throw invalid("the psf " + shape_to_string(psf_shape) + " and the image " + shape_to_string(shape) +
                  " need the same number of axes");
  for (std::size_t a = 0; a < shape.size(); ++a)
    if (psf_shape[a] < 1 || psf_shape[a] > shape[a] || shape[a] < 1)
      throw invalid("the psf " + shape_to_string(psf_shape) + " must fit inside the image " + shape_to_string(shape));
}

// scikit-image's ir2tf: the impulse response zero-padded to `shape` and
// rolled so that its centre (floor(size/2) per axis) sits at the origin.
void pad_centred(const double* ir, const Shape& ir_shape, const Shape& shape, double* out) {
  const std::size_t rank = shape.size();
  std::vector<std::int64_t> idx(rank, 0);
  for (std::int64_t i = 0; i < element_count(ir_shape); ++i) {
    std::int64_t rem = i, flat = 0;
    for (std::size_t a = rank; a-- > 0;) {
      idx[a] = rem % ir_shape[a];
      rem /= ir_shape[a];
    }
    for (std::size_t a = 0; a < rank; ++a) {
      const std::int64_t at = ((idx[a] - ir_shape[a] / 2) % shape[a] + shape[a]) % shape[a];
      flat = flat * shape[a] + at;
    }
    out[flat] += ir[i];
  }
}

}  // namespace

std::vector<double> wiener(const double* image, const Shape& shape, const double* psf, const Shape& psf_shape,
                           const WienerOptions& o) {
  check_shapes(shape, psf_shape);
  check(image, shape, "the image");
  check(psf, psf_shape, "the psf");
  if (!(o.balance >= 0)) throw invalid("balance must be >= 0");
  const std::int64_t n = element_count(shape);
  const planner::RealSpectra spectra(shape);
  const std::int64_t bins = spectra.bins();
  using Array = core::AlignedArray<double>;
  Array x(static_cast<std::size_t>(n)), spec_x(static_cast<std::size_t>(2 * bins)), h(static_cast<std::size_t>(n)),
      spec_h(static_cast<std::size_t>(2 * bins)), r(static_cast<std::size_t>(n)),
      spec_r(static_cast<std::size_t>(2 * bins));
  std::copy(image, image + n, x.data());
  spectra.forward(x.data(), spec_x.data());
  pad_centred(psf, psf_shape, shape, h.data());
  spectra.forward(h.data(), spec_h.data());
  if (o.regulariser == Regulariser::laplacian) {  // 2*rank at the centre, -1 at each neighbour
    const std::size_t rank = shape.size();
    Shape lap_shape(rank, 3);
    std::vector<double> lap(static_cast<std::size_t>(element_count(lap_shape)), 0.0);
    std::int64_t centre = 0;
    for (std::size_t a = 0; a < rank; ++a) centre = centre * 3 + 1;
    lap[static_cast<std::size_t>(centre)] = 2.0 * static_cast<double>(rank);
    std::int64_t stride = 1;
    for (std::size_t a = rank; a-- > 0; stride *= 3) {
      lap[static_cast<std::size_t>(centre - stride)] = -1;
      lap[static_cast<std::size_t>(centre + stride)] = -1;
    }
    pad_centred(lap.data(), lap_shape, shape, r.data());
  } else {
    r.data()[0] = 1;  // the identity
  }
  spectra.forward(r.data(), spec_r.data());
  using C = std::complex<double>;
  auto* X = reinterpret_cast<C*>(spec_x.data());
  const auto* H = reinterpret_cast<const C*>(spec_h.data());
  const auto* R = reinterpret_cast<const C*>(spec_r.data());
  for (std::int64_t i = 0; i < bins; ++i) {
    const double den = std::norm(H[i]) + o.balance * std::norm(R[i]);
    X[i] = den > 0 ? std::conj(H[i]) * X[i] / den : C(0);
  }
  std::vector<double> y(static_cast<std::size_t>(n));
  spectra.inverse(spec_x.data(), x.data());
  const double scale = 1.0 / static_cast<double>(n);  // FFTW's inverse is unnormalised
  for (std::int64_t i = 0; i < n; ++i) {
    double v = x.data()[i] * scale;
    if (o.clip) v = std::min(1.0, std::max(-1.0, v));
    y[static_cast<std::size_t>(i)] = v;
  }
  return y;
}

std::vector<double> richardson_lucy(const double* image, const Shape& shape, const double* psf, const Shape& psf_shape,
                                    const RichardsonLucyOptions& o) {
  check_shapes(shape, psf_shape);
  check(image, shape, "the image");
  check(psf, psf_shape, "the psf");
  if (o.iterations < 0) throw invalid("iterations must be >= 0, got " + std::to_string(o.iterations));
  Problem p;
  p.dtype = DType::f64;
  p.x = shape;
  p.k = psf_shape;
  p.mode = Mode::same;
  PlanOptions po;
  po.threads = o.threads;
  po.kernel = psf;
  const Plan blur = Plan::create(p, po);  // convolve(u, psf, same)
  p.op = Op::corr;
  const Plan back = Plan::create(p, po);  // convolve(., flip(psf), same) == correlate(., psf, same)
  const auto n = static_cast<std::size_t>(element_count(shape));
  std::vector<double> u(n, 0.5), blurred(n), ratio(n), update(n);
  constexpr double kEps = 1e-12;  // scikit-image's guard against division by 0
  for (int it = 0; it < o.iterations; ++it) {
    blur.execute(u.data(), psf, blurred.data());
    for (std::size_t i = 0; i < n; ++i) {
      const double c = blurred[i] + kEps;
      ratio[i] = o.filter_epsilon > 0 && c < o.filter_epsilon ? 0.0 : image[i] / c;
    }
    back.execute(ratio.data(), psf, update.data());
    for (std::size_t i = 0; i < n; ++i) u[i] *= update[i];
  }
  if (o.clip)
    for (double& v : u) v = std::min(1.0, std::max(-1.0, v));
  return u;
}

}  // namespace faltung::deconvolve
