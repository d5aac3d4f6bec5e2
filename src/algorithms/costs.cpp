#include "algorithms/costs.hpp"

#include <algorithm>
#include <cmath>

namespace faltung::algorithms {
namespace {

// bench/calibrate_costs.cpp's output on this machine kind (docs/performance.md).
struct Constants {
  double pair_pow2[19];      // seconds of a transform pair of 2^k samples, k = 4..22
  double slowdown[4];        // lengths whose largest prime factor is 2, 3, 5, 7
  double block_per_element;  // seconds per sample of a block: gather, multiply, scatter
  double direct_per_output;  // seconds per output of a direct sum ...
  double direct_per_tap;     // ... and per output and real multiply-add
};

// Index: f32, f64, c64, c128.
constexpr Constants kConstants[4] = {
#include "algorithms/costs_measured.inc"
};

constexpr int kFirstPow2 = 4, kLastPow2 = 22;

// The slowdown of a length against a power of two: by its largest prime
// factor (measured), and 5% more for each further odd factor (FFTW's radix-3,
// 5 and 7 passes each cost more than a radix-2 pass; 37500 = 2^2 3 5^5 ran
// 1.3x slower than its estimate without this).
double length_slowdown(const Constants& c, std::int64_t n) {
  int cls = 0, odd_factors = 0;
  const int primes[4] = {2, 3, 5, 7};
  for (int i = 0; i < 4; ++i)
    while (n % primes[i] == 0) {
      n /= primes[i];
      cls = i;
      odd_factors += i > 0;
    }
  if (n != 1) return c.slowdown[3] * 2;  // not 7-smooth: FFTW's generic codelets
  return c.slowdown[cls] * std::pow(1.05, std::max(0, odd_factors - 1));
}

// Pair time of n samples at the power-of-two rate: interpolated per N log2 N
// between the measured powers of two, extrapolated at the end rates.
double pow2_rate_seconds(const Constants& c, double n) {
  const double k = std::log2(std::max(2.0, n));
  auto per_nlogn = [&](int i) {
    const double size = std::ldexp(1.0, i + kFirstPow2);
    return c.pair_pow2[i] / (size * (i + kFirstPow2));
  };
  double rate;
  if (k <= kFirstPow2) rate = per_nlogn(0);
  else if (k >= kLastPow2) rate = per_nlogn(kLastPow2 - kFirstPow2);
  else {
    const int i = static_cast<int>(std::floor(k)) - kFirstPow2;
    const double f = k - std::floor(k);
    rate = per_nlogn(i) * (1 - f) + per_nlogn(std::min(i + 1, kLastPow2 - kFirstPow2)) * f;
  }
  return rate * n * k;
}

}  // namespace

double direct_seconds(DType t, double outputs, double taps) {
  const Constants& c = kConstants[static_cast<int>(t)];
  return outputs * (c.direct_per_output + c.direct_per_tap * taps);
}

double fft_pair_seconds(DType t, const std::vector<std::int64_t>& L) {
  const Constants& c = kConstants[static_cast<int>(t)];
  double n = 1, slowdown = 1;
  for (auto l : L) {
    n *= static_cast<double>(l);
    slowdown = std::max(slowdown, length_slowdown(c, l));
  }
  return pow2_rate_seconds(c, n) * slowdown;
}

double fft_block_overhead_seconds(DType t, std::int64_t elements) {
  return kConstants[static_cast<int>(t)].block_per_element * static_cast<double>(elements);
}

}  // namespace faltung::algorithms
