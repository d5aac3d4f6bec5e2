// The problem value: names, canonical form, the text grammar, validation and
// output shapes. The grammar is specified in docs/semantics.md.
#include <algorithm>
#include <cmath>
#include <array>
#include <functional>
#include <numeric>
#include <sstream>

#include "core/geometry.hpp"
#include "core/problem_equality.hpp"
#include "core/text.hpp"
#include "faltung/errors.hpp"
#include "faltung/problem.hpp"

namespace faltung {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <std::size_t N>
std::string alternatives(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += "|";
    out += names[i];
  }
  return out;
}

constexpr std::array<std::string_view, 2> kOps{"conv", "corr"};
constexpr std::array<std::string_view, 4> kDTypes{"f32", "f64", "c64", "c128"};
constexpr std::array<std::string_view, 3> kModes{"full", "same", "valid"};
constexpr std::array<std::string_view, 5> kRules{"constant", "symmetric", "mirror", "nearest", "wrap"};
constexpr std::array<std::string_view, 4> kNans{"propagate", "ignore", "fill", "raise"};
constexpr std::array<std::string_view, 10> kKeyOrder{"op",   "dtype",    "x",    "k",      "axes",
                                                     "mode", "boundary", "cval", "origin", "nan"};

[[noreturn]] void parse_error(std::string_view text, const std::string& what) {
  throw Error(ErrorKind::parse, "cannot parse problem '" + std::string(text) + "': " + what);
}

[[noreturn]] void invalid(const Problem& p, const std::string& what) {
  throw Error(ErrorKind::invalid_problem, "invalid problem '" + to_string(p) + "': " + what);
}

// The convolved axes of x, resolved (negative axes counted from the end).
std::vector<int> resolved_axes(const Problem& p) {
  const int r = static_cast<int>(p.x.size());
  std::vector<int> axes;
  if (p.axes.empty()) {
    for (int a = r - static_cast<int>(p.k.size()); a < r; ++a) axes.push_back(a);
  } else {
    for (int a : p.axes) axes.push_back(a < 0 ? a + r : a);
  }
  return axes;
}

template <class T>
std::vector<T> collapse(std::vector<T> v, T default_value) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [&](const T& e) { return e == v.front(); })) v.resize(1);
  if (v.size() == 1 && v.front() == default_value) v.clear();
  return v;
}

Shape parse_shape(std::string_view text, std::string_view key, std::string_view value) {
  Shape s;
  for (auto part : core::split(value, 'x')) {
    const auto n = core::parse_int(part);
    if (!n || *n < 0)
      parse_error(text, std::string(key) + "=" + std::string(value) +
                            " is not a shape (expected sizes joined by 'x', e.g. 1080x1920)");
    s.push_back(*n);
  }
  return s;
}

}  // namespace

std::string_view name(Op v) { return kOps[static_cast<int>(v)]; }
std::string_view name(DType v) { return kDTypes[static_cast<int>(v)]; }
std::string_view name(Mode v) { return kModes[static_cast<int>(v)]; }
std::string_view name(BoundaryRule v) { return kRules[static_cast<int>(v)]; }
std::string_view name(NanPolicy v) { return kNans[static_cast<int>(v)]; }
template <>
std::span<const std::string_view> enum_names<Op>() {
  return kOps;
}
template <>
std::span<const std::string_view> enum_names<DType>() {
  return kDTypes;
}
template <>
std::span<const std::string_view> enum_names<Mode>() {
  return kModes;
}
template <>
std::span<const std::string_view> enum_names<BoundaryRule>() {
  return kRules;
}
template <>
std::span<const std::string_view> enum_names<NanPolicy>() {
  return kNans;
}

std::string shape_to_string(const Shape& s) { return core::join(s, "x"); }

namespace {
constexpr std::array<std::string_view, 4> kNumpyNames{"float32", "float64", "complex64", "complex128"};
}

std::string_view numpy_name(DType t) { return kNumpyNames[static_cast<int>(t)]; }

DType parse_numpy_dtype(std::string_view s) {
  if (const auto t = lookup<DType>(kNumpyNames, s)) return *t;
  throw Error(ErrorKind::parse, "numpy dtype '" + std::string(s) + "' is not one of " + alternatives(kNumpyNames));
}

std::int64_t element_count(const Shape& s) {
  // Saturates instead of overflowing (undefined behaviour): a shape such as
  // 2^32 x 2^32 must read as huge, so validate() refuses it, never wrap.
  std::int64_t n = 1;
  for (auto d : s)
    if (__builtin_mul_overflow(n, d, &n)) return INT64_MAX;
  return n;
}

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32:
      return 4;
    case DType::f64:
    case DType::c64:
      return 8;
    case DType::c128:
      return 16;
  }
  return 0;
}

bool is_complex(DType t) { return t == DType::c64 || t == DType::c128; }

