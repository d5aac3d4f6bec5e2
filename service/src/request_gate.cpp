#include "request_gate.hpp"

#include <algorithm>
#include <cctype>

namespace faltungd {

namespace {

std::string trimmed_lower(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool is_remote_write_1_type(const std::string& content_type) {
  std::size_t at = content_type.find(';');
  if (trimmed_lower(content_type.substr(0, at)) != "application/x-protobuf") return false;
  while (at != std::string::npos) {
    const std::size_t next = content_type.find(';', at + 1);
    const std::string parameter = content_type.substr(at + 1, next == std::string::npos ? next : next - at - 1);
    const std::size_t equals = parameter.find('=');
    if (equals != std::string::npos && trimmed_lower(parameter.substr(0, equals)) == "proto") {
      std::string value = parameter.substr(equals + 1);
      value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
      if (trimmed_lower(value) != "prometheus.writerequest") return false;
    }
    at = next;
  }
  return true;
}

std::optional<Refusal> refuse_write_headers(const std::string& content_type, const std::string& content_encoding,
                                            const std::string& transfer_encoding,
                                            std::optional<std::uint64_t> content_length, std::uint64_t max_body_bytes) {
  if (trimmed_lower(content_encoding) != "snappy")
    return Refusal{415, "Content-Encoding must be snappy (remote write 1.0), got '" + content_encoding + "'"};
  if (!is_remote_write_1_type(content_type))
    return Refusal{415, "Content-Type must be application/x-protobuf (remote write 1.0), got '" + content_type + "'"};
  if (!transfer_encoding.empty() || !content_length)
    return Refusal{411, "a remote-write body needs a Content-Length (no chunked transfer encoding)"};
  if (*content_length > max_body_bytes)
    return Refusal{413, "body of " + std::to_string(*content_length) + " bytes is over the limit of " +
                            std::to_string(max_body_bytes)};
  return std::nullopt;
}

}  // namespace faltungd
