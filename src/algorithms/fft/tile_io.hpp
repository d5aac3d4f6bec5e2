// Moving one tile between the arrays and its transform buffer: gather reads
// the extended input (boundary rules applied on the fly, no padded copy of x),
// scatter writes the kept outputs and reports whether they are all finite.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "algorithms/fft/tiles.hpp"

namespace faltung::fft {

// What gather writes for each input sample.
enum class Sample {
  plain,            // the sample
  sanitized,        // the sample, or `replacement` where it is not finite
  valid_indicator,  // 1 where the sample is finite, else 0 (the weights of nan=ignore)
  bad_indicator,    // 1 where the sample is not finite, else 0 (window_counts.hpp)
  zero,             // 0 (only the constant extension counts)
};

struct GatherRule {
  Sample sample = Sample::plain;
  double replacement = 0;  // for sanitized
  double constant = 0;     // what the constant boundary contributes (real part)
};

// cs: 1 for real data, 2 for interleaved complex. buf holds L elements per
// convolved axis (row-major); positions past the gathered span are zeroed.
template <class T>
void gather(const TileLayout& t, const Tile& tile, const T* x, T* buf, int cs, const GatherRule& rule) {
  const std::size_t c = t.conv.size();
  const std::size_t last = c - 1;
  const auto& lax = t.g.axes[t.conv[last]];
  const std::int64_t sx = t.x_stride[t.conv[last]];
  // A wrapped length (tiles.hpp) stores only the first L of the span.
  const std::int64_t span = std::min(tile.count[last] + lax.m - 1, t.L[last]);
  const std::int64_t c0 = tile.o0[last] + lax.start;
  // Positions [lo, hi) of the span read x in place; the rest are extended.
  const std::int64_t lo = std::clamp<std::int64_t>(-c0, 0, span);
  const std::int64_t hi = std::clamp<std::int64_t>(lax.n - c0, lo, span);

  auto put = [&](T* d, const T* s) {
    for (int k = 0; k < cs; ++k) {
      switch (rule.sample) {
        case Sample::plain: d[k] = s[k]; break;
        case Sample::sanitized: {
          bool finite = std::isfinite(s[0]) && (cs == 1 || std::isfinite(s[cs - 1]));
          d[k] = finite ? s[k] : (k ? T(0) : static_cast<T>(rule.replacement));
          break;
        }
        case Sample::valid_indicator:
        case Sample::bad_indicator: {
          const bool finite = std::isfinite(s[0]) && (cs == 1 || std::isfinite(s[cs - 1]));
          const bool one = finite == (rule.sample == Sample::valid_indicator);
          d[k] = (k == 0 && one) ? T(1) : T(0);
          break;
        }
        case Sample::zero: d[k] = T(0); break;
      }
    }
  };
  auto put_constant = [&](T* d) {
    d[0] = static_cast<T>(rule.constant);
    if (cs == 2) d[1] = T(0);
  };
  auto fill_row = [&](T* row, std::int64_t x_row, bool constant_row) {
    if (constant_row) {
      for (std::int64_t i = 0; i < span; ++i) put_constant(row + i * cs);
    } else {
      const T* src = x + x_row;
      for (std::int64_t i = 0; i < lo; ++i) {
        const std::int64_t j = core::extend_index(c0 + i, lax.n, lax.rule);
        j < 0 ? put_constant(row + i * cs) : put(row + i * cs, src + j * sx * cs);
      }
      if (rule.sample == Sample::plain && sx == 1) {
        std::memcpy(row + lo * cs, src + (c0 + lo) * cs, sizeof(T) * cs * (hi - lo));
      } else {
        for (std::int64_t i = lo; i < hi; ++i) put(row + i * cs, src + (c0 + i) * sx * cs);
      }
      for (std::int64_t i = hi; i < span; ++i) {
        const std::int64_t j = core::extend_index(c0 + i, lax.n, lax.rule);
        j < 0 ? put_constant(row + i * cs) : put(row + i * cs, src + j * sx * cs);
      }
    }
    std::memset(static_cast<void*>(row + span * cs), 0, sizeof(T) * cs * (t.L[last] - span));
  };

  // The outer convolved axes (at most two), row by row.
  std::int64_t idx[kMaxConvolvedAxes] = {0, 0, 0};
  const std::int64_t rows = t.buffer_elements / t.L[last];
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t rem = r, buf_off = 0, x_off = tile.x_base;
    bool zero_row = false, constant_row = false;
    for (std::size_t i = last; i-- > 0;) {
      idx[i] = rem % t.L[i];
      rem /= t.L[i];
      buf_off += idx[i] * t.buf_stride[i];
      const auto& ax = t.g.axes[t.conv[i]];
      if (idx[i] >= std::min(tile.count[i] + ax.m - 1, t.L[i])) { zero_row = true; continue; }
      const std::int64_t j = core::extend_index(tile.o0[i] + ax.start + idx[i], ax.n, ax.rule);
      if (j < 0) constant_row = true;
      else x_off += j * t.x_stride[t.conv[i]];
    }
    T* row = buf + buf_off * cs;
    if (zero_row) std::memset(static_cast<void*>(row), 0, sizeof(T) * cs * t.L[last]);
    else fill_row(row, x_off * cs, constant_row);
  }
}

