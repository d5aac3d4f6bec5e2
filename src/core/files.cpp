#include "faltung/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "faltung/errors.hpp"

namespace faltung::files {

namespace {

// Closes the descriptor on every way out of a scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close(2) can report a write the kernel could not complete: checked.
  std::string close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? "" : std::strerror(errno);
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, const std::string& path, const std::string& why) {
  throw Error(ErrorKind::io, "cannot " + what + " " + path + ": " + why);
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
  Descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return std::string("open: ") + std::strerror(errno);
  if (::fsync(fd.get()) != 0) return std::string("fsync: ") + std::strerror(errno);
  return "";
}

std::string numbered_name(std::string_view prefix, std::uint64_t number, std::string_view suffix) {
  const std::string digits = std::to_string(number);
  return std::string(prefix) + std::string(20 - std::min<std::size_t>(digits.size(), 20), '0') + digits +
         std::string(suffix);
}

std::string read_file(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("read", path, std::strerror(errno));
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read", path, std::strerror(errno));
    if (n == 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

void replace_file(const std::string& path, std::string_view bytes, bool sync) {
  const std::string temp = path + ".tmp";
  Descriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail("create", temp, std::strerror(errno));
  std::string why = write_all(fd.get(), bytes);
  const char* step = "write";
  if (why.empty() && sync && ::fsync(fd.get()) != 0) {
    why = std::strerror(errno);
    step = "sync";
  }
  if (const std::string closed = fd.close(); why.empty() && !closed.empty()) {
    why = closed;
    step = "write";
  }
  if (why.empty() && ::rename(temp.c_str(), path.c_str()) != 0) {
    why = std::strerror(errno);
    step = "rename";
  }
  if (!why.empty()) {
    ::unlink(temp.c_str());
    fail(std::string(step), step == std::string_view("rename") ? temp + " to " + path : temp, why);
  }
}

}  // namespace faltung::files
