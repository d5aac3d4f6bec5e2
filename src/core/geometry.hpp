// A validated problem unrolled per axis of x: where each output's window
// starts, how the input is extended, and how the kernel is oriented.
//
// Every algorithm computes, for each output multi-index o,
//   y[o] = sum_j v[j] * xe[o + start + j]
// where xe is x extended by the boundary rule of each axis and v is the kernel
// flipped (convolution) or conjugated (correlation). Batch axes have m = 1.
#pragma once

#include <cstdint>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::core {

struct AxisGeometry {
  std::int64_t n = 1;      // input length
  std::int64_t m = 1;      // kernel length (1 on a batch axis)
  std::int64_t out = 1;    // output length
  std::int64_t start = 0;  // input coordinate of output 0's window start
  BoundaryRule rule = BoundaryRule::constant;
  bool convolved = false;
};

struct Geometry {
  std::vector<AxisGeometry> axes;  // one per axis of x, in order
  double cval = 0.0;               // value of the constant extension (0 in valid mode)
  bool flip = false;               // v = reversed w (convolution)
  bool conjugate = false;          // v = conj(w) (complex correlation)
  std::int64_t kernel_elements = 1;
  std::int64_t output_elements = 1;
  std::int64_t input_elements = 1;
};

// p must be valid (see faltung::validate).
Geometry make_geometry(const Problem& p);

// The input index that extended coordinate `i` reads on an axis of length n,
// or -1 where the constant rule applies. Pads longer than the input repeat the
// rule periodically (as scipy.ndimage does); n == 1 repeats the one sample for
// every rule but constant.
inline std::int64_t extend_index(std::int64_t i, std::int64_t n, BoundaryRule rule) {
  if (i >= 0 && i < n) return i;
  auto mod = [](std::int64_t a, std::int64_t b) { return ((a % b) + b) % b; };
  switch (rule) {
    case BoundaryRule::constant:
      return -1;
    case BoundaryRule::nearest:
      return i < 0 ? 0 : n - 1;
    case BoundaryRule::wrap:
      return mod(i, n);
    case BoundaryRule::symmetric: {
      const std::int64_t q = mod(i, 2 * n);
      return q < n ? q : 2 * n - 1 - q;
    }
    case BoundaryRule::mirror: {
      if (n == 1) return 0;
      const std::int64_t q = mod(i, 2 * n - 2);
      return q < n ? q : 2 * n - 2 - q;
    }
  }
  return -1;
}

}  // namespace faltung::core
