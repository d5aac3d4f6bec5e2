// The cost model behind method=auto: predicted seconds for each method's
// work on this machine kind, one thread. The constants in costs.cpp come from
// bench/calibrate_costs.cpp (run it on a new machine kind and paste its
// output there); docs/performance.md records the run.
#pragma once

#include <cstdint>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::algorithms {

// Each of several threads runs at this share of one thread alone: they
// share the memory bandwidth (1.8-2.0x on two threads, measured for the FFT
// blocks and for direct rows; docs/performance.md).
inline constexpr double kThreadEfficiency = 0.9;

// Seconds of one-thread work spread evenly over `workers` threads.
inline double on_threads(double one_thread_seconds, int workers) {
  return workers > 1 ? one_thread_seconds / (kThreadEfficiency * workers) : one_thread_seconds;
}

// Direct sums: `outputs` outputs of `taps` kernel elements each, over a
// kernel that extends along `kernel_axes` axes (1: rows of 1-D sums; 2 or
// more: several source rows per output, which cost more per tap).
double direct_seconds(DType t, double outputs, double taps, int kernel_axes = 1);

// One forward plus one inverse transform of lengths L (real: r2c + c2r).
double fft_pair_seconds(DType t, const std::vector<std::int64_t>& L);

// What a real 2-D pair costs with our own column pass
// (row_column_vertical), as a factor of fft_pair_seconds (FFTW's columns).
double fft_vertical_columns_factor(DType t);

// Gathering, multiplying and scattering one block of `elements` samples.
double fft_block_overhead_seconds(DType t, std::int64_t elements);

}  // namespace faltung::algorithms
