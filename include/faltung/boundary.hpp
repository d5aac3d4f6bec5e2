// Boundary rules and the dialects other libraries use for them.
//
//   canonical  | abcd extended by 3 | scipy.ndimage           | numpy.pad | OpenCV             | torch     | MATLAB |
//   astropy constant   | ccc abcd ccc       | constant, grid-constant | constant  | BORDER_CONSTANT    | zeros     |
//   numeric   | fill symmetric  | cba abcd dcb       | reflect, grid-mirror    | symmetric | BORDER_REFLECT     | - |
//   symmetric | - mirror     | dcb abcd cba       | mirror                  | reflect   | BORDER_REFLECT_101 | reflect
//   | -         | - nearest    | aaa abcd ddd       | nearest                 | edge      | BORDER_REPLICATE   |
//   replicate | replicate | extend wrap       | bcd abcd abc       | wrap, grid-wrap         | wrap      | BORDER_WRAP
//   | circular  | circular  | wrap
//
// Note the trap: "reflect" is `symmetric` in ndimage and `mirror` in numpy and torch.
#pragma once

#include <string_view>

#include "faltung/problem.hpp"

namespace faltung {

enum class Dialect { canonical, ndimage, numpy, opencv, torch, matlab, astropy };

// Translates a boundary name in the given dialect. Throws faltung::Error listing
// the names that dialect accepts (and, for "reflect" in the canonical dialect,
// explaining the ambiguity).
BoundaryRule parse_boundary(std::string_view name, Dialect dialect = Dialect::canonical);

}  // namespace faltung
