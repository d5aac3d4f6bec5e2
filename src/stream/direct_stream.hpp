// The direct stream engines: every output a direct sum over the last m
// samples, on the direct method's kernels, so results are bit-identical to
// faltung::convolve(..., method=direct) and to any other chunking.
#pragma once

#include <memory>
#include <vector>

#include "stream/engine.hpp"

namespace faltung::stream {

// Channel-major: each channel's history and new samples in one row, run by
// the direct method's row kernels (a chunk of outputs per call). For few
// channels and chunks of many samples.
template <class T>
std::unique_ptr<Engine<T>> make_direct_rows(const Config& cfg, const std::vector<T>& kernel);

// Time-major: one row of every channel per sample time, run across channels
// (one frame of outputs per kernel call). For many channels and few samples
// per call (telemetry: thousands of series, one sample each).
template <class T>
std::unique_ptr<Engine<T>> make_direct_frames(const Config& cfg, const std::vector<T>& kernel);

// Channels from which the time-major layout is used.
inline constexpr std::int64_t kFramesFromChannels = 16;

}  // namespace faltung::stream
