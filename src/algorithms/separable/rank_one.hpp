// Factoring a kernel of numerical rank 1 into one vector per axis.
#pragma once

#include <cstdint>

namespace faltung::separable {

inline constexpr int kMaxFactors = 3;

// w (real, dense, shape m[0] x ... x m[rank-1]) == outer(f_0, f_1, ...)
// within the tolerance: every element within 4 eps |w| (eps of the dtype) of
// the product, so the passes stay inside the direct tolerance rule. Writes
// the factors one after another into `factors` (m[0] + ... doubles); false
// when w is not rank 1 (or all zero). Allocates nothing: execute() calls it.
template <class T>
bool factor_rank_one(const T* w, const std::int64_t* m, int rank, double eps, double* factors);

}  // namespace faltung::separable
