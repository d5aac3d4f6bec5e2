#include "labels.hpp"

namespace faltungd {

namespace {

void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += '"';
}

}  // namespace

std::string to_text(const Labels& labels) {
  std::string out(label_value(labels, "__name__"));
  out += '{';
  bool first = true;
  for (const auto& l : labels) {
    if (l.name == "__name__") continue;
    if (!first) out += ',';
    first = false;
    out += l.name;
    out += '=';
    append_quoted(out, l.value);
  }
  out += '}';
  return out;
}

bool valid_label_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (i > 0 && digit))) return false;
  }
  return true;
}

}  // namespace faltungd
