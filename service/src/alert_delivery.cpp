#include "alert_delivery.hpp"

#include <chrono>

#include "exposition.hpp"
#include "notifier.hpp"

namespace faltungd {

AlertDelivery::AlertDelivery(const AlertingSection& alerting, MetricsRegistry& metrics,
                             std::function<std::vector<Alert>()> firing)
    : alerting_(alerting),
      firing_(std::move(firing)),
      sent_(metrics.counter("faltungd_alert_notifications_total", "Posts of alerts to Alertmanagers, by result.",
                            label("result", "sent"))),
      failed_(metrics.counter("faltungd_alert_notifications_total", "Posts of alerts to Alertmanagers, by result.",
                              label("result", "failed"))) {
  metrics.read("faltungd_alerts_firing", "gauge", "Alerts firing at the last notification round.", {},
               [this] { return static_cast<double>(firing_count_.load()); });
}

AlertDelivery::~AlertDelivery() { stop(); }

void AlertDelivery::start() {
  if (alerting_.alertmanagers.empty()) return;
  worker_.start([this] {
    while (!worker_.stopping()) {
      deliver_once();
      worker_.pause(alerting_.resend_seconds);
    }
  });
}

void AlertDelivery::stop() { worker_.stop(); }

void AlertDelivery::add_resolved(std::vector<Alert> resolved) {
  MutexLock lock(mu_);
  for (auto& a : resolved) unsent_resolved_.push_back(std::move(a));
}

std::vector<Alert> AlertDelivery::unsent_resolved() const {
  MutexLock lock(mu_);
  return unsent_resolved_;
}

void AlertDelivery::deliver_once() {
  std::vector<Alert> alerts = firing_();
  firing_count_ = static_cast<std::int64_t>(alerts.size());
  std::size_t resolved_in_body = 0;
  {
    MutexLock lock(mu_);
    alerts.insert(alerts.end(), unsent_resolved_.begin(), unsent_resolved_.end());
    resolved_in_body = unsent_resolved_.size();
  }
  if (alerts.empty()) return;
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string body = alerts_json(alerts, now_ms, static_cast<std::int64_t>(4000 * alerting_.resend_seconds));
  bool delivered = false;
  for (const auto& url : alerting_.alertmanagers) {
    const bool ok = post_alerts(url, body);
    delivered = delivered || ok;
    (ok ? sent_ : failed_).add();
  }
  if (delivered) {  // the resolved alerts of this body were taken (only this thread removes from the list)
    MutexLock lock(mu_);
    unsent_resolved_.erase(unsent_resolved_.begin(),
                           unsent_resolved_.begin() + static_cast<std::ptrdiff_t>(resolved_in_body));
  }
}

}  // namespace faltungd
