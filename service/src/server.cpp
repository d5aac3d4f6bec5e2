#include "server.hpp"

#include <httplib.h>

namespace faltungd {

Server::Server(const Config& config, const Limits& limits)
    : limits_(limits), http_(std::make_unique<httplib::Server>()), engine_(config) {
  for (const auto& p : config.pipelines) pipeline_names_.push_back(p.name);
  http_->set_payload_max_length(limits_.max_body_bytes);
  // Write responses are counted before they leave: 2xx by the handler,
  // every error here (the HTTP layer's own too: 413, a gzip body that does
  // not inflate), so a client reading /metrics right after sees its request.
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/api/v1/write") {
      std::lock_guard lock(mu_);
      requests_by_code_[res.status] += 1;
    }
        return httplib::Server::HandlerResponse::Unhandled;
      }));
  http_->Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res) {
    std::string reply;
    handle_write(req.get_header_value("Content-Type"), req.get_header_value("Content-Encoding"), req.body,
                 res.status, reply);
    if (!reply.empty()) res.set_content(reply + "\n", "text/plain");
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics(), "text/plain; version=0.0.4");
  });
  http_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("faltungd is healthy\n", "text/plain");
  });
  http_->Get("/-/ready", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("faltungd is ready\n", "text/plain");
  });
}

Server::~Server() = default;

int Server::bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  return bound;
}

void Server::run() { http_->listen_after_bind(); }
void Server::stop() { http_->stop(); }

void Server::handle_write(const std::string& content_type, const std::string& encoding, const std::string& body,
                          int& status, std::string& reply) {
  IngestCounts counts;
  if (encoding != "snappy") {
    status = 400;
    reply = "Content-Encoding must be snappy (remote write 1.0), got '" + encoding + "'";
  } else if (content_type.rfind("application/x-protobuf", 0) != 0) {
    status = 400;
    reply = "Content-Type must be application/x-protobuf, got '" + content_type + "'";
  } else {
    try {
      const auto request = decode_remote_write(body, limits_);
      std::lock_guard lock(mu_);
      counts = engine_.ingest(request);
      status = 204;
    } catch (const BadRequest& e) {
      status = 400;
      reply = e.what();
    }
  }
  std::lock_guard lock(mu_);
  totals_.add(counts);
  if (status < 400) requests_by_code_[status] += 1;
}

std::string Server::metrics() {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP faltungd_write_requests_total Remote-write requests by response code.\n";
  out += "# TYPE faltungd_write_requests_total counter\n";
  for (const auto& [code, n] : requests_by_code_)
    out += "faltungd_write_requests_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP faltungd_samples_received_total Samples in accepted requests.\n";
  out += "# TYPE faltungd_samples_received_total counter\n";
  out += "faltungd_samples_received_total " + std::to_string(totals_.samples) + "\n";
  out += "# HELP faltungd_samples_dropped_total Samples not applied, by reason.\n";
  out += "# TYPE faltungd_samples_dropped_total counter\n";
  for (const char* reason : {"duplicate", "out_of_order", "series_limit"}) {
    const auto it = totals_.dropped.find(reason);
    out += std::string("faltungd_samples_dropped_total{reason=\"") + reason + "\"} " +
           std::to_string(it == totals_.dropped.end() ? 0 : it->second) + "\n";
  }
  out += "# HELP faltungd_nonfinite_samples_total Non-finite input samples by kind (stale markers apart).\n";
  out += "# TYPE faltungd_nonfinite_samples_total counter\n";
  for (const char* kind : {"nan", "inf"}) {
    const auto it = totals_.nonfinite.find(kind);
    out += std::string("faltungd_nonfinite_samples_total{kind=\"") + kind + "\"} " +
           std::to_string(it == totals_.nonfinite.end() ? 0 : it->second) + "\n";
  }
  out += "# HELP faltungd_stale_markers_total Stale markers received (each ends a series).\n";
  out += "# TYPE faltungd_stale_markers_total counter\n";
  out += "faltungd_stale_markers_total " + std::to_string(totals_.stale_markers) + "\n";
  out += "# HELP faltungd_active_series Series with state, by pipeline.\n";
  out += "# TYPE faltungd_active_series gauge\n";
  for (const auto& name : pipeline_names_)
    out += "faltungd_active_series{pipeline=\"" + name + "\"} " + std::to_string(engine_.active_series(name)) + "\n";
  out += "# HELP faltungd_state_bytes Memory held for the pipelines' state.\n";
  out += "# TYPE faltungd_state_bytes gauge\n";
  out += "faltungd_state_bytes " + std::to_string(engine_.state_bytes()) + "\n";
  engine_.render(out);
  return out;
}

}  // namespace faltungd
