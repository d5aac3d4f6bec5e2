#include "stream/direct_stream.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

#include "stream/ingest.hpp"
#include "stream/kernel_tables.hpp"

namespace faltung::stream {

namespace {

template <class T>
T sum_ascending(const T* v, std::int64_t n) {
  T s(0);
  for (std::int64_t i = 0; i < n; ++i) s += v[i];
  return s;
}

// nan=ignore's output where the window held a non-finite sample, as the
// direct method computes it: sum_valid(w x) * sum(w) / sum_valid(w), NaN
// where no valid weight remains.
template <class T>
T normalised(T num, T total, T den) {
  return den == T(0) ? std::numeric_limits<T>::quiet_NaN() : num * total / den;
}

template <class T>
class DirectRows final : public Engine<T> {
 public:
  DirectRows(const Config& cfg, const std::vector<T>& kernel)
      : cfg_(cfg),
        rule_(ingest_rule(cfg.nan, true)),
        m_(cfg.taps),
        window_(cfg.taps - 1),
        // Room for many pieces before the window is moved back to the front.
        len_(window_ + std::max<std::int64_t>({cfg.max_block, 2 * window_, 256})),
        kernel_(row_kernel<T>(direct::best_row_kernels())),
        target_(direct::best_row_kernels().target) {
    const auto C = static_cast<std::size_t>(cfg.channels);
    taps_.resize(C);
    total_.resize(C);
    for (std::size_t c = 0; c < C; ++c) {
      taps_[c] = oriented_taps(cfg, kernel, static_cast<std::int64_t>(c));
      total_[c] = sum_ascending(taps_[c].data(), m_);
    }
    values_.assign(C * static_cast<std::size_t>(len_), T(0));
    if (cfg.nan == NanPolicy::ignore) valid_.assign(values_.size(), T(1));
    last_bad_.assign(C, kNoneBad);
    y_.resize(static_cast<std::size_t>(cfg.max_block));
    den_.resize(y_.size());
    recent_.resize(y_.size());
  }

  void process(const T* in, T* out, std::int64_t count) noexcept override {
    const std::int64_t C = cfg_.channels;
    while (count > 0) {
      const std::int64_t n = std::min(count, cfg_.max_block);
      if (start_ + window_ + n > len_) compact();
      for (std::int64_t c = 0; c < C; ++c) run_channel(c, in + c, out + c, n);
      start_ += n;
      t_ += n;
      in += n * C;
      out += n * C;
      count -= n;
    }
  }

  void reset() noexcept override {
    std::fill(values_.begin(), values_.end(), T(0));
    std::fill(valid_.begin(), valid_.end(), T(1));
    std::fill(last_bad_.begin(), last_bad_.end(), kNoneBad);
    start_ = 0;
    t_ = 0;
  }

  std::int64_t time() const override { return t_; }

  void save(ByteWriter& w) const override {
    w.put(t_);
    for (std::int64_t c = 0; c < cfg_.channels; ++c) {
      w.put_array(row(values_, c) + start_, static_cast<std::size_t>(window_));
      if (!valid_.empty()) w.put_array(row(valid_, c) + start_, static_cast<std::size_t>(window_));
      w.put(last_bad_[static_cast<std::size_t>(c)]);
    }
  }

  void load(ByteReader& r) override {
    reset();
    t_ = r.get<std::int64_t>();
    for (std::int64_t c = 0; c < cfg_.channels; ++c) {
      r.get_array(row(values_, c), static_cast<std::size_t>(window_), "a channel's history");
      if (!valid_.empty()) r.get_array(row(valid_, c), static_cast<std::size_t>(window_), "a channel's valid marks");
      last_bad_[static_cast<std::size_t>(c)] = r.get<std::int64_t>();
    }
  }

  std::unique_ptr<Engine<T>> clone() const override { return std::make_unique<DirectRows>(*this); }

  std::string describe() const override {
    std::ostringstream s;
    s << "direct, channel-major: each channel's last " << window_ << " samples and up to " << cfg_.max_block
      << " new ones in one row, run by the direct method's row kernels (" << target_ << ")";
    return s.str();
  }

 private:
  T* row(std::vector<T>& v, std::int64_t c) { return v.data() + c * len_; }
  const T* row(const std::vector<T>& v, std::int64_t c) const { return v.data() + c * len_; }

