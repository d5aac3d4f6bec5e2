#include "npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace faltung::bench {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string descr_of(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f64: return "<f8";
    case DType::c64: return "<c8";
    case DType::c128: return "<c16";
  }
  return "";
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  } else {
    fail(path, "unsupported .npy version " + std::to_string(major));
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) fail(path, "truncated header");

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    fail(path, "header has no descr");
  const std::string descr = m[1];
  NpyArray a;
  if (descr == "<f4") a.dtype = DType::f32;
  else if (descr == "<f8") a.dtype = DType::f64;
  else if (descr == "<c8") a.dtype = DType::c64;
  else if (descr == "<c16") a.dtype = DType::c128;
  else fail(path, "dtype '" + descr + "' is not supported (use float32, float64, complex64 or complex128)");
  if (std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*True)")))
    fail(path, "Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    fail(path, "header has no shape");
  const std::string dims = m[1];
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it)
    a.shape.push_back(std::stoll(it->str()));
  if (a.shape.empty()) fail(path, "0-d arrays are not supported");
  a.bytes.resize(element_count(a.shape) * dtype_size(a.dtype));
  in.read(reinterpret_cast<char*>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
  if (!in) fail(path, "file ends before its " + std::to_string(a.bytes.size()) + " data bytes");
  return a;
}

void write_npy(const std::string& path, DType dtype, const Shape& shape, const void* data) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.erase(dims.size() - 2);
  else dims.pop_back();
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
