// The tolerance rules of docs/semantics.md, in one place. Every test and
// `faltung-bench --verify` judges results with these functions.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>

#include "faltung/problem.hpp"
#include "faltung/testing/reference.hpp"

namespace faltung::tolerance {

// Safety factor c of the rules. A sequential sum of M products has a worst-case
// error of about M * (eps/2) * sum|w||x|; c = 2 on top of eps covers the complex
// product's extra rounding.
inline constexpr long double kDirectFactor = 2.0L;

inline long double epsilon(DType t) {
  return (t == DType::f32 || t == DType::c64) ? static_cast<long double>(std::numeric_limits<float>::epsilon())
                                              : static_cast<long double>(std::numeric_limits<double>::epsilon());
}

// Direct methods: |y - y_ref| <= c * M * eps * sum|w||x| per output.
inline long double direct_bound(DType t, std::int64_t kernel_elements, const ReferenceValue& ref) {
  return kDirectFactor * static_cast<long double>(kernel_elements) * epsilon(t) * ref.error_scale;
}

// FFT-based methods: max|y - y_ref| <= c * eps * log2(L) * ||x||_2 * ||w||_2
// (L = the transform's total length), with c = kFftFactor.
inline constexpr long double kFftFactor = 4.0L;

inline long double normwise_bound(DType t, std::int64_t transform_length, const ReferenceNorms& n,
                                  const ReferenceValue& ref) {
  const long double log2L = std::log2(static_cast<long double>(transform_length < 2 ? 2 : transform_length));
  return kFftFactor * epsilon(t) * log2L * n.w * (ref.x_gain * n.x + ref.valid_gain * n.valid);
}

enum class Verdict { ok, mismatch, nonfinite_expected, finite_expected };

// Judges one output of a direct method against the reference.
inline Verdict check_direct(DType t, std::int64_t kernel_elements, const ReferenceValue& ref,
                            std::complex<long double> y) {
  const bool y_finite = std::isfinite(y.real()) && std::isfinite(y.imag());
  if (ref.nonfinite) return y_finite ? Verdict::nonfinite_expected : Verdict::ok;
  if (!y_finite) return Verdict::finite_expected;
  return std::abs(y - ref.value) <= direct_bound(t, kernel_elements, ref) ? Verdict::ok : Verdict::mismatch;
}

// Judges one output of an FFT method (bound from normwise_bound).
inline Verdict check_normwise(long double bound, const ReferenceValue& ref, std::complex<long double> y) {
  const bool y_finite = std::isfinite(y.real()) && std::isfinite(y.imag());
  if (ref.nonfinite) return y_finite ? Verdict::nonfinite_expected : Verdict::ok;
  if (!y_finite) return Verdict::finite_expected;
  return std::abs(y - ref.value) <= bound ? Verdict::ok : Verdict::mismatch;
}

inline const char* describe(Verdict v) {
  switch (v) {
    case Verdict::ok:
      return "ok";
    case Verdict::mismatch:
      return "outside the tolerance";
    case Verdict::nonfinite_expected:
      return "finite, but its window holds a non-finite sample";
    case Verdict::finite_expected:
      return "non-finite, but its window is finite";
  }
  return "?";
}

}  // namespace faltung::tolerance
