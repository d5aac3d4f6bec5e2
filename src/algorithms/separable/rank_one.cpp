#include "algorithms/separable/rank_one.hpp"

#include <cmath>

namespace faltung::separable {

template <class T>
bool factor_rank_one(const T* w, const std::int64_t* m, int rank, double eps, double* factors) {
  std::int64_t stride[kMaxFactors];
  stride[rank - 1] = 1;
  for (int a = rank - 1; a > 0; --a) stride[a - 1] = stride[a] * m[a];
  const std::int64_t total = stride[0] * m[0];
  // Pivot on the largest element: the factors are the lines through it.
  std::int64_t pivot = 0;
  for (std::int64_t i = 1; i < total; ++i)
    if (std::abs(static_cast<double>(w[i])) > std::abs(static_cast<double>(w[pivot]))) pivot = i;
  const double wp = w[pivot];
  if (wp == 0) return false;  // all zero: nothing to separate
  double* f[kMaxFactors];
  for (int a = 0, at = 0; a < rank; at += static_cast<int>(m[a]), ++a) f[a] = factors + at;
  for (int a = 0; a < rank; ++a) {
    const std::int64_t at = (pivot / stride[a]) % m[a];
    for (std::int64_t j = 0; j < m[a]; ++j) {
      const double v = w[pivot + (j - at) * stride[a]];
      f[a][j] = a == 0 ? v : v / wp;  // the pivot's value rides on the first factor
    }
  }
  for (std::int64_t i = 0; i < total; ++i) {
    double product = 1;
    for (int a = 0; a < rank; ++a) product *= f[a][(i / stride[a]) % m[a]];
    const double wi = w[i];
    if (std::abs(product - wi) > 4 * eps * std::abs(wi) + 4 * eps * eps * std::abs(wp)) return false;
  }
  return true;
}

template bool factor_rank_one<float>(const float*, const std::int64_t*, int, double, double*);
template bool factor_rank_one<double>(const double*, const std::int64_t*, int, double, double*);

}  // namespace faltung::separable
