// An exclusive lock on a state directory, held for as long as this object
// lives: two faltungd processes on one directory would interleave one
// write-ahead log and cut each other's records at the next start. The lock
// is flock(2) on <dir>/LOCK (the kernel drops it when the process dies, so
// a kill -9 leaves nothing to clean up); the file holds the owner's pid for
// the error the next one prints.
#pragma once

#include <string>

namespace faltungd {

class StateDirLock {
 public:
  // Creates the directory if need be. Throws std::runtime_error naming the
  // directory (and the pid holding it) when another process holds it.
  explicit StateDirLock(const std::string& dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace faltungd
