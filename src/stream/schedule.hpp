// The partition schedule of a long-kernel stream filter, from the cost model.
//
// Taps [0, head) run as a direct sum of the newest samples. The rest is cut
// into segments of uniformly partitioned overlap-save (Gardner 1995, Wefers
// 2014): segment k covers `parts` partitions of `block` taps from `offset`,
// transforms 2*block samples once per block and sums its partitions'
// products in the frequency domain. Blocks grow along the kernel, because a
// segment's outputs for [T, T+block) need inputs up to T+block-1-offset,
// available at T exactly when offset >= block: the condition for no added
// latency, which every schedule here keeps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::stream {

struct Segment {
  std::int64_t block;
  std::int64_t parts;
  std::int64_t offset;
};

struct PartitionSchedule {
  std::int64_t head = 0;  // direct taps
  std::vector<Segment> segments;
  double seconds_per_sample = 0;  // per channel, one thread
};

// Seconds per sample (one channel) of the direct method over `taps` taps,
// run on pieces of up to `piece` samples (bench/calibrate_stream.cpp's
// constants: short pieces cost more per tap).
double direct_seconds_per_sample(DType t, std::int64_t taps, std::int64_t piece);
// Seconds per sample of a schedule, by the calibrated cost model, for calls
// of up to `max_block` samples.
double schedule_seconds_per_sample(DType t, const PartitionSchedule& s, std::int64_t max_block);
// Every schedule the model considers for `taps` taps, each with its estimate.
std::vector<PartitionSchedule> candidate_schedules(DType t, std::int64_t taps, std::int64_t max_block);
// The cheapest partitioned schedule for `taps` taps (every candidate keeps
// zero latency); no segments when the kernel is too short to have a tail
// (16 taps or fewer).
PartitionSchedule best_partition_schedule(DType t, std::int64_t taps, std::int64_t max_block);

std::string describe(const PartitionSchedule& s);

}  // namespace faltung::stream
