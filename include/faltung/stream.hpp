// Streaming convolution: a causal filter fed any number of samples at a time.
//
//   y[t] = sum_j w[j] * x[t - j]
//
// Feeding any sequence of chunk sizes (0, 1, primes, large) and concatenating
// the outputs gives convolve(x, w, mode=full)[:n] within the tolerance rules
// (docs/semantics.md), bit-identical to the direct method on the direct path
// and bit-identical for any chunking on every path. No added latency.
//
//   faltung::StreamOptions o;  o.dtype = faltung::DType::f32;
//   auto f = faltung::StreamFilter::create(taps.data(), taps.size(), o);
//   f.process(in, out, count);                  // any count, any number of times
//   std::vector<std::uint8_t> state = f.save(); // ... later, maybe elsewhere:
//   auto g = faltung::StreamFilter::restore(state.data(), state.size());
//
// Many channels: `channels` independent series, processed together. Samples
// are frames: in[t * channels + c] is sample t of channel c. The kernel is
// shared, or one per channel (kernel[c * taps + j]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung {

struct StreamOptions {
  DType dtype = DType::f64;  // f32 or f64
  std::int64_t channels = 1;
  bool kernel_per_channel = false;  // the kernel holds channels * taps values
  // The largest count one process() call is expected to bring; larger counts
  // are processed in pieces of this size (no allocation either way).
  std::int64_t max_block = 4096;
  // The added latency allowed, in samples. faltung's schedules need none, so
  // outputs are never delayed; the value only bounds what a schedule may use.
  std::int64_t latency = 0;
  // propagate, fill (with `fill`) or ignore (direct method only). raise is
  // refused: process() never throws.
  NanPolicy nan = NanPolicy::propagate;
  double fill = 0.0;
  // automatic (the cost model's choice), direct, or overlap_save (uniformly
  // partitioned segments that grow, after a direct head of the first taps).
  Method method = Method::automatic;
};

class StreamFilter {
 public:
  struct State;  // opaque

  // Copies the kernel. Throws faltung::Error for bad options, a non-finite
  // kernel, or a method that cannot run them. The typed forms also refuse a
  // kernel whose type is not options.dtype's (float for f32, double for
  // f64); the untyped form, for a dtype chosen at run time (as the Python
  // module's), reads the kernel as options.dtype says.
  static StreamFilter create(const float* kernel, std::int64_t taps, const StreamOptions& options);
  static StreamFilter create(const double* kernel, std::int64_t taps, const StreamOptions& options = {});
  static StreamFilter create(const void* kernel, std::int64_t taps, const StreamOptions& options);

  // `count` frames in, `count` frames out (in and out may not overlap).
  // Allocates nothing, takes no lock, throws nothing.
  void process(const void* in, void* out, std::int64_t count) noexcept;
  // The same, typed: throws faltung::Error if the type is not the filter's
  // dtype (instead of reading its samples as another type).
  void process(const float* in, float* out, std::int64_t count);
  void process(const double* in, double* out, std::int64_t count);
  // Back to the state of a new filter: every past sample forgotten.
  void reset() noexcept;

  // The whole filter (kernel, options, state) as versioned bytes; restore()
  // makes a filter that continues bit-identically.
  std::vector<std::uint8_t> save() const;
  // Throws faltung::Error naming the problem for bytes of another format or
  // version, or truncated or damaged bytes.
  static StreamFilter restore(const std::uint8_t* bytes, std::size_t size);
  // Loads saved state into this filter; throws faltung::Error if the bytes
  // were saved by a filter of another dtype, kernel, channel count or method.
  void load_state(const std::uint8_t* bytes, std::size_t size);

  std::int64_t taps() const;
  std::int64_t channels() const;
  DType dtype() const;
  Method method() const;                   // direct or overlap_save
  std::int64_t latency() const;            // samples of added latency (0)
  std::int64_t samples_processed() const;  // frames since creation or reset
  double estimated_ns_per_sample() const;  // the cost model's figure, per channel sample
  std::string explain() const;

  StreamFilter(const StreamFilter& other);
  StreamFilter& operator=(const StreamFilter& other);
  StreamFilter(StreamFilter&&) noexcept;
  StreamFilter& operator=(StreamFilter&&) noexcept;
  ~StreamFilter();

 private:
  explicit StreamFilter(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

}  // namespace faltung
