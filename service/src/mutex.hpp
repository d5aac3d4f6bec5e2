// The service's locks, annotated for Clang's thread-safety analysis
// (-Wthread-safety): a member declared GUARDED_BY(mu_) may only be touched
// with mu_ held, and a function declared REQUIRES(mu_) only called so.
// scripts/fuzz.sh compiles every service source with Clang and
// -Werror=thread-safety (ctest fuzz_service), so a comment saying "under
// mu_" is checked. With GCC the annotations are empty.
//
// std::mutex carries no annotations (libstdc++), hence Mutex and MutexLock
// around it, as Abseil and LLVM do.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define FALTUNGD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FALTUNGD_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) FALTUNGD_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY FALTUNGD_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) FALTUNGD_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) FALTUNGD_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) FALTUNGD_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define REQUIRES(...) FALTUNGD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) FALTUNGD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) FALTUNGD_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FALTUNGD_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS FALTUNGD_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace faltungd {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope, and waits on condition variables with it
// (released while waiting, held again when the wait returns).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // For a stretch without the lock inside its scope.
  void unlock() RELEASE() { lock_.unlock(); }
  void lock() ACQUIRE() { lock_.lock(); }

  // `done` runs with the lock held: declare it `[&]() REQUIRES(mu) {...}`.
  template <class Predicate>
  void wait(std::condition_variable& cv, Predicate done) {
    cv.wait(lock_, done);
  }
  void wait(std::condition_variable& cv) { cv.wait(lock_); }
  template <class Rep, class Period>
  void wait_for(std::condition_variable& cv, std::chrono::duration<Rep, Period> d) {
    cv.wait_for(lock_, d);
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(std::condition_variable& cv, std::chrono::duration<Rep, Period> d, Predicate done) {
    return cv.wait_for(lock_, d, done);
  }
  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::condition_variable& cv, std::chrono::time_point<Clock, Duration> t, Predicate done) {
    return cv.wait_until(lock_, t, done);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace faltungd
