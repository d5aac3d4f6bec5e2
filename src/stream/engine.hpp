// What every stream engine (direct, partitioned) implements, per dtype.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "faltung/problem.hpp"
#include "stream/byte_io.hpp"

namespace faltung::stream {

// A filter's fixed description, shared by its engine.
struct Config {
  DType dtype = DType::f64;
  std::int64_t taps = 0;
  std::int64_t channels = 1;
  bool per_channel = false;
  std::int64_t max_block = 4096;
  NanPolicy nan = NanPolicy::propagate;
  double fill = 0.0;
};

// The time of the latest non-finite input before any was seen.
inline constexpr std::int64_t kNoneBad = std::numeric_limits<std::int64_t>::min() / 2;

template <class T>
class Engine {
 public:
  virtual ~Engine() = default;
  // count frames of cfg.channels interleaved samples; never allocates or throws.
  virtual void process(const T* in, T* out, std::int64_t count) noexcept = 0;
  virtual void reset() noexcept = 0;
  virtual std::int64_t time() const = 0;  // frames processed
  // The state after the configuration (which the filter saves itself).
  virtual void save(ByteWriter& w) const = 0;
  virtual void load(ByteReader& r) = 0;
  virtual std::unique_ptr<Engine> clone() const = 0;
  virtual std::string describe() const = 0;
};

// The first `count` taps (all of them by default) as the direct kernels read
// them: reversed (oldest sample first), per channel when each has its own
// kernel.
template <class T>
std::vector<T> oriented_taps(const Config& cfg, const std::vector<T>& kernel, std::int64_t channel,
                             std::int64_t count = -1) {
  const std::int64_t m = count < 0 ? cfg.taps : count;
  const T* w = kernel.data() + (cfg.per_channel ? channel * cfg.taps : 0);
  std::vector<T> v(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) v[static_cast<std::size_t>(i)] = w[m - 1 - i];
  return v;
}

}  // namespace faltung::stream
