// A Prometheus histogram (cumulative buckets, sum, count) of durations in
// seconds, rendered in the text format. Not thread-safe: the caller locks.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "exposition.hpp"

namespace faltungd {

class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void observe(double seconds) {
    for (std::size_t i = 0; i < kBounds.size(); ++i)
      if (seconds <= kBounds[i]) ++counts_[i];
    sum_ += seconds;
    ++count_;
  }

  void render(std::string& out, const std::string& name, const std::string& help) const {
    write_family(out, name, "histogram", help);
    const std::string bucket = name + "_bucket";
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBounds[i]);
      write_sample(out, bucket, label("le", le), std::to_string(counts_[i]));
    }
    write_sample(out, bucket, label("le", "+Inf"), std::to_string(count_));
    char sum[40];
    std::snprintf(sum, sizeof sum, "%.9g", sum_);
    write_sample(out, name + "_sum", "", sum);
    write_sample(out, name + "_count", "", std::to_string(count_));
  }

 private:
  std::array<std::uint64_t, kBounds.size()> counts_{};
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace faltungd
