// The direct method: every dtype, rank, mode, boundary and nan policy, on the
// register-blocked row kernels.
//
// nan policies (docs/semantics.md):
//   propagate  a plain direct sum already makes exactly the windows holding a
//              NaN/Inf non-finite.
//   fill       one copy of x with the non-finite samples replaced.
//   ignore     three passes of the same driver: the sum over valid samples, the
//              sum of valid weights, and a count of invalid samples per window;
//              y = sum_valid(w x) * sum(w) / sum_valid(w) where the count is
//              non-zero, the plain sum elsewhere.
//   raise      a scan before any work.
// Each extra pass runs only when x actually holds a non-finite sample.
#include "algorithms/direct/direct_solver.hpp"

#include <cmath>
#include <complex>
#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

#include "algorithms/costs.hpp"
#include "algorithms/direct/row_driver.hpp"
#include "algorithms/direct/row_kernels.hpp"
#include "core/finite.hpp"
#include "core/geometry.hpp"
#include "core/threads.hpp"
#include "core/workspace.hpp"

namespace faltung::direct {
namespace {

class DirectExecutorBase : public algorithms::Executor {
 public:
  virtual int workers() const = 0;
};

template <class T>
class DirectExecutor final : public DirectExecutorBase {
 public:
  int workers() const override { return driver_.workers(); }

  DirectExecutor(const Problem& p, int threads)
      : p_(p),
        g_(core::make_geometry(p)),
        complex_(is_complex(p.dtype)),
        cs_(complex_ ? 2 : 1),
        kernels_(best_row_kernels()),
        driver_(g_, complex_, sizeof(T), Schedule{}, threads) {}

  std::size_t workspace_bytes() const override {
    const std::size_t x_bytes = core::round_up_to_line(g_.input_elements * cs_ * sizeof(T));
    const std::size_t y_bytes = core::round_up_to_line(g_.output_elements * cs_ * sizeof(T));
    const std::size_t taps = tap_bytes();
    std::size_t policy = 0;
    if (p_.nan == NanPolicy::fill) policy = x_bytes;
    if (p_.nan == NanPolicy::ignore) policy = 3 * x_bytes + 2 * y_bytes + taps;
    return taps + policy + driver_.workspace_bytes();
  }

  ExecuteReport execute(const void* xv, const void* kv, void* yv, void* workspace) const override {
    core::require_finite_kernel(p_, kv);
    const T* x = static_cast<const T*>(xv);
    T* y = static_cast<T*>(yv);
    ExecuteReport report;
    char* ws = static_cast<char*>(workspace);
    T* taps = reinterpret_cast<T*>(ws);
    ws += tap_bytes();
    orient_taps(static_cast<const T*>(kv), taps);
    void* driver_ws = ws;
    ws += driver_.workspace_bytes();

    const T cval = static_cast<T>(g_.cval);
    if (p_.nan == NanPolicy::propagate || p_.nan == NanPolicy::raise) {
      // One pass: the items count the input they own while it is in cache.
      report.nonfinite_inputs = run(x, cval, taps, y, driver_ws, true);
      if (p_.nan == NanPolicy::raise && report.nonfinite_inputs > 0) core::raise_on_nonfinite_input(p_, xv);
      return report;
    }
    // fill and ignore choose their passes by what x holds.
    report.nonfinite_inputs = count_nonfinite(x);
    if (p_.nan == NanPolicy::fill && report.nonfinite_inputs > 0) {
      T* filled = reinterpret_cast<T*>(ws);
      copy_replacing_nonfinite(x, filled, static_cast<T>(p_.fill));
      run(filled, cval, taps, y, driver_ws, false);
    } else if (p_.nan == NanPolicy::ignore && (report.nonfinite_inputs > 0 || !std::isfinite(cval))) {
      normalised(x, cval, taps, y, ws, driver_ws);
    } else {
      run(x, cval, taps, y, driver_ws, false);
    }
    return report;
  }

