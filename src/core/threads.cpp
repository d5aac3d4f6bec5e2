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

void run_on_threads(std::int64_t items, int workers,
                    const std::function<void(std::int64_t, std::int64_t, int)>& body) {
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
