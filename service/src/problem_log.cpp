#include "problem_log.hpp"

#include <cstdio>

namespace faltungd {

void ProblemLog::note(const std::string& what) {
  MutexLock lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (printed_ && now - last_printed_ < every_) {
    ++since_printed_;
    return;
  }
  if (since_printed_ > 0)
    std::fprintf(stderr, "faltungd: %s (and %lld times more since the last such line)\n", what.c_str(),
                 static_cast<long long>(since_printed_));
  else
    std::fprintf(stderr, "faltungd: %s\n", what.c_str());
  std::fflush(stderr);
  printed_ = true;
  last_printed_ = now;
  since_printed_ = 0;
}

}  // namespace faltungd
