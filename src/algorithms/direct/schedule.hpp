// How the direct method cuts a problem into work. Plain data: the solver fills
// it, benchmarks may sweep it. Items never depend on the thread count, so the
// output is bit-identical for any number of threads.
#pragma once

#include <cstdint>
#include <vector>

namespace faltung::direct {

struct Schedule {
  // Interior outputs per work item along the contiguous axis. 4096 f32 outputs
  // plus a 256-tap window is ~17 KiB of input: it stays in the 48 KiB L1 while
  // the kernel sweeps every tap, and 1e6 outputs still give 244 items to share.
  std::int64_t interior_chunk = 4096;
  // Edge outputs per item. Edge windows are gathered into a scratch row of
  // chunk + m - 1 samples per kernel row, so smaller keeps that scratch small.
  std::int64_t edge_chunk = 256;
  // Multiply-adds a worker thread must get before another is started. Starting
  // a thread costs ~30 us here; 4e6 f32 MACs take ~80 us. Measured: 1e5 x 31
  // taps ran in 0.053 ms on one thread and 0.082 ms on two.
  std::int64_t min_macs_per_worker = 4'000'000;
};

// A run of outputs along the contiguous axis of one output row.
struct Segment {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  bool edge = false;  // some window reaches outside the input: read a gathered scratch row
};

}  // namespace faltung::direct
