// libFuzzer target: any text as a faltungd configuration. Loading either
// refuses it with ConfigError or accepts it; nothing else may happen.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../src/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    faltungd::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yml");
  } catch (const faltungd::ConfigError&) {
  }
  return 0;
}
