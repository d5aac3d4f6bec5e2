#include "planner/registry.hpp"

#include "algorithms/direct/direct_solver.hpp"
#include "algorithms/fft/fft_solver.hpp"
#include "algorithms/separable/separable_solver.hpp"
#include "planner/reference_solver.hpp"

namespace faltung::planner {

const std::vector<const algorithms::Solver*>& solvers() {
  static const auto direct = direct::make_direct_solver();
  static const auto fft = fft::make_whole_array_solver();
  static const auto overlap_save = fft::make_overlap_save_solver();
  static const auto separable = separable::make_separable_solver();
  static const auto reference = make_reference_solver();
  static const std::vector<const algorithms::Solver*> list{direct.get(), separable.get(), fft.get(), overlap_save.get(),
                                                           reference.get()};
  return list;
}

const algorithms::Solver* solver_for(Method m) {
  for (const auto* s : solvers())
    if (s->method() == m) return s;
  return nullptr;
}

}  // namespace faltung::planner
