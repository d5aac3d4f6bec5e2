// faltung::FilterBank: per series a ring of its last taps - 1 samples; one
// output per sample, summed newest tap first (a fixed order: chunking does
// not change the bits).
#include "faltung/filter_bank.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "faltung/errors.hpp"
#include "stream/byte_io.hpp"

namespace faltung {

namespace {

constexpr stream::SavedFormat kFormat{"faltung-filter-bank", 1, "filter bank"};
constexpr std::int64_t kMaxTaps = 1 << 16;

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "filter bank: " + what); }

}  // namespace

struct FilterBank::State {
  std::vector<double> kernel;  // kernel[j]: the weight of the sample j steps back
  double total = 0;            // sum of the weights, ascending
  FilterBankOptions options;
  std::int64_t history = 0;        // taps - 1 samples kept per series
  std::vector<double> values;      // slot s: values[s * history ...], a ring
  std::vector<std::int32_t> next;  // slot s: where its next sample goes in the ring
  std::vector<std::uint8_t> in_use;
  std::vector<std::int64_t> free_slots;
  std::int64_t live_count = 0;

  double start_value() const {
    return options.start == FilterBankOptions::Start::missing ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  }

  double filter_one(double* ring, std::int32_t& next_at, double x) const {
    if (!std::isfinite(x) && options.nan == NanPolicy::fill) x = options.fill;
    const std::int64_t m = static_cast<std::int64_t>(kernel.size());
    double y;
    if (options.nan == NanPolicy::ignore) {
      double num = 0, den = 0;
      bool all = std::isfinite(x);
      if (all) num = kernel[0] * x, den = kernel[0];
      for (std::int64_t j = 1, at = next_at - 1; j < m; ++j, --at) {
        if (at < 0) at += history;
        const double v = ring[at];
        if (std::isfinite(v))
          num += kernel[static_cast<std::size_t>(j)] * v, den += kernel[static_cast<std::size_t>(j)];
        else
          all = false;
      }
      y = all ? num : (den == 0.0 ? std::numeric_limits<double>::quiet_NaN() : num * total / den);
    } else {
      y = kernel[0] * x;
      for (std::int64_t j = 1, at = next_at - 1; j < m; ++j, --at) {
        if (at < 0) at += history;
        y += kernel[static_cast<std::size_t>(j)] * ring[at];
      }
    }
    if (history > 0) {
      ring[next_at] = x;
      if (++next_at == history) next_at = 0;
    }
    return y;
  }
};

FilterBank::FilterBank(std::unique_ptr<State> s) : state_(std::move(s)) {}
FilterBank::FilterBank(const FilterBank& other) : state_(std::make_unique<State>(*other.state_)) {}
FilterBank& FilterBank::operator=(const FilterBank& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}
FilterBank::FilterBank(FilterBank&&) noexcept = default;
FilterBank& FilterBank::operator=(FilterBank&&) noexcept = default;
FilterBank::~FilterBank() = default;

FilterBank FilterBank::create(const double* kernel, std::int64_t taps, const FilterBankOptions& o) {
  if (!kernel || taps < 1 || taps > kMaxTaps)
    throw invalid("the kernel must have 1.." + std::to_string(kMaxTaps) + " taps, got " + std::to_string(taps));
  for (std::int64_t j = 0; j < taps; ++j)
    if (!std::isfinite(kernel[j]))
      throw Error(ErrorKind::nonfinite_kernel, "filter bank: kernel tap " + std::to_string(j) + " is not finite");
  if (o.nan == NanPolicy::raise) throw invalid("nan=raise is refused: process() never throws");
  if (o.start == FilterBankOptions::Start::missing && o.nan != NanPolicy::ignore)
    throw invalid("start=missing needs nan=ignore (a missing sample is a NaN to ignore)");
  auto s = std::make_unique<State>();
  s->kernel.assign(kernel, kernel + taps);
  for (double w : s->kernel) s->total += w;
  s->options = o;
  s->history = taps - 1;
  return FilterBank(std::move(s));
}

