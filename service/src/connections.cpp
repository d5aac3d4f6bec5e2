#include "connections.hpp"

#include <thread>

namespace faltungd {

bool ConnectionTable::admit(int fd) {
  MutexLock lock(mu_);
  if (stopping_) return false;
  std::size_t live = 0;
  auto oldest_idle = open_.end();
  for (auto it = open_.begin(); it != open_.end(); ++it) {
    if (it->second.evicted) continue;  // already on its way out
    ++live;
    if (it->second.idle && (oldest_idle == open_.end() || it->second.idle_since < oldest_idle->second.idle_since))
      oldest_idle = it;
  }
  if (live >= policy_.max_connections) {
    if (oldest_idle == open_.end()) {
      ++counts_.refused;
      return false;
    }
    // Its thread wakes on the shutdown, finds the end of the stream and
    // releases it; the fd stays open (listed) until then.
    oldest_idle->second.evicted = true;
    ::shutdown(oldest_idle->first, SHUT_RDWR);
    ++counts_.evicted;
  }
  // Idle from the start: a connection whose thread has not begun yet is
  // waiting for its first request all the same.
  open_[fd] = State{true, false, std::chrono::steady_clock::now()};
  ++counts_.accepted;
  return true;
}

void ConnectionTable::release(int fd) {
  MutexLock lock(mu_);
  open_.erase(fd);
}

void ConnectionTable::set_idle(int fd, bool idle) {
  MutexLock lock(mu_);
  const auto it = open_.find(fd);
  if (it == open_.end()) return;
  if (idle && !it->second.idle) it->second.idle_since = std::chrono::steady_clock::now();
  it->second.idle = idle;
  // A connection that goes idle after serving stops: shut down, as the
  // others were.
  if (idle && stopping_) ::shutdown(fd, SHUT_RDWR);
}

void ConnectionTable::count_closed_idle() {
  MutexLock lock(mu_);
  ++counts_.closed_idle;
}

void ConnectionTable::count_cut_slow() {
  MutexLock lock(mu_);
  ++counts_.cut_slow;
}

void ConnectionTable::stop() {
  MutexLock lock(mu_);
  stopping_ = true;
  for (const auto& [fd, state] : open_)
    if (state.idle) ::shutdown(fd, SHUT_RDWR);
}

ConnectionCounts ConnectionTable::counts() const {
  MutexLock lock(mu_);
  ConnectionCounts out = counts_;
  out.open = static_cast<std::int64_t>(open_.size());
  out.idle = 0;
  for (const auto& [fd, state] : open_) out.idle += state.idle ? 1 : 0;
  return out;
}

void ThreadPerConnection::run(std::function<void()> task) {
  {
    MutexLock lock(mu_);
    ++running_;
  }
  std::thread([this, task = std::move(task)]() mutable {
    task();
    task = nullptr;  // nothing of the task outlives the count that wait_all() waits on
    MutexLock lock(mu_);
    --running_;
    done_.notify_all();
  }).detach();
}

void ThreadPerConnection::wait_all() {
  MutexLock lock(mu_);
  lock.wait(done_, [&]() REQUIRES(mu_) { return running_ == 0; });
}

}  // namespace faltungd
