#include "metrics_registry.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "exposition.hpp"

namespace faltungd {

void CounterByLabel::add(const std::string& value, std::int64_t n) {
  MutexLock lock(mu_);
  counts_[value] += n;
}

std::map<std::string, std::int64_t> CounterByLabel::values() const {
  MutexLock lock(mu_);
  return counts_;
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view type, std::string_view help) {
  for (auto& f : families_)
    if (f.name == name) {
      // one family, one meaning: a second registration must agree with the first
      if (f.type != type || f.help != help || f.custom)
        throw std::logic_error("metric " + std::string(name) + " registered twice with different type or help");
      return f;
    }
  families_.push_back({std::string(name), std::string(type), std::string(help), {}, {}});
  return families_.back();
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, std::string labels) {
  Counter& c = counters_.emplace_back();
  family(name, "counter", help).samples.push_back({std::move(labels), &c, nullptr, {}});
  return c;
}

CounterByLabel& MetricsRegistry::counter_by_label(std::string_view name, std::string_view help,
                                                  std::string label_name) {
  CounterByLabel& c = by_label_.emplace_back(std::move(label_name));
  family(name, "counter", help).samples.push_back({{}, nullptr, &c, {}});
  return c;
}

void MetricsRegistry::read(std::string_view name, std::string_view type, std::string_view help, std::string labels,
                           std::function<double()> value) {
  family(name, type, help).samples.push_back({std::move(labels), nullptr, nullptr, std::move(value)});
}

void MetricsRegistry::custom(std::function<void(std::string&)> write) {
  families_.push_back({{}, {}, {}, {}, std::move(write)});
}

std::string MetricsRegistry::render() const {
  std::string out;
  for (const auto& f : families_) {
    if (f.custom) {
      f.custom(out);
      continue;
    }
    write_family(out, f.name, f.type, f.help);
    for (const auto& s : f.samples) {
      if (s.counter) {
        write_sample(out, f.name, s.labels, std::to_string(s.counter->value()));
      } else if (s.by_label) {
        for (const auto& [value, n] : s.by_label->values())
          write_sample(out, f.name, label(s.by_label->label_name(), value), std::to_string(n));
      } else {
        write_sample(out, f.name, s.labels, format_value(s.read()));
      }
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::abs(v) < 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(v));
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, v);
  return std::string(text, error == std::errc() ? end : text);
}

}  // namespace faltungd
