// A zero-filled array on a 64-byte boundary: what FFTW's plans expect of the
// arrays they run on (they were made on aligned ones), and what keeps SIMD
// loads from splitting cache lines. Copyable; the copy is aligned too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#include "core/workspace.hpp"

namespace faltung::core {

template <class T>
class AlignedArray {
 public:
  AlignedArray() = default;
  explicit AlignedArray(std::size_t n) { resize(n); }
  AlignedArray(const AlignedArray& o) : AlignedArray(o.n_) { std::copy(o.data(), o.data() + n_, data()); }
  AlignedArray& operator=(const AlignedArray& o) {
    if (this != &o) {
      resize(o.n_);
      std::copy(o.data(), o.data() + n_, data());
    }
    return *this;
  }
  AlignedArray(AlignedArray&&) noexcept = default;
  AlignedArray& operator=(AlignedArray&&) noexcept = default;

  // n zeros (the old contents are dropped)
  void resize(std::size_t n) {
    p_.reset(static_cast<T*>(std::aligned_alloc(kCacheLine, round_up_to_line(n * sizeof(T)) + kCacheLine)));
    if (!p_) throw std::bad_alloc();
    n_ = n;
    zero();
  }
  T* data() { return p_.get(); }
  const T* data() const { return p_.get(); }
  std::size_t size() const { return n_; }
  void zero() { std::fill(data(), data() + n_, T(0)); }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> p_;
  std::size_t n_ = 0;
};

}  // namespace faltung::core
