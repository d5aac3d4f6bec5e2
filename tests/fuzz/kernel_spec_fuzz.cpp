// libFuzzer target: any bytes as a named-kernel spec ("gaussian:sigma=2").
// kernels::make either throws faltung::Error or returns a kernel within the
// size caps (2^20 taps, 2^26 values in 2-D) whose values are finite and
// whose canonical spec makes the same kernel again. Run by scripts/fuzz.sh.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "faltung/errors.hpp"
#include "faltung/kernels.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  faltung::kernels::Kernel k;
  try {
    k = faltung::kernels::make(spec);
  } catch (const faltung::Error&) {
    return 0;
  }
  if (k.values.size() != static_cast<std::size_t>(faltung::element_count(k.shape))) std::abort();
  if (k.values.size() > (std::size_t{1} << 26) || (k.shape.size() == 1 && k.values.size() > (std::size_t{1} << 20)))
    std::abort();
  for (double v : k.values)
    if (!std::isfinite(v)) std::abort();
  if (k.values.size() > (std::size_t{1} << 22)) return 0;  // (made once is enough for the huge ones)
  const auto again = faltung::kernels::make(k.spec);
  if (again.values != k.values || again.version != k.version) std::abort();
  return 0;
}
