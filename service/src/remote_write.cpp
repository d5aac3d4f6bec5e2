#include "remote_write.hpp"

#include <google/protobuf/arena.h>
#include <google/protobuf/stubs/logging.h>
#include <snappy.h>

#include <cstring>

#include "proto/remote.pb.h"

namespace faltungd {

namespace {

std::string series_name(const prompb::TimeSeries& ts) {
  for (const auto& l : ts.labels())
    if (l.name() == "__name__") return l.value();
  return "(no __name__)";
}

Labels checked_labels(const prompb::TimeSeries& ts, const Limits& limits) {
  const auto fail = [&](const std::string& what) { return BadRequest("series " + series_name(ts) + ": " + what); };
  if (static_cast<std::size_t>(ts.labels_size()) > limits.max_labels)
    throw fail(std::to_string(ts.labels_size()) + " labels, more than the limit of " +
               std::to_string(limits.max_labels));
  Labels labels;
  labels.reserve(static_cast<std::size_t>(ts.labels_size()));
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
    if (!labels.empty() && !(labels.back().name < l.name()))
      throw fail(labels.back().name == l.name() ? "label " + l.name() + " appears twice"
                                                : "labels are not sorted by name (" + l.name() + " after " +
                                                      labels.back().name + ")");
    named = named || l.name() == "__name__";
    labels.push_back({l.name(), l.value()});
  }
  if (!named) throw fail("no __name__ label");
  return labels;
}

}  // namespace

bool is_stale_marker(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kStaleNaNBits;
}

std::vector<SeriesSamples> decode_remote_write(std::string_view body, const Limits& limits) {
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
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw) || raw.size() != declared)
    throw BadRequest("snappy block is corrupt");
  // One arena for the whole message: its strings and series are freed at
  // once (allocation was most of the decoding time without it).
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<prompb::WriteRequest>(&arena);
  if (!request->ParseFromString(raw)) throw BadRequest("body is not a protobuf WriteRequest");
  std::vector<SeriesSamples> out;
  out.reserve(static_cast<std::size_t>(request->timeseries_size()));
  for (const auto& ts : request->timeseries()) {
    SeriesSamples s;
    s.labels = checked_labels(ts, limits);
    s.samples.reserve(static_cast<std::size_t>(ts.samples_size()));
    for (const auto& sample : ts.samples()) s.samples.push_back({sample.timestamp(), sample.value()});
    out.push_back(std::move(s));
  }
  return out;
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

}  // namespace faltungd
