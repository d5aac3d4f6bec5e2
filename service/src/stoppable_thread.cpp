#include "stoppable_thread.hpp"

#include <chrono>
#include <utility>

namespace faltungd {

void StoppableThread::start(std::function<void()> body) {
  // Under join_mu_: stop() may come from the signal thread at this moment.
  MutexLock join_lock(join_mu_);
  if (stopping() || thread_.joinable()) return;
  thread_ = std::thread(std::move(body));
}

void StoppableThread::stop(const std::function<void()>& wake) {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (wake) wake();
  MutexLock join_lock(join_mu_);
  if (thread_.joinable()) thread_.join();
}

bool StoppableThread::stopping() const {
  MutexLock lock(mu_);
  return stopping_;
}

bool StoppableThread::pause(double seconds) {
  MutexLock lock(mu_);
  return lock.wait_for(stop_cv_, std::chrono::duration<double>(seconds), [&]() REQUIRES(mu_) { return stopping_; });
}

}  // namespace faltungd
