// faltung::StreamFilter: options, the method choice, save/restore; the
// engines do the work (direct_stream.cpp, partitioned_stream.cpp).
#include "faltung/stream.hpp"

#include <cmath>
#include <cstring>
#include <sstream>

#include "faltung/errors.hpp"
#include "stream/byte_io.hpp"
#include "stream/direct_stream.hpp"
#include "stream/engine.hpp"
#include "stream/partitioned_stream.hpp"
#include "stream/schedule.hpp"

namespace faltung {

namespace {

constexpr stream::SavedFormat kFormat{"faltung-stream", 1, "stream filter"};

Error invalid(const std::string& what) { return Error(ErrorKind::invalid_argument, "stream filter: " + what); }

}  // namespace

struct StreamFilter::State {
  stream::Config cfg;
  std::int64_t latency_allowed = 0;
  Method method = Method::direct;
  std::string choice;
  stream::PartitionSchedule schedule;  // used by overlap_save
  double direct_seconds = 0;
  std::vector<float> kernel_f32;
  std::vector<double> kernel_f64;
  std::unique_ptr<stream::Engine<float>> f32;
  std::unique_ptr<stream::Engine<double>> f64;

  double seconds_per_sample() const {
    return method == Method::overlap_save ? schedule.seconds_per_sample : direct_seconds;
  }

  template <class T>
  std::unique_ptr<stream::Engine<T>> make_engine(const std::vector<T>& kernel) const {
    if (method == Method::overlap_save) return stream::make_partitioned(cfg, kernel, schedule);
    if (cfg.channels >= stream::kFramesFromChannels) return stream::make_direct_frames(cfg, kernel);
    return stream::make_direct_rows(cfg, kernel);
  }

  void make_engines() {
    if (cfg.dtype == DType::f32)
      f32 = make_engine(kernel_f32);
    else
      f64 = make_engine(kernel_f64);
  }

  std::unique_ptr<State> clone() const {
    auto s = std::make_unique<State>();
    s->cfg = cfg;
    s->latency_allowed = latency_allowed;
    s->method = method;
    s->choice = choice;
    s->schedule = schedule;
    s->direct_seconds = direct_seconds;
    s->kernel_f32 = kernel_f32;
    s->kernel_f64 = kernel_f64;
    if (f32) s->f32 = f32->clone();
    if (f64) s->f64 = f64->clone();
    return s;
  }