Problem canonical(const Problem& p) {
  Problem c = p;
  if (!p.axes.empty() && p.k.size() <= p.x.size()) {
    const auto axes = resolved_axes(p);
    const bool in_range =
        std::all_of(axes.begin(), axes.end(), [&](int a) { return a >= 0 && a < static_cast<int>(p.x.size()); });
    Problem d = p;
    d.axes.clear();
    if (in_range) c.axes = axes;
    if (in_range && p.k.size() == axes.size() && axes == resolved_axes(d)) c.axes.clear();
  }
  c.boundary = collapse(c.boundary, BoundaryRule::constant);
  c.origin = collapse(c.origin, std::int64_t{0});
  return c;
}

bool core::same_canonical(const Problem& a, const Problem& b) {
  auto same_double = [](double u, double v) { return u == v || (u != u && v != v); };
  return a.op == b.op && a.dtype == b.dtype && a.x == b.x && a.k == b.k && a.axes == b.axes && a.mode == b.mode &&
         a.boundary == b.boundary && same_double(a.cval, b.cval) && a.origin == b.origin && a.nan == b.nan &&
         same_double(a.fill, b.fill);
}

bool operator==(const Problem& a, const Problem& b) { return core::same_canonical(canonical(a), canonical(b)); }

std::string to_string(const Problem& p0) {
  const Problem p = canonical(p0);
  std::string s;
  s += "op=" + std::string(name(p.op));
  s += " dtype=" + std::string(name(p.dtype));
  s += " x=" + shape_to_string(p.x);
  s += " k=" + shape_to_string(p.k);
  if (!p.axes.empty()) s += " axes=" + core::join(p.axes, ",");
  if (p.mode != Mode::full) s += " mode=" + std::string(name(p.mode));
  if (!p.boundary.empty()) {
    s += " boundary=";
    for (std::size_t i = 0; i < p.boundary.size(); ++i) s += (i ? "," : "") + std::string(name(p.boundary[i]));
  }
  if (p.cval != 0.0 || std::signbit(p.cval)) s += " cval=" + core::format_double(p.cval);
  if (!p.origin.empty()) s += " origin=" + core::join(p.origin, ",");
  if (p.nan != NanPolicy::propagate) s += " nan=" + std::string(name(p.nan));
  if (p.fill != 0.0 || std::signbit(p.fill)) s += " fill=" + core::format_double(p.fill);
  return s;
}

Problem parse_problem(std::string_view text) {
  Problem p;
  bool seen_op = false, seen_dtype = false, seen_x = false, seen_k = false;
  std::vector<std::string> seen;
  std::istringstream in{std::string(text)};
  std::string token;
  while (in >> token) {
    const auto eq = token.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == token.size())
      parse_error(text, "'" + token + "' is not key=value");
    const std::string key = token.substr(0, eq);
    const std::string_view value = std::string_view(token).substr(eq + 1);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) parse_error(text, "key '" + key + "' given twice");
    seen.push_back(key);
    auto enum_value = [&](const auto& names, auto tag) {
      using E = decltype(tag);
      const auto v = lookup<E>(names, value);
      if (!v) parse_error(text, key + "=" + std::string(value) + " is not one of " + alternatives(names));
      return *v;
    };
    if (key == "op") {
      p.op = enum_value(kOps, Op{}), seen_op = true;
    } else if (key == "dtype") {
      p.dtype = enum_value(kDTypes, DType{}), seen_dtype = true;
    } else if (key == "x") {
      p.x = parse_shape(text, key, value), seen_x = true;
    } else if (key == "k") {
      p.k = parse_shape(text, key, value), seen_k = true;
    } else if (key == "axes") {
      for (auto part : core::split(value, ',')) {
        const auto a = core::parse_int(part);
        if (!a) parse_error(text, "axes=" + std::string(value) + " is not a list of integers");
        p.axes.push_back(static_cast<int>(*a));
      }
    } else if (key == "mode") {
      p.mode = enum_value(kModes, Mode{});
    } else if (key == "boundary") {
      for (auto part : core::split(value, ',')) {
        const auto r = lookup<BoundaryRule>(kRules, part);
        if (!r)
          parse_error(text, "boundary '" + std::string(part) + "' is not one of " + alternatives(kRules) +
                                (part == "reflect" ? " ('reflect' is ambiguous: ndimage's is "
                                                     "'symmetric', numpy's and torch's 'mirror')"
                                                   : ""));
        p.boundary.push_back(*r);
      }
    } else if (key == "cval" || key == "fill") {
      const auto v = core::parse_double(value);
      if (!v) parse_error(text, key + "=" + std::string(value) + " is not a number");
      (key == "cval" ? p.cval : p.fill) = *v;
    } else if (key == "origin") {
      for (auto part : core::split(value, ',')) {
        const auto o = core::parse_int(part);
        if (!o) parse_error(text, "origin=" + std::string(value) + " is not a list of integers");
        p.origin.push_back(*o);
      }
    } else if (key == "nan") {
      p.nan = enum_value(kNans, NanPolicy{});
    } else {
      parse_error(text, "unknown key '" + key + "' (keys: " + alternatives(kKeyOrder) + ", fill)");
    }
  }
  if (!seen_op) parse_error(text, "missing key 'op'");
  if (!seen_dtype) parse_error(text, "missing key 'dtype'");
  if (!seen_x) parse_error(text, "missing key 'x'");
  if (!seen_k) parse_error(text, "missing key 'k'");
  return canonical(p);
}

