// libFuzzer target: any text as a PromQL series selector. Parsing either
// refuses it with std::invalid_argument or gives a selector that can match.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "../src/selector.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto s = faltungd::Selector::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    s.matches({{"__name__", "up"}, {"job", "x"}});
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
