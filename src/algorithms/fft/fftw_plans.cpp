#include "algorithms/fft/fftw_plans.hpp"

#include <map>
#include <mutex>
#include <tuple>

#include "algorithms/fft/fftw_traits.hpp"
#include "faltung/errors.hpp"

namespace faltung::fft {
namespace {

std::vector<int> int_dims(const std::vector<std::int64_t>& dims) {
  std::vector<int> d;
  for (auto v : dims) {
    if (v > (1LL << 30)) throw Error(ErrorKind::resource, "FFT length " + std::to_string(v) + " is too large for FFTW");
    d.push_back(static_cast<int>(v));
  }
  return d;
}

std::int64_t real_elements(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (auto v : dims) n *= v;
  return n;
}

template <class T>
class FftwPair final : public TransformPair<T> {
  using F = Fftw<T>;
  using C = typename F::Complex;

 public:
  // Called with the planner lock held. Plans on scratch arrays of FFTW's own
  // (64-byte aligned), since measuring overwrites them.
  FftwPair(bool real, const std::vector<std::int64_t>& dims, PlanEffort effort) : real_(real) {
    const auto n = int_dims(dims);
    const int r = static_cast<int>(n.size());
    const std::int64_t spectrum = spectrum_elements(real, dims);
    C* spec = static_cast<C*>(F::malloc(sizeof(C) * static_cast<std::size_t>(spectrum)));
    T* data = real ? static_cast<T*>(F::malloc(sizeof(T) * static_cast<std::size_t>(real_elements(dims)))) : nullptr;
    if (real) {
      forward_ = F::r2c(r, n.data(), data, spec, fftw_flags(effort));
      inverse_ = F::c2r(r, n.data(), spec, data, fftw_flags(effort));
    } else {
      forward_ = F::c2c(r, n.data(), spec, FFTW_FORWARD, fftw_flags(effort));
      inverse_ = F::c2c(r, n.data(), spec, FFTW_BACKWARD, fftw_flags(effort));
    }
    F::free(spec);
    if (data) F::free(data);
    if (!forward_ || !inverse_) throw Error(ErrorKind::resource, "FFTW could not plan a transform of this size");
  }
  ~FftwPair() override {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    F::destroy(forward_);
    F::destroy(inverse_);
  }

  void forward(T* in, T* out) const override {
    if (real_)
      F::run_r2c(forward_, in, reinterpret_cast<C*>(out));
    else
      F::run_c2c(forward_, reinterpret_cast<C*>(in));
  }
  void inverse(T* in, T* out) const override {
    if (real_)
      F::run_c2r(inverse_, reinterpret_cast<C*>(in), out);
    else
      F::run_c2c(inverse_, reinterpret_cast<C*>(in));
  }

 private:
  bool real_;
  typename F::Plan forward_;
  typename F::Plan inverse_;
};

using Key = std::tuple<bool, std::vector<std::int64_t>, PlanEffort>;

}  // namespace

// One lock for both precisions and every kind of plan.
std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

std::int64_t spectrum_elements(bool real, const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) n *= (real && i + 1 == dims.size()) ? dims[i] / 2 + 1 : dims[i];
  return n;
}

template <class T>
std::shared_ptr<const TransformPair<T>> transform_pair(bool real, const std::vector<std::int64_t>& dims,
                                                       PlanEffort effort) {
  // Plans live as long as the process: a plan cache of transforms is small
  // (a few KB each) next to the arrays they transform.
  static std::map<Key, std::shared_ptr<const TransformPair<T>>>* cache =
      new std::map<Key, std::shared_ptr<const TransformPair<T>>>();
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  Key key{real, dims, effort};
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  auto pair = std::make_shared<const FftwPair<T>>(real, dims, effort);
  cache->emplace(std::move(key), pair);
  return pair;
}

template std::shared_ptr<const TransformPair<float>> transform_pair<float>(bool, const std::vector<std::int64_t>&,
                                                                           PlanEffort);
template std::shared_ptr<const TransformPair<double>> transform_pair<double>(bool, const std::vector<std::int64_t>&,
                                                                             PlanEffort);

}  // namespace faltung::fft
