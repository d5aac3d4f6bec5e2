// Missing data: convolution that leaves gaps out instead of treating them as
// values (on top of the engine's nan=ignore), float64, 1-D to 3-D.
//
//   normalized_convolve: y = conv(w * x, k) / conv(w, k) * sum(k), with
//     weights w in [0, 1] (confidence; 0 = missing; NaN samples weigh 0);
//     NaN where no weight remains in the window. mode same.
//   interpolate_nans:    x with each NaN replaced by the normalised
//     convolution there (astropy.convolution.interpolate_replace_nans).
#pragma once

#include <vector>

#include "faltung/problem.hpp"

namespace faltung::missing {

struct Options {
  BoundaryRule boundary = BoundaryRule::constant;  // astropy's fill / extend / wrap = constant / nearest / wrap
  double cval = 0.0;
  int threads = 1;
};

// weights: nullptr (every finite sample weighs 1), or one weight per sample.
// Throws faltung::Error for bad shapes, weights outside [0, 1], a
// non-finite kernel or one that sums to 0.
std::vector<double> normalized_convolve(const double* x, const double* weights, const Shape& shape, const double* k,
                                        const Shape& kernel_shape, const Options& options = {});

std::vector<double> interpolate_nans(const double* x, const Shape& shape, const double* k, const Shape& kernel_shape,
                                     const Options& options = {});

}  // namespace faltung::missing
