// Which SIMD targets this build carries and which one runs. Kernels pick their
// target once per plan through Highway's dispatch; tests use
// restrict_targets() to run the AVX2 and baseline code on an AVX-512 machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faltung::simd {

struct Target {
  std::int64_t bits;  // Highway target bit
  std::string name;   // e.g. AVX3, AVX2, SSE4
};

// Targets compiled into this binary that the running CPU supports, best first.
std::vector<Target> available_targets();
// Limits dispatch to `bits` (a Highway target mask); 0 restores the CPU's own set.
void restrict_targets(std::int64_t bits);

}  // namespace faltung::simd