  // Moves every channel's window to the front of its row.
  void compact() {
    for (std::int64_t c = 0; c < cfg_.channels; ++c) {
      std::memmove(row(values_, c), row(values_, c) + start_, sizeof(T) * window_);
      if (!valid_.empty()) std::memmove(row(valid_, c), row(valid_, c) + start_, sizeof(T) * window_);
    }
    start_ = 0;
  }

  void run_channel(std::int64_t c, const T* in, T* out, std::int64_t n) {
    const std::int64_t C = cfg_.channels;
    const auto ci = static_cast<std::size_t>(c);
    T* v = row(values_, c) + start_;
    T* ok = valid_.empty() ? nullptr : row(valid_, c) + start_;
    ingest(rule_, static_cast<T>(cfg_.fill), in, C, n, t_, v + window_, ok ? ok + window_ : nullptr, last_bad_[ci],
           recent_.data());
    T* y = C == 1 ? out : y_.data();
    const T* src = v;
    kernel_({&src, taps_[ci].data(), 1, static_cast<std::size_t>(m_), y, static_cast<std::size_t>(n)});
    if (ok && last_bad_[ci] >= t_ - window_) {  // some window of this piece held a bad sample
      const T* valid_src = ok;
      kernel_(
          {&valid_src, taps_[ci].data(), 1, static_cast<std::size_t>(m_), den_.data(), static_cast<std::size_t>(n)});
      for (std::int64_t i = 0; i < n; ++i)
        if (recent_[static_cast<std::size_t>(i)] >= t_ + i - window_)
          y[i] = normalised(y[i], total_[ci], den_[static_cast<std::size_t>(i)]);
    }
    if (C > 1)
      for (std::int64_t i = 0; i < n; ++i) out[i * C] = y[i];
  }

  Config cfg_;
  IngestRule rule_;
  std::int64_t m_, window_, len_;
  bool (*kernel_)(const direct::RowJob<T>&);
  const char* target_;
  std::vector<std::vector<T>> taps_;
  std::vector<T> total_;
  std::vector<T> values_, valid_;  // channels rows of len_: [.. window | new ..]
  std::vector<std::int64_t> last_bad_;
  std::vector<T> y_, den_;
  std::vector<std::int64_t> recent_;
  std::int64_t start_ = 0;  // where the window begins in every row
  std::int64_t t_ = 0;
};

template <class T>
class DirectFrames final : public Engine<T> {
 public:
  DirectFrames(const Config& cfg, const std::vector<T>& kernel)
      : cfg_(cfg),
        rule_(ingest_rule(cfg.nan, true)),
        m_(cfg.taps),
        kernel_(channel_kernel<T>(best_stream_kernels())),
        target_(best_stream_kernels().target) {
    const auto C = static_cast<std::size_t>(cfg.channels), m = static_cast<std::size_t>(m_);
    if (cfg.per_channel) {
      taps_.resize(m * C);  // [i * C + c]: tap i of every channel side by side
      for (std::size_t c = 0; c < C; ++c) {
        const auto v = oriented_taps(cfg, kernel, static_cast<std::int64_t>(c));
        for (std::size_t i = 0; i < m; ++i) taps_[i * C + c] = v[i];
        total_.push_back(sum_ascending(v.data(), m_));
      }
    } else {
      taps_ = oriented_taps(cfg, kernel, 0);
      total_.assign(C, sum_ascending(taps_.data(), m_));
    }
    ring_.assign(m * C, T(0));
    if (cfg.nan == NanPolicy::ignore) valid_.assign(ring_.size(), T(1));
    last_bad_.assign(C, kNoneBad);
    rows_.resize(m);
    den_.resize(C);
  }

  void process(const T* in, T* out, std::int64_t count) noexcept override {
    const std::int64_t C = cfg_.channels;
    for (std::int64_t f = 0; f < count; ++f, in += C, out += C) {
      const std::int64_t slot = t_ % m_;
      take_frame(in, ring_.data() + slot * C, valid_.empty() ? nullptr : valid_.data() + slot * C);
      point_rows(ring_.data());
      kernel_({rows_.data(), taps_.data(), static_cast<std::size_t>(m_), static_cast<std::size_t>(C), cfg_.per_channel,
               out});
      if (!valid_.empty() && any_bad_ >= t_ - m_ + 1) normalise(out);
      ++t_;
    }
  }

