#include "stream/partitioned_stream.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

#include "algorithms/fft/fftw_plans.hpp"
#include "core/aligned_array.hpp"
#include "stream/ingest.hpp"
#include "stream/kernel_tables.hpp"

namespace faltung::stream {

namespace {

template <class T>
using Aligned = core::AlignedArray<T>;

// One segment's fixed part: transforms and the partitions' spectra (per
// channel when each has its own kernel).
template <class T>
struct SegmentPlan {
  Segment s;
  std::shared_ptr<const fft::TransformPair<T>> pair;
  std::int64_t bins;                // block + 1
  std::int64_t stride;              // scalars per spectrum, 64-byte multiple (FFTW's alignment)
  std::vector<Aligned<T>> spectra;  // [channel or 0][part * stride]
};

// One segment's state in one channel: the last `parts` input spectra.
template <class T>
struct SegmentState {
  Aligned<T> history;  // parts * stride, slot = block index mod parts
};

template <class T>
class Partitioned final : public Engine<T> {
 public:
  Partitioned(const Config& cfg, const std::vector<T>& kernel, const PartitionSchedule& schedule)
      : cfg_(cfg),
        schedule_(schedule),
        rule_(ingest_rule(cfg.nan, false)),
        m_(cfg.taps),
        head_(schedule.head),
        row_(row_kernel<T>(direct::best_row_kernels())),
        mac_(mac_kernel<T>(best_stream_kernels())),
        target_(direct::best_row_kernels().target) {
    const std::int64_t C = cfg.channels;
    first_block_ = schedule.segments.front().block;
    for (const auto& g : schedule.segments) {
      largest_ = std::max(largest_, g.block);
      keep_ = std::max(keep_, g.offset + g.block);
    }
    keep_ = std::max(keep_, head_ - 1);
    step_ = std::min(first_block_, cfg.max_block);
    len_ = keep_ + std::max<std::int64_t>(4 * largest_, 1024);
    // the direct head: taps [0, head), oriented, per channel or shared
    for (std::int64_t c = 0; c < (cfg.per_channel ? C : 1); ++c)
      head_taps_.push_back(oriented_taps(cfg, kernel, c, head_));
    for (const auto& g : schedule.segments) plans_.push_back(plan_segment(g, kernel));
    fft_in_.resize(static_cast<std::size_t>(2 * largest_));
    sum_.resize(static_cast<std::size_t>(2 * (largest_ + 1)));
    recent_.resize(static_cast<std::size_t>(step_));
    fft_out_.resize(static_cast<std::size_t>(2 * largest_));
    y_.resize(static_cast<std::size_t>(step_));
    channels_.resize(static_cast<std::size_t>(C));
    for (auto& ch : channels_) {
      ch.input.assign(static_cast<std::size_t>(len_), T(0));
      ch.tail.assign(static_cast<std::size_t>(largest_), T(0));
      for (const auto& p : plans_) ch.segments.push_back({Aligned<T>(static_cast<std::size_t>(p.s.parts * p.stride))});
    }
    reset();
  }

  void process(const T* in, T* out, std::int64_t count) noexcept override {
    const std::int64_t C = cfg_.channels;
    while (count > 0) {
      if (t_ % first_block_ == 0) run_blocks();
      const std::int64_t n = std::min({count, first_block_ - t_ % first_block_, step_});
      if (pos_ + n > len_) compact();
      for (std::int64_t c = 0; c < C; ++c) run_channel(c, in + c, out + c, n);
      pos_ += n;
      t_ += n;
      in += n * C;
      out += n * C;
      count -= n;
    }
  }

  void reset() noexcept override {
    for (auto& ch : channels_) {
      std::fill(ch.input.begin(), ch.input.end(), T(0));
      std::fill(ch.tail.begin(), ch.tail.end(), T(0));
      for (auto& s : ch.segments) s.history.zero();
      ch.last_bad = kNoneBad;
    }
    pos_ = keep_;  // the samples before time 0 are zeros
    t_ = 0;
  }

  std::int64_t time() const override { return t_; }

