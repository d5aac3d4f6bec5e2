#include "execute.hpp"

#include <nanobind/nanobind.h>

#include "arrays.hpp"
#include "output_pool.hpp"

namespace faltung::python {

namespace nb = nanobind;

namespace {

// A workspace from the pool for the duration of one execute.
struct PooledWorkspace {
  void* data = nullptr;
  explicit PooledWorkspace(std::size_t bytes) : data(acquire_buffer(bytes)) {}
  ~PooledWorkspace() { release_buffer(data); }
  PooledWorkspace(const PooledWorkspace&) = delete;
  PooledWorkspace& operator=(const PooledWorkspace&) = delete;
};

void execute_here(const Plan& plan, const void* x, const void* k, void* y) {
  const std::size_t bytes = plan.workspace_bytes();
  if (bytes < kPooledFromBytes) {
    plan.execute(x, k, y);  // the engine's per-thread workspace
    return;
  }
  // A large workspace would otherwise be mapped (and page-faulted) per call.
  PooledWorkspace ws(bytes);
  plan.execute(x, k, y, ws.data);
}

}  // namespace

nb::object execute_plan(const Plan& plan, nb::handle x, nb::handle k, nb::handle out) {
  const DType t = plan.problem().dtype;
  nb::object result;
  void* y;
  if (out.is_none()) {
    result = new_array(t, plan.output_shape());
    y = const_cast<void*>(data_of(result));
  } else {
    y = output_data(out, t, plan.output_shape());
    result = nb::borrow(out);
  }
  if (plan.estimated_seconds() > kReleaseGilAbove) {
    nb::gil_scoped_release unlocked;
    execute_here(plan, data_of(x), data_of(k), y);
  } else {
    execute_here(plan, data_of(x), data_of(k), y);
  }
  return result;
}

}  // namespace faltung::python
