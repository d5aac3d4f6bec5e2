// A problem that may repeat with every request (a full disk, a failing
// queue) is printed on stderr at once, then at most once a minute with how
// many times it happened meanwhile: an operator sees it in the log without
// the log becoming the next full disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "mutex.hpp"

namespace faltungd {

class ProblemLog {
 public:
  explicit ProblemLog(std::chrono::steady_clock::duration every = std::chrono::seconds(60)) : every_(every) {}
  // Thread-safe.
  void note(const std::string& what);

 private:
  std::chrono::steady_clock::duration every_;
  Mutex mu_;
  std::chrono::steady_clock::time_point last_printed_ GUARDED_BY(mu_){};
  bool printed_ GUARDED_BY(mu_) = false;
  std::int64_t since_printed_ GUARDED_BY(mu_) = 0;  // notes not printed since the last line
};

}  // namespace faltungd
