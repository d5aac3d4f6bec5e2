// The tiling of an FFT method: the output is cut into blocks along the
// convolved axes (and one block per index of each batch axis); each block is
// one transform of lengths L. The whole-array method is the case of one block
// per convolved axis.
//
// A block of `count` outputs along an axis reads the extended input at
// [o0 + start, o0 + start + count + m - 1) (see core/geometry.hpp); that span
// is gathered into a buffer of length L >= count + m - 1, so the circular
// convolution never wraps into a kept output.
//
// Wrapped lengths: when the span starts with `a` and ends with `b` samples of
// a zero constant extension, L >= max(span - min(a, b), m) is enough (the whole-array
// method uses it: full-mode linear convolution needs n + m - 1, not n + 2m - 2).
// Reads past L would have met zeros at the span's end and meet the zeros at
// its start instead; gather stores the first L samples of the span, and an
// output lies at (o + read_offset) mod L.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/geometry.hpp"

namespace faltung::fft {

inline constexpr int kMaxConvolvedAxes = 3;

struct TileLayout {
  core::Geometry g;
  std::vector<std::int64_t> x_stride, y_stride;  // per axis of x, in elements
  std::vector<int> conv;                         // convolved axes, ascending
  std::vector<int> batch;                        // the other axes
  std::vector<std::int64_t> L;                   // transform length per convolved axis
  std::vector<std::int64_t> block;               // outputs per block per convolved axis
  std::vector<std::int64_t> blocks;              // blocks per convolved axis
  std::vector<std::int64_t> buf_stride;          // buffer strides per convolved axis (row-major in L)
  std::vector<std::int64_t> read_offset;         // where output 0 of a block lies in the buffer
  std::int64_t buffer_elements = 1;              // prod(L)
  std::int64_t batch_count = 1;
  std::int64_t items = 1;  // batch_count * prod(blocks)
};

// block[i] outputs per block along conv axis i, transform lengths L[i]
// (L[i] >= min(block[i], out) + m - 1, or a wrapped length for one block).
TileLayout make_tile_layout(const core::Geometry& g, const std::vector<std::int64_t>& L,
                            const std::vector<std::int64_t>& block);

struct Tile {
  std::int64_t x_base = 0, y_base = 0;                  // offsets of the batch index in x and y
  std::array<std::int64_t, kMaxConvolvedAxes> o0{};     // first output per convolved axis
  std::array<std::int64_t, kMaxConvolvedAxes> count{};  // outputs per convolved axis
};

Tile locate(const TileLayout& t, std::int64_t item);

}  // namespace faltung::fft
