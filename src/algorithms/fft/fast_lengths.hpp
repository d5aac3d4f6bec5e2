// Transform lengths FFTW does well: 2^a times 1, 3, 5 or 7. Other 7-smooth
// lengths are valid too, but composite odd parts run slower than the cost
// model's per-prime slowdowns predict (3840 = 2^8 15 took 1.23x longer per
// output than 2048 in a 1-D overlap-save here), so the schedules use these.
#pragma once

#include <cstdint>
#include <vector>

namespace faltung::fft {

// The smallest such length >= n (n >= 1).
std::int64_t next_fast_length(std::int64_t n);
// Every such length in [lo, hi], ascending.
std::vector<std::int64_t> fast_lengths_between(std::int64_t lo, std::int64_t hi);

}  // namespace faltung::fft
