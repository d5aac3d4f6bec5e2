// A background thread that any thread may tell to stop, at any moment:
// before it starts (a SIGTERM during recovery: start() then starts nothing),
// while it waits (its pause ends at once), or from two threads at once (one
// joins, the other finds nothing left to join). The alert rounds and each
// remote-write sender run on one.
#pragma once

#include <condition_variable>
#include <functional>
#include <thread>

#include "mutex.hpp"

namespace faltungd {

class StoppableThread {
 public:
  StoppableThread() = default;
  ~StoppableThread() { stop(); }
  StoppableThread(const StoppableThread&) = delete;
  StoppableThread& operator=(const StoppableThread&) = delete;

  // Runs `body` on a new thread, unless stop() came first or one runs
  // already. The body returns when stopping() says so.
  void start(std::function<void()> body);
  // Marks the thread stopping, ends its pause, calls `wake` (to end a wait
  // of the body's elsewhere, as on a queue), and returns once it is gone.
  void stop(const std::function<void()>& wake = {});

  bool stopping() const;
  // Waits `seconds` or until stop(); returns stopping().
  bool pause(double seconds);

 private:
  Mutex join_mu_ ACQUIRED_BEFORE(mu_);  // held while starting or joining thread_
  std::thread thread_ GUARDED_BY(join_mu_);
  mutable Mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace faltungd
