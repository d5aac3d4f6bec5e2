// Field-by-field equality of two problems already in canonical form (NaN
// cval or fill equal to NaN). operator== canonicalises and then calls it;
// the plan cache, whose keys are canonical already, calls it directly.
#pragma once

#include "faltung/problem.hpp"

namespace faltung::core {

bool same_canonical(const Problem& a, const Problem& b);

}  // namespace faltung::core
