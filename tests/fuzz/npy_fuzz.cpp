// libFuzzer target: any bytes as a .npy file for faltung-bench's reader.
// parse_npy either throws std::runtime_error or returns an array whose data
// size matches its shape and dtype and came from the input (a header that
// claims a huge shape must not make it allocate). Run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  faltung::bench::NpyArray a;
  try {
    a = faltung::bench::parse_npy(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  } catch (const std::runtime_error&) {
    return 0;
  }
  if (a.bytes.size() != static_cast<std::size_t>(faltung::element_count(a.shape)) * faltung::dtype_size(a.dtype))
    std::abort();
  if (a.bytes.size() > size) std::abort();
  return 0;
}