  void reset() noexcept override {
    std::fill(ring_.begin(), ring_.end(), T(0));
    std::fill(valid_.begin(), valid_.end(), T(1));
    std::fill(last_bad_.begin(), last_bad_.end(), kNoneBad);
    any_bad_ = kNoneBad;
    t_ = 0;
  }

  std::int64_t time() const override { return t_; }

  void save(ByteWriter& w) const override {
    w.put(t_);
    w.put_array(ring_.data(), ring_.size());
    if (!valid_.empty()) w.put_array(valid_.data(), valid_.size());
    w.put_array(last_bad_.data(), last_bad_.size());
  }

  void load(ByteReader& r) override {
    reset();
    t_ = r.get<std::int64_t>();
    r.get_array(ring_.data(), ring_.size(), "the sample history");
    if (!valid_.empty()) r.get_array(valid_.data(), valid_.size(), "the valid marks");
    r.get_array(last_bad_.data(), last_bad_.size(), "the non-finite sample times");
    any_bad_ = *std::max_element(last_bad_.begin(), last_bad_.end());
  }

  std::unique_ptr<Engine<T>> clone() const override { return std::make_unique<DirectFrames>(*this); }

  std::string describe() const override {
    std::ostringstream s;
    s << "direct, time-major: the last " << m_ << " frames of all " << cfg_.channels
      << " channels in a ring, one frame of outputs per kernel call across channels (" << target_ << ")";
    return s.str();
  }

 private:
  void take_frame(const T* in, T* dst, T* valid) {
    const std::int64_t C = cfg_.channels;
    if (rule_ == IngestRule::zeroed) {
      for (std::int64_t c = 0; c < C; ++c)  // the channel's own latest bad time
        ingest(rule_, T(0), in + c, 1, 1, t_, dst + c, valid + c, last_bad_[static_cast<std::size_t>(c)], nullptr);
      any_bad_ = std::max(any_bad_, *std::max_element(last_bad_.begin(), last_bad_.end()));
      return;
    }
    std::int64_t unused = kNoneBad;
    ingest(rule_, static_cast<T>(cfg_.fill), in, 1, C, t_, dst, nullptr, unused, nullptr);
  }

  // rows_[i] = the frame of time t - m + 1 + i, in the ring at (t + 1 + i) mod m.
  void point_rows(const T* ring) {
    const std::int64_t C = cfg_.channels;
    for (std::int64_t i = 0; i < m_; ++i) rows_[static_cast<std::size_t>(i)] = ring + ((t_ + 1 + i) % m_) * C;
  }

  void normalise(T* out) {
    const std::int64_t C = cfg_.channels;
    point_rows(valid_.data());
    kernel_({rows_.data(), taps_.data(), static_cast<std::size_t>(m_), static_cast<std::size_t>(C), cfg_.per_channel,
             den_.data()});
    for (std::int64_t c = 0; c < C; ++c) {
      const auto ci = static_cast<std::size_t>(c);
      if (last_bad_[ci] >= t_ - m_ + 1) out[c] = normalised(out[c], total_[ci], den_[ci]);
    }
  }

  Config cfg_;
  IngestRule rule_;
  std::int64_t m_;
  void (*kernel_)(const ChannelJob<T>&);
  const char* target_;
  std::vector<T> taps_, total_;
  std::vector<T> ring_, valid_;  // m rows of `channels` samples; time t in row t mod m
  std::vector<std::int64_t> last_bad_;
  std::int64_t any_bad_ = kNoneBad;
  std::vector<const T*> rows_;
  std::vector<T> den_;
  std::int64_t t_ = 0;
};

}  // namespace

template <class T>
std::unique_ptr<Engine<T>> make_direct_rows(const Config& cfg, const std::vector<T>& kernel) {
  return std::make_unique<DirectRows<T>>(cfg, kernel);
}

template <class T>
std::unique_ptr<Engine<T>> make_direct_frames(const Config& cfg, const std::vector<T>& kernel) {
  return std::make_unique<DirectFrames<T>>(cfg, kernel);
}

template std::unique_ptr<Engine<float>> make_direct_rows(const Config&, const std::vector<float>&);
template std::unique_ptr<Engine<double>> make_direct_rows(const Config&, const std::vector<double>&);
template std::unique_ptr<Engine<float>> make_direct_frames(const Config&, const std::vector<float>&);
template std::unique_ptr<Engine<double>> make_direct_frames(const Config&, const std::vector<double>&);

}  // namespace faltung::stream
