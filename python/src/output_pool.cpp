#include "output_pool.hpp"

#include <cstdlib>
#include <list>
#include <mutex>
#include <new>
#include <unordered_map>

namespace faltung::python {

namespace {

struct Pool {
  std::mutex mutex;
  std::unordered_map<void*, std::size_t> sizes;  // every live or kept buffer
  std::list<void*> kept;                         // free, most recently freed first
  std::size_t kept_bytes = 0;
};

// Never destroyed: arrays may be freed during interpreter shutdown.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

std::size_t rounded(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

void* acquire_buffer(std::size_t bytes) {
  bytes = rounded(bytes == 0 ? 1 : bytes);
  Pool& p = pool();
  if (bytes >= kPooledFromBytes) {
    std::lock_guard<std::mutex> lock(p.mutex);
    // A kept buffer that fits without wasting more than a quarter of it.
    for (auto it = p.kept.begin(); it != p.kept.end(); ++it) {
      const std::size_t have = p.sizes[*it];
      if (have >= bytes && have - bytes <= have / 4) {
        void* data = *it;
        p.kept.erase(it);
        p.kept_bytes -= have;
        return data;
      }
    }
  }
  void* data = std::aligned_alloc(64, bytes);
  if (!data) throw std::bad_alloc();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.sizes[data] = bytes;
  return data;
}

void release_buffer(void* data) noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  const auto found = p.sizes.find(data);
  if (found == p.sizes.end()) return;  // not ours: cannot happen
  const std::size_t bytes = found->second;
  if (bytes < kPooledFromBytes || bytes > kPoolKeepsBytes) {
    p.sizes.erase(found);
    std::free(data);
    return;
  }
  p.kept.push_front(data);
  p.kept_bytes += bytes;
  while (p.kept_bytes > kPoolKeepsBytes) {  // the oldest go first
    void* oldest = p.kept.back();
    p.kept.pop_back();
    p.kept_bytes -= p.sizes[oldest];
    p.sizes.erase(oldest);
    std::free(oldest);
  }
}

std::size_t drop_kept_buffers() noexcept {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  const std::size_t freed = p.kept_bytes;
  for (void* data : p.kept) {
    p.sizes.erase(data);
    std::free(data);
  }
  p.kept.clear();
  p.kept_bytes = 0;
  return freed;
}

}  // namespace faltung::python
