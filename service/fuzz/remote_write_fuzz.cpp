// libFuzzer target: any bytes as a remote-write body. Decoding either
// refuses them with BadRequest or accepts them; accepted series encode and
// decode back to the same, both through the protobuf encoder and through
// the hand-written one of the remote-write output (one TimeSeries per
// sample; NaNs other than stale markers come back as the plain NaN).
// Anything else (a crash, another exception, a sanitizer report) is a bug.
// Run by scripts/fuzz.sh.
#include <snappy.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "../src/remote_write.hpp"
#include "../src/write_request_builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  faltungd::Limits limits;
  limits.max_decoded_bytes = 1 << 20;
  std::vector<faltungd::SeriesSamples> series;
  try {
    series = faltungd::decode_remote_write(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  } catch (const faltungd::BadRequest&) {
    return 0;
  }
  const auto again = faltungd::decode_remote_write(faltungd::encode_remote_write(series), limits);
  if (again.size() != series.size()) std::abort();
  for (std::size_t i = 0; i < series.size(); ++i)
    if (!(again[i].labels == series[i].labels) || again[i].samples.size() != series[i].samples.size()) std::abort();

  faltungd::OutputBatch built;
  std::size_t samples = 0;
  for (const auto& s : series) {
    const auto labels = faltungd::encode_labels_field(s.labels);
    for (const auto& p : s.samples) built.add(labels, p.timestamp_ms, p.value);
    samples += s.samples.size();
  }
  std::string body;
  snappy::Compress(built.write_request.data(), built.write_request.size(), &body);
  faltungd::Limits wide = limits;
  wide.max_decoded_bytes = std::max<std::size_t>(limits.max_decoded_bytes, 2 * built.write_request.size() + 64);
  const auto one_by_one = faltungd::decode_remote_write(body, wide);
  if (one_by_one.size() != samples) std::abort();
  std::size_t k = 0;
  for (const auto& s : series)
    for (const auto& p : s.samples) {
      const auto& got = one_by_one[k++];
      if (!(got.labels == s.labels) || got.samples.size() != 1 || got.samples[0].timestamp_ms != p.timestamp_ms)
        std::abort();
      const double v = got.samples[0].value;
      const bool same =
          std::memcmp(&v, &p.value, sizeof v) == 0 || (std::isnan(p.value) && !faltungd::is_stale_marker(p.value) &&
                                                       std::isnan(v) && !faltungd::is_stale_marker(v));
      if (!same) std::abort();
    }
  return 0;
}
