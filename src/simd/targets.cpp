#include "simd/targets.hpp"

#include <hwy/highway.h>
#include <hwy/targets.h>

namespace faltung::simd {

std::vector<Target> available_targets() {
  std::vector<Target> out;
  for (std::int64_t bits : hwy::SupportedAndGeneratedTargets()) out.push_back({bits, hwy::TargetName(bits)});
  return out;
}

void restrict_targets(std::int64_t bits) {
  hwy::SetSupportedTargetsForTest(bits);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}

}  // namespace faltung::simd
