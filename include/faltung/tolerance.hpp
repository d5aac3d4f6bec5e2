// The tolerance rules of docs/semantics.md, in one place. Every test and
// `faltung-bench --verify` judges results with these functions.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>

#include "faltung/problem.hpp"
#include "faltung/reference.hpp"

namespace faltung::tolerance {

// Safety factor c of the rules. A sequential sum of M products has a worst-case
// error of about M * (eps/2) * sum|w||x|; c = 2 on top of eps covers the complex
// product's extra rounding.
inline constexpr long double kDirectFactor = 2.0L;

inline long double epsilon(DType t) {
  return (t == DType::f32 || t == DType::c64)
             ? static_cast<long double>(std::numeric_limits<float>::epsilon())
             : static_cast<long double>(std::numeric_limits<double>::epsilon());
}

// Direct methods: |y - y_ref| <= c * M * eps * sum|w||x| per output.
inline long double direct_bound(DType t, std::int64_t kernel_elements, const ReferenceValue& ref) {
  return kDirectFactor * static_cast<long double>(kernel_elements) * epsilon(t) * ref.error_scale;
}

enum class Verdict { ok, mismatch, nonfinite_expected, finite_expected };

// Judges one output of a direct method against the reference.
inline Verdict check_direct(DType t, std::int64_t kernel_elements, const ReferenceValue& ref,
                            std::complex<long double> y) {
  const bool y_finite = std::isfinite(y.real()) && std::isfinite(y.imag());
  if (ref.nonfinite) return y_finite ? Verdict::nonfinite_expected : Verdict::ok;
  if (!y_finite) return Verdict::finite_expected;
  return std::abs(y - ref.value) <= direct_bound(t, kernel_elements, ref) ? Verdict::ok
                                                                          : Verdict::mismatch;
}

inline const char* describe(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::mismatch: return "outside the tolerance";
    case Verdict::nonfinite_expected: return "finite, but its window holds a non-finite sample";
    case Verdict::finite_expected: return "non-finite, but its window is finite";
  }
  return "?";
}

}  // namespace faltung::tolerance
