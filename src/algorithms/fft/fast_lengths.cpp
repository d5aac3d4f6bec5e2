#include "algorithms/fft/fast_lengths.hpp"

#include <algorithm>

namespace faltung::fft {

std::vector<std::int64_t> fast_lengths_between(std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> out;
  for (std::int64_t odd : {1, 3, 5, 7, 15})
    for (std::int64_t v = odd; v <= hi; v *= 2)
      if (v >= lo) out.push_back(v);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::int64_t next_fast_length(std::int64_t n) {
  if (n <= 1) return 1;
  // A power of two at most doubles n, so the answer lies in [n, 2n].
  return fast_lengths_between(n, 2 * n).front();
}

}  // namespace faltung::fft
