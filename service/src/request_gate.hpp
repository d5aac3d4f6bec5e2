// What faltungd decides about a remote-write request from its headers
// alone, before cpp-httplib reads a byte of its body (and, for a body in
// gzip, deflate or br, inflates it without a cap): the encoding and type
// remote write 1.0 uses, a length on the wire, and a length within the
// limit. The server's pre-routing handler asks for credentials first, then
// this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace faltungd {

struct Refusal {
  int status;         // 411, 413 or 415
  std::string reply;  // one line saying why
};

// Content-Type: the media type application/x-protobuf (any case, spaces
// around it allowed); a `proto` parameter, if any, must name remote write
// 1.0's message (prometheus.WriteRequest), so a 2.0 sender gets 415 and
// falls back.
bool is_remote_write_1_type(const std::string& content_type);

// Headers of a POST /api/v1/write: nullopt to go on and read the body.
// transfer_encoding: the header's value ("" if none); content_length: the
// declared length, or nullopt without one.
std::optional<Refusal> refuse_write_headers(const std::string& content_type, const std::string& content_encoding,
                                            const std::string& transfer_encoding,
                                            std::optional<std::uint64_t> content_length, std::uint64_t max_body_bytes);

}  // namespace faltungd
