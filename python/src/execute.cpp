#include "execute.hpp"

#include <nanobind/nanobind.h>

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

void execute_plan(const Plan& plan, const void* x, const void* k, void* y) {
  if (plan.estimated_seconds() > kReleaseGilAbove) {
    nb::gil_scoped_release unlocked;
    execute_here(plan, x, k, y);
  } else {
    execute_here(plan, x, k, y);
  }
}

}  // namespace faltung::python
