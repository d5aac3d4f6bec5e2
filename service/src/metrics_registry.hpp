// faltungd's own metrics, each declared in one place. A metric is
// registered once, with its name, type, help and label values; it is then
// bumped through the handle registration returns (Counter, CounterByLabel),
// or read when /metrics is scraped (a gauge, or a count kept by another
// part). render() writes every family in registration order in
// Prometheus' text format (exposition.hpp).
//
// Registration happens while the service is built (not thread-safe);
// bumping is (atomics, and a mutex for label values first seen at run
// time). A read function runs inside render(), so whatever lock it needs is
// the caller's to hold around render().
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mutex.hpp"

namespace faltungd {

class Counter {
 public:
  void add(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// A counter family whose label values are known only as they come (a
// response code). Values not seen yet are not rendered.
class CounterByLabel {
 public:
  explicit CounterByLabel(std::string label_name) : label_name_(std::move(label_name)) {}
  void add(const std::string& value, std::int64_t n = 1);
  // label value -> count, in the label values' order
  std::map<std::string, std::int64_t> values() const;
  const std::string& label_name() const { return label_name_; }

 private:
  std::string label_name_;
  mutable Mutex mu_;
  std::map<std::string, std::int64_t> counts_ GUARDED_BY(mu_);
};

class MetricsRegistry {
 public:
  // A counter held here. `labels`: the sample's labels as exposition.hpp's
  // label() writes them (`a="1",b="2"`), or none. The same name registered
  // again adds a sample to the family (with the same type and help).
  Counter& counter(std::string_view name, std::string_view help, std::string labels = {});
  CounterByLabel& counter_by_label(std::string_view name, std::string_view help, std::string label_name);
  // A sample read at each scrape: a gauge ("gauge"), or a count another part
  // keeps ("counter").
  void read(std::string_view name, std::string_view type, std::string_view help, std::string labels,
            std::function<double()> value);
  // A family that writes itself (a histogram, the pipelines' outputs).
  void custom(std::function<void(std::string&)> write);

  std::string render() const;

 private:
  struct Sample {
    std::string labels;
    const Counter* counter = nullptr;          // or
    const CounterByLabel* by_label = nullptr;  // or
    std::function<double()> read;
  };
  struct Family {
    std::string name, type, help;
    std::vector<Sample> samples;
    std::function<void(std::string&)> custom;  // instead of the above
  };
  Family& family(std::string_view name, std::string_view type, std::string_view help);

  std::deque<Counter> counters_;  // a deque: handles stay valid as it grows
  std::deque<CounterByLabel> by_label_;
  std::vector<Family> families_;
};

// A number as the text format takes it: integers without a fraction,
// others in the shortest form that reads back the same.
std::string format_value(double v);

}  // namespace faltungd
