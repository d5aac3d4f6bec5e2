// Writing a remote-write WriteRequest piece by piece, for the outputs on
// their way to the outbox: a series' labels are encoded once (when the
// series is first seen), then each output sample costs a few bytes of
// framing around them. Protobuf lets concatenated WriteRequests read as one,
// so the outbox's records are joined into a request by appending them.
// (Prometheus' own remote write also sends a TimeSeries per sample.)
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "labels.hpp"

namespace faltungd {

// The TimeSeries' `labels` fields (1) for these labels.
std::string encode_labels_field(const Labels& labels);

// Appends one WriteRequest.timeseries entry (field 1): the labels, then one
// sample. Every NaN but the stale marker is written as the plain quiet NaN,
// so no computed NaN can read as a stale marker.
void append_timeseries(std::string& write_request, std::string_view labels_field, std::int64_t timestamp_ms,
                       double value);

// The outputs of one write request, as a WriteRequest's bytes (not
// compressed) with their sample count and time span. A request can carry
// millions of samples: once the bytes pass spill_bytes the batch is handed
// to `spill` and cleared, so its memory stays bounded whatever the request.
struct OutputBatch {
  std::string write_request;
  std::int64_t samples = 0;
  std::int64_t min_ms = INT64_MAX, max_ms = INT64_MIN;
  std::function<void(const OutputBatch&)> spill;  // none: the batch just grows
  std::size_t spill_bytes = 4 << 20;

  void add(std::string_view labels_field, std::int64_t timestamp_ms, double value) {
    append_timeseries(write_request, labels_field, timestamp_ms, value);
    ++samples;
    min_ms = std::min(min_ms, timestamp_ms);
    max_ms = std::max(max_ms, timestamp_ms);
    if (spill && write_request.size() >= spill_bytes) {
      spill(*this);
      clear();
    }
  }
  void clear() {  // keeps the buffer's capacity and the spill
    write_request.clear();
    samples = 0;
    min_ms = INT64_MAX;
    max_ms = INT64_MIN;
  }
};

}  // namespace faltungd
