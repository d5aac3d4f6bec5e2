// Memory for large result arrays, recycled between calls.
//
// A fresh multi-megabyte allocation comes from mmap: its first write faults
// in and zeroes every page, which costs as much as a fast convolution itself
// (40 MB: about 2.5 ms here, against 5 ms of compute). Buffers of results
// that Python has freed are kept (a few, up to a byte cap) and handed to the
// next call of a similar size, already mapped.
#pragma once

#include <cstddef>

namespace faltung::python {

// Arrays below this size come from numpy directly (a 256 KB+ block from
// malloc is mapped afresh often enough to cost page faults: 3 us per call at
// 800 KB here).
inline constexpr std::size_t kPooledFromBytes = std::size_t{256} << 10;
// At most this many bytes are kept while no array uses them.
inline constexpr std::size_t kPoolKeepsBytes = std::size_t{512} << 20;

// At least `bytes` bytes, 64-byte aligned. Never returns null (throws
// std::bad_alloc).
void* acquire_buffer(std::size_t bytes);
// Gives back a buffer from acquire_buffer (the owning array was freed).
void release_buffer(void* data) noexcept;
// Frees every kept buffer; returns the bytes freed.
std::size_t drop_kept_buffers() noexcept;

}  // namespace faltung::python
