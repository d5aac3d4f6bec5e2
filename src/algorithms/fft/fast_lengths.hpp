// Transform lengths FFTW does well: 2^a times 1, 3, 5, 7 or 15. Other
// 7-smooth lengths are valid too, but composite odd parts run slower than
// the cost model's per-prime slowdowns predict. 15 is the exception the
// model measures on its own, by size (bench/calibrate_costs.cpp): slow
// below about 8K samples (3840 = 2^8 15: 1.2x the power-of-two rate), a
// little faster than the power-of-two rate above 16K (245760: 0.93x).
#pragma once

#include <cstdint>
#include <vector>

namespace faltung::fft {

// The smallest such length >= n (n >= 1).
std::int64_t next_fast_length(std::int64_t n);
// Every such length in [lo, hi], ascending.
std::vector<std::int64_t> fast_lengths_between(std::int64_t lo, std::int64_t hi);

}  // namespace faltung::fft
