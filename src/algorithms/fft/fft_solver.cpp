#include "algorithms/fft/fft_solver.hpp"

#include <algorithm>
#include <cmath>

#include "algorithms/fft/fft_executor.hpp"
#include "algorithms/fft/schedule.hpp"
#include "core/geometry.hpp"

namespace faltung::fft {
namespace {

// Useful flops of a schedule, for explain: 5 N log2 N per complex transform
// pair direction (half for real), plus the products.
double transform_flops(const Problem& p, const FftSchedule& s) {
  const auto g = core::make_geometry(p);
  double n = 1, items = 1;
  for (std::size_t i = 0, c = 0; i < g.axes.size(); ++i) {
    if (!g.axes[i].convolved) {
      items *= static_cast<double>(g.axes[i].n);
      continue;
    }
    n *= static_cast<double>(s.L[c]);
    const auto blocks = (g.axes[i].out + s.block[c] - 1) / s.block[c];  // whole blocks, rounded up
    items *= static_cast<double>(blocks);
    ++c;
  }
  const double real = is_complex(p.dtype) ? 1.0 : 0.5;
  return items * real * (10.0 * n * std::log2(std::max(2.0, n)) + 6.0 * n);
}

std::string lengths(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "x" : "") + std::to_string(v[i]);
  return s;
}

algorithms::Estimate to_estimate(const Problem& p, const Scheduled& s) {
  algorithms::Estimate e;
  e.flops = transform_flops(p, s.schedule);
  e.seconds = s.seconds;
  e.workspace_bytes = s.workspace_bytes;
  e.detail = "length " + lengths(s.schedule.L) + ", blocks of " + lengths(s.schedule.block);
  return e;
}

std::string over_cap(std::size_t need, std::size_t cap) {
  return "needs " + std::to_string(need) + " bytes of workspace, over max_workspace_bytes=" + std::to_string(cap);
}

class WholeArraySolver final : public algorithms::Solver {
 public:
  Method method() const override { return Method::fft; }
  algorithms::ErrorModel error_model() const override { return algorithms::ErrorModel::normwise; }
  std::string why_not(const Problem& p, const algorithms::Context& c) const override {
    const Scheduled s = whole_array_schedule(p, c);
    for (auto l : s.schedule.L)
      if (l > (std::int64_t{1} << 30)) return "a transform of length " + std::to_string(l) + " is too long for FFTW";
    if (c.max_workspace_bytes && s.workspace_bytes > c.max_workspace_bytes)
      return over_cap(s.workspace_bytes, c.max_workspace_bytes);
    return {};
  }
  algorithms::Estimate estimate(const Problem& p, const algorithms::Context& c) const override {
    return to_estimate(p, whole_array_schedule(p, c));
  }
  std::unique_ptr<algorithms::Executor> make(const Problem& p, const algorithms::Context& c) const override {
    return make_fft_executor(p, whole_array_schedule(p, c).schedule);
  }
};

class OverlapSaveSolver final : public algorithms::Solver {
 public:
  Method method() const override { return Method::overlap_save; }
  algorithms::ErrorModel error_model() const override { return algorithms::ErrorModel::normwise; }
  std::string why_not(const Problem& p, const algorithms::Context& c) const override {
    if (!blocked_schedule(p, c))
      return "no block size fits max_workspace_bytes=" + std::to_string(c.max_workspace_bytes);
    return {};
  }
  algorithms::Estimate estimate(const Problem& p, const algorithms::Context& c) const override {
    return to_estimate(p, *blocked_schedule(p, c));
  }
  std::unique_ptr<algorithms::Executor> make(const Problem& p, const algorithms::Context& c) const override {
    return make_fft_executor(p, blocked_schedule(p, c)->schedule);
  }
};

}  // namespace

std::unique_ptr<algorithms::Solver> make_whole_array_solver() { return std::make_unique<WholeArraySolver>(); }
std::unique_ptr<algorithms::Solver> make_overlap_save_solver() { return std::make_unique<OverlapSaveSolver>(); }

}  // namespace faltung::fft
