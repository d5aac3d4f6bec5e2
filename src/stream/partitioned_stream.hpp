// The partitioned stream engine: a direct head for the newest taps and
// segments of uniformly partitioned overlap-save for the rest (schedule.hpp),
// so long kernels cost a few transforms per block and add no latency.
//
// Non-finite samples never enter a transform: they are taken as 0 (or the
// fill value), and under nan=propagate every output whose window holds one
// is set to NaN. So a NaN burst spoils exactly its windows and the
// frequency-domain history recovers by itself.
#pragma once

#include <memory>
#include <vector>

#include "stream/engine.hpp"
#include "stream/schedule.hpp"

namespace faltung::stream {

template <class T>
std::unique_ptr<Engine<T>> make_partitioned(const Config& cfg, const std::vector<T>& kernel,
                                            const PartitionSchedule& schedule);

}  // namespace faltung::stream
