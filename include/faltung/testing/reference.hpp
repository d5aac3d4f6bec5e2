// The naive reference convolution: a direct sum in long double, one output at a
// time, straight from the definition in docs/semantics.md. Slow by design; it is
// the oracle for tests and `faltung-bench --verify`, never a fast path.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung {

struct ReferenceValue {
  std::complex<long double> value;  // the exact-as-possible output (imag 0 for real dtypes)
  // The magnitude the rounding error of a direct sum scales with: sum |w||x| over
  // the window, or for nan=ignore the propagated bound of the normalised ratio.
  long double error_scale = 0;
  bool nonfinite = false;  // the contract says this output is NaN or +-Inf
  // How the normwise (FFT) error bound reaches this output: the bound is
  // c*eps*log2(L)*||w||_2 * (x_gain*||xe||_2 + valid_gain*||valid||_2)
  // (see Norms); 1 and 0 except for renormalised outputs of nan=ignore.
  long double x_gain = 1, valid_gain = 0;
};

// 2-norms for the normwise bound: of the extended input over the region the
// windows read (non-finite samples as the nan policy replaces them: the fill
// value, else 0), of the 0/1 indicator of its valid samples, and of w.
struct ReferenceNorms {
  long double x = 0, valid = 0, w = 0;
};

class Reference {
 public:
  // x and k are dense arrays of p's dtype and shapes; they must outlive this object.
  // Validates p and the kernel (throws faltung::Error).
  Reference(const Problem& p, const void* x, const void* k);
  ~Reference();
  Reference(const Reference&) = delete;
  Reference& operator=(const Reference&) = delete;

  std::int64_t output_elements() const;
  ReferenceValue at(std::int64_t flat_output_index) const;
  ReferenceNorms norms() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace faltung
