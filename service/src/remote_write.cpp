#include "remote_write.hpp"

#include <google/protobuf/arena.h>
#include <google/protobuf/stubs/logging.h>
#include <snappy.h>

#include <algorithm>
#include <cstring>

#include "proto/remote.pb.h"

namespace faltungd {

namespace {

// Per-thread decode buffers up to this size are kept from request to request.
constexpr std::size_t kKeptBufferBytes = 4 << 20;

std::string series_name(const prompb::TimeSeries& ts) {
  for (const auto& l : ts.labels())
    if (l.name() == "__name__") return l.value();
  return "(no __name__)";
}

// Fills `labels` (its storage reused) from the series, checking every rule.
void checked_labels(const prompb::TimeSeries& ts, const Limits& limits, Labels& labels) {
  const auto fail = [&](const std::string& what) { return BadRequest("series " + series_name(ts) + ": " + what); };
  if (static_cast<std::size_t>(ts.labels_size()) > limits.max_labels)
    throw fail(std::to_string(ts.labels_size()) + " labels, more than the limit of " +
               std::to_string(limits.max_labels));
  labels.resize(static_cast<std::size_t>(ts.labels_size()));
  std::size_t n = 0;
  bool named = false;
  for (const auto& l : ts.labels()) {
    if (l.name().size() > limits.max_label_name_bytes)
      throw fail("a label name of " + std::to_string(l.name().size()) + " bytes (limit " +
                 std::to_string(limits.max_label_name_bytes) + ")");
    if (l.value().size() > limits.max_label_value_bytes)
      throw fail("label " + l.name() + " has a value of " + std::to_string(l.value().size()) + " bytes (limit " +
                 std::to_string(limits.max_label_value_bytes) + ")");
    if (!valid_label_name(l.name())) throw fail("label name '" + l.name() + "' is not [a-zA-Z_][a-zA-Z0-9_]*");
    if (l.value().empty()) throw fail("label " + l.name() + " has an empty value");
    if (n > 0 && !(labels[n - 1].name < l.name()))
      throw fail(labels[n - 1].name == l.name()
                     ? "label " + l.name() + " appears twice"
                     : "labels are not sorted by name (" + l.name() + " after " + labels[n - 1].name + ")");
    named = named || l.name() == "__name__";
    labels[n].name.assign(l.name());
    labels[n].value.assign(l.value());
    ++n;
  }
  if (!named) throw fail("no __name__ label");
}

}  // namespace

bool is_stale_marker(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kStaleNaNBits;
}

std::vector<SeriesSamples> decode_remote_write(std::string_view body, const Limits& limits) {
  std::vector<SeriesSamples> out;
  decode_remote_write_into(body, limits, out);
  return out;
}

void decode_remote_write_into(std::string_view body, const Limits& limits, std::vector<SeriesSamples>& out) {
  // protobuf logs every bad UTF-8 label at ERROR level; the request is
  // answered 400 with the reason, so a hostile sender must not flood the log.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  if (body.size() > limits.max_body_bytes)
    throw BadRequest("body of " + std::to_string(body.size()) + " bytes, more than the limit of " +
                     std::to_string(limits.max_body_bytes));
  std::size_t declared = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &declared))
    throw BadRequest("body is not a snappy block (remote write 1.0 uses snappy's block format)");
  if (declared > limits.max_decoded_bytes)
    throw BadRequest("snappy block declares " + std::to_string(declared) + " bytes, more than the limit of " +
                     std::to_string(limits.max_decoded_bytes));
  // The decompressed bytes and the message's arena reuse one buffer each per
  // thread: fresh ones of this size came from the kernel at every request
  // (page faults were a quarter of the time).
  thread_local std::string raw;
  thread_local std::vector<char> arena_block;
  // ... but buffers past kKeptBufferBytes are given back when the request
  // is done, answered or refused: a sender of 63 MiB blocks left every
  // server thread holding over 100 MiB for good.
  struct GiveBackLarge {
    ~GiveBackLarge() {
      if (raw.capacity() > kKeptBufferBytes) std::string().swap(raw);
      if (arena_block.capacity() > kKeptBufferBytes) std::vector<char>().swap(arena_block);
    }
  } give_back_large;
  raw.resize(declared);
  if (!snappy::RawUncompress(body.data(), body.size(), raw.data())) throw BadRequest("snappy block is corrupt");
  // One arena for the whole message: its strings and series are freed at
  // once (allocation was most of the decoding time without it).
  arena_block.resize(std::max<std::size_t>(arena_block.size(), std::min<std::size_t>(4 * declared + 4096, 64 << 20)));
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = arena_block.data();
  arena_options.initial_block_size = arena_block.size();
  google::protobuf::Arena arena(arena_options);
  auto* request = google::protobuf::Arena::CreateMessage<prompb::WriteRequest>(&arena);
  if (!request->ParseFromArray(raw.data(), static_cast<int>(raw.size())))
    throw BadRequest("body is not a protobuf WriteRequest");
  // Elements are overwritten, not rebuilt: a caller that passes the same
  // vector again allocates nothing for series like the last request's.
  out.resize(static_cast<std::size_t>(request->timeseries_size()));
  std::size_t i = 0;
  for (const auto& ts : request->timeseries()) {
    SeriesSamples& s = out[i++];
    checked_labels(ts, limits, s.labels);
    s.samples.clear();
    for (const auto& sample : ts.samples()) s.samples.push_back({sample.timestamp(), sample.value()});
  }
}

std::string encode_remote_write(const std::vector<SeriesSamples>& series) {
  prompb::WriteRequest request;
  for (const auto& s : series) {
    auto* ts = request.add_timeseries();
    for (const auto& l : s.labels) {
      auto* label = ts->add_labels();
      label->set_name(l.name);
      label->set_value(l.value);
    }
    for (const auto& sample : s.samples) {
      auto* p = ts->add_samples();
      p->set_value(sample.value);
      p->set_timestamp(sample.timestamp_ms);
    }
  }
  std::string raw, body;
  request.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

void check_sample_times(const std::vector<SeriesSamples>& request, std::int64_t now_ms, const Limits& limits) {
  for (const auto& series : request)
    for (const auto& sample : series.samples) {
      if (sample.timestamp_ms <= 0)
        throw BadRequest("series " + to_text(series.labels) + ": sample timestamp " +
                         std::to_string(sample.timestamp_ms) + " ms is not after 1970");
      if (sample.timestamp_ms > now_ms && sample.timestamp_ms - now_ms > limits.max_future_ms)
        throw BadRequest("series " + to_text(series.labels) + ": sample timestamp " +
                         std::to_string(sample.timestamp_ms) + " ms is " +
                         std::to_string((sample.timestamp_ms - now_ms) / 1000) + " s ahead of the clock (at most " +
                         std::to_string(limits.max_future_ms / 1000) + " s)");
    }
}

}  // namespace faltungd
