// Rank-1 kernels as 1-D passes. w = outer(u_0, u_1, ...) makes the window sum
// a product of one sum per axis, and the boundary extension is a product of
// one index map per axis, so pass a (a 1-D direct problem along axis a of the
// previous pass's output) computes exactly the same sums in another order.
// A NaN reaches exactly the windows holding it, pass after pass.
//
// The plan is made from the problem; the kernel arrives with execute(). The
// planner considers the method only when PlanOptions::kernel shows a rank-1
// kernel; an execute() whose kernel is not rank 1 runs the direct method
// instead, so a plan never gives a wrong answer.
#include "algorithms/separable/separable_solver.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "algorithms/costs.hpp"
#include "algorithms/direct/direct_solver.hpp"
#include "algorithms/separable/rank_one.hpp"
#include "core/finite.hpp"
#include "core/geometry.hpp"
#include "core/workspace.hpp"

namespace faltung::separable {
namespace {

double epsilon(DType t) {
  return t == DType::f32 ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
}

// The kernel's extent on each convolved axis, in order.
struct KernelDims {
  std::int64_t m[kMaxFactors] = {1, 1, 1};
  int rank = 0;
  std::int64_t sum = 0;  // doubles the factors take
};

KernelDims kernel_dims(const core::Geometry& g) {
  KernelDims d;
  for (const auto& ax : g.axes)
    if (ax.convolved) {
      d.m[d.rank++] = ax.m;
      d.sum += ax.m;
    }
  return d;
}

// factors: kernel_dims(g).sum doubles.
bool factor_kernel(const Problem& p, const core::Geometry& g, const void* k, double* factors) {
  const KernelDims d = kernel_dims(g);
  if (p.dtype == DType::f32)
    return factor_rank_one(static_cast<const float*>(k), d.m, d.rank, epsilon(p.dtype), factors);
  return factor_rank_one(static_cast<const double*>(k), d.m, d.rank, epsilon(p.dtype), factors);
}

// The 1-D problem of the pass along axis a, reading `shape`.
Problem pass_problem(const Problem& p, const core::Geometry& g, int a, const Shape& shape) {
  Problem q;
  q.op = p.op;
  q.dtype = p.dtype;
  q.x = shape;
  q.k = {g.axes[a].m};
  q.axes = {a};
  q.mode = p.mode;
  q.boundary = {g.axes[a].rule};
  q.cval = 0;  // why_not admits only cval = 0 where a constant rule applies
  // The pass window starts where the problem's does on this axis.
  if (p.mode == Mode::same) {
    const std::int64_t m = g.axes[a].m;
    q.origin = {g.axes[a].start - ((m - 1) / 2 - (m - 1))};
  }
  q.nan = NanPolicy::propagate;
  return canonical(q);
}

template <class T>
class SeparableExecutor final : public algorithms::Executor {
 public:
  SeparableExecutor(const Problem& p, const algorithms::Context& c) : p_(p), g_(core::make_geometry(p)) {
    const auto direct = direct::make_direct_solver();
    Shape shape = p.x;
    for (std::size_t a = 0; a < g_.axes.size(); ++a) {
      if (!g_.axes[a].convolved) continue;
      Pass pass;
      pass.axis = static_cast<int>(a);
      pass.problem = pass_problem(p, g_, pass.axis, shape);
      pass.executor = direct->make(pass.problem, c);
      shape[a] = g_.axes[a].out;
      pass.out_elements = element_count(shape);
      passes_.push_back(std::move(pass));
    }
    Problem whole = p;
    fallback_ = direct->make(whole, c);
    std::size_t pass_ws = 0;
    intermediate_ = 0;
    for (const auto& s : passes_) {
      pass_ws = std::max(pass_ws, s.executor->workspace_bytes());
      intermediate_ = std::max(intermediate_, core::round_up_to_line(sizeof(T) * s.out_elements));
    }
    factor_bytes_ = core::round_up_to_line(sizeof(double) * static_cast<std::size_t>(kernel_dims(g_).sum));
    taps_ = factor_bytes_;
    for (const auto& s : passes_) taps_ += core::round_up_to_line(sizeof(T) * s.problem.k[0]);
    filled_ = p.nan == NanPolicy::fill ? core::round_up_to_line(sizeof(T) * g_.input_elements) : 0;
    pass_ws_ = pass_ws;
  }

  std::size_t workspace_bytes() const override {
    return std::max(fallback_->workspace_bytes(), taps_ + filled_ + 2 * intermediate_ + pass_ws_);
  }

