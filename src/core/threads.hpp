// Splitting work among threads. Work is always cut into the same items,
// whatever the thread count, so results cannot depend on it.
#pragma once

#include <cstdint>
#include <functional>

namespace faltung::core {

// 0 means all hardware threads; never less than 1.
int resolve_threads(int requested);

// Calls body(begin, end, worker) on contiguous ranges covering [0, items),
// one range per worker, workers numbered 0 .. min(threads, items)-1. The
// calling thread runs worker 0. The first exception thrown is rethrown.
void parallel_for(std::int64_t items, int threads,
                  const std::function<void(std::int64_t, std::int64_t, int)>& body);

}  // namespace faltung::core
