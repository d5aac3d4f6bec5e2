// Little-endian bytes for saved state (stream filters, detectors): plain values and
// arrays in, the same out, with every read checked against the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "faltung/errors.hpp"

namespace faltung::stream {

class ByteWriter {
 public:
  template <class V>
  void put(const V& v) {
    static_assert(std::is_trivially_copyable_v<V>);
    append(&v, sizeof(V));
  }
  template <class V>
  void put_array(const V* data, std::size_t count) {
    static_assert(std::is_trivially_copyable_v<V>);
    put<std::uint64_t>(count);
    append(data, count * sizeof(V));
  }
  void put_text(const std::string& s) { put_array(s.data(), s.size()); }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  void append(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<std::uint8_t> bytes_;
};

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  template <class V>
  V get() {
    static_assert(std::is_trivially_copyable_v<V>);
    V v;
    copy_out(&v, sizeof(V));
    return v;
  }
  // Reads an array written by put_array into `out`, which must have exactly
  // the saved length (a different length means another filter's state).
  template <class V>
  void get_array(V* out, std::size_t expected, const char* what) {
    const auto count = get<std::uint64_t>();
    if (count != expected)
      throw Error(ErrorKind::invalid_argument, std::string("saved state: ") + what + " holds " + std::to_string(count) +
                                                   " values where this filter has " + std::to_string(expected));
    copy_out(out, expected * sizeof(V));
  }
  template <class V>
  std::vector<V> get_vector(std::size_t limit, const char* what) {
    const auto count = get<std::uint64_t>();
    if (count > limit || count * sizeof(V) > size_ - at_)
      throw Error(ErrorKind::invalid_argument, std::string("saved state: ") + what + " is damaged or truncated");
    std::vector<V> v(count);
    copy_out(v.data(), count * sizeof(V));
    return v;
  }
  std::string get_text(std::size_t limit, const char* what) {
    const auto chars = get_vector<char>(limit, what);
    return std::string(chars.begin(), chars.end());
  }
  bool at_end() const { return at_ == size_; }

 private:
  void copy_out(void* out, std::size_t n) {
    if (n > size_ - at_)
      throw Error(ErrorKind::invalid_argument,
                  "saved state is truncated (" + std::to_string(size_) + " bytes, more needed)");
    if (n) std::memcpy(out, data_ + at_, n);
    at_ += n;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// What every saved format starts with: its name, its version and a mark
// that reads back otherwise on a machine of the other byte order.
// `owner` names the thing in errors ("stream filter", "detector", ...).
struct SavedFormat {
  std::string_view name;
  std::uint32_t version;
  const char* owner;
  static constexpr std::uint32_t kByteOrder = 0x01020304;

  void write(ByteWriter& w) const {
    w.put_text(std::string(name));
    w.put(version);
    w.put(kByteOrder);
  }
  // Throws faltung::Error naming the owner for another format, another
  // version or the other byte order.
  void read(ByteReader& r) const {
    const std::string prefix = std::string(owner) + ": ";
    const std::string magic = r.get_text(64, "the format name");
    if (magic != name)
      throw Error(ErrorKind::invalid_argument,
                  prefix + "these bytes are not a saved " + owner + " (format '" + magic + "')");
    const auto saved = r.get<std::uint32_t>();
    if (saved != version)
      throw Error(ErrorKind::invalid_argument, prefix + "saved with format version " + std::to_string(saved) +
                                                   "; this build reads version " + std::to_string(version));
    if (r.get<std::uint32_t>() != kByteOrder)
      throw Error(ErrorKind::invalid_argument, prefix + "saved on a machine of the other byte order");
  }
};

}  // namespace faltung::stream
