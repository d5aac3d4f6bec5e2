#include "core/threads.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace faltung::core {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(std::int64_t items, int threads,
                  const std::function<void(std::int64_t, std::int64_t, int)>& body) {
  if (items <= 0) return;
  const int workers = static_cast<int>(std::min<std::int64_t>(resolve_threads(threads), items));
  if (workers == 1) {
    body(0, items, 0);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run = [&](int w) {
    const std::int64_t begin = items * w / workers, end = items * (w + 1) / workers;
    try {
      body(begin, end, w);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace faltung::core
