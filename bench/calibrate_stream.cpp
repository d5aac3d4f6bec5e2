// Calibrates the stream filters' cost model (src/stream/schedule.cpp): the
// direct head per sample and per tap at each piece length, the frequency-
// domain multiply-add per bin, and a segment's remaining per-sample work.
// Prints src/stream/stream_costs.inc:
//   ./build/bench/faltung-calibrate-stream > src/stream/stream_costs.inc
#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>
#include <random>
#include <vector>

#include "algorithms/costs.hpp"
#include "faltung/stream.hpp"
#include "stream/partitioned_stream.hpp"
#include "stream/stream_kernels.hpp"

namespace {

using namespace faltung;
using clock_type = std::chrono::steady_clock;

constexpr std::int64_t kPieces[] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

// Best seconds per sample of a filter fed `piece` samples per call.
template <class T>
double per_sample(const std::function<void(const T*, T*, std::int64_t)>& process, const std::function<void()>& reset,
                  std::int64_t piece) {
  const std::int64_t n = 1 << 19;
  std::vector<T> x(n), y(n);
  std::mt19937 g(1);
  std::normal_distribution<double> d;
  for (auto& v : x) v = static_cast<T>(d(g));
  double best = 1e9;
  for (int r = 0; r < 5; ++r) {
    reset();
    const auto t0 = clock_type::now();
    for (std::int64_t i = 0; i < n; i += piece) process(x.data() + i, y.data() + i, std::min(piece, n - i));
    best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  return best / static_cast<double>(n);
}

template <class T>
double direct_per_sample(std::int64_t taps, std::int64_t piece) {
  std::vector<T> w(static_cast<std::size_t>(taps), T(0.01));
  StreamOptions o;
  o.dtype = sizeof(T) == 4 ? DType::f32 : DType::f64;
  o.method = Method::direct;
  o.max_block = piece;
  StreamFilter f = StreamFilter::create(w.data(), taps, o);
  return per_sample<T>([&](const T* x, T* y, std::int64_t n) { f.process(x, y, n); }, [&] { f.reset(); }, piece);
}

template <class T>
double mac_per_bin() {
  const auto& k = stream::best_stream_kernels();
  const std::size_t bins = 513, parts = 64;
  std::vector<T> acc(2 * bins), a(2 * bins * parts, T(0.5)), b(2 * bins * parts, T(0.25));
  double best = 1e9;
  for (int r = 0; r < 20; ++r) {
    const auto t0 = clock_type::now();
    for (std::size_t p = 0; p < parts; ++p) {
      if constexpr (sizeof(T) == 4)
        k.multiply_add_f32(acc.data(), a.data() + 2 * bins * p, b.data() + 2 * bins * p, bins);
      else
        k.multiply_add_f64(acc.data(), a.data() + 2 * bins * p, b.data() + 2 * bins * p, bins);
    }
    best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  return best / static_cast<double>(bins * parts);
}

template <class T>
void calibrate(const char* label) {
  const DType t = sizeof(T) == 4 ? DType::f32 : DType::f64;
  std::printf("    {  // %s\n     {", label);
  // direct: per sample = a + b * taps at each piece length (two points)
  std::vector<std::pair<double, double>> direct;
  for (std::int64_t piece : kPieces) {
    const double small = direct_per_sample<T>(32, piece), large = direct_per_sample<T>(512, piece);
    const double b = (large - small) / (512 - 32), a = std::max(0.0, small - 32 * b);
    direct.emplace_back(a, b);
  }
  for (std::size_t i = 0; i < direct.size(); ++i)
    std::printf("%s{%.4g, %.4g}", i ? ", " : "", direct[i].first, direct[i].second);
  const double mac = mac_per_bin<T>();
  // a segment's other per-sample work: one segment of one 64-tap partition
  // after a 64-tap head, less the head, the transforms and the products
  stream::Config cfg;
  cfg.dtype = t;
  cfg.taps = 128;
  cfg.max_block = 64;
  stream::PartitionSchedule s;
  s.head = 64;
  s.segments.push_back({64, 1, 64});
  std::vector<T> w(128, T(0.01));
  auto engine = stream::make_partitioned<T>(cfg, w, s);
  const double whole =
      per_sample<T>([&](const T* x, T* y, std::int64_t n) { engine->process(x, y, n); }, [&] { engine->reset(); }, 64);
  const double rest =
      whole - (direct[2].first + 64 * direct[2].second) - algorithms::fft_pair_seconds(t, {128}) / 64 - 65 * mac / 64;
  std::printf("},\n     %.4g, %.4g},\n", mac, std::max(0.0, rest));
}

}  // namespace

int main() {
  std::printf("// Written by bench/calibrate_stream.cpp (see docs/performance.md); f32, then f64.\n");
  std::printf("// {direct {per sample, per tap} at pieces of 16..4096 samples}, multiply-add per bin,\n");
  std::printf("// a segment's other work per sample.\n");
  calibrate<float>("f32");
  calibrate<double>("f64");
}