  void save(ByteWriter& w) const override {
    w.put(t_);
    for (const auto& ch : channels_) {
      w.put_array(ch.input.data() + pos_ - keep_, static_cast<std::size_t>(keep_));
      w.put_array(ch.tail.data(), ch.tail.size());
      for (const auto& s : ch.segments) w.put_array(s.history.data(), s.history.size());
      w.put(ch.last_bad);
    }
  }

  void load(ByteReader& r) override {
    reset();
    t_ = r.get<std::int64_t>();
    for (auto& ch : channels_) {
      r.get_array(ch.input.data(), static_cast<std::size_t>(keep_), "a channel's input history");
      r.get_array(ch.tail.data(), ch.tail.size(), "a channel's pending outputs");
      for (auto& s : ch.segments) r.get_array(s.history.data(), s.history.size(), "a segment's spectra");
      ch.last_bad = r.get<std::int64_t>();
    }
    pos_ = keep_;
  }

  std::unique_ptr<Engine<T>> clone() const override { return std::make_unique<Partitioned>(*this); }

  std::string describe() const override {
    std::ostringstream s;
    s << "partitioned overlap-save with a direct head, no added latency: " << stream::describe(schedule_)
      << "; direct head on " << target_ << ", transforms by FFTW";
    return s.str();
  }

 private:
  struct Channel {
    std::vector<T> input;  // [.. keep_ older samples | new ..], pos_ = next write
    std::vector<T> tail;   // pending segment outputs, time t at t mod largest_
    std::vector<SegmentState<T>> segments;
    std::int64_t last_bad = kNoneBad;
  };

  SegmentPlan<T> plan_segment(const Segment& g, const std::vector<T>& kernel) {
    // FFTW_ESTIMATE, not MEASURE: measured plans may pick another algorithm
    // in another process, and a restored filter must continue bit for bit
    // (its saved spectra came from this plan). Costs ~10-20% here.
    const std::int64_t per_line = 64 / static_cast<std::int64_t>(sizeof(T));
    SegmentPlan<T> p{g,
                     fft::transform_pair<T>(true, {2 * g.block}, fft::PlanEffort::estimate),
                     g.block + 1,
                     (2 * (g.block + 1) + per_line - 1) / per_line * per_line,
                     {}};
    const std::int64_t C = cfg_.channels;
    const T scale = T(1) / static_cast<T>(2 * g.block);  // FFTW's transforms are unnormalised
    Aligned<T> padded(static_cast<std::size_t>(2 * g.block));
    for (std::int64_t c = 0; c < (cfg_.per_channel ? C : 1); ++c) {
      const T* w = kernel.data() + c * m_;
      Aligned<T> all(static_cast<std::size_t>(g.parts * p.stride));
      for (std::int64_t q = 0; q < g.parts; ++q) {
        padded.zero();
        for (std::int64_t j = 0; j < g.block; ++j) {
          const std::int64_t tap = g.offset + q * g.block + j;
          if (tap < m_) padded.data()[j] = w[tap] * scale;
        }
        p.pair->forward(padded.data(), all.data() + q * p.stride);
      }
      p.spectra.push_back(std::move(all));
    }
    return p;
  }

  void compact() {
    for (auto& ch : channels_) std::memmove(ch.input.data(), ch.input.data() + pos_ - keep_, sizeof(T) * keep_);
    pos_ = keep_;
  }

