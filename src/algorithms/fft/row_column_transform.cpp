#include "algorithms/fft/row_column_transform.hpp"

#include <cstring>
#include <map>
#include <tuple>

#include "algorithms/fft/fftw_traits.hpp"
#include "faltung/errors.hpp"

namespace faltung::fft {
namespace {

template <class T>
class FftwRowColumn final : public RowColumnTransform<T> {
  using F = Fftw<T>;
  using C = typename F::Complex;

 public:
  // Called with the planner lock held; plans on FFTW's own (aligned) arrays.
  FftwRowColumn(std::int64_t L0, std::int64_t L1, PlanEffort effort)
      : L0_(L0), L1_(L1), bins_(L1 / 2 + 1), stride_(row_column_spectrum_elements(1, L1)) {
    if (L0 > (1LL << 30) || L1 > (1LL << 30))
      throw Error(ErrorKind::resource, "FFT length " + std::to_string(std::max(L0, L1)) + " is too large for FFTW");
    const int l0 = static_cast<int>(L0), l1 = static_cast<int>(L1);
    const unsigned f = fftw_flags(effort);
    C* spec = static_cast<C*>(F::malloc(sizeof(C) * static_cast<std::size_t>(L0 * stride_)));
    T* row = static_cast<T*>(F::malloc(sizeof(T) * static_cast<std::size_t>(L1)));
    row_forward_ = F::r2c(1, &l1, row, spec, f);
    row_inverse_ = F::c2r(1, &l1, spec, row, f);
    const int bins = static_cast<int>(bins_), stride = static_cast<int>(stride_);
    columns_forward_ = F::many_c2c(l0, bins, spec, stride, 1, FFTW_FORWARD, f);
    columns_inverse_ = F::many_c2c(l0, bins, spec, stride, 1, FFTW_BACKWARD, f);
    F::free(spec);
    F::free(row);
    if (!row_forward_ || !row_inverse_ || !columns_forward_ || !columns_inverse_)
      throw Error(ErrorKind::resource, "FFTW could not plan a transform of this size");
  }
  ~FftwRowColumn() override {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    for (auto p : {row_forward_, row_inverse_, columns_forward_, columns_inverse_}) F::destroy(p);
  }

  std::int64_t row_stride() const override { return stride_; }
  std::int64_t spectrum_elements() const override { return L0_ * stride_; }

  void forward(const T* const* rows, T* spec) const override {
    C* s = reinterpret_cast<C*>(spec);
    for (std::int64_t r = 0; r < L0_; ++r) {
      C* out = s + r * stride_;
      if (rows[r]) {
        // r2c out of place preserves its input (FFTW's default for r2c).
        F::run_r2c(row_forward_, const_cast<T*>(rows[r]), out);
        std::memset(static_cast<void*>(out + bins_), 0, sizeof(C) * static_cast<std::size_t>(stride_ - bins_));
      } else {
        std::memset(static_cast<void*>(out), 0, sizeof(C) * static_cast<std::size_t>(stride_));
      }
    }
    F::run_c2c(columns_forward_, s);
  }

  void inverse(T* spec, T* out, std::int64_t first, std::int64_t rows) const override {
    C* s = reinterpret_cast<C*>(spec);
    F::run_c2c(columns_inverse_, s);
    for (std::int64_t k = 0; k < rows; ++k) {
      const std::int64_t r = (first + k) % L0_;
      F::run_c2r(row_inverse_, s + r * stride_, out + r * L1_);
    }
  }

 private:
  std::int64_t L0_, L1_, bins_, stride_;
  typename F::Plan row_forward_, row_inverse_, columns_forward_, columns_inverse_;
};

}  // namespace

template <class T>
bool row_column_suits(std::int64_t L0, std::int64_t L1) {
  // Below 128x128 FFTW's own 2-D plan is faster (64x64 f32: 1.02e-5 s a
  // pair against 1.04e-5; 8x8: 1.3e-7 against 1.7e-7); from there on the
  // rows and columns are (1024x1024: 6.2 ms against 6.8).
  constexpr std::int64_t kFromSamples = 128 * 128;
  return L0 * L1 >= kFromSamples && (L1 * static_cast<std::int64_t>(sizeof(T))) % 16 == 0;
}

template <class T>
std::shared_ptr<const RowColumnTransform<T>> row_column_transform(std::int64_t L0, std::int64_t L1,
                                                                   PlanEffort effort) {
  using Key = std::tuple<std::int64_t, std::int64_t, PlanEffort>;
  // Plans live as long as the process, as transform_pair's do.
  static auto* cache = new std::map<Key, std::shared_ptr<const RowColumnTransform<T>>>();
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  Key key{L0, L1, effort};
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  auto t = std::make_shared<const FftwRowColumn<T>>(L0, L1, effort);
  cache->emplace(key, t);
  return t;
}

template bool row_column_suits<float>(std::int64_t, std::int64_t);
template bool row_column_suits<double>(std::int64_t, std::int64_t);
template std::shared_ptr<const RowColumnTransform<float>> row_column_transform<float>(std::int64_t, std::int64_t, PlanEffort);
template std::shared_ptr<const RowColumnTransform<double>> row_column_transform<double>(std::int64_t, std::int64_t, PlanEffort);

}  // namespace faltung::fft
