// The one interface every method implements; src/planner/registry.cpp lists them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung::algorithms {

// What a plan is made under: the resolved options of PlanOptions.
struct Context {
  int threads = 1;                      // >= 1
  std::size_t max_workspace_bytes = 0;  // 0: no cap
  const void* kernel = nullptr;         // the kernel's values when known at plan time
};

struct Estimate {
  double flops = 0;    // useful floating-point operations
  double seconds = 0;  // predicted time on this machine kind
  std::size_t workspace_bytes = 0;
  std::string detail;  // the chosen parameters, for explain (block sizes ...)
};

// How a method's rounding error is bounded (docs/semantics.md, tolerance rules).
enum class ErrorModel {
  elementwise,  // each output within c * M * eps * sum|w||x| of its own window
  normwise,     // max error within c * eps * log2(L) * ||x||_2 * ||w||_2 (FFT)
};

// A method bound to one problem: immutable, shareable between threads.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::size_t workspace_bytes() const = 0;
  // Validated inputs of the problem's dtype and shapes; writes every output.
  virtual ExecuteReport execute(const void* x, const void* k, void* y, void* workspace) const = 0;
  // Lines for explain(): kernels, SIMD target, tiling, workspace.
  virtual std::string describe() const = 0;
  // Total length L of the transforms (the normwise error bound's log2 L), or 0.
  virtual std::int64_t transform_length() const { return 0; }
};

class Solver {
 public:
  virtual ~Solver() = default;
  virtual Method method() const = 0;
  virtual ErrorModel error_model() const = 0;
  // Empty when the method can compute p under c; otherwise the reason it cannot.
  virtual std::string why_not(const Problem& p, const Context& c) const = 0;
  virtual Estimate estimate(const Problem& p, const Context& c) const = 0;
  virtual std::unique_ptr<Executor> make(const Problem& p, const Context& c) const = 0;
};

}  // namespace faltung::algorithms
