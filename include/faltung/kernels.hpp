// Named kernels, one spec syntax everywhere (C++, Python, the CLI, later the
// service config):
//
//   box:width=11                    triangle:width=9
//   gaussian:sigma=4[,truncate=4|radius=12]   (scipy.ndimage's length rule)
//   gaussian-derivative:sigma=2[,order=1,truncate=4|radius=8]
//   exponential:halflife=10[,taps=64]         (causal: newest sample first)
//   savgol:window=11,order=3[,deriv=1]        (scipy.signal.savgol_coeffs)
//   hann:width=15
//   step:width=8   spike:width=7   ramp:width=9   (matched templates)
//
// box, triangle, gaussian and hann take dims=2 for the 2-D (outer product)
// kernel. Smoothing kernels sum to 1. Every kernel carries a version: a hash
// of its shape and values, so a pipeline can report which kernel produced a
// value ("gaussian:sigma=4@1c9f04e2b7d3a8f0").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::kernels {

struct Kernel {
  std::string spec;            // canonical: name, then every parameter in a fixed order
  Shape shape;                 // {taps} or {rows, columns}
  std::vector<double> values;  // row-major, to be convolved with (faltung::convolve)
  std::string version;         // 16 hex digits of the content hash
  std::string id() const { return spec + "@" + version; }
};

// Throws faltung::Error (parse) naming the kernel, parameter or value at fault,
// and for a kernel of more than 2^20 taps (2-D: per side, or 2^26 in all).
Kernel make(std::string_view spec);

// One line per kernel name: its parameters and defaults.
std::vector<std::string> catalogue();

// The content hash of a shape and values (FNV-1a, 64 bits, over the shape
// and the values' IEEE bits), as make() stamps it.
std::string content_hash(const Shape& shape, const std::vector<double>& values);

}  // namespace faltung::kernels
