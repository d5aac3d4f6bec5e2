#include "stream/schedule.hpp"

#include <algorithm>
#include <sstream>

#include "algorithms/costs.hpp"

namespace faltung::stream {

namespace {

// Measured by bench/calibrate_stream.cpp on this machine kind.
struct StreamConstants {
  struct Direct {
    double per_sample, per_tap;
  } direct[9];          // pieces of 16, 32, ..., 4096 samples
  double mac_per_bin;   // one complex multiply-add in the frequency domain
  double segment_rest;  // a segment's copies and sums, per sample
};

constexpr StreamConstants kStreamConstants[2] = {
#include "stream/stream_costs.inc"
};

const StreamConstants& constants(DType t) { return kStreamConstants[t == DType::f32 ? 0 : 1]; }

// The direct kernels at pieces of `piece` samples (the calibrated length at
// or below it: short rows are the expensive ones).
StreamConstants::Direct direct_at(DType t, std::int64_t piece) {
  int i = 0;
  for (std::int64_t length = 32; i < 8 && length <= piece; length *= 2) ++i;
  return constants(t).direct[i];
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Head `first` taps, first block `first`, blocks growing by `growth` up to
// `largest`; each segment has just enough partitions for the next, larger
// block to start at an offset no smaller than itself.
PartitionSchedule grow(std::int64_t taps, std::int64_t first, std::int64_t growth, std::int64_t largest) {
  PartitionSchedule s;
  s.head = first;
  std::int64_t offset = first, block = first;
  while (offset < taps) {
    const std::int64_t next = block * growth;
    std::int64_t parts =
        block < largest ? std::max<std::int64_t>(1, ceil_div(next - offset, block)) : ceil_div(taps - offset, block);
    parts = std::min(parts, ceil_div(taps - offset, block));
    s.segments.push_back({block, parts, offset});
    offset += parts * block;
    if (block < largest && offset >= next) block = next;
  }
  return s;
}

}  // namespace

double direct_seconds_per_sample(DType t, std::int64_t taps, std::int64_t piece) {
  const auto d = direct_at(t, piece);
  return d.per_sample + d.per_tap * static_cast<double>(taps);
}

double schedule_seconds_per_sample(DType t, const PartitionSchedule& s, std::int64_t max_block) {
  // the head runs on pieces that end at the first block's boundaries
  double seconds = direct_seconds_per_sample(t, s.head, std::min(s.segments.front().block, max_block));
  const StreamConstants& c = constants(t);
  for (const auto& g : s.segments) {
    const double b = static_cast<double>(g.block);
    // a transform pair of 2B samples per B outputs, `parts` products of B+1
    // bins, and the copies in and out
    seconds += algorithms::fft_pair_seconds(t, {2 * g.block}) / b +
               static_cast<double>(g.parts) * static_cast<double>(g.block + 1) * c.mac_per_bin / b + c.segment_rest;
  }
  return seconds;
}

std::vector<PartitionSchedule> candidate_schedules(DType t, std::int64_t taps, std::int64_t max_block) {
  std::vector<PartitionSchedule> out;
  for (std::int64_t first = 16; first <= 2048 && first < taps; first *= 2)
    for (std::int64_t growth : {2, 4})
      for (std::int64_t largest = first; largest <= 65536; largest *= growth) {
        PartitionSchedule s = grow(taps, first, growth, largest);
        s.seconds_per_sample = schedule_seconds_per_sample(t, s, max_block);
        out.push_back(std::move(s));
      }
  return out;
}

PartitionSchedule best_partition_schedule(DType t, std::int64_t taps, std::int64_t max_block) {
  PartitionSchedule best;
  best.head = taps;
  best.seconds_per_sample = direct_seconds_per_sample(t, taps, max_block);
  bool found = false;
  for (auto& s : candidate_schedules(t, taps, max_block))
    if (!found || s.seconds_per_sample < best.seconds_per_sample) {
      best = std::move(s);
      found = true;
    }
  return best;
}

std::string describe(const PartitionSchedule& s) {
  std::ostringstream out;
  out << "head: taps [0, " << s.head << ") direct";
  for (const auto& g : s.segments)
    out << "; taps [" << g.offset << ", " << g.offset + g.parts * g.block << "): " << g.parts << " x " << g.block
        << " (FFT " << 2 * g.block << ")";
  return out.str();
}

}  // namespace faltung::stream
