// The real faltungd binary as a child process, for tests that need a
// process of its own: its exit status, its signals, its own file
// descriptors and threads.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace faltungd {

struct Child {
  pid_t pid = -1;
  int port = 0;
  int exited = -1;  // the exit status, if it ended before writing its port
};

inline Child spawn(const std::string& dir) {
  const std::string port_file = dir + "/port";
  std::filesystem::remove(port_file);
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    freopen((dir + "/faltungd.log").c_str(), "a", stderr);
    ::execl(FALTUNGD_BINARY, FALTUNGD_BINARY, "--config", (dir + "/faltungd.yml").c_str(), "--state-dir",
            (dir + "/state").c_str(), "--listen", "127.0.0.1:0", "--port-file", port_file.c_str(),
            static_cast<char*>(nullptr));
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
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