  std::string describe() const override {
    std::ostringstream s;
    const std::size_t tile = kernels_.real_tile_vectors * lanes();
    s << "kernel: " << name(p_.dtype) << "_direct_rows";
    if (complex_)
      s << " (complex, two real accumulators)";
    else
      s << "_" << kernels_.real_tile_vectors << "x" << lanes() << "__" << kernels_.target;
    s << "\n";
    s << "kernel family: " << kernel_family() << "\n";
    s << "simd target: " << kernels_.target << "\n";
    s << "tiling: " << driver_.segments().size()
      << " segments per output row (edges gathered, interior read in place); " << driver_.work_items()
      << " work items; plain tile " << tile << " outputs\n";
    s << "threads: " << driver_.workers() << "\n";
    s << "workspace: " << workspace_bytes() << " bytes\n";
    s << "error bound: |y - y_ref| <= c * M * eps * sum|w||x| per output (M = " << g_.kernel_elements << ")\n";
    return s.str();
  }

 private:
  // Which of the row kernels the interior runs on (see row_kernels.hpp).
  std::string kernel_family() const {
    const std::int64_t m = g_.axes.back().m;
    const std::size_t lanes = this->lanes();
    if (driver_.rows_per_item() > 1)
      return "multi-row: " + std::to_string(driver_.rows_per_item()) +
             " output rows share each input load (2-D window)";
    const std::int64_t outer_taps = g_.kernel_elements / m;
    if (!complex_ && outer_taps == 1 && kernels_.ring_max_vectors > 0 && static_cast<std::size_t>(m) >= 2 * lanes)
      return "ring: each input vector feeds the " + std::to_string((m + lanes - 1) / lanes) +
             " output vectors whose windows hold it";
    return "tile: one load per tap and output vector";
  }

  std::size_t lanes() const { return sizeof(T) == 4 ? kernels_.f32_lanes : kernels_.f64_lanes; }

  using Kernel = bool (*)(const RowJob<T>&);
  Kernel kernel() const {
    if constexpr (sizeof(T) == 4)
      return complex_ ? kernels_.c64 : kernels_.f32;
    else
      return complex_ ? kernels_.c128 : kernels_.f64;
  }

  std::int64_t run(const T* x, T cval, const T* taps, T* y, void* driver_ws, bool count) const {
    return driver_.run<T>(x, cval, taps, y, driver_ws, count, kernels_, kernel());
  }

  std::size_t tap_bytes() const { return core::round_up_to_line(g_.kernel_elements * cs_ * sizeof(T)); }

  std::int64_t count_nonfinite(const T* x) const {
    const auto n = static_cast<std::size_t>(g_.input_elements);
    if constexpr (sizeof(T) == 4)
      return static_cast<std::int64_t>(kernels_.count_f32(x, n, complex_));
    else
      return static_cast<std::int64_t>(kernels_.count_f64(x, n, complex_));
  }

  // v = reversed w for convolution (flipping every axis of a row-major array
  // reverses its flat order), conj(w) for complex correlation.
  void orient_taps(const T* w, T* v) const {
    const std::int64_t n = g_.kernel_elements;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t src = g_.flip ? n - 1 - i : i;
      for (std::int64_t c = 0; c < cs_; ++c) v[i * cs_ + c] = w[src * cs_ + c];
      if (g_.conjugate) v[i * cs_ + 1] = -v[i * cs_ + 1];
    }
  }

  bool finite_at(const T* x, std::int64_t i) const {
    bool ok = std::isfinite(x[i * cs_]);
    if (complex_) ok = ok && std::isfinite(x[i * cs_ + 1]);
    return ok;
  }

  void copy_replacing_nonfinite(const T* x, T* out, T value) const {
    for (std::int64_t i = 0; i < g_.input_elements; ++i) {
      const bool ok = finite_at(x, i);
      for (std::int64_t c = 0; c < cs_; ++c) out[i * cs_ + c] = ok ? x[i * cs_ + c] : (c ? T(0) : value);
    }
  }

