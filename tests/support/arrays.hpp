// Test data: typed buffers for any dtype, seeded random fill, and conversion
// of results to complex long double for comparison with the reference.
#pragma once

#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::test {

// A dense array of any dtype (complex stored as interleaved scalars).
struct Buffer {
  DType dtype = DType::f64;
  Shape shape;
  std::vector<float> f;   // f32 / c64 storage
  std::vector<double> d;  // f64 / c128 storage

  Buffer() = default;
  Buffer(DType t, Shape s);
  std::int64_t elements() const { return element_count(shape); }
  void* data();
  const void* data() const;
  std::complex<long double> get(std::int64_t i) const;
  void set(std::int64_t i, std::complex<long double> v);
};

enum class Values { integers, normal };

// Random values, integers in [-4, 4] (exact sums) or standard normal.
Buffer random_buffer(DType t, const Shape& s, std::mt19937_64& rng, Values v);

}  // namespace faltung::test
