// cpp-httplib's server, plain or TLS, with faltungd's connection handling
// (connections.hpp): a thread per connection, a connection cap, an idle
// timeout and a deadline for each request to arrive whole.
//
// cpp-httplib 0.11 (Debian 12) lets a subclass replace the per-connection
// loop (process_and_close_socket) and keeps request parsing, routing and
// responses in process_request. So faltungd keeps its routes, the header
// gate and TLS configuration as they are, and only the loop around them is
// its own: it reads through streams whose every read is bounded by the
// request's deadline (a non-blocking socket and poll; for TLS, OpenSSL on
// that socket), which cpp-httplib's per-read timeout is not.
#pragma once

#include <httplib.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <type_traits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "connections.hpp"

namespace faltungd {

// One accepted connection as a stream whose reads end at a deadline.
class ConnectionStream : public httplib::Stream {
 public:
  virtual ~ConnectionStream() = default;
  // Starts a request (its deadline) once its first byte is here.
  virtual void start_request(std::chrono::steady_clock::time_point deadline) = 0;
  // TLS: the handshake, within the first request's deadline. Plain: true.
  virtual bool open() = 0;
  // Waits for the next request's first byte (or the peer's close, which
  // the request's read then finds), up to `until`; false if the time ran
  // out. Bytes the stream already holds count.
  virtual bool wait_for_request(std::chrono::steady_clock::time_point until) = 0;
  // Whether the last failed read ran into the deadline.
  virtual bool hit_deadline() const = 0;
};

std::unique_ptr<ConnectionStream> plain_stream(int fd, const ConnectionPolicy& policy);
// nullptr if OpenSSL cannot make a session from the context.
std::unique_ptr<ConnectionStream> tls_stream(int fd, const ConnectionPolicy& policy, SSL_CTX* context);

// The per-connection loop: admits the connection, serves its requests in
// turn (keep-alive up to `max_requests`), then ends the stream and closes
// the socket. `stream` may be null (it could not be made): the socket is
// closed.
using ServeRequest = std::function<bool(httplib::Stream&, bool close_connection, bool& connection_closed)>;
bool serve_connection(ConnectionTable& table, int fd, std::unique_ptr<ConnectionStream> stream,
                      std::size_t max_requests, const ServeRequest& serve);

// What faltungd's Server needs from a Guarded server beyond httplib's API.
class GuardedListener {
 public:
  virtual ~GuardedListener() = default;
  // cpp-httplib listens with a backlog of 5: a burst of new connections
  // overflows it, and a health check's SYN then waits a second for its
  // retry. Called after binding (listen() again sets a new backlog).
  virtual void set_backlog(int connections) = 0;
  // One connection's bytes through request parsing, the gate and the
  // routes, as if a client had sent them; returns what it would have been
  // sent back (the HTTP fuzz target's way in).
  virtual std::string answer_bytes(std::string_view request) = 0;
};

// A stream over bytes in memory: reads take from `in`, writes append to
// `out`.
class BytesStream final : public httplib::Stream {
 public:
  explicit BytesStream(std::string_view in) : in_(in) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return INVALID_SOCKET; }
  const std::string& written() const { return out_; }

 private:
  std::string_view in_;
  std::string out_;
};

// A cpp-httplib server type (httplib::Server or httplib::SSLServer) with
// the loop above in place of its own.
template <class Base>
class Guarded : public Base, public GuardedListener {
 public:
  void set_backlog(int connections) override { ::listen(this->svr_sock_, connections); }
  std::string answer_bytes(std::string_view request) override {
    BytesStream stream(request);
    for (std::size_t served = 0; served < this->keep_alive_max_count_; ++served) {
      bool closed = false;
      if (!this->process_request(stream, served + 1 == this->keep_alive_max_count_, closed, nullptr) || closed) break;
    }
    return stream.written();
  }

  template <class... Args>
  explicit Guarded(ConnectionTable& table, Args&&... args) : Base(std::forward<Args>(args)...), table_(table) {
    this->new_task_queue = [this] { return new Queue(table_); };
  }

 private:
  // cpp-httplib's accept loop hands each connection to the queue.
  class Queue : public httplib::TaskQueue {
   public:
    explicit Queue(ConnectionTable& table) : table_(table) {}
    void enqueue(std::function<void()> task) override { threads_.run(std::move(task)); }
    void shutdown() override {
      table_.stop();
      threads_.wait_all();
    }

   private:
    ConnectionTable& table_;
    ThreadPerConnection threads_;
  };

  bool process_and_close_socket(socket_t sock) override {
    std::unique_ptr<ConnectionStream> stream;
    if constexpr (std::is_same_v<Base, httplib::Server>)
      stream = plain_stream(sock, table_.policy());
    else
      stream = tls_stream(sock, table_.policy(), this->ssl_context());
    return serve_connection(table_, sock, std::move(stream), this->keep_alive_max_count_,
                            [this](httplib::Stream& s, bool close_connection, bool& closed) {
                              return this->process_request(s, close_connection, closed, nullptr);
                            });
  }

  ConnectionTable& table_;
};

}  // namespace faltungd
