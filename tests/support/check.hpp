// Runs a problem through a plan and judges every output against the reference
// with the tolerance rules (include/faltung/testing/tolerance.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "faltung/plan.hpp"
#include "support/arrays.hpp"

namespace faltung::test {

struct CheckResult {
  bool ok = true;
  std::string message;       // the first failure: problem, seed, index, values
  std::int64_t checked = 0;  // outputs compared
  bool trivial = false;      // every reference output was zero or non-finite: proves little
};

Buffer run_plan(const Problem& p, const Buffer& x, const Buffer& k, const PlanOptions& o,
                ExecuteReport* report = nullptr);

// Compares y (computed for p from x, k) with the reference under the direct
// rule, or with transform_length > 0 under the normwise (FFT) rule.
CheckResult check_against_reference(const Problem& p, const Buffer& x, const Buffer& k, const Buffer& y,
                                    std::uint64_t seed, std::int64_t transform_length = 0);

}  // namespace faltung::test
