// Plans: a validated problem bound to a method, ready to execute many times.
//
// A Plan is immutable and may be shared by threads. execute() with a caller's
// workspace allocates nothing; with threads > 1 it runs on a process-wide
// pool of parked worker threads, started once and reused by every call (a
// call that finds the pool busy with another caller's job starts threads of
// its own; a child made by fork() starts a pool of its own). The overload
// without a workspace allocates one.
// Arrays are dense row-major; complex data is std::complex<float|double>
// (interleaved re, im). The result is bit-identical for any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "faltung/problem.hpp"

namespace faltung {

// auto: the lowest estimate of the cost model. measure: times every
// candidate once and remembers the fastest (wisdom.hpp). The others force a
// method: direct sums, one FFT over the whole array, overlap-save blocks,
// rank-1 kernels as 1-D passes, and the naive reference (the test oracle).
enum class Method { automatic, direct, fft, overlap_save, separable, measure, reference };
std::string_view name(Method m);
template <>
std::span<const std::string_view> enum_names<Method>();
// "auto", "direct", "fft", "overlap_save", "separable", "measure", "reference"
Method parse_method(std::string_view text);

// Which error bound the plan must keep (docs/semantics.md, tolerance rules).
enum class Accuracy {
  // FFT methods allowed: max error <= c * eps * log2(L) * ||x||_2 * ||w||_2.
  // Outputs much smaller than the largest (a huge dynamic range) may lose
  // all their digits, as with scipy's fftconvolve.
  normwise,
  // Each output within c * M * eps * sum|w||x| of its own window (direct,
  // separable): small outputs beside huge ones stay accurate.
  elementwise,
};
std::string_view name(Accuracy a);
Accuracy parse_accuracy(std::string_view text);  // "normwise", "elementwise"

struct PlanOptions {
  Method method = Method::automatic;
  int threads = 1;  // worker threads for execute(); 0 = all hardware threads
  // Largest workspace the plan may use, in bytes (0: no cap). Blocked
  // methods pick smaller blocks to fit; methods that cannot fit are refused.
  std::size_t max_workspace_bytes = 0;
  Accuracy accuracy = Accuracy::normwise;
  // The kernel's values, when known at plan time (nullptr: not known). Lets
  // the planner consider methods that depend on them (separable needs a
  // rank-1 kernel). Read only during create(); execute() still takes k.
  const void* kernel = nullptr;
};

// What one execute() saw.
struct ExecuteReport {
  std::int64_t nonfinite_inputs = 0;  // non-finite samples of x (NaN or +-Inf)
};

class Plan {
 public:
  struct State;  // opaque; shared by copies of a plan and the plan cache

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
  // The error bound the chosen method keeps, and for FFT methods the total
  // transform length L of that bound (0 otherwise).
  Accuracy accuracy() const;
  std::int64_t transform_length() const;

  // x, k and y point to dense arrays of the problem's dtype and shapes;
  // workspace to workspace_bytes() bytes (64-byte alignment is best).
  // Throws faltung::Error for a non-finite kernel, or under nan=raise.
  ExecuteReport execute(const void* x, const void* k, void* y, void* workspace) const;
  ExecuteReport execute(const void* x, const void* k, void* y) const;

  // Method, SIMD target, tiling, workspace, threads, estimated cost and
  // error bound, and why every other method was not chosen.
  std::string explain() const;

 private:
  explicit Plan(std::shared_ptr<const State> s) : state_(std::move(s)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace faltung
