#include "selector.hpp"

#include <re2/re2.h>

#include <stdexcept>

namespace faltungd {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<Selector::Matcher> parse() {
    std::vector<Selector::Matcher> out;
    skip_space();
    if (at_name_start()) out.push_back({"__name__", Selector::Op::equal, name(), nullptr});
    skip_space();
    if (peek() == '{') {
      ++i_;
      skip_space();
      while (peek() != '}') {
        out.push_back(matcher());
        skip_space();
        if (peek() == ',') {
          ++i_;
          skip_space();
        } else if (peek() != '}') {
          fail("expected ',' or '}'");
        }
      }
      ++i_;
    }
    skip_space();
    if (i_ != s_.size()) fail("unexpected '" + std::string(1, s_[i_]) + "'");
    if (out.empty()) fail("an empty selector");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("selector '" + std::string(s_) + "' at character " + std::to_string(i_ + 1) + ": " +
                                what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  bool at_name_start() const {
    const char c = peek();
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }
  // Metric names may hold ':' (recording rules); label names may not.
  std::string name() {
    const std::size_t start = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                      (i_ > start && c >= '0' && c <= '9');
      if (!ok) break;
      ++i_;
    }
    if (i_ == start) fail("expected a name");
    return std::string(s_.substr(start, i_ - start));
  }
  Selector::Matcher matcher() {
    const std::size_t at = i_;
    std::string label = name();
    if (!valid_label_name(label)) {
      i_ = at;
      fail("'" + label + "' is not a label name");
    }
    skip_space();
    Selector::Op op;
    if (s_.substr(i_, 2) == "=~")
      op = Selector::Op::regex, i_ += 2;
    else if (s_.substr(i_, 2) == "!~")
      op = Selector::Op::not_regex, i_ += 2;
    else if (s_.substr(i_, 2) == "!=")
      op = Selector::Op::not_equal, i_ += 2;
    else if (peek() == '=')
      op = Selector::Op::equal, ++i_;
    else
      fail("expected one of = != =~ !~ after " + label);
    skip_space();
    std::string value = quoted();
    std::shared_ptr<const re2::RE2> regex;
    if (op == Selector::Op::regex || op == Selector::Op::not_regex) {
      RE2::Options o;
      o.set_log_errors(false);
      auto re = std::make_shared<const re2::RE2>(value, o);
      if (!re->ok()) fail("bad regular expression \"" + value + "\": " + re->error());
      regex = std::move(re);
    }
    return {std::move(label), op, std::move(value), std::move(regex)};
  }
  std::string quoted() {
    const char q = peek();
    if (q != '"' && q != '\'' && q != '`') fail("expected a quoted string");
    ++i_;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == q) break;
      if (c == '\\' && q != '`') {
        if (i_ >= s_.size()) fail("unterminated string");
        const char e = s_[i_++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case '\\':
          case '"':
          case '\'':
            out += e;
            break;
          default:
            out += '\\', out += e;  // kept for the regex (\d, \.)
        }
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

bool Selector::Matcher::matches(std::string_view v) const {
  switch (op) {
    case Op::equal:
      return v == value;
    case Op::not_equal:
      return v != value;
    case Op::regex:
      return RE2::FullMatch(v, *regex);
    case Op::not_regex:
      return !RE2::FullMatch(v, *regex);
  }
  return false;
}

Selector Selector::parse(std::string_view text) {
  Selector s;
  s.matchers_ = Parser(text).parse();
  s.text_ = std::string(text);
  bool selective = false;
  for (const auto& m : s.matchers_) selective = selective || !m.matches("");
  if (!selective)
    throw std::invalid_argument("selector '" + s.text_ +
                                "' matches the empty string with every matcher (it would select every series)");
  return s;
}

bool Selector::matches(const Labels& labels) const {
  for (const auto& m : matchers_)
    if (!m.matches(label_value(labels, m.name))) return false;
  return true;
}

std::string Selector::metric_name() const {
  for (const auto& m : matchers_)
    if (m.name == "__name__" && m.op == Op::equal) return m.value;
  return {};
}

}  // namespace faltungd
