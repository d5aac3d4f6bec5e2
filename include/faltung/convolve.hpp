// Convenience calls: convolve, correlate (scipy.signal family) and filter
// (scipy.ndimage family), on a small owning array type.
//
//   faltung::Array<float> x{{1000}, data}, k{{31}, taps};
//   auto y = faltung::convolve(x, k, {.mode = faltung::Mode::same});
//
// For repeated calls on one problem, build a faltung::Plan once instead.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "faltung/errors.hpp"
#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung {

template <class T>
struct Array {
  Shape shape;
  std::vector<T> data;  // row-major, element_count(shape) values
};

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::f32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::f64;
}
template <>
constexpr DType dtype_of<std::complex<float>>() {
  return DType::c64;
}
template <>
constexpr DType dtype_of<std::complex<double>>() {
  return DType::c128;
}

// Signal family: mode full/same/valid, zero boundary unless told otherwise,
// `origin` shifts the `same` window relative to scipy.signal's.
struct Options {
  Mode mode = Mode::full;
  std::vector<int> axes;
  std::vector<BoundaryRule> boundary;
  double cval = 0.0;
  std::vector<std::int64_t> origin;
  NanPolicy nan = NanPolicy::propagate;
  double fill = 0.0;
  Method method = Method::automatic;
  int threads = 1;
};

// Filter family (scipy.ndimage): output as large as the input, centre tap
// M//2 + origin, symmetric boundary by default (ndimage's "reflect").
struct FilterOptions {
  Op op = Op::corr;
  std::vector<int> axes;
  std::vector<BoundaryRule> boundary{BoundaryRule::symmetric};
  double cval = 0.0;
  std::vector<std::int64_t> origin;  // ndimage's origin, one or one per convolved axis
  NanPolicy nan = NanPolicy::propagate;
  double fill = 0.0;
  Method method = Method::automatic;
  int threads = 1;
};

// The problem a signal-family call describes.
Problem signal_problem(Op op, DType dtype, const Shape& x, const Shape& k, const Options& o);
// The problem a filter-family call describes (ndimage origin translated to the
// engine's: correlate -> -origin, convolve -> origin + (1 if M even)).
// Throws faltung::Error for an origin outside -(M//2) <= origin <= (M-1)//2.
Problem filter_problem(DType dtype, const Shape& x, const Shape& k, const FilterOptions& o);

namespace detail {
void run_problem(const Problem& p, const void* x, std::size_t x_count, const void* k, std::size_t k_count, void* y,
                 Method method, int threads);

template <class T>
Array<T> run_typed(const Problem& p, const Array<T>& x, const Array<T>& k, Method method, int threads) {
  Array<T> y{output_shape(p), {}};
  y.data.resize(static_cast<std::size_t>(element_count(y.shape)));
  run_problem(p, x.data.data(), x.data.size(), k.data.data(), k.data.size(), y.data.data(), method, threads);
  return y;
}
}  // namespace detail

template <class T>
Array<T> convolve(const Array<T>& x, const Array<T>& k, const Options& o = {}) {
  return detail::run_typed(signal_problem(Op::conv, dtype_of<T>(), x.shape, k.shape, o), x, k, o.method, o.threads);
}

template <class T>
Array<T> correlate(const Array<T>& x, const Array<T>& k, const Options& o = {}) {
  return detail::run_typed(signal_problem(Op::corr, dtype_of<T>(), x.shape, k.shape, o), x, k, o.method, o.threads);
}

template <class T>
Array<T> filter(const Array<T>& x, const Array<T>& k, const FilterOptions& o = {}) {
  return detail::run_typed(filter_problem(dtype_of<T>(), x.shape, k.shape, o), x, k, o.method, o.threads);
}

}  // namespace faltung
