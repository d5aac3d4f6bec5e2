#include "guarded_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace faltungd {

namespace {

using Clock = std::chrono::steady_clock;

// poll() for `events` until `until`: true when ready (or the peer closed).
bool wait_until(int fd, short events, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, 1'000'000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  const int got = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                       : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (got != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// What the plain and the TLS stream share: the socket, its deadline, the
// addresses.
class StreamBase : public ConnectionStream {
 public:
  StreamBase(int fd, const ConnectionPolicy& policy) : fd_(fd), policy_(policy) {
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  void start_request(Clock::time_point deadline) override {
    deadline_ = deadline;
    hit_deadline_ = false;
  }
  bool hit_deadline() const override { return hit_deadline_; }
  bool is_writable() const override { return wait_to_write(); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 protected:
  // Waits to read within the request's deadline; false (and noted) past it.
  bool wait_to_read() {
    if (wait_until(fd_, POLLIN, deadline_)) return true;
    hit_deadline_ = Clock::now() >= deadline_;
    return false;
  }
  bool wait_to_write() const { return wait_until(fd_, POLLOUT, Clock::now() + policy_.write_timeout); }

  int fd_;
  ConnectionPolicy policy_;
  Clock::time_point deadline_ = Clock::now();
  bool hit_deadline_ = false;
};

class PlainStream final : public StreamBase {
 public:
  using StreamBase::StreamBase;
  bool open() override { return true; }
  bool wait_for_request(Clock::time_point until) override { return held_ < filled_ || wait_until(fd_, POLLIN, until); }
  bool is_readable() const override { return held_ < filled_ || wait_until(fd_, POLLIN, deadline_); }

  // cpp-httplib reads the request line and headers a byte at a time: they
  // come out of a buffer, one recv per 4 KiB.
  ssize_t read(char* ptr, size_t size) override {
    if (held_ == filled_) {
      if (size >= sizeof buffer_) return receive(ptr, size);
      const ssize_t n = receive(buffer_, sizeof buffer_);
      if (n <= 0) return n;
      held_ = 0;
      filled_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, filled_ - held_);
    std::memcpy(ptr, buffer_ + held_, n);
    held_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_to_write()) return -1;
    }
  }

 private:
  ssize_t receive(char* into, std::size_t size) {
    for (;;) {
      const ssize_t n = ::recv(fd_, into, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_to_read()) return -1;
    }
  }

  char buffer_[4096];
  std::size_t held_ = 0, filled_ = 0;
};

// OpenSSL on the non-blocking socket: every WANT_READ / WANT_WRITE waits
// within the deadline, so a client cannot stall the handshake or a record.
class TlsStream final : public StreamBase {
 public:
  TlsStream(int fd, const ConnectionPolicy& policy, SSL* ssl) : StreamBase(fd, policy), ssl_(ssl) {
    SSL_set_fd(ssl_, fd);
  }
  ~TlsStream() override {
    if (handshaken_) SSL_shutdown(ssl_);  // one try: the close_notify, without waiting for the peer's
    SSL_free(ssl_);
  }

  bool open() override {
    for (;;) {
      const int r = SSL_accept(ssl_);
      if (r == 1) return handshaken_ = true;
      if (!wait_for(SSL_get_error(ssl_, r), deadline_)) return false;
    }
  }
  bool wait_for_request(Clock::time_point until) override {
    return SSL_pending(ssl_) > 0 || wait_until(fd_, POLLIN, until);
  }
  bool is_readable() const override { return SSL_pending(ssl_) > 0 || wait_until(fd_, POLLIN, deadline_); }

  ssize_t read(char* ptr, size_t size) override {
    for (;;) {
      const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT32_MAX)));
      if (n > 0) return n;
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (!wait_for(error, deadline_)) return -1;
    }
  }
  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT32_MAX)));
      if (n > 0) return n;
      if (!wait_for(SSL_get_error(ssl_, n), Clock::now() + policy_.write_timeout)) return -1;
    }
  }

 private:
  // After an OpenSSL call that did not finish: waits for what it wants
  // until `until`; false for any other error or past the time.
  bool wait_for(int error, Clock::time_point until) {
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
    if (wait_until(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until)) return true;
    hit_deadline_ = until == deadline_ && Clock::now() >= deadline_;
    return false;
  }

  SSL* ssl_;
  bool handshaken_ = false;
};

}  // namespace

ssize_t BytesStream::read(char* ptr, size_t size) {
  const std::size_t n = std::min(size, in_.size());
  std::memcpy(ptr, in_.data(), n);
  in_.remove_prefix(n);
  return static_cast<ssize_t>(n);
}

ssize_t BytesStream::write(const char* ptr, size_t size) {
  out_.append(ptr, size);
  return static_cast<ssize_t>(size);
}

void BytesStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 1;
}

void BytesStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 2;
}

std::unique_ptr<ConnectionStream> plain_stream(int fd, const ConnectionPolicy& policy) {
  return std::make_unique<PlainStream>(fd, policy);
}

std::unique_ptr<ConnectionStream> tls_stream(int fd, const ConnectionPolicy& policy, SSL_CTX* context) {
  SSL* ssl = context ? SSL_new(context) : nullptr;
  if (!ssl) return nullptr;
  return std::make_unique<TlsStream>(fd, policy, ssl);
}

bool serve_connection(ConnectionTable& table, int fd, std::unique_ptr<ConnectionStream> stream,
                      std::size_t max_requests, const ServeRequest& serve) {
  bool ok = false;
  if (stream && table.admit(fd)) {
    const ConnectionPolicy& policy = table.policy();
    for (std::size_t served = 0; served < max_requests; ++served) {
      table.set_idle(fd, true);
      const bool arrived = stream->wait_for_request(Clock::now() + policy.idle_timeout);
      table.set_idle(fd, false);
      if (!arrived) {
        table.count_closed_idle();
        break;
      }
      stream->start_request(Clock::now() + policy.request_read_timeout);
      if (served == 0 && !stream->open()) {
        if (stream->hit_deadline()) table.count_cut_slow();
        break;
      }
      bool closed = false;
      ok = serve(*stream, served + 1 == max_requests || table.stopping(), closed);
      // Past the deadline cpp-httplib may still answer (400 for headers
      // cut short) and report success: the connection ends all the same.
      if (stream->hit_deadline()) {
        table.count_cut_slow();
        break;
      }
      if (!ok || closed) break;
    }
    stream.reset();  // TLS: close_notify before the socket goes
    table.release(fd);
  }
  stream.reset();
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  return ok;
}

}  // namespace faltungd
