#include "remote_sender.hpp"

#include <httplib.h>

#include <algorithm>

#include "url.hpp"

namespace faltungd {

namespace {

// Seconds from a Retry-After header ("" or an HTTP date: none, -1).
double retry_after_seconds(const std::string& header) {
  if (header.empty() || header.find_first_not_of("0123456789") != std::string::npos || header.size() > 6) return -1;
  return std::stod(header);
}

}  // namespace

RemoteSender::RemoteSender(const RemoteWriteTarget& target, RemoteQueue& queue) : target_(target), queue_(queue) {}

RemoteSender::~RemoteSender() { stop(); }

void RemoteSender::start() {
  worker_.start([this] { loop(); });
}

void RemoteSender::stop() {
  // The queue is woken too: the thread may be waiting there for a batch.
  worker_.stop([this] { queue_.wake(); });
}

RemoteSender::Counts RemoteSender::counts() const {
  MutexLock lock(mu_);
  return counts_;
}

int RemoteSender::post(const std::string& body, double& retry_after) {
  const auto url = split_url(target_.url);
  if (!client_) {
    client_ = target_.cert_file.empty()
                  ? std::make_unique<httplib::Client>(url.origin)
                  : std::make_unique<httplib::Client>(url.origin, target_.cert_file, target_.key_file);
    const auto whole = static_cast<time_t>(target_.timeout_seconds);
    const auto micros = static_cast<time_t>((target_.timeout_seconds - static_cast<double>(whole)) * 1e6);
    client_->set_connection_timeout(whole, micros);
    client_->set_read_timeout(whole, micros);
    client_->set_write_timeout(whole, micros);
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);  // else Nagle and delayed ACKs cost 40 ms a request
    if (!target_.ca_file.empty()) client_->set_ca_cert_path(target_.ca_file);
    if (!target_.bearer_token.empty()) client_->set_bearer_token_auth(target_.bearer_token);
    if (!target_.basic_user.empty()) client_->set_basic_auth(target_.basic_user, target_.basic_password);
  }
  const httplib::Headers headers{
      {"Content-Encoding", "snappy"}, {"User-Agent", "faltungd"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  auto r = client_->Post(url.path.empty() ? "/" : url.path, headers, body, "application/x-protobuf");
  if (!r) {
    client_.reset();  // a fresh connection next time
    return 0;
  }
  retry_after = retry_after_seconds(r->get_header_value("Retry-After"));
  return r->status;
}

void RemoteSender::loop() {
  RemoteQueue::Batch batch;
  double backoff = target_.min_backoff_seconds;
  while (!worker_.stopping()) {
    if (batch.empty() && !queue_.next(target_.max_samples_per_send, batch, std::chrono::seconds(1))) continue;
    if (batch.samples == 0) {  // only records that close a request's parts
      queue_.acknowledge(batch);
      batch.clear();
      continue;
    }
    double retry_after = -1;
    const int status = post(batch.body, retry_after);
    if (status >= 200 && status < 300) {
      queue_.acknowledge(batch);
      MutexLock lock(mu_);
      counts_.sent_samples += batch.samples;
      counts_.requests_ok += 1;
      batch.clear();
      backoff = target_.min_backoff_seconds;
      continue;
    }
    if (status >= 400 && status < 500 && status != 429) {  // never to be accepted
      queue_.acknowledge(batch);
      MutexLock lock(mu_);
      counts_.rejected_samples += batch.samples;
      counts_.requests_rejected += 1;
      batch.clear();
      continue;
    }
    // Retry the same batch after a pause (the stop cuts it short).
    {
      MutexLock lock(mu_);
      counts_.requests_failed += 1;
    }
    // Retry-After is honoured, but never below min_backoff (a "0" must not
    // make a busy loop) nor above 5 minutes.
    const double pause = retry_after >= 0 ? std::clamp(retry_after, target_.min_backoff_seconds, 300.0) : backoff;
    backoff = std::min(backoff * 2, target_.max_backoff_seconds);
    worker_.pause(pause);
  }
}

}  // namespace faltungd
