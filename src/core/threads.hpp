// Splitting work among threads. Work is always cut into the same items,
// whatever the thread count, so results cannot depend on it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

namespace faltung::core {

// 0 means all hardware threads; never less than 1.
int resolve_threads(int requested);

// Runs body on `workers` >= 2 threads (see parallel_for).
void run_on_threads(std::int64_t items, int workers, const std::function<void(std::int64_t, std::int64_t, int)>& body);

// Calls body(begin, end, worker) on contiguous ranges covering [0, items),
// one range per worker, workers numbered 0 .. min(threads, items)-1. The
// calling thread runs worker 0. The first exception thrown is rethrown.
// With one worker it is a plain call: no thread, no allocation.
template <class Body>
void parallel_for(std::int64_t items, int threads, Body&& body) {
  if (items <= 0) return;
  const int workers = static_cast<int>(std::min<std::int64_t>(resolve_threads(threads), items));
  if (workers == 1) {
    body(std::int64_t{0}, items, 0);
    return;
  }
  run_on_threads(items, workers, body);
}

}  // namespace faltung::core
