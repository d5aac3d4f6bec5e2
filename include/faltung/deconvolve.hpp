// Deconvolution: undoing a known blur (float64, 1-D to 3-D arrays).
//
//   wiener:          y = IFFT( conj(H) X / (|H|^2 + balance |R|^2) ), periodic
//                    boundaries; R the regulariser's transfer function: the
//                    Laplacian (scikit-image's default) or the identity
//                    (classic Wiener, balance = noise-to-signal ratio).
//   richardson_lucy: u <- u * correlate(image / convolve(u, psf), psf),
//                    mode same, starting from 0.5 (scikit-image's iteration).
// Both optionally clip the result to [-1, 1] as scikit-image does.
#pragma once

#include <cstdint>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::deconvolve {

enum class Regulariser { laplacian, identity };

struct WienerOptions {
  double balance = 0.1;  // the regularisation's weight (noise-to-signal for identity)
  Regulariser regulariser = Regulariser::laplacian;
  bool clip = true;
};

// image: dense row-major of `shape`; psf of `psf_shape` (same rank, each
// axis no longer than the image's). Throws faltung::Error for bad shapes,
// non-finite values or a negative balance.
std::vector<double> wiener(const double* image, const Shape& shape, const double* psf, const Shape& psf_shape,
                           const WienerOptions& options = {});

struct RichardsonLucyOptions {
  int iterations = 50;
  bool clip = true;
  double filter_epsilon = 0;  // > 0: ratios where the blurred estimate is below it become 0
  int threads = 1;
};

std::vector<double> richardson_lucy(const double* image, const Shape& shape, const double* psf, const Shape& psf_shape,
                                    const RichardsonLucyOptions& options = {});

// System identification: the causal impulse response h (`taps` long) with
// y[t] = sum_j h[j] x[t-j] (x zero before t = 0), from an input/output pair
// of n samples, by Tikhonov-regularised least squares:
//   min ||X h - y||^2 + lambda ||h||^2
// with lambda chosen by generalised cross-validation (gcv), the corner of
// the L-curve (lcurve), or given (fixed). Noise-free data of a full-rank
// input recovers h to rounding (gcv and lcurve then take lambda = 0).
enum class Regularisation { gcv, lcurve, fixed };

struct ImpulseResponseOptions {
  Regularisation choose = Regularisation::gcv;
  double lambda = 0;  // for fixed
};

struct ImpulseResponse {
  std::vector<double> h;
  double lambda = 0;
  double residual_norm = 0;  // ||X h - y||
  double solution_norm = 0;  // ||h||
};

ImpulseResponse estimate_impulse_response(const double* x, const double* y, std::int64_t n, std::int64_t taps,
                                          const ImpulseResponseOptions& options = {});

}  // namespace faltung::deconvolve
