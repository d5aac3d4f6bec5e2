// libFuzzer target: any bytes as a remote-write body. Decoding either
// refuses them with BadRequest or accepts them; accepted series encode and
// decode back to the same. Anything else (a crash, another exception, a
// sanitizer report) is a bug. Run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/remote_write.hpp"

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
  return 0;
}
