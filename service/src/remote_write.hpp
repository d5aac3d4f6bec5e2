// Decoding a Prometheus remote-write 1.0 request body: a snappy block
// holding a protobuf WriteRequest. Every size is checked against Limits
// before memory is given to it (the snappy length a body declares, the
// series, labels and samples it holds), so a hostile body costs at most the
// limits. Data that can never be accepted throws BadRequest: the HTTP layer
// answers 400 and the sender does not retry.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "labels.hpp"

namespace faltungd {

struct Limits {
  std::size_t max_body_bytes = 16 << 20;     // compressed, as received
  std::size_t max_decoded_bytes = 64 << 20;  // the snappy block's declared length
  std::size_t max_labels = 64;               // per series
  std::size_t max_label_name_bytes = 256;
  std::size_t max_label_value_bytes = 4096;
  // Write requests decoded and not yet answered at once; more get 503 with
  // Retry-After (the sender retries), so memory stays bounded under overload.
  int max_in_flight = 8;
  // A sample further ahead of the clock than this is refused (as
  // Prometheus refuses them): one at int64 max would make every later real
  // sample of its series look out of order.
  std::int64_t max_future_ms = std::int64_t{10} * 60 * 1000;
};

class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Sample {
  std::int64_t timestamp_ms;
  double value;
};

struct SeriesSamples {
  Labels labels;
  std::vector<Sample> samples;
};

// Prometheus' stale marker: the NaN that ends a series.
constexpr std::uint64_t kStaleNaNBits = 0x7ff0000000000002ull;
bool is_stale_marker(double v);

// Throws BadRequest naming the problem (and the series, where there is one).
std::vector<SeriesSamples> decode_remote_write(std::string_view body, const Limits& limits);
// The same into `out`, reusing its storage (the server keeps one per thread).
void decode_remote_write_into(std::string_view body, const Limits& limits, std::vector<SeriesSamples>& out);

// Throws BadRequest naming the series of the first sample whose timestamp
// is <= 0 or more than limits.max_future_ms after now_ms. For requests as
// they arrive, not for the log's replay (a record once accepted stays so
// whatever the clock says later).
void check_sample_times(const std::vector<SeriesSamples>& request, std::int64_t now_ms, const Limits& limits);

// The other direction (remote-write output, and tests): a snappy-compressed
// WriteRequest of these series.
std::string encode_remote_write(const std::vector<SeriesSamples>& series);

}  // namespace faltungd
