// An http(s) URL split the way cpp-httplib's client takes it: the origin
// (scheme://host[:port]) for the client, the path for each request.
#pragma once

#include <string>

namespace faltungd {

struct SplitUrl {
  std::string origin, path;  // path without a trailing '/' ("" for none)
};

inline SplitUrl split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_at = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  SplitUrl out{url.substr(0, path_at), path_at == std::string::npos ? "" : url.substr(path_at)};
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  return out;
}

}  // namespace faltungd
