// Drives the row kernels over a whole problem: walks output rows, finds the
// source rows each kernel row reads (boundary rules on the outer axes cost a
// pointer lookup), runs interior segments straight from the input and gathers
// only the edge windows into a small scratch row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algorithms/direct/row_kernels.hpp"
#include "algorithms/direct/schedule.hpp"
#include "core/geometry.hpp"

namespace faltung::direct {

class RowDriver {
 public:
  RowDriver(const core::Geometry& g, bool complex, std::size_t scalar_bytes, Schedule schedule, int threads);

  std::int64_t work_items() const { return row_groups_ * static_cast<std::int64_t>(segments_.size()); }
  std::int64_t rows_per_item() const { return rows_per_item_; }
  const std::vector<Segment>& segments() const { return segments_; }
  // Bytes of workspace run() needs.
  std::size_t workspace_bytes() const;
  int workers() const { return workers_; }

  // y = sum_j taps[j] * xe[o + start + j] for every output, with xe the input
  // extended by the boundary rules and `cval` on constant edges.
  // T is float or double; for complex data x, taps, y are interleaved pairs.
  // Returns the number of non-finite samples of x when `count` is set
  // (counted by each work item on the input it owns, while still in cache),
  // else 0.
  template <class T>
  std::int64_t run(const T* x, T cval_re, const T* taps, T* y, void* workspace, bool count,
                   const RowKernelTable& kernels, bool (*kernel)(const RowJob<T>&)) const;

 private:
  core::Geometry g_;
  bool complex_;
  std::size_t scalar_bytes_;
  int workers_;
  std::int64_t kernel_rows_ = 1;    // K: product of outer kernel sizes
  std::int64_t rows_per_item_ = 1;  // output rows one kernel call computes
  std::int64_t row_blocks_ = 1;     // blocks of rows along the second-last axis
  std::int64_t row_groups_ = 1;     // work items per segment column
  std::int64_t max_sources_ = 1;    // source rows one item reads
  std::int64_t max_edge_ = 0;       // longest edge segment
  std::int64_t max_segment_ = 0;    // longest segment
  std::vector<Segment> segments_;
  std::int64_t owned_input_end(std::size_t axis, std::int64_t o) const;
  // The workspace: a constant row (cval), per-worker counts, then per worker
  // the source pointers and the edge scratch rows.
  struct Layout {
    std::size_t constant_row = 0, counts = 0, pointers = 0, scratch = 0;
    std::size_t scratch_stride = 0;  // elements per gathered source row
  };
  Layout layout() const;
  // Writes the item's first output row (outer multi-index) to o; returns its rows.
  std::int64_t locate(std::int64_t item, std::int64_t* o) const;
  // Points src[e] at each source row of the item: in place for interior
  // segments, gathered with the boundary rule into scratch for edges, the
  // constant row where an outer coordinate falls off a constant boundary.
  template <class T>
  void resolve_sources(const T* x, T cval_re, const std::int64_t* o, std::int64_t rows, const Segment& seg,
                       const T* constant_row, T* scratch, std::size_t scratch_stride, const T** src) const;
  template <class T>
  std::int64_t count_owned(const T* x, const std::int64_t* o, const Segment& seg,
                           std::size_t (*count_fn)(const T*, std::size_t, bool)) const;
  std::int64_t owned_input_begin(std::size_t axis, std::int64_t o) const;
};

}  // namespace faltung::direct
