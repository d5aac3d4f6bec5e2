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

// Writes what gather would write for one sample of the rule.
template <class T>
void put_sample(const GatherRule& rule, T* d, const T* s, int cs) {
  for (int k = 0; k < cs; ++k) {
    switch (rule.sample) {
      case Sample::plain:
        d[k] = s[k];
        break;
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
      case Sample::zero:
        d[k] = T(0);
        break;
    }
  }
}

// Where one row of a tile's buffer (an index of its outer convolved axes,
// row-major) comes from: zeros past the span, the constant extension, or
// the row of x at x_off (boundary rules applied to the outer axes).
struct RowSource {
  enum Kind { zeros, constant, x_row } kind = x_row;
  std::int64_t x_off = 0;  // in elements of T's kind (complex counts as one)
};

inline RowSource row_source(const TileLayout& t, const Tile& tile, std::int64_t r) {
  RowSource src;
  src.x_off = tile.x_base;
  const std::size_t last = t.conv.size() - 1;
  for (std::size_t i = last; i-- > 0;) {
    const std::int64_t idx = r % t.L[i];
    r /= t.L[i];
    const auto& ax = t.g.axes[t.conv[i]];
    if (idx >= std::min(tile.count[i] + ax.m - 1, t.L[i])) return {RowSource::zeros, 0};
    const std::int64_t j = core::extend_index(tile.o0[i] + ax.start + idx, ax.n, ax.rule);
    if (j < 0)
      src.kind = RowSource::constant;
    else
      src.x_off += j * t.x_stride[t.conv[i]];
  }
  return src;
}

// Fills positions [from, to) of one buffer row (L.back() elements; to < 0:
// to its end) from its source: the span of the last axis at [lead, lead +
// span), zeros elsewhere. lead > 0 lines a gathered row up with rows read in
// place from an aligned start (fft_executor's read_in_place); a range lets
// threads fill one long row in pieces.
template <class T>
void fill_row(const TileLayout& t, const Tile& tile, const T* x, T* row, int cs, const GatherRule& rule,
              const RowSource& src, std::int64_t lead = 0, std::int64_t from = 0, std::int64_t to = -1) {
  const std::size_t last = t.conv.size() - 1;
  const std::int64_t L = t.L[last];
  if (to < 0) to = L;
  auto zero = [&](std::int64_t a, std::int64_t b) {
    a = std::max(a, from);
    b = std::min(b, to);
    if (a < b) std::memset(static_cast<void*>(row + a * cs), 0, sizeof(T) * cs * (b - a));
  };
  if (src.kind == RowSource::zeros) {
    zero(0, L);
    return;
  }
  const auto& lax = t.g.axes[t.conv[last]];
  const std::int64_t sx = t.x_stride[t.conv[last]];
  // A wrapped length (tiles.hpp) stores only the first L of the span.
  const std::int64_t span = std::min(tile.count[last] + lax.m - 1, L - lead);
  const std::int64_t c0 = tile.o0[last] + lax.start;
  zero(0, lead);
  zero(lead + span, L);
  // Span positions i in [i0, i1) are this call's.
  const std::int64_t i0 = std::clamp<std::int64_t>(from - lead, 0, span);
  const std::int64_t i1 = std::clamp<std::int64_t>(to - lead, i0, span);
  T* r = row + lead * cs;
  auto put_constant = [&](T* d) {
    d[0] = static_cast<T>(rule.constant);
    if (cs == 2) d[1] = T(0);
  };
  if (src.kind == RowSource::constant) {
    for (std::int64_t i = i0; i < i1; ++i) put_constant(r + i * cs);
    return;
  }
  // Positions [lo, hi) of the span read x in place; the rest are extended.
  const std::int64_t lo = std::clamp<std::int64_t>(-c0, i0, i1);
  const std::int64_t hi = std::clamp<std::int64_t>(lax.n - c0, lo, i1);
  const T* s = x + src.x_off * cs;
  auto extended = [&](std::int64_t a, std::int64_t b) {
    for (std::int64_t i = a; i < b; ++i) {
      const std::int64_t j = core::extend_index(c0 + i, lax.n, lax.rule);
      j < 0 ? put_constant(r + i * cs) : put_sample(rule, r + i * cs, s + j * sx * cs, cs);
    }
  };
  extended(i0, lo);
  if (rule.sample == Sample::plain && sx == 1) {
    std::memcpy(r + lo * cs, s + (c0 + lo) * cs, sizeof(T) * cs * (hi - lo));
  } else {
    for (std::int64_t i = lo; i < hi; ++i) put_sample(rule, r + i * cs, s + (c0 + i) * sx * cs, cs);
  }
  extended(hi, i1);
}

// cs: 1 for real data, 2 for interleaved complex. buf holds L elements per
// convolved axis (row-major); positions past the gathered span are zeroed.
template <class T>
void gather(const TileLayout& t, const Tile& tile, const T* x, T* buf, int cs, const GatherRule& rule) {
  const std::int64_t L = t.L.back();
  const std::int64_t rows = t.buffer_elements / L;
  for (std::int64_t r = 0; r < rows; ++r) fill_row(t, tile, x, buf + r * L * cs, cs, rule, row_source(t, tile, r));
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

// Writes one row of kept outputs (count of them, y_stride sy apart, from
// y_off) from `row`, the buffer row they lie on; true when all are finite.
// copy_row(dst, src, n) copies n scalars and says whether they are finite.
template <class T, class CopyRow>
bool scatter_row(const TileLayout& t, const T* row, T* y, std::int64_t y_off, std::int64_t count, std::int64_t sy,
                 int cs, CopyRow&& copy_row, std::int64_t shift = 0) {
  bool bad = false;
  for_each_run(
      t, count,
      [&](std::int64_t i0, std::int64_t n, std::int64_t pos) {
        const T* src = row + pos * cs;
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
      },
      shift);
  return !bad;
}

// Writes the tile's kept outputs; true when all of them are finite.
template <class T, class CopyRow>
bool scatter(const TileLayout& t, const Tile& tile, const T* buf, T* y, int cs, CopyRow&& copy_row,
             std::int64_t shift = 0) {
  bool ok = true;
  for_each_output_row(
      t, tile, [&](std::int64_t, std::int64_t read_row, std::int64_t y_off, std::int64_t count, std::int64_t sy) {
        ok &= scatter_row(t, buf + read_row * cs, y, y_off, count, sy, cs, copy_row, shift);
      });
  return ok;
}

}  // namespace faltung::fft
