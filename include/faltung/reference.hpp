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

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace faltung
