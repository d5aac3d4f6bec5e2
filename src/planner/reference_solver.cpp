#include "planner/reference_solver.hpp"

#include <limits>

#include "core/finite.hpp"
#include "core/geometry.hpp"
#include "faltung/testing/reference.hpp"

namespace faltung::planner {
namespace {

class ReferenceExecutor final : public algorithms::Executor {
 public:
  explicit ReferenceExecutor(const Problem& p) : p_(p) {}
  std::size_t workspace_bytes() const override { return 0; }

  ExecuteReport execute(const void* x, const void* k, void* y, void*) const override {
    const Reference ref(p_, x, k);
    ExecuteReport report;
    report.nonfinite_inputs = core::count_nonfinite(x, p_.dtype, element_count(p_.x));
    for (std::int64_t i = 0; i < ref.output_elements(); ++i) {
      const ReferenceValue v = ref.at(i);
      const long double nan = std::numeric_limits<long double>::quiet_NaN();
      const long double re = v.nonfinite ? nan : v.value.real();
      const long double im = v.nonfinite ? nan : v.value.imag();
      switch (p_.dtype) {
        case DType::f32:
          static_cast<float*>(y)[i] = static_cast<float>(re);
          break;
        case DType::f64:
          static_cast<double*>(y)[i] = static_cast<double>(re);
          break;
        case DType::c64:
          static_cast<float*>(y)[2 * i] = static_cast<float>(re);
          static_cast<float*>(y)[2 * i + 1] = static_cast<float>(im);
          break;
        case DType::c128:
          static_cast<double*>(y)[2 * i] = static_cast<double>(re);
          static_cast<double*>(y)[2 * i + 1] = static_cast<double>(im);
          break;
      }
    }
    return report;
  }

  std::string describe() const override {
    return "kernel: naive long double sum per output (the test oracle)\nthreads: 1\nworkspace: 0 bytes\n"
           "error bound: one rounding of the long double result to the output dtype\n";
  }

 private:
  Problem p_;
};

class ReferenceSolver final : public algorithms::Solver {
 public:
  Method method() const override { return Method::reference; }
  algorithms::ErrorModel error_model() const override { return algorithms::ErrorModel::elementwise; }
  std::string why_not(const Problem&, const algorithms::Context&) const override { return {}; }
  algorithms::Estimate estimate(const Problem& p, const algorithms::Context&) const override {
    const auto g = core::make_geometry(p);
    algorithms::Estimate e;
    e.flops = 2.0 * static_cast<double>(g.output_elements) * static_cast<double>(g.kernel_elements);
    e.seconds = e.flops / 0.3e9;  // long double x87 sums with index arithmetic per tap
    return e;
  }
  std::unique_ptr<algorithms::Executor> make(const Problem& p, const algorithms::Context&) const override {
    return std::make_unique<ReferenceExecutor>(p);
  }
};

}  // namespace

std::unique_ptr<algorithms::Solver> make_reference_solver() { return std::make_unique<ReferenceSolver>(); }

}  // namespace faltung::planner
