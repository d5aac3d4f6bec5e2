// Reading and writing NumPy .npy files (format 1.0-3.0, C order, little-endian
// float32/float64/complex64/complex128), for --input/--kernel/--output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::bench {

struct NpyArray {
  DType dtype = DType::f64;
  Shape shape;
  std::vector<unsigned char> bytes;  // raw little-endian data, element_count(shape) elements
};

// Throws std::runtime_error naming the file and what is wrong with it.
NpyArray read_npy(const std::string& path);
// The same for a file's bytes already in memory (`name` names it in errors).
NpyArray parse_npy(std::string_view bytes, const std::string& name);
void write_npy(const std::string& path, DType dtype, const Shape& shape, const void* data);

}  // namespace faltung::bench
