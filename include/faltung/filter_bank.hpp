// Many independent series through one causal filter, each fed on its own
// schedule: what a metrics service needs, where series come and go and
// their samples arrive one request at a time. A series costs its last
// taps - 1 samples and a position (taps 15: 116 bytes).
//
//   auto bank = faltung::FilterBank::create(w.data(), w.size());
//   auto id = bank.add();                       // a new series
//   bank.process(id, in, out, count);           // any count, any time
//   bank.remove(id);                            // its slot is reused
//
// For each series, y[t] = sum_j w[j] x[t - j] with the nan policy's meaning
// (docs/semantics.md), summed in a fixed order: outputs do not depend on how
// the samples are cut into calls. Before a series' first sample the
// history is `start`: zeros (as StreamFilter and convolve(x, w, "full")[:n])
// or missing (under nan=ignore the first outputs are normalised over the
// samples there are: a smooth of a metric starts at its first value, not at
// zero).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung {

struct FilterBankOptions {
  NanPolicy nan = NanPolicy::ignore;  // propagate, ignore or fill (raise is refused)
  double fill = 0.0;
  enum class Start : std::uint8_t { zeros, missing } start = Start::missing;  // missing needs nan=ignore
};

class FilterBank {
 public:
  struct State;  // opaque

  // Copies the kernel. Throws faltung::Error for an empty or non-finite
  // kernel, or options that do not fit.
  static FilterBank create(const double* kernel, std::int64_t taps, const FilterBankOptions& options = {});

  // A new series' id (a removed series' slot is reused).
  std::int64_t add();
  // Forgets a series; its id may be handed out again. Throws faltung::Error
  // for an id that is not live.
  void remove(std::int64_t id);
  bool live(std::int64_t id) const;

  // `count` samples of series `id` in, `count` outputs out. Allocates
  // nothing, throws nothing (an id that is not live writes NaN).
  void process(std::int64_t id, const double* in, double* out, std::int64_t count) noexcept;

  std::int64_t taps() const;
  std::int64_t series() const;       // live series
  std::int64_t state_bytes() const;  // memory held for all slots

  // Every series' state as versioned bytes; restore() continues bit-identically.
  std::vector<std::uint8_t> save() const;
  static FilterBank restore(const std::uint8_t* bytes, std::size_t size);

  FilterBank(const FilterBank& other);
  FilterBank& operator=(const FilterBank& other);
  FilterBank(FilterBank&&) noexcept;
  FilterBank& operator=(FilterBank&&) noexcept;
  ~FilterBank();

 private:
  explicit FilterBank(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

}  // namespace faltung
