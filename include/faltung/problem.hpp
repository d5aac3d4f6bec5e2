// The problem value type: one convolution or correlation, fully described.
//
// A Problem is plain data. It prints as one line of text and parses back
// (see docs/semantics.md, "Problem strings"), e.g.
//   op=corr dtype=f32 x=1080x1920 k=11x11 mode=same boundary=symmetric
// The same string names a case in tests, benchmarks, error messages and explain().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faltung {

enum class Op { conv, corr };
enum class DType { f32, f64, c64, c128 };
enum class Mode { full, same, valid };
// Canonical boundary names; see boundary.hpp for the other libraries' aliases.
enum class BoundaryRule { constant, symmetric, mirror, nearest, wrap };
enum class NanPolicy { propagate, ignore, fill, raise };

using Shape = std::vector<std::int64_t>;

// Most axes x may have (convolved and batch); at most 3 are convolved.
inline constexpr int kMaxRank = 16;

struct Problem {
  Op op = Op::conv;
  DType dtype = DType::f64;
  Shape x;                // input shape, row-major (last axis fastest)
  Shape k;                // kernel shape
  std::vector<int> axes;  // convolved axes of x; empty = the last rank(k) axes
  Mode mode = Mode::full;
  std::vector<BoundaryRule> boundary;  // empty = constant; one, or one per convolved axis
  double cval = 0.0;                   // value of the constant boundary
  std::vector<std::int64_t> origin;    // empty = 0; one, or one per convolved axis (mode=same only)
  NanPolicy nan = NanPolicy::propagate;
  double fill = 0.0;  // replacement value for nan=fill

  // Equality is on the canonical form: "boundary=constant" and an omitted
  // boundary are the same problem, as are axes=0 and the default axes.
  friend bool operator==(const Problem& a, const Problem& b);
};

// The canonical one-line text (keys in the SEMANTICS.md order, defaults omitted).
std::string to_string(const Problem& p);
// Parses a problem string. Throws faltung::Error naming the offending key on bad input.
Problem parse_problem(std::string_view text);
// Collapses per-axis lists that repeat one value, drops defaults, resolves axes.
// Does not validate; parse_problem(to_string(p)) == canonical(p) for any p.
Problem canonical(const Problem& p);
// Throws faltung::Error with a message naming the problem if p is not computable.
void validate(const Problem& p);
// Output shape; throws faltung::Error (as validate) when p is not computable.
Shape output_shape(const Problem& p);

// Element counts and sizes. element_count saturates at INT64_MAX.
std::int64_t element_count(const Shape& s);
std::size_t dtype_size(DType t);
bool is_complex(DType t);

// Names used by the grammar.
std::string_view name(Op v);
std::string_view name(DType v);
std::string_view name(Mode v);
std::string_view name(BoundaryRule v);
std::string_view name(NanPolicy v);
// Every name of an enum, in its order (the value with code i is named
// [i]): the one table that bindings (the Python module's codes, the
// command line's choices) are made from. For Op, DType, Mode, BoundaryRule,
// NanPolicy, and Method (plan.hpp).
template <class Enum>
std::span<const std::string_view> enum_names();
template <>
std::span<const std::string_view> enum_names<Op>();
template <>
std::span<const std::string_view> enum_names<DType>();
template <>
std::span<const std::string_view> enum_names<Mode>();
template <>
std::span<const std::string_view> enum_names<BoundaryRule>();
template <>
std::span<const std::string_view> enum_names<NanPolicy>();
std::string shape_to_string(const Shape& s);
// numpy's names: float32, float64, complex64, complex128.
std::string_view numpy_name(DType t);
// Throws faltung::Error(parse) for any other name.
DType parse_numpy_dtype(std::string_view name);

}  // namespace faltung
