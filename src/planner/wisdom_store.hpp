// The planner's side of the wisdom (include/faltung/wisdom.hpp is the
// user's: export, import, save, load, forget): what Plan::create asks and
// tells it. Internal to the library; tests include it.
#pragma once

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung::wisdom {

// What method=measure remembered for p with `threads` on this CPU, if anything.
bool recall(const Problem& p, int threads, Method& method);
// What method=measure found fastest for p with `threads` on this CPU.
void remember(const Problem& p, int threads, Method method);

}  // namespace faltung::wisdom
