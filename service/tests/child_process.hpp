// The real faltungd binary as a child process, for tests that need a
// process of its own: its exit status, its signals, its own file
// descriptors and threads.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace faltungd {

struct Child {
  pid_t pid = -1;
  int port = 0;
  int exited = -1;  // the exit status, if it ended before writing its port
};

struct SpawnOptions {
  // > 0: files cannot grow past this (RLIMIT_FSIZE; a write past it fails
  // with EFBIG), standing in for a full disk.
  std::uint64_t file_size_limit = 0;
  // not 0: the child drops to this user and group first (as root, the only
  // way a directory's permissions can refuse it anything).
  uid_t run_as = 0;
  std::vector<std::string> extra_args;
};

// faltungd on dir/faltungd.yml, its state in dir/state, stderr appended to
// dir/faltungd.log; returns once it has written its port (or has exited).
inline Child spawn(const std::string& dir, const SpawnOptions& options = {}) {
  const std::string port_file = dir + "/port";
  std::filesystem::remove(port_file);
  const std::string config = dir + "/faltungd.yml", state = dir + "/state";
  // Another user may not reach the build tree (a clone under /root): it
  // runs a copy of the binary from the test's directory.
  std::string binary = FALTUNGD_BINARY;
  if (options.run_as != 0) {
    binary = dir + "/faltungd";
    std::filesystem::copy_file(FALTUNGD_BINARY, binary, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(binary, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                             std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                             std::filesystem::perms::others_exec);
  }
  std::vector<const char*> argv = {binary.c_str(), "--config",    config.c_str(), "--state-dir",    state.c_str(),
                                   "--listen",     "127.0.0.1:0", "--port-file",  port_file.c_str()};
  for (const auto& a : options.extra_args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    freopen((dir + "/faltungd.log").c_str(), "a", stderr);
    if (options.file_size_limit > 0) {
      ::signal(SIGXFSZ, SIG_IGN);  // kept across exec: a write past the limit fails instead of killing
      const rlimit limit{options.file_size_limit, options.file_size_limit};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    if (options.run_as != 0 && (::setgid(options.run_as) != 0 || ::setuid(options.run_as) != 0)) ::_exit(126);
    ::execv(binary.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  int status = 0;
  for (int i = 0; i < 5000 && !std::filesystem::exists(port_file); ++i) {
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.exited = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return c;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::ifstream(port_file) >> c.port;
  return c;
}

// The exit status, or -1 if the child is still running after `seconds`
// (then it is killed).
inline int wait_exit(pid_t pid, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace faltungd
