#include "file_util.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace faltungd {

namespace {
std::atomic<int> g_failing_directory_syncs{0};
std::atomic<std::int64_t> g_directory_sync_failures{0};

std::string sync_directory_once(const std::string& dir) {
  if (g_failing_directory_syncs.load() > 0 && g_failing_directory_syncs.fetch_sub(1) > 0)
    return "fsync: Input/output error (made by a test)";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::string("open: ") + std::strerror(errno);
  std::string error;
  if (::fsync(fd) != 0) error = std::string("fsync: ") + std::strerror(errno);
  ::close(fd);
  return error;
}
}  // namespace

std::string write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::strerror(errno);
    if (n == 0) return "nothing written";
    written += static_cast<std::size_t>(n);
  }
  return "";
}

std::string sync_directory(const std::string& dir) {
  std::string error = sync_directory_once(dir);
  if (!error.empty()) g_directory_sync_failures.fetch_add(1);
  return error;
}

std::int64_t directory_sync_failures() { return g_directory_sync_failures.load(); }

std::string numbered_name(std::string_view prefix, std::uint64_t number, std::string_view suffix) {
  const std::string digits = std::to_string(number);
  return std::string(prefix) + std::string(20 - std::min<std::size_t>(digits.size(), 20), '0') + digits +
         std::string(suffix);
}

void fail_directory_syncs_for_test(int count) { g_failing_directory_syncs.store(count); }

}  // namespace faltungd