  ExecuteReport execute(const void* xv, const void* kv, void* yv, void* ws) const override {
    core::require_finite_kernel(p_, kv);
    char* w = static_cast<char*>(ws);
    auto* factors = reinterpret_cast<double*>(w);
    if (!factor_kernel(p_, g_, kv, factors)) return fallback_->execute(xv, kv, yv, ws);  // not rank 1: the direct sum
    w += factor_bytes_;
    ExecuteReport report;
    T* taps[kMaxFactors] = {};
    for (std::size_t i = 0; i < passes_.size(); ++i) {
      taps[i] = reinterpret_cast<T*>(w);
      const std::int64_t m = passes_[i].problem.k[0];
      for (std::int64_t j = 0; j < m; ++j) taps[i][j] = static_cast<T>(factors[j]);
      factors += m;
      w += core::round_up_to_line(sizeof(T) * static_cast<std::size_t>(m));
    }
    const T* x = static_cast<const T*>(xv);
    report.nonfinite_inputs = core::count_nonfinite(xv, p_.dtype, g_.input_elements);
    if (p_.nan == NanPolicy::raise && report.nonfinite_inputs > 0) core::raise_on_nonfinite_input(p_, xv);
    if (p_.nan == NanPolicy::fill && report.nonfinite_inputs > 0) {
      T* filled = reinterpret_cast<T*>(w);
      for (std::int64_t i = 0; i < g_.input_elements; ++i)
        filled[i] = std::isfinite(x[i]) ? x[i] : static_cast<T>(p_.fill);
      x = filled;
    }
    w += filled_;
    T* buffers[2] = {reinterpret_cast<T*>(w), reinterpret_cast<T*>(w + intermediate_)};
    void* pass_ws = w + 2 * intermediate_;
    const T* in = x;
    for (std::size_t i = 0; i < passes_.size(); ++i) {
      T* out = i + 1 == passes_.size() ? static_cast<T*>(yv) : buffers[i % 2];
      passes_[i].executor->execute(in, taps[i], out, pass_ws);
      in = out;
    }
    return report;
  }

  std::string describe() const override {
    std::ostringstream s;
    s << "passes: " << passes_.size() << " direct 1-D passes (rank-1 kernel), along axes";
    for (const auto& pass : passes_) s << " " << pass.axis;
    s << "; a kernel that is not rank 1 at execute() runs the direct method\n";
    s << "workspace: " << workspace_bytes() << " bytes\n";
    s << "error bound: |y - y_ref| <= c * M * eps * sum|w||x| per output (M = " << g_.kernel_elements << ")\n";
    return s.str();
  }

 private:
  struct Pass {
    int axis = 0;
    Problem problem;
    std::unique_ptr<algorithms::Executor> executor;
    std::int64_t out_elements = 0;
  };
  Problem p_;
  core::Geometry g_;
  std::vector<Pass> passes_;
  std::unique_ptr<algorithms::Executor> fallback_;
  std::size_t factor_bytes_ = 0;  // the factors in double, at the workspace's start
  std::size_t intermediate_ = 0, taps_ = 0, filled_ = 0, pass_ws_ = 0;
};

class SeparableSolver final : public algorithms::Solver {
 public:
  Method method() const override { return Method::separable; }
  algorithms::ErrorModel error_model() const override { return algorithms::ErrorModel::elementwise; }

  std::string why_not(const Problem& p, const algorithms::Context& c) const override {
    const auto g = core::make_geometry(p);
    int convolved = 0;
    for (const auto& ax : g.axes) convolved += ax.convolved && ax.m > 1;
    if (convolved < 2) return "the kernel has fewer than two axes longer than 1: it is one pass already";
    if (is_complex(p.dtype)) return "complex kernels are not factored (real dtypes only)";
    if (p.nan == NanPolicy::ignore) return "nan=ignore needs normalised sums (direct or FFT methods)";
    bool constant = false;
    for (const auto& ax : g.axes) constant = constant || (ax.convolved && ax.rule == BoundaryRule::constant);
    if (constant && g.cval != 0) return "a non-zero cval would need the factors' sums in every pass";
    if (!c.kernel) return "needs the kernel's values at plan time (PlanOptions::kernel) to know it is rank 1";
    std::vector<double> factors(static_cast<std::size_t>(kernel_dims(g).sum));
    if (!factor_kernel(p, g, c.kernel, factors.data())) return "the kernel is not rank 1 within the tolerance";
    return {};
  }

  algorithms::Estimate estimate(const Problem& p, const algorithms::Context& c) const override {
    const auto g = core::make_geometry(p);
    algorithms::Estimate e;
    Shape shape = p.x;
    for (std::size_t a = 0; a < g.axes.size(); ++a) {
      if (!g.axes[a].convolved) continue;
      shape[a] = g.axes[a].out;
      const double outputs = static_cast<double>(element_count(shape));
      e.flops += 2.0 * outputs * static_cast<double>(g.axes[a].m);
      e.seconds += algorithms::direct_seconds(p.dtype, outputs, static_cast<double>(g.axes[a].m));
    }
    e.seconds = algorithms::on_threads(e.seconds, c.threads);
    e.workspace_bytes = make(p, c)->workspace_bytes();
    e.detail = "one 1-D pass per axis";
    return e;
  }

  std::unique_ptr<algorithms::Executor> make(const Problem& p, const algorithms::Context& c) const override {
    if (p.dtype == DType::f32) return std::make_unique<SeparableExecutor<float>>(p, c);
    return std::make_unique<SeparableExecutor<double>>(p, c);
  }
};

}  // namespace

std::unique_ptr<algorithms::Solver> make_separable_solver() { return std::make_unique<SeparableSolver>(); }

}  // namespace faltung::separable