void validate(const Problem& p) {
  const int r = static_cast<int>(p.x.size());
  if (p.x.empty()) invalid(p, "x has no axes");
  if (p.k.empty()) invalid(p, "k has no axes");
  if (p.x.size() > static_cast<std::size_t>(kMaxRank))
    invalid(p, "x has more than " + std::to_string(kMaxRank) + " axes");
  for (auto d : p.x)
    if (d <= 0) invalid(p, "empty input: x=" + shape_to_string(p.x) + " has an axis of size 0");
  for (auto d : p.k)
    if (d <= 0) invalid(p, "empty kernel: k=" + shape_to_string(p.k) + " has an axis of size 0");
  constexpr std::int64_t kMaxElements = std::int64_t{1} << 52;
  if (element_count(p.x) > kMaxElements || element_count(p.k) > kMaxElements) invalid(p, "more than 2^52 elements");
  if (p.k.size() > p.x.size())
    invalid(p, "the kernel has more axes (" + std::to_string(p.k.size()) + ") than x (" + std::to_string(r) + ")");

  const std::vector<int> axes = resolved_axes(p);
  for (int a : axes)
    if (a < 0 || a >= r)
      invalid(p, "axis " + std::to_string(a) + " is out of range for x with " + std::to_string(r) + " axes");
  for (std::size_t i = 1; i < axes.size(); ++i)
    if (axes[i] <= axes[i - 1]) invalid(p, "axes must be strictly increasing");
  if (axes.empty() || axes.size() > 3)
    invalid(p, "between 1 and 3 convolved axes are supported, got " + std::to_string(axes.size()) +
                   (p.axes.empty() ? " (name them with axes=)" : ""));
  if (!p.axes.empty() && p.k.size() != axes.size()) {
    if (p.k.size() != p.x.size())
      invalid(p, "the kernel must have one axis per convolved axis (" + std::to_string(axes.size()) +
                     ") or as many axes as x (" + std::to_string(r) + ")");
    for (int a = 0; a < r; ++a)
      if (std::find(axes.begin(), axes.end(), a) == axes.end() && p.k[a] != 1)
        invalid(p, "the kernel has size " + std::to_string(p.k[a]) + " on batch axis " + std::to_string(a) +
                       "; batch axes broadcast and need kernel size 1");
  }

  const std::size_t nc = axes.size();
  if (p.boundary.size() > 1 && p.boundary.size() != nc)
    invalid(p, "boundary lists " + std::to_string(p.boundary.size()) + " rules; give one, or one per convolved axis (" +
                   std::to_string(nc) + ")");
  if (p.origin.size() > 1 && p.origin.size() != nc)
    invalid(p, "origin lists " + std::to_string(p.origin.size()) + " values; give one, or one per convolved axis (" +
                   std::to_string(nc) + ")");

  // Kernel and input sizes along each convolved axis.
  std::vector<std::int64_t> n(nc), m(nc);
  for (std::size_t i = 0; i < nc; ++i) {
    n[i] = p.x[axes[i]];
    m[i] = p.k.size() == axes.size() ? p.k[i] : p.k[axes[i]];
  }
  const bool any_origin = std::any_of(p.origin.begin(), p.origin.end(), [](auto o) { return o; });
  if (any_origin && p.mode != Mode::same) invalid(p, "origin applies to mode=same only");
  for (std::size_t i = 0; i < nc && any_origin; ++i) {
    const std::int64_t o = p.origin.size() == 1 ? p.origin[0] : p.origin[i];
    const std::int64_t lo = -((m[i] - 1) / 2), hi = m[i] / 2;
    if (o < lo || o > hi)
      invalid(p, "origin " + std::to_string(o) + " on axis " + std::to_string(axes[i]) + " is outside " +
                     std::to_string(lo) + ".." + std::to_string(hi) + " for a kernel of " + std::to_string(m[i]) +
                     " taps");
  }
  if (p.mode == Mode::valid) {
    bool kernel_fits = true, input_fits = true;
    for (std::size_t i = 0; i < nc; ++i) {
      kernel_fits = kernel_fits && m[i] <= n[i];
      input_fits = input_fits && n[i] <= m[i];
    }
    if (!kernel_fits && !input_fits)
      invalid(p,
              "mode=valid needs the kernel to fit in x on every convolved axis, or x in the "
              "kernel (then the two swap, as in scipy); here neither contains the other");
  }
}

Shape output_shape(const Problem& p) {
  validate(p);
  Shape out;
  for (const auto& ax : core::make_geometry(p).axes) out.push_back(ax.out);
  return out;
}

}  // namespace faltung
