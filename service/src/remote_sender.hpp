// Sends one receiver's queue (remote_queue.hpp) by Prometheus remote write
// 1.0: snappy-compressed protobuf with the specification's headers, one
// request at a time so every series reaches the receiver in time order.
//
// As the specification asks (and Prometheus does): a 2xx takes the batch;
// 5xx, 429 and connection failures are retried with exponential backoff
// from min_backoff to max_backoff (a Retry-After header is honoured); any
// other 4xx means the receiver will never take these samples, so the batch
// is dropped and counted as rejected.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "mutex.hpp"
#include "config.hpp"
#include "remote_queue.hpp"
#include "stoppable_thread.hpp"

namespace httplib {
class Client;
}

namespace faltungd {

class RemoteSender {
 public:
  RemoteSender(const RemoteWriteTarget& target, RemoteQueue& queue);
  ~RemoteSender();  // stop()
  RemoteSender(const RemoteSender&) = delete;
  RemoteSender& operator=(const RemoteSender&) = delete;

  // Starts the thread, unless stop() came first (a SIGTERM during recovery).
  void start();
  // Returns once the thread is gone; a request in flight finishes first
  // (at most remote_timeout).
  void stop();

  struct Counts {
    std::int64_t sent_samples = 0, rejected_samples = 0;
    std::int64_t requests_ok = 0, requests_failed = 0, requests_rejected = 0;
  };
  Counts counts() const;
  const RemoteWriteTarget& target() const { return target_; }

 private:
  void loop();
  // The HTTP status (0: no answer), and the Retry-After seconds if given.
  int post(const std::string& body, double& retry_after);

  RemoteWriteTarget target_;
  RemoteQueue& queue_;
  std::unique_ptr<httplib::Client> client_;  // kept alive between requests (the sender's thread only)
  mutable Mutex mu_;
  Counts counts_ GUARDED_BY(mu_);
  StoppableThread worker_;  // last: it stops before the rest goes
};

}  // namespace faltungd
