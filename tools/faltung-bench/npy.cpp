#include "npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>

namespace faltung::bench {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string descr_of(DType t) {
  switch (t) {
    case DType::f32:
      return "<f4";
    case DType::f64:
      return "<f8";
    case DType::c64:
      return "<c8";
    case DType::c128:
      return "<c16";
  }
  return "";
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path);
}

NpyArray parse_npy(std::string_view bytes, const std::string& path) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  std::uint32_t header_len = 0;
  std::size_t at = 0;
  if (major == 1) {
    if (bytes.size() < 10) fail(path, "truncated header");
    header_len = byte(8) | (byte(9) << 8);
    at = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(path, "truncated header");
    header_len = byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24);
    at = 12;
  } else {
    fail(path, "unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() - at < header_len) fail(path, "truncated header");
  const std::string header(bytes.substr(at, header_len));
  at += header_len;

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')"))) fail(path, "header has no descr");
  const std::string descr = m[1];
  NpyArray a;
  if (descr == "<f4")
    a.dtype = DType::f32;
  else if (descr == "<f8")
    a.dtype = DType::f64;
  else if (descr == "<c8")
    a.dtype = DType::c64;
  else if (descr == "<c16")
    a.dtype = DType::c128;
  else
    fail(path, "dtype '" + descr + "' is not supported (use float32, float64, complex64 or complex128)");
  if (std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*True)")))
    fail(path, "Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))"))) fail(path, "header has no shape");
  const std::string dims = m[1];
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
    if (it->str().size() > 15) fail(path, "shape " + dims + " is too large");
    a.shape.push_back(std::stoll(it->str()));
  }
  if (a.shape.empty()) fail(path, "0-d arrays are not supported");
  // The data must be in the file before anything is allocated for it (a
  // header can claim any shape; element_count saturates).
  const std::int64_t elements = element_count(a.shape);
  const std::uint64_t available = bytes.size() - at;
  if (elements > static_cast<std::int64_t>(available / dtype_size(a.dtype)))
    fail(path, "file ends before its data (shape " + dims + ", " + std::to_string(available) + " data bytes)");
  const auto data_bytes = static_cast<std::size_t>(elements) * dtype_size(a.dtype);
  a.bytes.assign(bytes.data() + at, bytes.data() + at + data_bytes);
  return a;
}

void write_npy(const std::string& path, DType dtype, const Shape& shape, const void* data) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.erase(dims.size() - 2);
  else
    dims.pop_back();
  std::string header = "{'descr': '" + descr_of(dtype) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad so that magic + length + header + '\n' is a multiple of 64 bytes.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(path, "cannot write");
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  const unsigned char lb[2] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>(len >> 8)};
  out.write(reinterpret_cast<const char*>(lb), 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(element_count(shape) * dtype_size(dtype)));
  if (!out) fail(path, "write failed");
}

}  // namespace faltung::bench
