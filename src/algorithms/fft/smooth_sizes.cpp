#include "algorithms/fft/smooth_sizes.hpp"

#include <algorithm>

namespace faltung::fft {

std::vector<std::int64_t> smooth_between(std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> out;
  for (std::int64_t a = 1; a <= hi; a *= 2)
    for (std::int64_t b = a; b <= hi; b *= 3)
      for (std::int64_t c = b; c <= hi; c *= 5)
        for (std::int64_t d = c; d <= hi; d *= 7)
          if (d >= lo) out.push_back(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t next_smooth(std::int64_t n) {
  if (n <= 1) return 1;
  // A power of two at most doubles n, so the answer lies in [n, 2n].
  return smooth_between(n, 2 * n).front();
}

}  // namespace faltung::fft