  void write_header(stream::ByteWriter& w) const {
    kFormat.write(w);
    w.put(static_cast<std::uint8_t>(cfg.dtype));
    w.put(cfg.taps);
    w.put(cfg.channels);
    w.put(static_cast<std::uint8_t>(cfg.per_channel));
    w.put(cfg.max_block);
    w.put(latency_allowed);
    w.put(static_cast<std::uint8_t>(cfg.nan));
    w.put(cfg.fill);
    w.put(static_cast<std::uint8_t>(method));
    w.put(schedule.head);
    w.put<std::uint64_t>(schedule.segments.size());
    for (const auto& g : schedule.segments) {
      w.put(g.block);
      w.put(g.parts);
      w.put(g.offset);
    }
    w.put(schedule.seconds_per_sample);
    if (cfg.dtype == DType::f32)
      w.put_array(kernel_f32.data(), kernel_f32.size());
    else
      w.put_array(kernel_f64.data(), kernel_f64.size());
  }
};

namespace {

// Reads a saved header into a new State (engines not made yet).
std::unique_ptr<StreamFilter::State> read_header(stream::ByteReader& r) {
  kFormat.read(r);
  auto s = std::make_unique<StreamFilter::State>();
  const auto dtype = r.get<std::uint8_t>();
  if (dtype != static_cast<std::uint8_t>(DType::f32) && dtype != static_cast<std::uint8_t>(DType::f64))
    throw invalid("saved state is damaged (dtype code " + std::to_string(dtype) + ")");
  s->cfg.dtype = static_cast<DType>(dtype);
  s->cfg.taps = r.get<std::int64_t>();
  s->cfg.channels = r.get<std::int64_t>();
  s->cfg.per_channel = r.get<std::uint8_t>() != 0;
  s->cfg.max_block = r.get<std::int64_t>();
  s->latency_allowed = r.get<std::int64_t>();
  const auto nan = r.get<std::uint8_t>();
  const auto fill = r.get<double>();
  const auto method = r.get<std::uint8_t>();
  if (s->cfg.taps < 1 || s->cfg.channels < 1 || s->cfg.max_block < 1 || nan > 2 ||
      (method != static_cast<std::uint8_t>(Method::direct) &&
       method != static_cast<std::uint8_t>(Method::overlap_save)))
    throw invalid("saved state is damaged (options out of range)");
  s->cfg.nan = static_cast<NanPolicy>(nan);
  s->cfg.fill = fill;
  s->method = static_cast<Method>(method);
  s->choice = "restored";
  s->schedule.head = r.get<std::int64_t>();
  const auto segments = r.get<std::uint64_t>();
  if (segments > 64) throw invalid("saved state is damaged (schedule)");
  for (std::uint64_t i = 0; i < segments; ++i) {
    stream::Segment g;
    g.block = r.get<std::int64_t>();
    g.parts = r.get<std::int64_t>();
    g.offset = r.get<std::int64_t>();
    if (g.block < 1 || g.parts < 1 || g.offset < g.block) throw invalid("saved state is damaged (schedule)");
    s->schedule.segments.push_back(g);
  }
  s->schedule.seconds_per_sample = r.get<double>();
  if (s->method == Method::overlap_save && s->schedule.segments.empty())
    throw invalid("saved state is damaged (partitioned method without segments)");
  const std::size_t values = static_cast<std::size_t>(s->cfg.taps * (s->cfg.per_channel ? s->cfg.channels : 1));
  if (s->cfg.dtype == DType::f32)
    s->kernel_f32 = r.get_vector<float>(values, "the kernel");
  else
    s->kernel_f64 = r.get_vector<double>(values, "the kernel");
  if ((s->cfg.dtype == DType::f32 ? s->kernel_f32.size() : s->kernel_f64.size()) != values)
    throw invalid("saved state is damaged (kernel length)");
  s->direct_seconds = stream::direct_seconds_per_sample(s->cfg.dtype, s->cfg.taps, s->cfg.max_block);
  return s;
}

template <class T>
std::vector<T> copy_kernel(const void* kernel, std::size_t values) {
  const T* k = static_cast<const T*>(kernel);
  for (std::size_t i = 0; i < values; ++i)
    if (!std::isfinite(k[i]))
      throw Error(ErrorKind::nonfinite_kernel, "stream filter: kernel value " + std::to_string(i) + " is not finite");
  return std::vector<T>(k, k + values);
}

}  // namespace

StreamFilter StreamFilter::create(const void* kernel, std::int64_t taps, const StreamOptions& o) {
  if (o.dtype != DType::f32 && o.dtype != DType::f64)
    throw invalid("streams are real: dtype must be f32 or f64, got " + std::string(name(o.dtype)));
  if (taps < 1) throw invalid("the kernel needs at least one tap, got " + std::to_string(taps));
  if (o.channels < 1) throw invalid("channels must be >= 1, got " + std::to_string(o.channels));
  if (o.max_block < 1) throw invalid("max_block must be >= 1, got " + std::to_string(o.max_block));
  if (o.latency < 0) throw invalid("latency must be >= 0 samples, got " + std::to_string(o.latency));
  if (o.nan == NanPolicy::raise)
    throw invalid("nan=raise is not available: process() never throws (use propagate and look at the outputs)");
  if (!kernel) throw invalid("the kernel is a null pointer");
  if (o.method != Method::automatic && o.method != Method::direct && o.method != Method::overlap_save)
    throw invalid("method must be auto, direct or overlap_save for a stream, got " + std::string(name(o.method)));
  if (o.method == Method::overlap_save && o.nan == NanPolicy::ignore)
    throw invalid("nan=ignore needs the direct method (the partitioned one cannot renormalise its windows)");

  auto s = std::make_unique<State>();
  s->cfg = {o.dtype, taps, o.channels, o.kernel_per_channel, o.max_block, o.nan, o.fill};
  s->latency_allowed = o.latency;
  const auto values = static_cast<std::size_t>(taps * (o.kernel_per_channel ? o.channels : 1));
  if (o.dtype == DType::f32)
    s->kernel_f32 = copy_kernel<float>(kernel, values);
  else
    s->kernel_f64 = copy_kernel<double>(kernel, values);

  s->direct_seconds = stream::direct_seconds_per_sample(o.dtype, taps, o.max_block);
  s->schedule = stream::best_partition_schedule(o.dtype, taps, o.max_block);
  const bool partitions = !s->schedule.segments.empty();
  if (o.method == Method::overlap_save) {
    if (!partitions)
      throw invalid("a kernel of " + std::to_string(taps) + " taps is too short to partition (> 16 needed)");
    s->method = Method::overlap_save;
    s->choice = "requested";
  } else if (o.method == Method::direct) {
    s->method = Method::direct;
    s->choice = "requested";
  } else if (o.nan == NanPolicy::ignore) {
    s->method = Method::direct;
    s->choice = "auto: nan=ignore runs on the direct method";
  } else {
    s->method =
        partitions && s->schedule.seconds_per_sample < s->direct_seconds ? Method::overlap_save : Method::direct;
    s->choice = "auto: lowest estimated time";
  }
  s->make_engines();
  return StreamFilter(std::move(s));
}

namespace {
void expect_dtype(DType filter, DType given, const char* what) {
  if (filter != given)
    throw invalid(std::string(what) + " of " + std::string(name(given)) + " values for a filter of dtype " +
                  std::string(name(filter)));
}
}  // namespace

StreamFilter StreamFilter::create(const float* kernel, std::int64_t taps, const StreamOptions& options) {
  expect_dtype(options.dtype, DType::f32, "a kernel");
  return create(static_cast<const void*>(kernel), taps, options);
}

StreamFilter StreamFilter::create(const double* kernel, std::int64_t taps, const StreamOptions& options) {
  expect_dtype(options.dtype, DType::f64, "a kernel");
  return create(static_cast<const void*>(kernel), taps, options);
}

void StreamFilter::process(const float* in, float* out, std::int64_t count) {
  expect_dtype(dtype(), DType::f32, "samples");
  process(static_cast<const void*>(in), static_cast<void*>(out), count);
}

void StreamFilter::process(const double* in, double* out, std::int64_t count) {
  expect_dtype(dtype(), DType::f64, "samples");
  process(static_cast<const void*>(in), static_cast<void*>(out), count);
}

void StreamFilter::process(const void* in, void* out, std::int64_t count) noexcept {
  if (count <= 0) return;
  if (state_->f32)
    state_->f32->process(static_cast<const float*>(in), static_cast<float*>(out), count);
  else
    state_->f64->process(static_cast<const double*>(in), static_cast<double*>(out), count);
}

void StreamFilter::reset() noexcept {
  if (state_->f32)
    state_->f32->reset();
  else
    state_->f64->reset();
}

std::vector<std::uint8_t> StreamFilter::save() const {
  stream::ByteWriter w;
  state_->write_header(w);
  if (state_->f32)
    state_->f32->save(w);
  else
    state_->f64->save(w);
  return w.take();
}

StreamFilter StreamFilter::restore(const std::uint8_t* bytes, std::size_t size) {
  if (!bytes && size) throw invalid("restore() got a null pointer");
  stream::ByteReader r(bytes, size);
  auto s = read_header(r);
  s->make_engines();
  if (s->f32)
    s->f32->load(r);
  else
    s->f64->load(r);
  if (!r.at_end()) throw invalid("saved state has " + std::to_string(size) + " bytes, more than this filter's state");
  return StreamFilter(std::move(s));
}

void StreamFilter::load_state(const std::uint8_t* bytes, std::size_t size) {
  if (!bytes && size) throw invalid("load_state() got a null pointer");
  stream::ByteReader r(bytes, size);
  const auto saved = read_header(r);
  const State& mine = *state_;
  std::string differs;
  if (saved->cfg.dtype != mine.cfg.dtype)
    differs = "dtype " + std::string(name(saved->cfg.dtype));
  else if (saved->cfg.taps != mine.cfg.taps)
    differs = std::to_string(saved->cfg.taps) + " taps";
  else if (saved->cfg.channels != mine.cfg.channels)
    differs = std::to_string(saved->cfg.channels) + " channels";
  else if (saved->kernel_f32 != mine.kernel_f32 || saved->kernel_f64 != mine.kernel_f64)
    differs = "another kernel";
  else if (saved->method != mine.method || saved->cfg.nan != mine.cfg.nan)
    differs = "another method or nan policy";
  if (!differs.empty())
    throw invalid("the saved state belongs to a filter with " + differs + "; this one has " +
                  std::to_string(mine.cfg.taps) + " taps, " + std::to_string(mine.cfg.channels) + " channels, " +
                  std::string(name(mine.cfg.dtype)));
  auto fresh = mine.clone();
  if (fresh->f32)
    fresh->f32->load(r);
  else
    fresh->f64->load(r);
  if (!r.at_end()) throw invalid("saved state is longer than this filter's state");
  state_ = std::move(fresh);  // only a complete load replaces the state
}

std::int64_t StreamFilter::taps() const { return state_->cfg.taps; }
std::int64_t StreamFilter::channels() const { return state_->cfg.channels; }
DType StreamFilter::dtype() const { return state_->cfg.dtype; }
Method StreamFilter::method() const { return state_->method; }
std::int64_t StreamFilter::latency() const { return 0; }
std::int64_t StreamFilter::samples_processed() const { return state_->f32 ? state_->f32->time() : state_->f64->time(); }
double StreamFilter::estimated_ns_per_sample() const { return state_->seconds_per_sample() * 1e9; }

std::string StreamFilter::explain() const {
  const State& s = *state_;
  std::ostringstream out;
  out << "stream filter: " << s.cfg.taps << " taps, " << s.cfg.channels << " channel" << (s.cfg.channels > 1 ? "s" : "")
      << (s.cfg.per_channel ? " (a kernel each)" : "") << ", " << name(s.cfg.dtype) << ", nan=" << name(s.cfg.nan)
      << "\n";
  out << "method: " << name(s.method) << " (" << s.choice << ")\n";
  out << "engine: " << (s.f32 ? s.f32->describe() : s.f64->describe()) << "\n";
  out << "latency: 0 samples added (allowed: " << s.latency_allowed << ")\n";
  out << "chunks: any size; processed in pieces of at most " << s.cfg.max_block << " frames\n";
  char line[160];
  std::snprintf(line, sizeof line, "estimate: %.3g ns per sample per channel (direct: %.3g",
                s.seconds_per_sample() * 1e9, s.direct_seconds * 1e9);
  out << line;
  if (!s.schedule.segments.empty()) {
    std::snprintf(line, sizeof line, "; partitioned: %.3g", s.schedule.seconds_per_sample * 1e9);
    out << line;
  }
  out << ")\n";
  if (s.method == Method::direct && !s.schedule.segments.empty() && s.cfg.nan != NanPolicy::ignore)
    out << "partition schedule not chosen: " << stream::describe(s.schedule) << "\n";
  return out.str();
}

StreamFilter::StreamFilter(std::unique_ptr<State> s) : state_(std::move(s)) {}
StreamFilter::StreamFilter(const StreamFilter& other) : state_(other.state_->clone()) {}
StreamFilter& StreamFilter::operator=(const StreamFilter& other) {
  if (this != &other) state_ = other.state_->clone();
  return *this;
}
StreamFilter::StreamFilter(StreamFilter&&) noexcept = default;
StreamFilter& StreamFilter::operator=(StreamFilter&&) noexcept = default;
StreamFilter::~StreamFilter() = default;

}  // namespace faltung
