// faltungd's HTTP side, apart from what is done with a request: the
// listener (plain or TLS, with connections.hpp's connection handling), the
// header gate (credentials; for remote write the encoding, type and length,
// checked before a byte of the body is read), the routes, and the HTTP
// metrics (write requests by response code, their durations, connections).
//
// Routes:
//   POST /api/v1/write  remote write, to HttpBackend::write
//   GET  /metrics       HttpBackend::metrics()
//   POST /-/reload      behind server.admin_auth, HttpBackend::reload_from_file()
//   GET  /-/healthy, /-/ready
//
// The backend is the node that keeps state (Server); a front for another
// role has the same routes and gate over another backend.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "mutex.hpp"
#include "config.hpp"
#include "connections.hpp"
#include "histogram.hpp"
#include "metrics_registry.hpp"
#include "remote_write.hpp"

namespace httplib {
class Server;
}

namespace faltungd {

class HttpBackend {
 public:
  virtual ~HttpBackend() = default;
  struct Answer {
    int status = 204;
    std::string reply;  // the body's text ("" : none)
  };
  // A remote-write body whose headers passed the gate (credentials,
  // encoding, type, length).
  virtual Answer write(const std::string& body) = 0;
  // The exposition of /metrics (the front's own families included: render
  // the registry given to HttpFront).
  virtual std::string metrics() = 0;
  // Loads the configuration file again; says what it did, or throws.
  virtual std::string reload_from_file() = 0;
  virtual bool ready() const = 0;
};

class HttpFront {
 public:
  // Registers its metrics in `metrics`. Throws if TLS files cannot be used.
  HttpFront(const ServerSection& section, const Limits& limits, HttpBackend& backend, MetricsRegistry& metrics);
  ~HttpFront();

  // Binds (port 0: any free port) and returns the port.
  int bind(const std::string& host, int port);
  void run();   // serves until stop()
  void stop();  // closes the listener and every connection
  // A connection's bytes through the HTTP layer (parsing, the gate, the
  // routes) without a socket; returns the response bytes (the HTTP fuzz
  // target's way in).
  std::string answer_bytes(std::string_view request);

 private:
  void add_routes();

  ServerSection section_;  // auth and TLS
  Limits limits_;
  HttpBackend& backend_;
  ConnectionTable connections_;  // before http_, whose threads use it
  std::unique_ptr<httplib::Server> http_;
  CounterByLabel& write_requests_;  // by response code
  Mutex seconds_mu_;
  Histogram write_seconds_ GUARDED_BY(seconds_mu_);
};

}  // namespace faltungd
