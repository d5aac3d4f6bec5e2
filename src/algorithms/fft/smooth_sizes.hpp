// Transform lengths FFTW does well: 2^a 3^b 5^c 7^d.
#pragma once

#include <cstdint>
#include <vector>

namespace faltung::fft {

// The smallest 7-smooth number >= n (n >= 1).
std::int64_t next_smooth(std::int64_t n);
// Every 7-smooth number in [lo, hi], ascending.
std::vector<std::int64_t> smooth_between(std::int64_t lo, std::int64_t hi);

}  // namespace faltung::fft
