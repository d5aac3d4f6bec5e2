// Factoring a kernel of numerical rank 1 into one vector per axis.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace faltung::separable {

// w (real, dense, shape m) == outer(factors[0], factors[1], ...) within the
// tolerance: every element within 4 eps |w| of the product (eps of the
// dtype), so the passes stay inside the direct tolerance rule. Empty when w
// is not rank 1.
std::optional<std::vector<std::vector<double>>> factor_rank_one(const double* w, const std::vector<std::int64_t>& m,
                                                                double eps);

}  // namespace faltung::separable
