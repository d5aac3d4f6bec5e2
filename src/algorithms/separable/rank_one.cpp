#include "algorithms/separable/rank_one.hpp"

#include <cmath>

namespace faltung::separable {

std::optional<std::vector<std::vector<double>>> factor_rank_one(const double* w, const std::vector<std::int64_t>& m,
                                                                double eps) {
  const std::size_t r = m.size();
  std::vector<std::int64_t> stride(r, 1);
  for (std::size_t a = r; a-- > 1;) stride[a - 1] = stride[a] * m[a];
  const std::int64_t total = stride[0] * m[0];
  // Pivot on the largest element: the factors are the lines through it.
  std::int64_t pivot = 0;
  for (std::int64_t i = 1; i < total; ++i)
    if (std::abs(w[i]) > std::abs(w[pivot])) pivot = i;
  const double wp = w[pivot];
  if (wp == 0) return std::nullopt;  // all zero: nothing to separate
  std::vector<std::int64_t> at(r);
  for (std::size_t a = 0; a < r; ++a) at[a] = (pivot / stride[a]) % m[a];
  std::vector<std::vector<double>> f(r);
  for (std::size_t a = 0; a < r; ++a) {
    f[a].resize(static_cast<std::size_t>(m[a]));
    for (std::int64_t j = 0; j < m[a]; ++j) {
      const double v = w[pivot + (j - at[a]) * stride[a]];
      f[a][static_cast<std::size_t>(j)] = a == 0 ? v : v / wp;  // the pivot's value rides on the first factor
    }
  }
  const double tiny = 4 * eps * std::abs(wp);
  for (std::int64_t i = 0; i < total; ++i) {
    double product = 1;
    for (std::size_t a = 0; a < r; ++a) product *= f[a][static_cast<std::size_t>((i / stride[a]) % m[a])];
    if (std::abs(product - w[i]) > 4 * eps * std::abs(w[i]) + tiny * eps) return std::nullopt;
  }
  return f;
}

}  // namespace faltung::separable