std::int64_t FilterBank::add() {
  State& s = *state_;
  std::int64_t id;
  if (!s.free_slots.empty()) {
    id = s.free_slots.back();
    s.free_slots.pop_back();
  } else {
    id = static_cast<std::int64_t>(s.in_use.size());
    s.in_use.push_back(0);
    s.next.push_back(0);
    s.values.resize(s.values.size() + static_cast<std::size_t>(s.history));
  }
  std::fill(s.values.begin() + id * s.history, s.values.begin() + (id + 1) * s.history, s.start_value());
  s.next[static_cast<std::size_t>(id)] = 0;
  s.in_use[static_cast<std::size_t>(id)] = 1;
  ++s.live_count;
  return id;
}

bool FilterBank::live(std::int64_t id) const {
  return id >= 0 && id < static_cast<std::int64_t>(state_->in_use.size()) &&
         state_->in_use[static_cast<std::size_t>(id)];
}

void FilterBank::remove(std::int64_t id) {
  if (!live(id)) throw invalid("series " + std::to_string(id) + " is not live");
  state_->in_use[static_cast<std::size_t>(id)] = 0;
  state_->free_slots.push_back(id);
  --state_->live_count;
}

void FilterBank::process(std::int64_t id, const double* in, double* out, std::int64_t count) noexcept {
  State& s = *state_;
  if (!live(id)) {
    for (std::int64_t t = 0; t < count; ++t) out[t] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  double* ring = s.values.data() + id * s.history;
  std::int32_t& next_at = s.next[static_cast<std::size_t>(id)];
  for (std::int64_t t = 0; t < count; ++t) out[t] = s.filter_one(ring, next_at, in[t]);
}

std::int64_t FilterBank::taps() const { return static_cast<std::int64_t>(state_->kernel.size()); }
std::int64_t FilterBank::series() const { return state_->live_count; }
std::int64_t FilterBank::state_bytes() const {
  const State& s = *state_;
  return static_cast<std::int64_t>(s.values.capacity() * sizeof(double) + s.next.capacity() * sizeof(std::int32_t) +
                                   s.in_use.capacity() + s.free_slots.capacity() * sizeof(std::int64_t));
}

std::vector<std::uint8_t> FilterBank::save() const {
  const State& s = *state_;
  stream::ByteWriter w;
  kFormat.write(w);
  w.put_array(s.kernel.data(), s.kernel.size());
  w.put(static_cast<std::uint8_t>(s.options.nan));
  w.put(s.options.fill);
  w.put(static_cast<std::uint8_t>(s.options.start));
  w.put_array(s.in_use.data(), s.in_use.size());
  w.put_array(s.next.data(), s.next.size());
  w.put_array(s.values.data(), s.values.size());
  return w.take();
}

FilterBank FilterBank::restore(const std::uint8_t* bytes, std::size_t size) {
  if (!bytes && size) throw invalid("restore() got a null pointer");
  stream::ByteReader r(bytes, size);
  kFormat.read(r);
  const auto kernel = r.get_vector<double>(static_cast<std::size_t>(kMaxTaps), "the kernel");
  FilterBankOptions o;
  const auto nan = r.get<std::uint8_t>();
  o.fill = r.get<double>();
  const auto start = r.get<std::uint8_t>();
  if (nan > static_cast<std::uint8_t>(NanPolicy::raise) || start > 1) throw invalid("saved state is damaged (options)");
  o.nan = static_cast<NanPolicy>(nan);
  o.start = static_cast<FilterBankOptions::Start>(start);
  FilterBank bank = create(kernel.data(), static_cast<std::int64_t>(kernel.size()), o);
  State& s = *bank.state_;
  s.in_use = r.get_vector<std::uint8_t>(std::size_t{1} << 40, "the series in use");
  const std::size_t slots = s.in_use.size();
  s.next.resize(slots);
  s.values.resize(slots * static_cast<std::size_t>(s.history));
  r.get_array(s.next.data(), slots, "the ring positions");
  r.get_array(s.values.data(), s.values.size(), "the kept samples");
  if (!r.at_end()) throw invalid("saved state has " + std::to_string(size) + " bytes, more than this bank's");
  for (std::size_t id = 0; id < slots; ++id) {
    if (s.next[id] < 0 || (s.history > 0 && s.next[id] >= s.history) || (s.history == 0 && s.next[id] != 0))
      throw invalid("saved state is damaged (ring position)");
    if (s.in_use[id])
      ++s.live_count;
    else
      s.free_slots.push_back(static_cast<std::int64_t>(id));
  }
  return bank;
}

}  // namespace faltung
