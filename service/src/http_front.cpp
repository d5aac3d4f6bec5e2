#include "http_front.hpp"

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>

#include "auth.hpp"
#include "exposition.hpp"
#include "guarded_http.hpp"
#include "request_gate.hpp"

namespace faltungd {

namespace {

constexpr const char* kWritePath = "/api/v1/write";

// The Content-Length a request declares, or nullopt without a valid one.
std::optional<std::uint64_t> declared_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string text = req.get_header_value("Content-Length");
  std::uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// 401 with the challenge the credentials call for.
void answer_unauthorized(const Credentials& c, httplib::Response& res) {
  res.status = 401;
  res.set_header("WWW-Authenticate", c.basic_auth_users.empty() ? "Bearer" : "Basic realm=\"faltungd\"");
}

std::unique_ptr<httplib::Server> make_http(const ServerSection& s, ConnectionTable& connections) {
  if (s.tls_cert_file.empty()) return std::make_unique<Guarded<httplib::Server>>(connections);
  auto tls = std::make_unique<Guarded<httplib::SSLServer>>(
      connections, s.tls_cert_file.c_str(), s.tls_key_file.c_str(),
      s.tls_client_ca_file.empty() ? nullptr : s.tls_client_ca_file.c_str());
  if (!tls->is_valid())
    throw std::runtime_error("TLS: cannot use " + s.tls_cert_file + " and " + s.tls_key_file +
                             (s.tls_client_ca_file.empty() ? "" : " with " + s.tls_client_ca_file));
  return tls;
}

void register_connection_metrics(MetricsRegistry& m, const ConnectionTable& table) {
  const auto read = [&table](auto field) {
    return [&table, field] { return static_cast<double>(field(table.counts())); };
  };
  constexpr const char* kOpen = "Open HTTP connections: idle (waiting for a request) or busy.";
  m.read("faltungd_connections", "gauge", kOpen, label("state", "idle"),
         read([](const ConnectionCounts& c) { return c.idle; }));
  m.read("faltungd_connections", "gauge", kOpen, label("state", "busy"),
         read([](const ConnectionCounts& c) { return c.open - c.idle; }));
  constexpr const char* kAccepted = "HTTP connections accepted, and refused at the cap with every connection busy.";
  m.read("faltungd_connections_total", "counter", kAccepted, label("result", "accepted"),
         read([](const ConnectionCounts& c) { return c.accepted; }));
  m.read("faltungd_connections_total", "counter", kAccepted, label("result", "refused"),
         read([](const ConnectionCounts& c) { return c.refused; }));
  constexpr const char* kClosed =
      "HTTP connections faltungd closed: idle past the idle timeout, idle at the cap for a new one, "
      "or a request not whole within its deadline.";
  m.read("faltungd_connections_closed_total", "counter", kClosed, label("reason", "idle_timeout"),
         read([](const ConnectionCounts& c) { return c.closed_idle; }));
  m.read("faltungd_connections_closed_total", "counter", kClosed, label("reason", "evicted"),
         read([](const ConnectionCounts& c) { return c.evicted; }));
  m.read("faltungd_connections_closed_total", "counter", kClosed, label("reason", "request_deadline"),
         read([](const ConnectionCounts& c) { return c.cut_slow; }));
}

}  // namespace

HttpFront::HttpFront(const ServerSection& section, const Limits& limits, HttpBackend& backend, MetricsRegistry& metrics)
    : section_(section),
      limits_(limits),
      backend_(backend),
      connections_(section.connections),
      http_(make_http(section, connections_)),
      write_requests_(metrics.counter_by_label("faltungd_write_requests_total",
                                               "Remote-write requests by response code.", "code")) {
  register_connection_metrics(metrics, connections_);
  metrics.custom([this](std::string& out) {
    MutexLock lock(seconds_mu_);
    write_seconds_.render(out, "faltungd_write_request_duration_seconds",
                          "Time from a write request's body received to its answer.");
  });
  http_->set_payload_max_length(limits_.max_body_bytes);
  // SO_REUSEADDR (a restart binds while old connections linger) but not
  // cpp-httplib's default SO_REUSEPORT, with which a second faltungd on the
  // same port starts silently and takes half the writes.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Without it a keep-alive sender's small request meets Nagle and delayed
  // ACKs: 40 ms per request on loopback.
  http_->set_tcp_nodelay(true);
  add_routes();
}

HttpFront::~HttpFront() = default;

void HttpFront::add_routes() {
  // Write responses are counted before they leave: 2xx by the handler,
  // every error here (the HTTP layer's own too: 413, a gzip body that does
  // not inflate), so a client reading /metrics right after sees its request.
  http_->set_error_handler(
      httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
        if (req.path == kWritePath) write_requests_.add(std::to_string(res.status));
        return httplib::Server::HandlerResponse::Unhandled;
      }));
  // Credentials, and for remote write the encoding, type and length, are
  // checked on the headers, before cpp-httplib reads a byte of the body (it
  // would inflate a gzip body without a cap, and take a chunked one past
  // the size limit). A refused request's body is never read, so its
  // connection is closed.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "POST") return httplib::Server::HandlerResponse::Unhandled;
    const bool write = req.path == kWritePath;
    if (!write && req.path != "/-/reload") return httplib::Server::HandlerResponse::Unhandled;
    const Credentials& needed = write ? section_.write : section_.admin;
    std::optional<Refusal> refusal;
    if (!authorized(needed, req.get_header_value("Authorization"))) {
      answer_unauthorized(needed, res);
      res.set_content("faltungd: this endpoint needs credentials\n", "text/plain");
    } else if (write &&
               (refusal = refuse_write_headers(
                    req.get_header_value("Content-Type"), req.get_header_value("Content-Encoding"),
                    req.get_header_value("Transfer-Encoding"), declared_length(req), limits_.max_body_bytes))) {
      res.status = refusal->status;
      res.set_content("faltungd: " + refusal->reply + "\n", "text/plain");
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  http_->Post(kWritePath, [this](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    const HttpBackend::Answer answer = backend_.write(req.body);
    res.status = answer.status;
    if (res.status == 503) res.set_header("Retry-After", "1");
    if (!answer.reply.empty()) res.set_content(answer.reply + "\n", "text/plain");
    if (res.status < 400) write_requests_.add(std::to_string(res.status));  // errors: the error handler
    MutexLock lock(seconds_mu_);
    write_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(backend_.metrics(), "text/plain; version=0.0.4");
  });
  http_->Post("/-/reload", [this](const httplib::Request&, httplib::Response& res) {
    if (!section_.admin_auth()) {
      res.status = 403;
      res.set_content("faltungd: /-/reload needs server.admin_auth in the configuration (SIGHUP always works)\n",
                      "text/plain");
      return;
    }
    // credentials were checked before the body was read; the outcome is
    // logged as a SIGHUP reload's is
    try {
      const std::string said = backend_.reload_from_file();
      std::fprintf(stderr, "faltungd: POST /-/reload: %s\n", said.c_str());
      res.set_content(said + "\n", "text/plain");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faltungd: POST /-/reload: reload refused, the running configuration stays: %s\n", e.what());
      res.status = 400;
      res.set_content(std::string("faltungd: reload refused, the running configuration stays: ") + e.what() + "\n",
                      "text/plain");
    }
  });
  http_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("faltungd is healthy\n", "text/plain");
  });
  http_->Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (backend_.ready()) {
      res.set_content("faltungd is ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("faltungd is recovering its state\n", "text/plain");
    }
  });
}

int HttpFront::bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  if (auto* guarded = dynamic_cast<GuardedListener*>(http_.get()))
    guarded->set_backlog(4096);  // the kernel caps it at net.core.somaxconn
  return bound;
}

void HttpFront::run() { http_->listen_after_bind(); }

void HttpFront::stop() { http_->stop(); }

std::string HttpFront::answer_bytes(std::string_view request) {
  return dynamic_cast<GuardedListener&>(*http_).answer_bytes(request);
}

}  // namespace faltungd
