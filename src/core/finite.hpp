// Scans for non-finite values and the errors that name them.
#pragma once

#include <cstdint>
#include <string>

#include "faltung/problem.hpp"

namespace faltung::core {

// Flat index of the first NaN or +-Inf element (complex: either part), or -1.
std::int64_t first_nonfinite(const void* data, DType t, std::int64_t count);
// Number of non-finite elements.
std::int64_t count_nonfinite(const void* data, DType t, std::int64_t count);
// "[3,17]" for flat index 3*shape[1]+17.
std::string index_string(const Shape& shape, std::int64_t flat);

// Throws faltung::Error(nonfinite_kernel) naming the first non-finite kernel element.
void require_finite_kernel(const Problem& p, const void* k);
// Throws faltung::Error(nonfinite_input) naming the first non-finite input sample.
void raise_on_nonfinite_input(const Problem& p, const void* x);

}  // namespace faltung::core
