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

std::vector<double> richardson_lucy(const double* image, const Shape& shape, const double* psf,
                                    const Shape& psf_shape, const RichardsonLucyOptions& options = {});

}  // namespace faltung::deconvolve
