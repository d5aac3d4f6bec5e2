// Delivery of the pipelines' alerts to the Alertmanagers of the
// configuration (notifier.hpp's API v2 posts), on a thread of its own: every
// resend interval, the alerts firing now and the resolved alerts no
// Alertmanager has taken yet. A resolved alert stays in the list until one
// Alertmanager answered 2xx to a body holding it; the list is part of a
// checkpoint, so a restart does not forget to resolve an alert.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "mutex.hpp"
#include "config.hpp"
#include "engine.hpp"
#include "metrics_registry.hpp"
#include "stoppable_thread.hpp"

namespace faltungd {

class AlertDelivery {
 public:
  // `firing`: the alerts firing now, having handed the ones resolved since
  // its last call to add_resolved() (the caller's lock held over both, so a
  // checkpoint sees each resolved alert in the engine or in this list).
  AlertDelivery(const AlertingSection& alerting, MetricsRegistry& metrics, std::function<std::vector<Alert>()> firing);
  ~AlertDelivery();

  // Starts the thread (if there is an Alertmanager to post to), unless
  // stop() came first (a SIGTERM during recovery).
  void start();
  void stop();
  // One round: posts the firing and the unsent resolved alerts.
  void deliver_once();

  void add_resolved(std::vector<Alert> resolved);
  std::vector<Alert> unsent_resolved() const;

 private:
  AlertingSection alerting_;
  std::function<std::vector<Alert>()> firing_;
  Counter &sent_, &failed_;
  std::atomic<std::int64_t> firing_count_{0};

  mutable Mutex mu_;
  std::vector<Alert> unsent_resolved_ GUARDED_BY(mu_);  // this thread takes from the front; others append

  StoppableThread worker_;  // last: it stops, and the rounds with it, before the rest goes
};

}  // namespace faltungd
