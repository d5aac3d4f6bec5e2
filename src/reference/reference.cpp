// The one naive reference: each output straight from the definition,
//   y[o] = sum_j v[j] * xe[o + start + j],
// summed in long double, with the nan policies applied sample by sample.
#include "faltung/testing/reference.hpp"

#include <cmath>

#include "core/finite.hpp"
#include "core/geometry.hpp"
#include "faltung/errors.hpp"

namespace faltung {

using CL = std::complex<long double>;

struct Reference::Impl {
  Problem problem;
  core::Geometry g;
  const void* x;
  const void* k;

  CL load(const void* base, std::int64_t i) const {
    switch (problem.dtype) {
      case DType::f32:
        return CL(static_cast<const float*>(base)[i], 0);
      case DType::f64:
        return CL(static_cast<const double*>(base)[i], 0);
      case DType::c64: {
        const float* d = static_cast<const float*>(base);
        return CL(d[2 * i], d[2 * i + 1]);
      }
      case DType::c128: {
        const double* d = static_cast<const double*>(base);
        return CL(d[2 * i], d[2 * i + 1]);
      }
    }
    return {};
  }

  CL tap(std::int64_t j) const {
    const CL w = load(k, g.flip ? g.kernel_elements - 1 - j : j);
    return g.conjugate ? std::conj(w) : w;
  }
};

Reference::Reference(const Problem& p, const void* x, const void* k) {
  validate(p);
  core::require_finite_kernel(p, k);
  if (p.nan == NanPolicy::raise) core::raise_on_nonfinite_input(p, x);
  impl_ = new Impl{p, core::make_geometry(p), x, k};
}

Reference::~Reference() { delete impl_; }

std::int64_t Reference::output_elements() const { return impl_->g.output_elements; }

ReferenceValue Reference::at(std::int64_t flat) const {
  const Impl& s = *impl_;
  const auto& axes = s.g.axes;
  const std::size_t r = axes.size();
  std::vector<std::int64_t> o(r), j(r, 0);
  for (std::size_t a = r; a-- > 0;) {
    o[a] = flat % axes[a].out;
    flat /= axes[a].out;
  }
  const NanPolicy policy = s.problem.nan;
  auto finite = [](CL v) { return std::isfinite(v.real()) && std::isfinite(v.imag()); };

  CL sum_all_w = 0, sum_valid_w = 0, sum_valid_wx = 0;
  long double abs_valid_wx = 0, abs_valid_w = 0, abs_all_w = 0;
  bool window_nonfinite = false;
  for (std::int64_t jf = 0; jf < s.g.kernel_elements; ++jf) {
    // Input coordinate along each axis, extended by that axis' rule.
    std::int64_t xf = 0;
    bool constant = false;
    for (std::size_t a = 0; a < r; ++a) {
      const std::int64_t i = core::extend_index(o[a] + axes[a].start + j[a], axes[a].n, axes[a].rule);
      constant = constant || i < 0;
      xf = xf * axes[a].n + (i < 0 ? 0 : i);
    }
    const bool from_x = !constant;
    CL sample = from_x ? s.load(s.x, xf) : CL(s.g.cval, 0);
    const CL w = s.tap(jf);
    sum_all_w += w;
    abs_all_w += std::abs(w);
    bool valid = finite(sample);
    if (!valid && from_x && policy == NanPolicy::fill) {
      sample = CL(s.problem.fill, 0);
      valid = finite(sample);
    }
    if (!valid) {
      window_nonfinite = true;
    } else {
      sum_valid_wx += w * sample;
      sum_valid_w += w;
      abs_valid_wx += std::abs(w) * std::abs(sample);
      abs_valid_w += std::abs(w);
    }
    for (std::size_t a = r; a-- > 0;) {  // next kernel multi-index
      if (++j[a] < axes[a].m) break;
      j[a] = 0;
    }
  }

  ReferenceValue out;
  if (!window_nonfinite) {
    out.value = sum_valid_wx;
    out.error_scale = abs_valid_wx;
  } else if (policy != NanPolicy::ignore || sum_valid_w == CL(0)) {
    out.nonfinite = true;  // propagated; or ignored with nothing valid to normalise by: NaN
  } else {
    // Normalised convolution: y = A * S / B with A = sum_valid(w x), B = sum_valid(w), S = sum(w).
    const CL A = sum_valid_wx, B = sum_valid_w, S = sum_all_w;
    out.value = A * S / B;
    out.error_scale =
        std::abs(S / B) * abs_valid_wx + std::abs(A * S / (B * B)) * abs_valid_w + std::abs(A / B) * abs_all_w;
    out.x_gain = std::abs(S / B);
    out.valid_gain = std::abs(A * S / (B * B));
  }
  return out;
}

ReferenceNorms Reference::norms() const {
  const Impl& s = *impl_;
  const auto& axes = s.g.axes;
  const std::size_t r = axes.size();
  // The region the windows read: [start, start + out + m - 1) per axis.
  std::vector<std::int64_t> span(r), e(r, 0);
  std::int64_t total = 1;
  for (std::size_t a = 0; a < r; ++a) {
    span[a] = axes[a].out + axes[a].m - 1;
    total *= span[a];
  }
  long double x2 = 0, v2 = 0, w2 = 0;
  for (std::int64_t f = 0; f < total; ++f) {
    std::int64_t xf = 0;
    bool constant = false;
    for (std::size_t a = 0; a < r; ++a) {
      const std::int64_t i = core::extend_index(axes[a].start + e[a], axes[a].n, axes[a].rule);
      constant = constant || i < 0;
      xf = xf * axes[a].n + (i < 0 ? 0 : i);
    }
    CL sample = constant ? CL(s.g.cval, 0) : s.load(s.x, xf);
    const bool finite = std::isfinite(sample.real()) && std::isfinite(sample.imag());
    if (!finite) sample = (!constant && s.problem.nan == NanPolicy::fill) ? CL(s.problem.fill, 0) : CL(0);
    x2 += std::norm(sample);
    v2 += finite ? 1 : 0;
    for (std::size_t a = r; a-- > 0;) {
      if (++e[a] < span[a]) break;
      e[a] = 0;
    }
  }
  for (std::int64_t j = 0; j < s.g.kernel_elements; ++j) w2 += std::norm(s.tap(j));
  return {std::sqrt(x2), std::sqrt(v2), std::sqrt(w2)};
}

}  // namespace faltung
