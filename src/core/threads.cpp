#include "core/threads.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace faltung::core {
namespace {

// Parked worker threads, reused across calls: starting a thread costs tens
// of microseconds, as much as a whole small convolution (1e6 samples, 15
// taps: 0.26 ms on two threads). One job at a time; a caller that finds the
// pool busy (plans executed concurrently from several threads) starts its
// own threads instead.
//
// Waiting spins for up to kSpin before sleeping: a loop of executes (a
// benchmark, a stream of blocks) then starts each job without a wake-up,
// which cost tens of microseconds per call (1e6 samples, 15 taps, two
// threads: 0.24 -> 0.20 ms, 1.6x -> 2.0x one thread's time).
constexpr auto kSpin = std::chrono::microseconds(50);

template <class Done>
void spin_until(Done&& done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  while (!done()) {
    for (int i = 0; i < 64 && !done(); ++i) std::this_thread::yield();
    if (std::chrono::steady_clock::now() > until) return;
  }
}

class Pool;
std::atomic<Pool*> g_pool{nullptr};

class Pool {
 public:
  // The process's pool. A child made by fork() has none of its parent's
  // threads (and may have copied a lock mid-use): it starts a pool of its
  // own, and the parent's copy is left untouched, never destroyed.
  static Pool& instance() {
    static const bool forget_at_fork = [] {
      ::pthread_atfork(nullptr, nullptr, [] { g_pool.store(nullptr); });
      return true;
    }();
    (void)forget_at_fork;
    Pool* pool = g_pool.load();
    if (pool) return *pool;
    auto* made = new Pool();  // never destroyed: workers may outlive static destructors
    if (g_pool.compare_exchange_strong(pool, made)) return *made;
    delete made;  // another thread made one first (no thread was started yet)
    return *pool;
  }

  // Runs job(0) on the calling thread and job(w), w = 1 .. helpers, on pool
  // threads; returns when all are done. False (nothing run) when the pool
  // is busy with another caller's job.
  bool run(int helpers, const std::function<void(int)>& job) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (static_cast<int>(threads_.size()) < helpers) {
        const int index = static_cast<int>(threads_.size()) + 1;
        threads_.emplace_back([this, index] { work(index); });
      }
      job_ = &job;
      helpers_ = helpers;
      remaining_.store(helpers);
      generation_.fetch_add(1);
    }
    start_.notify_all();
    job(0);
    spin_until([&] { return remaining_.load() == 0; });
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return remaining_.load() == 0; });
    job_ = nullptr;
    return true;
  }

 private:
  void work(int index) {
    std::uint64_t seen = 0;
    while (true) {
      spin_until([&] { return generation_.load() != seen; });
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (index > helpers_) continue;
      const auto* job = job_;
      lock.unlock();
      (*job)(index);
      lock.lock();
      if (remaining_.fetch_sub(1) == 1) done_.notify_one();
    }
  }

  std::mutex busy_;   // held by the caller whose job runs
  std::mutex mutex_;  // guards the fields below
  std::condition_variable start_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* job_ = nullptr;
  int helpers_ = 0;
  std::atomic<int> remaining_{0};
  std::atomic<std::uint64_t> generation_{0};  // written under mutex_, read by spinning workers
};

}  // namespace

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

void run_on_threads(std::int64_t items, int workers, const std::function<void(std::int64_t, std::int64_t, int)>& body) {
  std::exception_ptr error;
  std::mutex error_mutex;
  const std::function<void(int)> run = [&](int w) {
    const std::int64_t begin = items * w / workers, end = items * (w + 1) / workers;
    try {
      body(begin, end, w);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  if (!Pool::instance().run(workers - 1, run)) {
    std::vector<std::thread> own;
    own.reserve(workers - 1);
    for (int w = 1; w < workers; ++w) own.emplace_back(run, w);
    run(0);
    for (auto& t : own) t.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace faltung::core
