#include "write_request_builder.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "remote_write.hpp"

namespace faltungd {

namespace {

// Protobuf's wire format: a tag is (field << 3) | wire type.
constexpr char kLengthDelimited1 = (1 << 3) | 2;  // bytes/message field 1
constexpr char kLengthDelimited2 = (2 << 3) | 2;  // bytes/message field 2
constexpr char kFixed64Field1 = (1 << 3) | 1;     // Sample.value (double)
constexpr char kVarintField2 = (2 << 3) | 0;      // Sample.timestamp (int64)

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_bytes_field(std::string& out, char tag, std::string_view bytes) {
  out += tag;
  put_varint(out, bytes.size());
  out.append(bytes);
}

}  // namespace

std::string encode_labels_field(const Labels& labels) {
  std::string out, label;
  for (const auto& l : labels) {
    label.clear();
    put_bytes_field(label, kLengthDelimited1, l.name);
    put_bytes_field(label, kLengthDelimited2, l.value);
    put_bytes_field(out, kLengthDelimited1, label);
  }
  return out;
}

void append_timeseries(std::string& write_request, std::string_view labels_field, std::int64_t timestamp_ms,
                       double value) {
  if (std::isnan(value) && !is_stale_marker(value)) value = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const auto ts = static_cast<std::uint64_t>(timestamp_ms);  // int64: two's complement, 10 bytes if negative
  const std::size_t sample_bytes = 1 + 8 + 1 + varint_size(ts);
  const std::size_t series_bytes = labels_field.size() + 1 + varint_size(sample_bytes) + sample_bytes;
  write_request += kLengthDelimited1;
  put_varint(write_request, series_bytes);
  write_request.append(labels_field);
  write_request += kLengthDelimited2;
  put_varint(write_request, sample_bytes);
  write_request += kFixed64Field1;
  for (int i = 0; i < 8; ++i) write_request += static_cast<char>((bits >> (8 * i)) & 0xFF);
  write_request += kVarintField2;
  put_varint(write_request, ts);
}

}  // namespace faltungd
