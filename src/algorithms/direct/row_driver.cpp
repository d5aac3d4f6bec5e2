#include "algorithms/direct/row_driver.hpp"

#include <algorithm>
#include <array>

#include "core/threads.hpp"
#include "core/workspace.hpp"

namespace faltung::direct {
namespace {

// Outputs [begin, end) cut into items of at most `chunk`.
void append_segments(std::vector<Segment>& out, std::int64_t begin, std::int64_t end, std::int64_t chunk, bool edge) {
  for (std::int64_t b = begin; b < end; b += chunk) out.push_back({b, std::min(end, b + chunk), edge});
}

}  // namespace

RowDriver::RowDriver(const core::Geometry& g, bool complex, std::size_t scalar_bytes, Schedule schedule, int threads)
    : g_(g), complex_(complex), scalar_bytes_(scalar_bytes) {
  const auto& last = g_.axes.back();
  const std::size_t outer = g_.axes.size() - 1;
  std::int64_t rows = 1;  // output rows: the product of the outer output sizes
  for (std::size_t a = 0; a < outer; ++a) {
    rows *= g_.axes[a].out;
    kernel_rows_ *= g_.axes[a].m;
  }
  // Blocks of output rows share input rows when the kernel's outer extent lies
  // along the second-last axis alone (2-D windows, batched or not).
  if (!complex && outer >= 1 && kernel_rows_ > 1 && g_.axes[outer - 1].m == kernel_rows_)
    rows_per_item_ = static_cast<std::int64_t>(kMaxRowsPerJob);
  row_blocks_ = outer >= 1 ? (g_.axes[outer - 1].out + rows_per_item_ - 1) / rows_per_item_ : 1;
  row_groups_ = outer >= 1 ? rows / g_.axes[outer - 1].out * row_blocks_ : 1;
  max_sources_ = rows_per_item_ > 1 ? rows_per_item_ + kernel_rows_ - 1 : kernel_rows_;
  // Outputs whose whole window lies inside the row read the input directly.
  const std::int64_t lo = std::clamp<std::int64_t>(-last.start, 0, last.out);
  const std::int64_t hi = std::clamp<std::int64_t>(last.n - last.m + 1 - last.start, lo, last.out);
  append_segments(segments_, 0, lo, schedule.edge_chunk, true);
  append_segments(segments_, lo, hi, schedule.interior_chunk, false);
  append_segments(segments_, hi, last.out, schedule.edge_chunk, true);
  for (const auto& s : segments_) {
    max_segment_ = std::max(max_segment_, s.end - s.begin);
    if (s.edge) max_edge_ = std::max(max_edge_, s.end - s.begin);
  }
  const std::int64_t macs = g_.output_elements * g_.kernel_elements;
  const std::int64_t worth = std::max<std::int64_t>(1, macs / schedule.min_macs_per_worker);
  workers_ = static_cast<int>(std::min({std::int64_t{core::resolve_threads(threads)}, work_items(), worth}));
  workers_ = std::max(workers_, 1);
}

// Input index i along an axis belongs to output clamp(i - start, 0, out - 1):
// every sample is counted by exactly one output (row or segment).
std::int64_t RowDriver::owned_input_begin(std::size_t axis, std::int64_t o) const {
  const auto& ax = g_.axes[axis];
  return std::clamp<std::int64_t>(o == 0 ? 0 : o + ax.start, 0, ax.n);
}
std::int64_t RowDriver::owned_input_end(std::size_t axis, std::int64_t o) const {
  const auto& ax = g_.axes[axis];
  return std::clamp<std::int64_t>(o == ax.out - 1 ? ax.n : o + ax.start + 1, 0, ax.n);
}

RowDriver::Layout RowDriver::layout() const {
  const std::size_t elem = scalar_bytes_ * (complex_ ? 2 : 1);
  const std::int64_t m = g_.axes.back().m;
  Layout l;
  l.scratch_stride = static_cast<std::size_t>(max_edge_ + m - 1);
  l.constant_row = core::round_up_to_line((max_segment_ + m - 1) * elem);
  l.counts = core::round_up_to_line(workers_ * sizeof(std::int64_t));
  l.pointers = core::round_up_to_line(max_sources_ * sizeof(void*));
  l.scratch = max_edge_ > 0 ? core::round_up_to_line(max_sources_ * l.scratch_stride * elem) : 0;
  return l;
}

std::size_t RowDriver::workspace_bytes() const {
  const Layout l = layout();
  return l.constant_row + l.counts + workers_ * (l.pointers + l.scratch);
}

std::int64_t RowDriver::locate(std::int64_t item, std::int64_t* o) const {
  const int outer = static_cast<int>(g_.axes.size()) - 1;
  for (std::int64_t r = item / static_cast<std::int64_t>(segments_.size()), a = outer - 1; a >= 0; --a) {
    const std::int64_t extent = a == outer - 1 ? row_blocks_ : g_.axes[a].out;
    o[a] = r % extent;
    r /= extent;
  }
  if (rows_per_item_ == 1) return 1;
  o[outer - 1] *= rows_per_item_;
  return std::min(rows_per_item_, g_.axes[outer - 1].out - o[outer - 1]);
}

template <class T>
void RowDriver::resolve_sources(const T* x, T cval_re, const std::int64_t* o, std::int64_t rows, const Segment& seg,
                                const T* constant_row, T* scratch, std::size_t scratch_stride, const T** src) const {
  const int outer = static_cast<int>(g_.axes.size()) - 1;
  const auto& last = g_.axes.back();
  const std::int64_t cs = complex_ ? 2 : 1;
  const std::int64_t first = last.start + seg.begin;  // input coordinate of the first window
  const std::int64_t gathered = seg.end - seg.begin + last.m - 1;
  // Source e reads outer input coordinates o + start + j: j runs over the
  // kernel's outer extents, or for a row block over rows + K - 1 rows.
  const std::int64_t sources = rows_per_item_ > 1 ? rows + kernel_rows_ - 1 : kernel_rows_;
  std::array<std::int64_t, kMaxRank> j{};
  for (std::int64_t e = 0; e < sources; ++e) {
    std::int64_t in_row = 0;
    bool constant = false;
    for (int a = 0; a < outer; ++a) {
      const auto& ax = g_.axes[a];
      const std::int64_t i = core::extend_index(o[a] + ax.start + j[a], ax.n, ax.rule);
      constant = constant || i < 0;
      in_row = in_row * ax.n + std::max<std::int64_t>(i, 0);
    }
    if (rows_per_item_ > 1) {
      ++j[outer - 1];
    } else {
      for (int a = outer - 1; a >= 0; --a) {  // next kernel row
        if (++j[a] < g_.axes[a].m) break;
        j[a] = 0;
      }
    }
    if (constant) {
      src[e] = constant_row;
      continue;
    }
    const T* x_row = x + in_row * last.n * cs;
    if (!seg.edge) {
      src[e] = x_row + first * cs;
      continue;
    }
    T* s = scratch + e * scratch_stride * cs;
    for (std::int64_t q = 0; q < gathered; ++q) {
      const std::int64_t i = core::extend_index(first + q, last.n, last.rule);
      for (std::int64_t c = 0; c < cs; ++c) s[q * cs + c] = i < 0 ? (c == 0 ? cval_re : T(0)) : x_row[i * cs + c];
    }
    src[e] = s;
  }
}

// Non-finite samples among the input this work item owns: the rows owned by
// its output row times the columns owned by its segment.
template <class T>
std::int64_t RowDriver::count_owned(const T* x, const std::int64_t* o, const Segment& seg,
                                    std::size_t (*count_fn)(const T*, std::size_t, bool)) const {
  const int outer = static_cast<int>(g_.axes.size()) - 1;
  const std::int64_t cs = complex_ ? 2 : 1;
  const std::int64_t c0 = owned_input_begin(outer, seg.begin);
  const std::int64_t c1 = owned_input_end(outer, seg.end - 1);
  if (c1 <= c0) return 0;
  std::array<std::int64_t, kMaxRank> lo{}, hi{}, i{};
  for (int a = 0; a < outer; ++a) {
    lo[a] = owned_input_begin(a, o[a]);
    hi[a] = owned_input_end(a, o[a]);
    if (hi[a] <= lo[a]) return 0;
    i[a] = lo[a];
  }
  std::int64_t n = 0;
  for (;;) {
    std::int64_t row = 0;
    for (int a = 0; a < outer; ++a) row = row * g_.axes[a].n + i[a];
    n += static_cast<std::int64_t>(
        count_fn(x + (row * g_.axes[outer].n + c0) * cs, static_cast<std::size_t>(c1 - c0), complex_));
    int a = outer - 1;
    for (; a >= 0; --a) {
      if (++i[a] < hi[a]) break;
      i[a] = lo[a];
    }
    if (a < 0) return n;
  }
}

template <class T>
std::int64_t RowDriver::run(const T* x, T cval_re, const T* taps, T* y, void* workspace, bool count,
                            const RowKernelTable& kernels, bool (*kernel)(const RowJob<T>&)) const {
  const int outer = static_cast<int>(g_.axes.size()) - 1;  // axes before the contiguous one
  const auto& last = g_.axes.back();
  const std::int64_t cs = complex_ ? 2 : 1;  // scalars per element
  const Layout l = layout();

  char* ws = static_cast<char*>(workspace);
  T* constant_row = reinterpret_cast<T*>(ws);
  // Only rows outside a constant outer axis read it; a 1-D row never does
  // (filling it would cost as much as a small problem's whole compute).
  bool constant_rows = false;
  for (int a = 0; a < outer; ++a)
    constant_rows = constant_rows || (g_.axes[a].rule == BoundaryRule::constant && g_.axes[a].m > 1);
  for (std::int64_t i = 0; constant_rows && i < max_segment_ + last.m - 1; ++i) {
    constant_row[i * cs] = cval_re;
    if (complex_) constant_row[i * cs + 1] = T(0);
  }
  ws += l.constant_row;
  std::int64_t* counts = reinterpret_cast<std::int64_t*>(ws);  // non-finite inputs per worker
  std::fill(counts, counts + workers_, std::int64_t{0});
  ws += l.counts;
  std::size_t (*count_fn)(const T*, std::size_t, bool) = nullptr;
  if constexpr (sizeof(T) == 4)
    count_fn = kernels.count_f32;
  else
    count_fn = kernels.count_f64;
  const std::int64_t nseg = static_cast<std::int64_t>(segments_.size());

  core::parallel_for(work_items(), workers_, [&](std::int64_t begin, std::int64_t end, int w) {
    char* mine = ws + w * (l.pointers + l.scratch);
    const T** src = reinterpret_cast<const T**>(mine);
    T* scratch = reinterpret_cast<T*>(mine + l.pointers);
    std::array<std::int64_t, kMaxRank> o{};
    for (std::int64_t item = begin; item < end; ++item) {
      const Segment& seg = segments_[item % nseg];
      const std::int64_t rows = locate(item, o.data());
      resolve_sources(x, cval_re, o.data(), rows, seg, constant_row, scratch, l.scratch_stride, src);
      std::int64_t out_row = 0;
      for (int a = 0; a < outer; ++a) out_row = out_row * g_.axes[a].out + o[a];
      RowJob<T> job{src,
                    taps,
                    static_cast<std::size_t>(kernel_rows_),
                    static_cast<std::size_t>(last.m),
                    y + (out_row * last.out + seg.begin) * cs,
                    static_cast<std::size_t>(seg.end - seg.begin)};
      job.rows = static_cast<std::size_t>(rows);
      job.dst_stride = static_cast<std::size_t>(last.out * cs);
      // Clean outputs prove the owned inputs clean; count only otherwise.
      if (!kernel(job) && count) {
        for (std::int64_t t = 0; t < rows; ++t, ++o[std::max(outer - 1, 0)])
          counts[w] += count_owned(x, o.data(), seg, count_fn);
      }
    }
  });
  std::int64_t total = 0;
  for (int w = 0; w < workers_; ++w) total += counts[w];
  return total;
}

template std::int64_t RowDriver::run<float>(const float*, float, const float*, float*, void*, bool,
                                            const RowKernelTable&, bool (*)(const RowJob<float>&)) const;
template std::int64_t RowDriver::run<double>(const double*, double, const double*, double*, void*, bool,
                                             const RowKernelTable&, bool (*)(const RowJob<double>&)) const;

}  // namespace faltung::direct
