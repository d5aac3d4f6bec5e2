#include "algorithms/fft/row_column_transform.hpp"

#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include "algorithms/fft/spectrum_kernels.hpp"
#include "faltung/errors.hpp"

namespace faltung::fft {

template <class T>
RowColumnTransform<T>::RowColumnTransform(std::int64_t L0, std::int64_t L1, PlanEffort effort, ColumnPass columns)
    : L0_(L0),
      bins_(L1 / 2 + 1),
      stride_(row_column_tile_stride(L1)),
      vertical_(columns == ColumnPass::by_rule && row_column_vertical<T>(L0, L1)),
      padded_(row_column_padded_bins<T>(L1)) {
  if (L0 > (1LL << 30) || L1 > (1LL << 30))
    throw Error(ErrorKind::resource, "FFT length " + std::to_string(std::max(L0, L1)) + " is too large for FFTW");
  const int l0 = static_cast<int>(L0), l1 = static_cast<int>(L1), bins = static_cast<int>(bins_);
  const unsigned f = fftw_flags(effort);
  // Plans on FFTW's own (aligned) arrays, as execute's arrays will be.
  C* spec = static_cast<C*>(F::malloc(sizeof(C) * static_cast<std::size_t>(spectrum_elements())));
  C* tile = static_cast<C*>(F::malloc(sizeof(C) * static_cast<std::size_t>(kTileRows * stride_)));
  T* row = static_cast<T*>(F::malloc(sizeof(T) * static_cast<std::size_t>(L1)));
  row_forward_ = F::r2c(1, &l1, row, tile, f);
  row_inverse_ = F::c2r(1, &l1, tile, row, f);
  if (vertical_) {
    twiddles_.resize(2 * static_cast<std::size_t>(L0));
    const double pi = std::acos(-1.0);
    for (std::int64_t k = 0; k < L0; ++k) {
      twiddles_[2 * k] = static_cast<T>(std::cos(2 * pi * static_cast<double>(k) / static_cast<double>(L0)));
      twiddles_[2 * k + 1] = static_cast<T>(-std::sin(2 * pi * static_cast<double>(k) / static_cast<double>(L0)));
    }
  } else {
    columns_forward_ = F::many_c2c(l0, bins, spec, 1, l0, FFTW_FORWARD, f);
    columns_inverse_ = F::many_c2c(l0, bins, spec, 1, l0, FFTW_BACKWARD, f);
  }
  F::free(spec);
  F::free(tile);
  F::free(row);
  if (!row_forward_ || !row_inverse_ || (!vertical_ && (!columns_forward_ || !columns_inverse_)))
    throw Error(ErrorKind::resource, "FFTW could not plan a transform of this size");
}

template <class T>
RowColumnTransform<T>::~RowColumnTransform() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  for (auto p : {row_forward_, row_inverse_, columns_forward_, columns_inverse_})
    if (p) F::destroy(p);
}

template <class T>
void RowColumnTransform<T>::multiply_interleaved(T* spec, const T* h) const {
  multiply_spectrum(best_spectrum_kernels(), spec, h, static_cast<std::size_t>(spectrum_elements()));
}

template <class T>
void RowColumnTransform<T>::scale(T* h, T factor, bool conjugate) const {
  const T imag = conjugate ? -factor : factor;
  if (vertical_) {  // each row: P real parts, then P imaginary parts
    for (std::int64_t r = 0; r < L0_; ++r) {
      T* row = h + r * 2 * padded_;
      for (std::int64_t b = 0; b < padded_; ++b) row[b] *= factor, row[padded_ + b] *= imag;
    }
    return;
  }
  for (std::int64_t i = 0; i < spectrum_elements(); ++i) h[2 * i] *= factor, h[2 * i + 1] *= imag;
}

template <class T>
bool row_column_suits(std::int64_t L0, std::int64_t L1) {
  // Below 128x128 FFTW's own 2-D plan is faster (64x64 f32: 1.02e-5 s a
  // pair against 1.04e-5 with strided columns; 8x8: 1.3e-7 against 1.7e-7).
  constexpr std::int64_t kFromSamples = std::int64_t{128} * 128;
  return L0 * L1 >= kFromSamples && (L1 * static_cast<std::int64_t>(sizeof(T))) % 16 == 0;
}

template <class T>
std::shared_ptr<const RowColumnTransform<T>> row_column_transform(std::int64_t L0, std::int64_t L1, PlanEffort effort,
                                                                  ColumnPass columns) {
  using Key = std::tuple<std::int64_t, std::int64_t, PlanEffort, ColumnPass>;
  // Plans live as long as the process, as transform_pair's do.
  static auto* cache = new std::map<Key, std::shared_ptr<const RowColumnTransform<T>>>();
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  Key key{L0, L1, effort, columns};
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  auto t = std::make_shared<const RowColumnTransform<T>>(L0, L1, effort, columns);
  cache->emplace(key, t);
  return t;
}

template class RowColumnTransform<float>;
template class RowColumnTransform<double>;
template bool row_column_suits<float>(std::int64_t, std::int64_t);
template bool row_column_suits<double>(std::int64_t, std::int64_t);
template std::shared_ptr<const RowColumnTransform<float>> row_column_transform<float>(std::int64_t, std::int64_t,
                                                                                      PlanEffort, ColumnPass);
template std::shared_ptr<const RowColumnTransform<double>> row_column_transform<double>(std::int64_t, std::int64_t,
                                                                                        PlanEffort, ColumnPass);

}  // namespace faltung::fft
