#include "algorithms/fft/tiles.hpp"

#include <algorithm>
#include <stdexcept>

namespace faltung::fft {

TileLayout make_tile_layout(const core::Geometry& g, const std::vector<std::int64_t>& L,
                            const std::vector<std::int64_t>& block) {
  TileLayout t;
  t.g = g;
  const int r = static_cast<int>(g.axes.size());
  t.x_stride.assign(r, 1);
  t.y_stride.assign(r, 1);
  for (int a = r - 2; a >= 0; --a) {
    t.x_stride[a] = t.x_stride[a + 1] * g.axes[a + 1].n;
    t.y_stride[a] = t.y_stride[a + 1] * g.axes[a + 1].out;
  }
  for (int a = 0; a < r; ++a) (g.axes[a].convolved ? t.conv : t.batch).push_back(a);
  t.L = L;
  t.block = block;
  const std::size_t c = t.conv.size();
  t.buf_stride.assign(c, 1);
  for (std::size_t i = c; i-- > 1;) t.buf_stride[i - 1] = t.buf_stride[i] * L[i];
  for (std::size_t i = 0; i < c; ++i) {
    const auto& ax = g.axes[t.conv[i]];
    // The kernel's spectrum is taken at length L: it must fit.
    if (L[i] < ax.m) throw std::logic_error("FFT length shorter than the kernel");
    t.blocks.push_back((ax.out + block[i] - 1) / block[i]);
    // Convolution multiplies by the spectrum of w itself, so output o of the
    // block sits at o + m - 1; correlation multiplies by its conjugate: at o.
    t.read_offset.push_back(g.flip ? ax.m - 1 : 0);
    t.buffer_elements *= L[i];
  }
  for (int a : t.batch) t.batch_count *= g.axes[a].n;
  t.items = t.batch_count;
  for (auto b : t.blocks) t.items *= b;
  return t;
}

Tile locate(const TileLayout& t, std::int64_t item) {
  Tile tile;
  const std::size_t c = t.conv.size();
  for (std::size_t i = c; i-- > 0;) {
    const std::int64_t b = item % t.blocks[i];
    item /= t.blocks[i];
    const auto& ax = t.g.axes[t.conv[i]];
    tile.o0[i] = b * t.block[i];
    tile.count[i] = std::min(t.block[i], ax.out - tile.o0[i]);
  }
  for (std::size_t i = t.batch.size(); i-- > 0;) {
    const int a = t.batch[i];
    const std::int64_t b = item % t.g.axes[a].n;
    item /= t.g.axes[a].n;
    tile.x_base += b * t.x_stride[a];
    tile.y_base += b * t.y_stride[a];
  }
  return tile;
}

}  // namespace faltung::fft
