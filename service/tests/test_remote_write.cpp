// Remote-write decoding: round trips, and every kind of bad body refused
// with BadRequest naming the problem, before it costs more than the limits.
#include <gtest/gtest.h>
#include <snappy.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "../src/remote_write.hpp"
#include "proto/remote.pb.h"

namespace faltungd {
namespace {

Labels labels(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  Labels out;
  for (const auto& [n, v] : pairs) out.push_back({n, v});
  return out;
}

std::string compressed(const std::string& raw) {
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

// A WriteRequest built field by field (not through our encoder).
std::string request_with_labels(const std::vector<std::pair<std::string, std::string>>& pairs) {
  prompb::WriteRequest r;
  auto* ts = r.add_timeseries();
  for (const auto& [n, v] : pairs) {
    auto* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  auto* s = ts->add_samples();
  s->set_value(1.5);
  s->set_timestamp(1000);
  return compressed(r.SerializeAsString());
}

void expect_bad(const std::string& body, const std::string& words, const Limits& limits = {}) {
  try {
    decode_remote_write(body, limits);
    ADD_FAILURE() << "accepted; expected an error about " << words;
  } catch (const BadRequest& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(RemoteWrite, RoundTrip) {
  double stale;
  const std::uint64_t bits = kStaleNaNBits;
  std::memcpy(&stale, &bits, sizeof stale);
  std::vector<SeriesSamples> in = {
      {labels({{"__name__", "cpu"}, {"host", "a"}}), {{1000, 0.5}, {2000, -3.25}, {3000, stale}}},
      {labels({{"__name__", "mem"}, {"host", "b"}, {"zone", "eu"}}), {{1000, 1e300}}},
  };
  const auto out = decode_remote_write(encode_remote_write(in), {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels, in[0].labels);
  EXPECT_EQ(out[1].labels, in[1].labels);
  ASSERT_EQ(out[0].samples.size(), 3u);
  EXPECT_EQ(out[0].samples[1].timestamp_ms, 2000);
  EXPECT_EQ(out[0].samples[1].value, -3.25);
  EXPECT_TRUE(is_stale_marker(out[0].samples[2].value));
  EXPECT_FALSE(is_stale_marker(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(to_text(out[1].labels), "mem{host=\"b\",zone=\"eu\"}");
}

TEST(RemoteWrite, FieldByFieldRequestDecodes) {
  const auto out = decode_remote_write(request_with_labels({{"__name__", "up"}, {"job", "x"}}), {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].samples[0].value, 1.5);
  EXPECT_EQ(out[0].samples[0].timestamp_ms, 1000);
}

TEST(RemoteWrite, BadEncodingsAreRefused) {
  expect_bad("not snappy at all \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "snappy");
  expect_bad(compressed("\x0a\x05garbage-that-is-not-protobuf"), "not a protobuf WriteRequest");
  std::string corrupt = request_with_labels({{"__name__", "up"}});
  corrupt.resize(corrupt.size() - 3);
  expect_bad(corrupt, "snappy block is corrupt");
  // uncompressed protobuf, as a client that forgot the encoding sends it
  prompb::WriteRequest r;
  r.add_timeseries()->add_labels()->set_name("__name__");
  expect_bad(r.SerializeAsString(), "snappy");
}

TEST(RemoteWrite, SnappyBombIsRefusedBeforeAllocating) {
  // A snappy block declares its length first: a few bytes can claim 4 GB.
  std::string bomb;
  std::uint64_t length = 0xFFFFFFFFull;
  while (length >= 0x80) bomb += static_cast<char>((length & 0x7F) | 0x80), length >>= 7;
  bomb += static_cast<char>(length);
  bomb += "\x00\x61";
  expect_bad(bomb, "declares 4294967295 bytes, more than the limit");
  Limits small;
  small.max_decoded_bytes = 10;
  expect_bad(request_with_labels({{"__name__", "a_rather_long_metric_name"}}), "more than the limit of 10", small);
  Limits tiny_body;
  tiny_body.max_body_bytes = 8;
  expect_bad(request_with_labels({{"__name__", "up"}}), "limit of 8", tiny_body);
}

TEST(RemoteWrite, LabelRulesAreEnforced) {
  expect_bad(request_with_labels({{"job", "x"}, {"__name__", "up"}}), "not sorted");
  expect_bad(request_with_labels({{"__name__", "up"}, {"job", "x"}, {"job", "y"}}), "job appears twice");
  expect_bad(request_with_labels({{"__name__", "up"}, {"job", ""}}), "empty value");
  expect_bad(request_with_labels({{"__name__", "up"}, {"9job", "x"}}), "is not [a-zA-Z_]");
  expect_bad(request_with_labels({{"job", "x"}}), "no __name__");
  expect_bad(request_with_labels({{"__name__", "up"}, {"job", std::string(5000, 'v')}}), "value of 5000 bytes");
  expect_bad(request_with_labels({{"__name__", "up"}, {std::string(300, 'n'), "x"}}), "name of 300 bytes");
  std::vector<std::pair<std::string, std::string>> many = {{"__name__", "up"}};
  for (int i = 0; i < 70; ++i) many.push_back({"l" + std::to_string(100 + i), "v"});
  expect_bad(request_with_labels(many), "71 labels, more than the limit of 64");
  // proto3 strings must be UTF-8: protobuf refuses the message
  expect_bad(request_with_labels({{"__name__", "up"}, {"job", "\xff\xfe"}}), "not a protobuf");
}

}  // namespace
}  // namespace faltungd