// Finite test by bits, so the copy loop vectorises with the plain SSE2 the
// library is built for: a float is non-finite when its exponent is all ones.
inline bool is_nonfinite_bits(float v) {
  std::uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x7f800000u) == 0x7f800000u;
}
inline bool is_nonfinite_bits(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, 8);
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
}

// Calls row(block_off, read_row, y_off, count, y_stride) for each row of the
// tile's outputs along the last convolved axis: block_off is the buffer
// offset of the row's first output in block coordinates (window counts),
// read_row the buffer offset of the row the transform's result lies on (the
// outer axes' read offsets applied, modulo L: see wrapped lengths in
// tiles.hpp), y_off the row's first output in y.
template <class Row>
void for_each_output_row(const TileLayout& t, const Tile& tile, Row&& row) {
  const std::size_t last = t.conv.size() - 1;
  const std::int64_t sy = t.y_stride[t.conv[last]];
  std::int64_t outer = 1;
  for (std::size_t i = 0; i < last; ++i) outer *= tile.count[i];
  for (std::int64_t r = 0; r < outer; ++r) {
    std::int64_t rem = r, block_off = 0, read_row = 0, y_off = tile.y_base + tile.o0[last] * sy;
    for (std::size_t i = last; i-- > 0;) {
      const std::int64_t k = rem % tile.count[i];
      rem /= tile.count[i];
      block_off += k * t.buf_stride[i];
      read_row += ((k + t.read_offset[i]) % t.L[i]) * t.buf_stride[i];
      y_off += (tile.o0[i] + k) * t.y_stride[t.conv[i]];
    }
    row(block_off, read_row, y_off, tile.count[last], sy);
  }
}

// Output i of a row lies at (read_offset + shift + i) mod L along the last
// axis (shift: where a block read in place began early, see fft_executor):
// calls segment(first output, outputs, first position) for the one or two
// contiguous runs.
template <class Segment>
void for_each_run(const TileLayout& t, std::int64_t count, Segment&& segment, std::int64_t shift = 0) {
  const std::int64_t L = t.L.back(), r0 = (t.read_offset.back() + shift) % L;
  const std::int64_t first = std::min(count, L - r0);
  segment(std::int64_t{0}, first, r0);
  if (first < count) segment(first, count - first, std::int64_t{0});
}

// Writes the tile's kept outputs; true when all of them are finite.
// copy_row(dst, src, n) copies n scalars and says whether they are finite.
template <class T, class CopyRow>
bool scatter(const TileLayout& t, const Tile& tile, const T* buf, T* y, int cs, CopyRow&& copy_row,
             std::int64_t shift = 0) {
  bool bad = false;
  for_each_output_row(t, tile, [&](std::int64_t, std::int64_t read_row, std::int64_t y_off, std::int64_t count,
                                   std::int64_t sy) {
    for_each_run(t, count, [&](std::int64_t i0, std::int64_t n, std::int64_t pos) {
      const T* src = buf + (read_row + pos) * cs;
      T* dst = y + (y_off + i0 * sy) * cs;
      if (sy == 1) {
        bad |= !copy_row(dst, src, static_cast<std::size_t>(n * cs));
      } else {
        for (std::int64_t i = 0; i < n; ++i)
          for (int k = 0; k < cs; ++k) {
            dst[i * sy * cs + k] = src[i * cs + k];
            bad |= is_nonfinite_bits(src[i * cs + k]);
          }
      }
    }, shift);
  });
  return !bad;
}

}  // namespace faltung::fft
