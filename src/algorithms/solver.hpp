// The one interface every method implements; src/planner/registry.cpp lists them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung::algorithms {

struct Estimate {
  double flops = 0;              // useful floating-point operations
  double seconds = 0;            // predicted time on this machine kind
  std::size_t workspace_bytes = 0;
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
};

class Solver {
 public:
  virtual ~Solver() = default;
  virtual Method method() const = 0;
  // Empty when the method can compute p; otherwise the reason it cannot.
  virtual std::string why_not(const Problem& p) const = 0;
  virtual Estimate estimate(const Problem& p, int threads) const = 0;
  virtual std::unique_ptr<Executor> make(const Problem& p, int threads) const = 0;
};

}  // namespace faltung::algorithms
