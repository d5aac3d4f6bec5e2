// Carving a caller's workspace into regions. Region sizes are rounded up to
// cache lines, so in a line-aligned workspace threads writing neighbouring
// regions never share a line.
#pragma once

#include <cstddef>
#include <cstdint>

namespace faltung::core {

inline constexpr std::size_t kCacheLine = 64;

inline constexpr std::size_t round_up_to_line(std::size_t bytes) {
  return (bytes + kCacheLine - 1) / kCacheLine * kCacheLine;
}

// The first cache-line boundary at or after p.
inline char* align_to_line(char* p) {
  const auto misalignment = reinterpret_cast<std::uintptr_t>(p) % kCacheLine;
  return misalignment ? p + (kCacheLine - misalignment) : p;
}

}  // namespace faltung::core