  void normalised(const T* x, T cval, const T* taps, T* y, char* ws, void* driver_ws) const {
    const std::int64_t nx = g_.input_elements, ny = g_.output_elements, nk = g_.kernel_elements;
    const std::size_t x_bytes = core::round_up_to_line(nx * cs_ * sizeof(T));
    const std::size_t y_bytes = core::round_up_to_line(ny * cs_ * sizeof(T));
    T* zeroed = reinterpret_cast<T*>(ws);
    T* valid = reinterpret_cast<T*>(ws + x_bytes);
    T* invalid = reinterpret_cast<T*>(ws + 2 * x_bytes);
    T* valid_weight = reinterpret_cast<T*>(ws + 3 * x_bytes);
    T* invalid_count = reinterpret_cast<T*>(ws + 3 * x_bytes + y_bytes);
    T* ones = reinterpret_cast<T*>(ws + 3 * x_bytes + 2 * y_bytes);  // tap_bytes() long
    for (std::int64_t i = 0; i < nx; ++i) {
      const bool ok = finite_at(x, i);
      for (std::int64_t c = 0; c < cs_; ++c) {
        zeroed[i * cs_ + c] = ok ? x[i * cs_ + c] : T(0);
        valid[i * cs_ + c] = c == 0 && ok ? T(1) : T(0);
        invalid[i * cs_ + c] = c == 0 && !ok ? T(1) : T(0);
      }
    }
    for (std::int64_t i = 0; i < nk * cs_; ++i) ones[i] = (i % cs_ == 0) ? T(1) : T(0);
    const bool cval_ok = std::isfinite(cval);
    run(zeroed, cval_ok ? cval : T(0), taps, y, driver_ws, false);
    run(valid, cval_ok ? T(1) : T(0), taps, valid_weight, driver_ws, false);
    run(invalid, cval_ok ? T(0) : T(1), ones, invalid_count, driver_ws, false);

    using C = std::complex<T>;
    C total(0);
    for (std::int64_t i = 0; i < nk; ++i) total += C(taps[i * cs_], complex_ ? taps[i * cs_ + 1] : T(0));
    for (std::int64_t i = 0; i < ny; ++i) {
      if (invalid_count[i * cs_] == T(0)) continue;  // window all valid: the plain sum
      const C num(y[i * cs_], complex_ ? y[i * cs_ + 1] : T(0));
      const C den(valid_weight[i * cs_], complex_ ? valid_weight[i * cs_ + 1] : T(0));
      const C out = den == C(0) ? C(std::numeric_limits<T>::quiet_NaN(), 0) : num * total / den;
      y[i * cs_] = out.real();
      if (complex_) y[i * cs_ + 1] = den == C(0) ? std::numeric_limits<T>::quiet_NaN() : out.imag();
    }
  }

  Problem p_;
  core::Geometry g_;
  bool complex_;
  std::int64_t cs_;
  const RowKernelTable& kernels_;
  RowDriver driver_;
};

class DirectSolver final : public algorithms::Solver {
 public:
  Method method() const override { return Method::direct; }
  algorithms::ErrorModel error_model() const override { return algorithms::ErrorModel::elementwise; }
  std::string why_not(const Problem&, const algorithms::Context&) const override { return {}; }

  algorithms::Estimate estimate(const Problem& p, const algorithms::Context& c) const override {
    const auto g = core::make_geometry(p);
    algorithms::Estimate e;
    const double taps = static_cast<double>(g.kernel_elements) * (is_complex(p.dtype) ? 4.0 : 1.0);
    e.flops = 2.0 * static_cast<double>(g.output_elements) * taps;
    const auto executor = make(p, c);
    const int workers = static_cast<const DirectExecutorBase&>(*executor).workers();
    int kernel_axes = 0;  // axes the kernel extends along (a 1 x m kernel runs as 1-D rows)
    for (const auto& ax : g.axes) kernel_axes += ax.m > 1;
    e.seconds = algorithms::on_threads(
        algorithms::direct_seconds(p.dtype, static_cast<double>(g.output_elements), taps, kernel_axes), workers);
    e.workspace_bytes = executor->workspace_bytes();
    return e;
  }

  std::unique_ptr<algorithms::Executor> make(const Problem& p, const algorithms::Context& c) const override {
    const int threads = c.threads;
    if (p.dtype == DType::f32 || p.dtype == DType::c64) return std::make_unique<DirectExecutor<float>>(p, threads);
    return std::make_unique<DirectExecutor<double>>(p, threads);
  }
};

}  // namespace

std::unique_ptr<algorithms::Solver> make_direct_solver() { return std::make_unique<DirectSolver>(); }

}  // namespace faltung::direct
