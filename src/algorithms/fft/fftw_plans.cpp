#include "algorithms/fft/fftw_plans.hpp"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <tuple>

#include "faltung/errors.hpp"

namespace faltung::fft {
namespace {

// One lock for both precisions: every FFTW planner call goes through it.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

unsigned flags(PlanEffort effort) {
  return effort == PlanEffort::measure ? FFTW_MEASURE : FFTW_ESTIMATE;
}

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

// The two FFTW libraries behind one template.
template <class T> struct Fftw;
template <> struct Fftw<float> {
  using Plan = fftwf_plan;
  using Complex = fftwf_complex;
  static void* malloc(std::size_t b) { return fftwf_malloc(b); }
  static void free(void* p) { fftwf_free(p); }
  static Plan r2c(int r, const int* n, float* in, Complex* out, unsigned f) { return fftwf_plan_dft_r2c(r, n, in, out, f); }
  static Plan c2r(int r, const int* n, Complex* in, float* out, unsigned f) { return fftwf_plan_dft_c2r(r, n, in, out, f); }
  static Plan c2c(int r, const int* n, Complex* io, int sign, unsigned f) { return fftwf_plan_dft(r, n, io, io, sign, f); }
  static void run_r2c(Plan p, float* in, Complex* out) { fftwf_execute_dft_r2c(p, in, out); }
  static void run_c2r(Plan p, Complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
  static void run_c2c(Plan p, Complex* io) { fftwf_execute_dft(p, io, io); }
  static void destroy(Plan p) { fftwf_destroy_plan(p); }
};
template <> struct Fftw<double> {
  using Plan = fftw_plan;
  using Complex = fftw_complex;
  static void* malloc(std::size_t b) { return fftw_malloc(b); }
  static void free(void* p) { fftw_free(p); }
  static Plan r2c(int r, const int* n, double* in, Complex* out, unsigned f) { return fftw_plan_dft_r2c(r, n, in, out, f); }
  static Plan c2r(int r, const int* n, Complex* in, double* out, unsigned f) { return fftw_plan_dft_c2r(r, n, in, out, f); }
  static Plan c2c(int r, const int* n, Complex* io, int sign, unsigned f) { return fftw_plan_dft(r, n, io, io, sign, f); }
  static void run_r2c(Plan p, double* in, Complex* out) { fftw_execute_dft_r2c(p, in, out); }
  static void run_c2r(Plan p, Complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
  static void run_c2c(Plan p, Complex* io) { fftw_execute_dft(p, io, io); }
  static void destroy(Plan p) { fftw_destroy_plan(p); }
};

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
      forward_ = F::r2c(r, n.data(), data, spec, flags(effort));
      inverse_ = F::c2r(r, n.data(), spec, data, flags(effort));
    } else {
      forward_ = F::c2c(r, n.data(), spec, FFTW_FORWARD, flags(effort));
      inverse_ = F::c2c(r, n.data(), spec, FFTW_BACKWARD, flags(effort));
    }
    F::free(spec);
    if (data) F::free(data);
    if (!forward_ || !inverse_) throw Error(ErrorKind::resource, "FFTW could not plan a transform of this size");
  }
  ~FftwPair() override {
    std::lock_guard<std::mutex> lock(planner_mutex());
    F::destroy(forward_);
    F::destroy(inverse_);
  }

  void forward(T* in, T* out) const override {
    if (real_) F::run_r2c(forward_, in, reinterpret_cast<C*>(out));
    else F::run_c2c(forward_, reinterpret_cast<C*>(in));
  }
  void inverse(T* in, T* out) const override {
    if (real_) F::run_c2r(inverse_, reinterpret_cast<C*>(in), out);
    else F::run_c2c(inverse_, reinterpret_cast<C*>(in));
  }

 private:
  bool real_;
  typename F::Plan forward_;
  typename F::Plan inverse_;
};

using Key = std::tuple<bool, std::vector<std::int64_t>, PlanEffort>;

}  // namespace

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
  std::lock_guard<std::mutex> lock(planner_mutex());
  Key key{real, dims, effort};
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  auto pair = std::make_shared<const FftwPair<T>>(real, dims, effort);
  cache->emplace(std::move(key), pair);
  return pair;
}

template std::shared_ptr<const TransformPair<float>> transform_pair<float>(bool, const std::vector<std::int64_t>&, PlanEffort);
template std::shared_ptr<const TransformPair<double>> transform_pair<double>(bool, const std::vector<std::int64_t>&, PlanEffort);

}  // namespace faltung::fft
