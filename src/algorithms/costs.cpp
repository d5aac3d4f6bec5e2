#include "algorithms/costs.hpp"

#include <algorithm>
#include <cmath>

namespace faltung::algorithms {
namespace {

// bench/calibrate_costs.cpp's output on this machine kind (docs/performance.md).
struct Constants {
  double pair_pow2[19];         // seconds of a 1-D transform pair of 2^k samples, k = 4..22
  double pair_square[9];        // seconds of a square 2-D pair of 4^k samples, k = 3..11
  double vertical_columns;      // a real 2-D pair with our own column pass, over FFTW's columns
  double slowdown[4];           // lengths whose largest prime factor is 2, 3, 5, 7
  double slowdown15[9];         // lengths 15 * 2^k, k = 6..14 (by size: see fast_lengths.hpp)
  double block_per_element;     // seconds per sample of a block: gather, multiply, scatter
  double direct_per_output;     // seconds per output of a 1-D direct sum ...
  double direct_per_tap;        // ... and per output and real multiply-add
  double direct_per_output_nd;  // the same for kernels along 2 or more axes
  double direct_per_tap_nd;
};

// Index: f32, f64, c64, c128.
constexpr Constants kConstants[4] = {
#include "algorithms/costs_measured.inc"
};

constexpr int kFirstPow2 = 4, kLastPow2 = 22;
constexpr int kFirstSquare = 3, kLastSquare = 11;

// The slowdown of a length against a power of two: by its largest prime
// factor (measured), and 5% more for each further odd factor (FFTW's radix-3,
// 5 and 7 passes each cost more than a radix-2 pass; 37500 = 2^2 3 5^5 ran
// 1.3x slower than its estimate without this).
double length_slowdown(const Constants& c, std::int64_t n) {
  std::int64_t odd = n;
  while (odd % 2 == 0) odd /= 2;
  if (odd == 15) {  // measured by size, interpolated in log2 n
    const double k = std::clamp(std::log2(static_cast<double>(n) / 15), 6.0, 14.0) - 6;
    const int i = std::min(static_cast<int>(k), 7);
    return c.slowdown15[i] + (c.slowdown15[i + 1] - c.slowdown15[i]) * (k - i);
  }
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
// between the measured sizes (table[i] at 2^(step (i + first)) samples),
// extrapolated at the end rates.
double rate_seconds(const double* table, int first, int last, int step, double n) {
  const double k = std::log2(std::max(2.0, n)) / step;  // in table steps
  auto per_nlogn = [&](int i) {
    const double log2_size = static_cast<double>(step * (i + first));
    return table[i] / (std::exp2(log2_size) * log2_size);
  };
  double rate;
  if (k <= first)
    rate = per_nlogn(0);
  else if (k >= last)
    rate = per_nlogn(last - first);
  else {
    const int i = static_cast<int>(std::floor(k)) - first;
    const double f = k - std::floor(k);
    rate = per_nlogn(i) * (1 - f) + per_nlogn(std::min(i + 1, last - first)) * f;
  }
  return rate * n * std::log2(std::max(2.0, n));
}

}  // namespace

double direct_seconds(DType t, double outputs, double taps, int kernel_axes) {
  const Constants& c = kConstants[static_cast<int>(t)];
  if (kernel_axes >= 2) return outputs * (c.direct_per_output_nd + c.direct_per_tap_nd * taps);
  return outputs * (c.direct_per_output + c.direct_per_tap * taps);
}

double fft_pair_seconds(DType t, const std::vector<std::int64_t>& L) {
  const Constants& c = kConstants[static_cast<int>(t)];
  double n = 1, slowdown = 1;
  for (auto l : L) {
    n *= static_cast<double>(l);
    slowdown = std::max(slowdown, length_slowdown(c, l));
  }
  // Multi-dimensional transforms run at the 2-D rate: FFTW's row-column
  // passes stay in cache where one long 1-D transform of as many samples
  // does not (2^20 samples: 1-D 9.9 ms, 1024x1024 less).
  const double base = L.size() == 1 ? rate_seconds(c.pair_pow2, kFirstPow2, kLastPow2, 1, n)
                                    : rate_seconds(c.pair_square, kFirstSquare, kLastSquare, 2, n);
  return base * slowdown;
}

double fft_vertical_columns_factor(DType t) { return kConstants[static_cast<int>(t)].vertical_columns; }

double fft_block_overhead_seconds(DType t, std::int64_t elements) {
  return kConstants[static_cast<int>(t)].block_per_element * static_cast<double>(elements);
}

}  // namespace faltung::algorithms
