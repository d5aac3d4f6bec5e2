#include "algorithms/costs.hpp"

#include <cmath>

namespace faltung::algorithms {
namespace {

// Measured by bench/calibrate_costs.cpp (see docs/performance.md).
struct Constants {
  double direct_per_output;   // seconds per output (loads, stores, edges)
  double direct_per_tap;      // seconds per output per real multiply-add
  double fft_per_nlogn[4];    // seconds per N log2 N of a transform pair, by largest prime factor 2,3,5,7
  double block_per_element;   // seconds per element of a block (gather, multiply, scatter)
};

// Index: f32, f64, c64, c128.
constexpr Constants kConstants[4] = {
    {0.35e-9, 0.0089e-9, {0.105e-9, 0.125e-9, 0.14e-9, 0.16e-9}, 0.6e-9},
    {0.6e-9, 0.0178e-9, {0.2e-9, 0.24e-9, 0.27e-9, 0.3e-9}, 1.0e-9},
    {0.7e-9, 0.03e-9, {0.21e-9, 0.25e-9, 0.28e-9, 0.32e-9}, 1.0e-9},
    {1.2e-9, 0.06e-9, {0.4e-9, 0.48e-9, 0.54e-9, 0.6e-9}, 2.0e-9},
};

int largest_prime_class(std::int64_t n) {
  int cls = 0;
  const int primes[4] = {2, 3, 5, 7};
  for (int i = 0; i < 4; ++i)
    while (n % primes[i] == 0) {
      n /= primes[i];
      cls = i;
    }
  return n == 1 ? cls : 3;  // not 7-smooth: the slowest class (FFTW's generic codelets are slower still)
}

}  // namespace

double direct_seconds(DType t, double outputs, double taps) {
  const Constants& c = kConstants[static_cast<int>(t)];
  return outputs * (c.direct_per_output + c.direct_per_tap * taps);
}

double fft_pair_seconds(DType t, const std::vector<std::int64_t>& L) {
  const Constants& c = kConstants[static_cast<int>(t)];
  double n = 1, per = 0;
  int worst = 0;
  for (auto l : L) {
    n *= static_cast<double>(l);
    worst = std::max(worst, largest_prime_class(l));
  }
  per = c.fft_per_nlogn[worst];
  return per * n * std::log2(std::max(2.0, n));
}

double fft_block_overhead_seconds(DType t, std::int64_t elements) {
  return kConstants[static_cast<int>(t)].block_per_element * static_cast<double>(elements);
}

}  // namespace faltung::algorithms