  // At a block boundary T = t_: every segment whose block divides T adds its
  // outputs for [T, T + block) to each channel's pending outputs.
  void run_blocks() {
    for (std::size_t k = 0; k < plans_.size(); ++k) {
      const SegmentPlan<T>& p = plans_[k];
      const Segment& g = p.s;
      if (t_ % g.block != 0) continue;
      const std::int64_t slot = (t_ / g.block) % g.parts, scalars = p.stride;
      for (std::size_t c = 0; c < channels_.size(); ++c) {
        Channel& ch = channels_[c];
        // the input block x[T - B - offset, T + B - offset)
        const T* src = ch.input.data() + pos_ - g.block - g.offset;
        std::memcpy(fft_in_.data(), src, sizeof(T) * 2 * g.block);
        T* history = ch.segments[k].history.data();
        p.pair->forward(fft_in_.data(), history + slot * scalars);
        const T* spectra = p.spectra[cfg_.per_channel ? c : 0].data();
        std::fill(sum_.data(), sum_.data() + 2 * p.bins, T(0));
        for (std::int64_t q = 0; q < g.parts; ++q) {
          const std::int64_t from = ((slot - q) % g.parts + g.parts) % g.parts;  // the block q blocks ago
          mac_(sum_.data(), spectra + q * scalars, history + from * scalars, static_cast<std::size_t>(p.bins));
        }
        p.pair->inverse(sum_.data(), fft_out_.data());
        // T is a multiple of the block, which divides largest_: one run
        T* tail = ch.tail.data() + t_ % largest_;
        const T* kept = fft_out_.data() + g.block;
        for (std::int64_t i = 0; i < g.block; ++i) tail[i] += kept[i];
      }
    }
  }

  void run_channel(std::int64_t c, const T* in, T* out, std::int64_t n) {
    const std::int64_t C = cfg_.channels;
    Channel& ch = channels_[static_cast<std::size_t>(c)];
    T* x = ch.input.data() + pos_;
    ingest(rule_, static_cast<T>(cfg_.fill), in, C, n, t_, x, nullptr, ch.last_bad, recent_.data());
    const T* src = x - (head_ - 1);
    row_({&src, head_taps_[cfg_.per_channel ? static_cast<std::size_t>(c) : 0].data(), 1,
          static_cast<std::size_t>(head_), y_.data(), static_cast<std::size_t>(n)});
    // A piece never crosses a first-block boundary, and the first block
    // divides largest_: its pending outputs are one run of the tail.
    T* tail = ch.tail.data() + t_ % largest_;
    T* y = y_.data();
    for (std::int64_t i = 0; i < n; ++i) {
      y[i] += tail[i];
      tail[i] = T(0);
    }
    if (cfg_.nan == NanPolicy::propagate && ch.last_bad >= t_ - m_ + 1)
      for (std::int64_t i = 0; i < n; ++i)  // the latest bad sample at or before t_ + i lies in its window
        if (recent_[static_cast<std::size_t>(i)] >= t_ + i - m_ + 1) y[i] = std::numeric_limits<T>::quiet_NaN();
    if (C == 1)
      std::memcpy(out, y, sizeof(T) * static_cast<std::size_t>(n));
    else
      for (std::int64_t i = 0; i < n; ++i) out[i * C] = y[i];
  }

  Config cfg_;
  PartitionSchedule schedule_;
  IngestRule rule_;
  std::int64_t m_, head_;
  std::int64_t first_block_ = 0, largest_ = 0, keep_ = 0, step_ = 0, len_ = 0;
  bool (*row_)(const direct::RowJob<T>&);
  void (*mac_)(T*, const T*, const T*, std::size_t);
  const char* target_;
  std::vector<std::vector<T>> head_taps_;
  std::vector<SegmentPlan<T>> plans_;
  Aligned<T> fft_in_, sum_, fft_out_;
  std::vector<std::int64_t> recent_;  // per output of a piece: the latest bad sample at or before it
  std::vector<T> y_;
  std::vector<Channel> channels_;
  std::int64_t pos_ = 0, t_ = 0;
};

}  // namespace

template <class T>
std::unique_ptr<Engine<T>> make_partitioned(const Config& cfg, const std::vector<T>& kernel,
                                            const PartitionSchedule& schedule) {
  return std::make_unique<Partitioned<T>>(cfg, kernel, schedule);
}

template std::unique_ptr<Engine<float>> make_partitioned(const Config&, const std::vector<float>&,
                                                         const PartitionSchedule&);
template std::unique_ptr<Engine<double>> make_partitioned(const Config&, const std::vector<double>&,
                                                          const PartitionSchedule&);

}  // namespace faltung::stream
