// Boundary names in the dialects of the libraries users come from
// (table in include/faltung/boundary.hpp and docs/semantics.md).
#include "faltung/boundary.hpp"

#include <string>
#include <utility>
#include <vector>

#include "faltung/errors.hpp"

namespace faltung {
namespace {

using R = BoundaryRule;
using Alias = std::pair<std::string_view, BoundaryRule>;

const std::vector<Alias>& aliases(Dialect d) {
  static const std::vector<Alias> canonical{{"constant", R::constant},
                                            {"symmetric", R::symmetric},
                                            {"mirror", R::mirror},
                                            {"nearest", R::nearest},
                                            {"wrap", R::wrap}};
  static const std::vector<Alias> ndimage{{"constant", R::constant}, {"grid-constant", R::constant},
                                          {"reflect", R::symmetric}, {"grid-mirror", R::symmetric},
                                          {"mirror", R::mirror},     {"nearest", R::nearest},
                                          {"wrap", R::wrap},         {"grid-wrap", R::wrap}};
  static const std::vector<Alias> numpy{{"constant", R::constant},
                                        {"symmetric", R::symmetric},
                                        {"reflect", R::mirror},
                                        {"edge", R::nearest},
                                        {"wrap", R::wrap}};
  static const std::vector<Alias> opencv{{"BORDER_CONSTANT", R::constant},  {"BORDER_REFLECT", R::symmetric},
                                         {"BORDER_REFLECT_101", R::mirror}, {"BORDER_REFLECT101", R::mirror},
                                         {"BORDER_DEFAULT", R::mirror},     {"BORDER_REPLICATE", R::nearest},
                                         {"BORDER_WRAP", R::wrap}};
  static const std::vector<Alias> torch{
      {"zeros", R::constant}, {"reflect", R::mirror}, {"replicate", R::nearest}, {"circular", R::wrap}};
  static const std::vector<Alias> matlab{{"symmetric", R::symmetric}, {"replicate", R::nearest}, {"circular", R::wrap}};
  static const std::vector<Alias> astropy{{"fill", R::constant}, {"extend", R::nearest}, {"wrap", R::wrap}};
  switch (d) {
    case Dialect::canonical:
      return canonical;
    case Dialect::ndimage:
      return ndimage;
    case Dialect::numpy:
      return numpy;
    case Dialect::opencv:
      return opencv;
    case Dialect::torch:
      return torch;
    case Dialect::matlab:
      return matlab;
    case Dialect::astropy:
      return astropy;
  }
  return canonical;
}

constexpr std::string_view dialect_name(Dialect d) {
  switch (d) {
    case Dialect::canonical:
      return "faltung";
    case Dialect::ndimage:
      return "scipy.ndimage";
    case Dialect::numpy:
      return "numpy.pad";
    case Dialect::opencv:
      return "OpenCV";
    case Dialect::torch:
      return "torch";
    case Dialect::matlab:
      return "MATLAB";
    case Dialect::astropy:
      return "astropy";
  }
  return "";
}

}  // namespace

BoundaryRule parse_boundary(std::string_view text, Dialect dialect) {
  for (const auto& [alias, rule] : aliases(dialect))
    if (alias == text) return rule;
  std::string known;
  for (const auto& [alias, rule] : aliases(dialect)) known += (known.empty() ? "" : ", ") + std::string(alias);
  std::string message =
      "unknown " + std::string(dialect_name(dialect)) + " boundary '" + std::string(text) + "' (known: " + known + ")";
  if (dialect == Dialect::canonical && text == "reflect")
    message += "; 'reflect' is ambiguous: scipy.ndimage's is 'symmetric', numpy's and torch's 'mirror'";
  throw Error(ErrorKind::parse, message);
}

}  // namespace faltung
