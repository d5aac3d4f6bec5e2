#include "core/geometry.hpp"

#include <algorithm>

namespace faltung::core {

Geometry make_geometry(const Problem& p0) {
  const Problem p = canonical(p0);
  const int r = static_cast<int>(p.x.size());
  std::vector<int> axes = p.axes;
  if (axes.empty())
    for (int a = r - static_cast<int>(p.k.size()); a < r; ++a) axes.push_back(a);

  Geometry g;
  g.axes.resize(r);
  g.flip = p.op == Op::conv;
  g.conjugate = p.op == Op::corr && is_complex(p.dtype);
  g.cval = p.mode == Mode::valid ? 0.0 : p.cval;
  for (int a = 0; a < r; ++a) {
    AxisGeometry& ax = g.axes[a];
    ax.n = ax.out = p.x[a];
    const auto it = std::find(axes.begin(), axes.end(), a);
    if (it == axes.end()) continue;
    const std::size_t i = static_cast<std::size_t>(it - axes.begin());
    ax.convolved = true;
    ax.m = p.k.size() == axes.size() ? p.k[i] : p.k[a];
    ax.rule = p.mode == Mode::valid    ? BoundaryRule::constant
              : p.boundary.empty()     ? BoundaryRule::constant
              : p.boundary.size() == 1 ? p.boundary[0]
                                       : p.boundary[i];
    const std::int64_t origin = p.origin.empty() ? 0 : p.origin.size() == 1 ? p.origin[0] : p.origin[i];
    const std::int64_t n = ax.n, m = ax.m;
    switch (p.mode) {
      case Mode::full:
        ax.out = n + m - 1;
        ax.start = -(m - 1);
        break;
      case Mode::same:
        ax.out = n;
        ax.start = (m - 1) / 2 + origin - (m - 1);
        break;
      case Mode::valid:
        // The full output's indices min(n,m)-1 .. max(n,m)-1 (scipy swaps x and
        // the kernel when the kernel is the larger; convolution commutes).
        ax.out = std::max(n, m) - std::min(n, m) + 1;
        ax.start = std::min(n, m) - 1 - (m - 1);
        break;
    }
  }
  g.kernel_elements = element_count(p.k);
  g.input_elements = element_count(p.x);
  g.output_elements = 1;
  for (const auto& ax : g.axes) g.output_elements *= ax.out;
  return g;
}

}  // namespace faltung::core
