// Plans: a validated problem bound to a method, ready to execute many times.
//
// A Plan is immutable and may be shared by threads. execute() with a caller's
// workspace allocates nothing (with threads > 1 it starts that many OS
// threads per call); the overload without one allocates the workspace.
// Arrays are dense row-major; complex data is std::complex<float|double>
// (interleaved re, im). The result is bit-identical for any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "faltung/problem.hpp"

namespace faltung {

enum class Method { automatic, direct, reference };
std::string_view name(Method m);
Method parse_method(std::string_view text);  // "auto", "direct", "reference"

struct PlanOptions {
  Method method = Method::automatic;
  int threads = 1;  // worker threads for execute(); 0 = all hardware threads
};

// What one execute() saw.
struct ExecuteReport {
  std::int64_t nonfinite_inputs = 0;  // non-finite samples of x (NaN or +-Inf)
};


class Plan {
 public:
  // Validates the problem and chooses the method. Throws faltung::Error.
  static Plan create(const Problem& problem, const PlanOptions& options = {});

  const Problem& problem() const;
  Shape output_shape() const;
  std::int64_t output_elements() const;
  Method method() const;
  int threads() const;
  std::size_t workspace_bytes() const;
  // The cost model's prediction for one execute() on this machine kind.
  double estimated_seconds() const;

  // x, k and y point to dense arrays of the problem's dtype and shapes;
  // workspace to workspace_bytes() bytes (64-byte alignment is best).
  // Throws faltung::Error for a non-finite kernel, or under nan=raise.
  ExecuteReport execute(const void* x, const void* k, void* y, void* workspace) const;
  ExecuteReport execute(const void* x, const void* k, void* y) const;

  // Method, SIMD target, tiling, workspace, threads, estimated cost and
  // error bound, and why every other method was not chosen.
  std::string explain() const;

 private:
  struct State;
  explicit Plan(std::shared_ptr<const State> s) : state_(std::move(s)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace faltung
