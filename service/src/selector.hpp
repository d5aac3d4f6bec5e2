// PromQL series selectors, as a pipeline's `select:` takes them:
//
//   http_requests_total
//   http_requests_total{job="api", code!="200", path=~"/v1/.*", env!~"dev|test"}
//   {__name__=~"node_.*_seconds_total"}
//
// Matchers: = and != compare strings; =~ and !~ are RE2 regular expressions
// anchored at both ends, as Prometheus does. A missing label matches as the
// empty string. As in Prometheus, a selector needs at least one matcher that
// does not match the empty string (else it would select every series).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "labels.hpp"

namespace re2 {
class RE2;
}

namespace faltungd {

class Selector {
 public:
  enum class Op { equal, not_equal, regex, not_regex };
  struct Matcher {
    std::string name;
    Op op;
    std::string value;
    std::shared_ptr<const re2::RE2> regex;  // for regex and not_regex
    bool matches(std::string_view v) const;
  };

  // Throws std::invalid_argument naming the position and the problem.
  static Selector parse(std::string_view text);

  bool matches(const Labels& labels) const;
  const std::vector<Matcher>& matchers() const { return matchers_; }
  // The metric name when the selector fixes it (name or __name__="..."), else "".
  std::string metric_name() const;
  const std::string& text() const { return text_; }

 private:
  std::vector<Matcher> matchers_;
  std::string text_;
};

}  // namespace faltungd
