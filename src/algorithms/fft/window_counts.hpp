// For every output of a block, how many samples of its window are "bad"
// (non-finite, or in a constant extension whose value is non-finite). A
// window is a product of one range per axis, so the count is a box sum done
// one axis at a time with a sliding sum: exact integers, O(block) work and
// memory per axis. The FFT paths use it to mark exactly the windows
// nan=propagate makes non-finite and to find those nan=ignore renormalises.
#pragma once

#include <algorithm>
#include <cstdint>

#include "algorithms/fft/tiles.hpp"

namespace faltung::fft {

// On entry counts holds the block's 0/1 indicator over its gathered span in
// the buffer layout (tiles.hpp); on return, at output k of the block (no read
// offset), the number of bad samples in its window. line: max(L + m) int32.
// Span positions past L (wrapped lengths) are zeros of a finite constant
// extension: never bad.
inline void count_block_windows(const TileLayout& t, const Tile& tile, std::int32_t* counts, std::int32_t* line) {
  const std::size_t c = t.conv.size();
  // extent[i]: the stored span along axes not yet summed, count along summed ones.
  std::int64_t extent[kMaxConvolvedAxes];
  for (std::size_t i = 0; i < c; ++i) extent[i] = std::min(tile.count[i] + t.g.axes[t.conv[i]].m - 1, t.L[i]);
  for (std::size_t a = 0; a < c; ++a) {
    const std::int64_t m = t.g.axes[t.conv[a]].m, stride = t.buf_stride[a];
    std::int64_t lines = 1;
    for (std::size_t i = 0; i < c; ++i)
      if (i != a) lines *= extent[i];
    for (std::int64_t l = 0; l < lines; ++l) {
      std::int64_t rem = l, off = 0;
      for (std::size_t i = c; i-- > 0;) {
        if (i == a) continue;
        off += (rem % extent[i]) * t.buf_stride[i];
        rem /= extent[i];
      }
      std::int32_t* p = counts + off;
      const std::int64_t span = tile.count[a] + m - 1;
      for (std::int64_t k = 0; k < span; ++k) line[k] = k < extent[a] ? p[k * stride] : 0;
      std::int64_t sum = 0;
      for (std::int64_t j = 0; j < m; ++j) sum += line[j];
      for (std::int64_t k = 0; k < tile.count[a]; ++k) {
        p[k * stride] = static_cast<std::int32_t>(sum);
        if (k + m < span) sum += line[k + m];
        sum -= line[k];
      }
    }
    extent[a] = tile.count[a];
  }
}

}  // namespace faltung::fft
