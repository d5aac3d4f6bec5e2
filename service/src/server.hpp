// faltungd's HTTP side: Prometheus remote write in (POST /api/v1/write),
// the pipelines' outputs and the service's own SLIs out (GET /metrics),
// /-/healthy and /-/ready.
//
// Remote-write answers follow the specification: 204 once the samples are
// applied, 400 (with the reason) for a body that can never be accepted
// (wrong encoding, malformed, labels breaking the rules), 413 for a body
// over the size limit; none of these is retried by the sender.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config.hpp"
#include "engine.hpp"
#include "remote_write.hpp"

namespace httplib {
class Server;
}

namespace faltungd {

class Server {
 public:
  Server(const Config& config, const Limits& limits);
  ~Server();

  // Binds (port 0: any free port) and returns the port.
  int bind(const std::string& host, int port);
  void run();   // serves until stop()
  void stop();

 private:
  void handle_write(const std::string& content_type, const std::string& encoding, const std::string& body,
                    int& status, std::string& reply);
  std::string metrics();

  Limits limits_;
  std::unique_ptr<httplib::Server> http_;
  std::mutex mu_;  // the engine and the counters
  Engine engine_;
  IngestCounts totals_;
  std::map<int, std::int64_t> requests_by_code_;
  std::vector<std::string> pipeline_names_;
};

}  // namespace faltungd
