// libFuzzer target: any bytes as a problem string. parse_problem either
// throws faltung::Error or returns a problem whose canonical text parses
// back to the same problem; validate() on it either throws faltung::Error
// or passes. Anything else (a crash, another exception, a sanitizer report)
// is a bug. Run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "faltung/errors.hpp"
#include "faltung/problem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  faltung::Problem p;
  try {
    p = faltung::parse_problem(text);
  } catch (const faltung::Error&) {
    return 0;
  }
  if (!(faltung::parse_problem(faltung::to_string(p)) == p)) std::abort();
  try {
    faltung::validate(p);
  } catch (const faltung::Error&) {
  }
  return 0;
}
