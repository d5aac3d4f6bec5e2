// Taking input samples into a stream engine under the nan policy.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "stream/engine.hpp"

namespace faltung::stream {

enum class IngestRule {
  raw,     // as they come (direct + propagate: the sums make exactly the
           // windows holding NaN/Inf non-finite)
  fill,    // non-finite samples replaced by the fill value
  zeroed,  // non-finite samples replaced by 0, their times recorded
           // (ignore; and partitioned + propagate, which marks windows itself)
};

inline IngestRule ingest_rule(NanPolicy nan, bool direct) {
  if (nan == NanPolicy::fill) return IngestRule::fill;
  if (nan == NanPolicy::ignore || !direct) return IngestRule::zeroed;
  return IngestRule::raw;
}

// Copies n samples, `stride` apart, of the stream starting at time t0 into
// `values`. Under `zeroed`, valid[i] (if given) is 1 or 0, last_bad is the
// latest non-finite sample's time, and recent_bad[i] (if given) the latest
// one at or before t0 + i.
template <class T>
void ingest(IngestRule rule, T fill, const T* in, std::int64_t stride, std::int64_t n, std::int64_t t0, T* values,
            std::type_identity_t<T>* valid, std::int64_t& last_bad, std::int64_t* recent_bad) {
  switch (rule) {
    case IngestRule::raw:
      for (std::int64_t i = 0; i < n; ++i) values[i] = in[i * stride];
      return;
    case IngestRule::fill:
      for (std::int64_t i = 0; i < n; ++i) {
        const T v = in[i * stride];
        values[i] = std::isfinite(v) ? v : fill;
      }
      return;
    case IngestRule::zeroed:
      for (std::int64_t i = 0; i < n; ++i) {
        const T v = in[i * stride];
        const bool ok = std::isfinite(v);
        values[i] = ok ? v : T(0);
        if (valid) valid[i] = ok ? T(1) : T(0);
        if (!ok) last_bad = t0 + i;
        if (recent_bad) recent_bad[i] = last_bad;
      }
      return;
  }
}

}  // namespace faltung::stream
