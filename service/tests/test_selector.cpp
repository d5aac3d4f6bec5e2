// PromQL series selectors: parsing, matching with Prometheus' semantics
// (anchored RE2, missing label = empty), and errors naming the position.
#include <gtest/gtest.h>

#include <stdexcept>

#include "../src/selector.hpp"

namespace faltungd {
namespace {

Labels series(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  Labels out;
  for (const auto& [n, v] : pairs) out.push_back({n, v});
  return out;
}

TEST(Selector, MatchesAsPrometheusDoes) {
  const auto api = series({{"__name__", "http_requests_total"}, {"code", "500"}, {"job", "api"}, {"path", "/v1/x"}});
  const auto web = series({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "web"}});
  EXPECT_TRUE(Selector::parse("http_requests_total").matches(api));
  EXPECT_FALSE(Selector::parse("http_requests").matches(api));
  const auto s = Selector::parse(R"(http_requests_total{job="api", code!="200", path=~"/v1/.*",})");
  EXPECT_TRUE(s.matches(api));
  EXPECT_FALSE(s.matches(web));
  EXPECT_EQ(s.metric_name(), "http_requests_total");
  // regexes are anchored: "5" does not match "500"
  EXPECT_FALSE(Selector::parse(R"({code=~"5"})").matches(api));
  EXPECT_TRUE(Selector::parse(R"({code=~"5.."})").matches(api));
  EXPECT_TRUE(Selector::parse(R"({job!~"web|db", __name__=~"http_.*"})").matches(api));
  EXPECT_FALSE(Selector::parse(R"({job!~"web|db", __name__=~"http_.*"})").matches(web));
  // a missing label is the empty string
  EXPECT_TRUE(Selector::parse(R"(http_requests_total{path=""})").matches(web));
  EXPECT_FALSE(Selector::parse(R"(http_requests_total{path=""})").matches(api));
  EXPECT_TRUE(Selector::parse(R"(http_requests_total{path!~".+"})").matches(web));
  // quotes and escapes
  EXPECT_TRUE(Selector::parse("http_requests_total{job='api'}").matches(api));
  EXPECT_TRUE(Selector::parse(R"({__name__="a\"b"})").matches(series({{"__name__", "a\"b"}})));
  EXPECT_TRUE(Selector::parse(R"({code=~"\d+"})").matches(api));
  EXPECT_EQ(Selector::parse("{job=\"api\"}").metric_name(), "");
  EXPECT_TRUE(Selector::parse("job:errors:rate5m").matches(series({{"__name__", "job:errors:rate5m"}})));
}

TEST(Selector, ErrorsNameThePlace) {
  auto refused = [](const char* text, const std::string& words) {
    try {
      Selector::parse(text);
      ADD_FAILURE() << text << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused("", "empty selector");
  refused("up{", "expected a name");
  refused(R"(up{job="x")", "expected ',' or '}'");
  refused(R"(up{job=="x"})", "expected a quoted string");
  refused(R"(up{job<"x"})", "expected one of = != =~ !~");
  refused(R"(up{job="x})", "unterminated string");
  refused(R"(up{job=~"(unclosed"})", "bad regular expression");
  refused(R"({job=~".*"})", "every series");
  refused(R"(up{job:x="a"})", "is not a label name");
  refused(R"(up{job="a"} extra)", "unexpected 'e'");
}

}  // namespace
}  // namespace faltungd
