// The direct method's SIMD micro-kernels: one register-blocked loop that
// computes a run of outputs along the contiguous axis from K source rows.
//
//   dst[c] = sum_{a<K} sum_{j<m} taps[a*m + j] * src[a][c + j]      c < len
//
// Complex kernels read interleaved (re, im) data and taps; c and j count
// complex elements. Kernels never allocate, thread or validate: the driver
// (direct_solver.cpp) does. Every output is computed by the same sequence of
// operations wherever it falls in a tile, so results do not depend on how the
// driver splits rows among threads.
#pragma once

#include <cstddef>

namespace faltung::direct {

// Real kernels may compute up to this many output rows per job (2-D windows
// whose kernel rows run along one axis; see multirow-inl.h).
inline constexpr std::size_t kMaxRowsPerJob = 4;

template <class T>
struct RowJob {
  const T* const* src;  // K pointers (rows + K - 1 for several rows), each to the
                        // first sample of output 0's window; output row t reads src[t .. t+K-1]
  const T* taps;        // K*m taps (complex: K*m interleaved re, im pairs)
  std::size_t K;
  std::size_t m;
  T* dst;
  std::size_t len;             // outputs to write per row
  std::size_t rows = 1;        // output rows (> 1 only for real dtypes)
  std::size_t dst_stride = 0;  // elements between consecutive output rows
};

// Kernels for one SIMD target, named <dtype>_direct_rows_<tile vectors>x<lanes>__<target>.
struct RowKernelTable {
  const char* target;             // Highway target name, e.g. AVX3
  std::size_t real_tile_vectors;  // output vectors per plain register tile
  std::size_t f32_lanes;          // vector lanes
  std::size_t f64_lanes;
  std::size_t ring_max_vectors;  // taps per ring pass, in vectors (0: no ring kernel)
  // Each returns true when every output it wrote is finite.
  bool (*f32)(const RowJob<float>&);
  bool (*f64)(const RowJob<double>&);
  bool (*c64)(const RowJob<float>&);
  bool (*c128)(const RowJob<double>&);
  // Non-finite elements among `elements` values (complex: pairs with a NaN or
  // Inf in either part).
  std::size_t (*count_f32)(const float* data, std::size_t elements, bool complex);
  std::size_t (*count_f64)(const double* data, std::size_t elements, bool complex);
};

// The best kernels the running CPU (and any restrict_targets) allows; plans
// take it once, when they are made.
const RowKernelTable& best_row_kernels();

}  // namespace faltung::direct
