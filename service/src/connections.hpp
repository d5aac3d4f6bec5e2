// faltungd's connections: a thread each, a cap on how many, and deadlines,
// so a few slow or idle clients cannot stop the service.
//
// cpp-httplib's own model is a fixed pool of 8 threads, each held by one
// connection until a 5 s read timeout that a client resets with every byte.
// 8 connections dripping a byte a second, or 500 idle sockets queued behind
// the pool, kept /-/healthy from answering at all. Here (guarded_http.hpp
// plugs it into cpp-httplib):
// - each connection has its own thread, so a health check never waits for
//   a slow client's turn (threads block on their own socket only; an idle
//   one costs a stack mapping and a few KiB resident);
// - a connection waiting for a request is idle. It is closed after
//   idle_timeout, and at the connection cap the longest-idle one is closed
//   to let a new one in (as nginx reuses keep-alive connections); only when
//   every connection is busy with a request is a new one refused;
// - a request must arrive whole (TLS handshake, headers and body) within
//   request_read_timeout of its first byte, however it is dripped; the
//   time the handler takes does not count.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "mutex.hpp"

namespace faltungd {

struct ConnectionPolicy {
  std::size_t max_connections = 1024;
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds request_read_timeout{30'000};
  std::chrono::milliseconds write_timeout{10'000};  // one blocked write of a response
};

struct ConnectionCounts {
  std::int64_t open = 0, idle = 0;
  std::int64_t accepted = 0;
  std::int64_t refused = 0;      // at the cap with every connection busy
  std::int64_t closed_idle = 0;  // idle past idle_timeout
  std::int64_t evicted = 0;      // idle, closed at the cap for a new one
  std::int64_t cut_slow = 0;     // a request not whole within request_read_timeout
};

// The open connections and their states. Thread-safe.
class ConnectionTable {
 public:
  explicit ConnectionTable(ConnectionPolicy policy) : policy_(policy) {}

  const ConnectionPolicy& policy() const { return policy_; }

  // A new connection: true if it may be served. At the cap it closes (shuts
  // down) the longest-idle connection for it, or refuses it when none is idle.
  bool admit(int fd);
  // The connection's thread is done with it (before it closes the fd).
  void release(int fd);
  // Waiting for a request / serving one.
  void set_idle(int fd, bool idle);
  void count_closed_idle();
  void count_cut_slow();

  // Serving ends: idle connections are shut down, and no new ones admitted.
  void stop();
  bool stopping() const { return stopping_; }

  ConnectionCounts counts() const;

 private:
  struct State {
    bool idle = false;
    bool evicted = false;
    std::chrono::steady_clock::time_point idle_since;
  };
  ConnectionPolicy policy_;
  mutable Mutex mu_;
  std::map<int, State> open_ GUARDED_BY(mu_);  // an fd stays open while it is listed
  ConnectionCounts counts_ GUARDED_BY(mu_);
  std::atomic<bool> stopping_{false};
};

// Runs each connection on its own thread; shutdown() waits for them all.
// (cpp-httplib's TaskQueue interface: the accept loop enqueues one task per
// connection.)
class ThreadPerConnection {
 public:
  void run(std::function<void()> task);
  void wait_all();

 private:
  Mutex mu_;
  std::condition_variable done_;
  std::size_t running_ GUARDED_BY(mu_) = 0;
};

}  // namespace faltungd
