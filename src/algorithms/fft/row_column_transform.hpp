// A real 2-D transform of L0 x L1 done as its two passes: a 1-D r2c per row
// (FFTW), then the column transforms. The gain is in the block around the
// pair: the caller hands each row in (read from x in place, gathered, or
// null for zeros: skipped) and takes each inverse row out where it wants it
// (only the kept rows, straight to y), so an overlap-save block needs no
// full gather or scatter pass (docs/performance.md: 2-D 31x31 f32 9.5 ->
// 7.7 ms).
//
// The column pass, by shape (row_column_vertical):
//   L0 a power of two, spectrum up to 5 MiB
//                   our own radix-4 FFTs down the rows, a vector of bins at
//                   a time (vertical_fft_kernels.hpp): no transposes, 2.3x
//                   faster than FFTW's columns with them (256 x 257 f32).
//                   Spectrum: row-major, each row split into P real then P
//                   imaginary parts (P = the L1/2+1 bins rounded up to 64
//                   bytes), rows in bit-reversed frequency order;
//   otherwise       FFTW's contiguous columns: rows go through a small tile
//                   (a few rows, in L1 cache) that is transposed into the
//                   spectrum a cache line at a time (FFTW runs contiguous
//                   columns twice as fast as strided ones). Spectrum:
//                   column-major, bin c of row r at c * L0 + r, interleaved.
// Either way the caller multiplies spectra (in inverse) and scales the
// kernel's (scale) through the class.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "algorithms/fft/fftw_traits.hpp"
#include "algorithms/fft/vertical_fft_kernels.hpp"
#include "faltung/problem.hpp"

namespace faltung::fft {

// Complex values per tile row for rows of L1 samples: the L1/2+1 bins
// rounded up to even, so every tile row starts 16-byte aligned.
inline std::int64_t row_column_tile_stride(std::int64_t L1) { return (L1 / 2 + 2) / 2 * 2; }

// Bytes of the caller's tile buffer (64-byte aligned) for rows of L1: one
// cache line per column, whatever the precision.
inline std::size_t row_column_tile_bytes(std::int64_t L1) {
  return 64 * static_cast<std::size_t>(row_column_tile_stride(L1));
}

// Complex values per spectrum row in the vertical layout: the L1/2+1 bins
// rounded up to a 64-byte multiple of T (every row 64-byte aligned).
template <class T>
std::int64_t row_column_padded_bins(std::int64_t L1) {
  constexpr std::int64_t per_line = 64 / static_cast<std::int64_t>(sizeof(T));
  return (L1 / 2 + 1 + per_line - 1) / per_line * per_line;
}

// Whether the column pass is our own vertical FFT: L0 a power of two, and
// a spectrum of at most 5 MiB. A vertical pass reads its column of rows
// one cache line per row, which no prefetcher follows far beyond L2 (as a
// pair with the product, against FFTW's 2-D plan: 1024x1024 f32, 4.3 MB,
// 1.43x faster; 1024x1024 f64, 8.5 MB, 0.86x; 2048x2048 f32, 17 MB, 0.87x).
template <class T>
bool row_column_vertical(std::int64_t L0, std::int64_t L1) {
  constexpr std::int64_t kUpToBytes = std::int64_t{5} << 20;
  return L0 >= 2 && (L0 & (L0 - 1)) == 0 &&
         L0 * row_column_padded_bins<T>(L1) * 2 * static_cast<std::int64_t>(sizeof(T)) <= kUpToBytes;
}

// Which column pass a transform runs: the rule above, or FFTW's always
// (the cost calibration times both; tests compare them).
enum class ColumnPass { by_rule, fftw };

template <class T>
class RowColumnTransform {
  using F = Fftw<T>;
  using C = typename F::Complex;

 public:
  // Called with the planner lock held (row_column_transform() takes it).
  RowColumnTransform(std::int64_t L0, std::int64_t L1, PlanEffort effort, ColumnPass columns);
  ~RowColumnTransform();
  RowColumnTransform(const RowColumnTransform&) = delete;
  RowColumnTransform& operator=(const RowColumnTransform&) = delete;

  std::int64_t spectrum_elements() const { return L0_ * (vertical_ ? padded_ : bins_); }
  // Whether the column pass is our own (row_column_vertical).
  bool vertical() const { return vertical_; }

  // row_at(i), i = 0 .. L0-1 in order: row i's L1 samples (16-byte aligned,
  // not modified), or null for a row of zeros.
  template <class RowAt>
  void forward(RowAt&& row_at, T* spec, T* tile) const {
    if (vertical_) {
      const VerticalFftLoops<T>& v = vertical_fft_loops<T>();
      for (std::int64_t i = 0; i < L0_; ++i) {
        T* s = spec + i * 2 * padded_;
        const T* row = row_at(i);
        if (!row) {
          std::memset(static_cast<void*>(s), 0, sizeof(T) * 2 * static_cast<std::size_t>(padded_));
          continue;
        }
        F::run_r2c(row_forward_, const_cast<T*>(row), reinterpret_cast<C*>(tile));  // r2c keeps its input
        v.split(tile, bins_, padded_, s);
      }
      v.forward(spec, L0_, 2 * padded_, padded_, twiddles_.data());
      return;
    }
    C* s = reinterpret_cast<C*>(spec);
    C* t = reinterpret_cast<C*>(tile);
    for (std::int64_t i = 0; i < L0_; ++i) {
      const std::int64_t j = i % kTileRows;
      const T* row = row_at(i);
      if (row)
        F::run_r2c(row_forward_, const_cast<T*>(row), t + j * stride_);  // r2c keeps its input
      else
        std::memset(static_cast<void*>(t + j * stride_), 0, sizeof(C) * static_cast<std::size_t>(bins_));
      if (j == kTileRows - 1 || i == L0_ - 1) store_tile(t, i - j, j + 1, s);
    }
    F::run_c2c(columns_forward_, s);
  }

  // h *= factor, conjugated if asked (a kernel's spectrum, once).
  void scale(T* h, T factor, bool conjugate) const;

  // The inverse of spec * h (h: a kernel's spectrum from forward and
  // scale), rows first, first+1, ... (modulo L0), `rows` of them: the k-th
  // is written to out_at(k) (L1 samples, 16-byte aligned), then use(k, that
  // row) is called. Destroys spec.
  template <class OutAt, class Use>
  void inverse(T* spec, const T* h, std::int64_t first, std::int64_t rows, T* tile, OutAt&& out_at, Use&& use) const {
    if (vertical_) {
      const VerticalFftLoops<T>& v = vertical_fft_loops<T>();
      v.product_inverse(spec, h, L0_, 2 * padded_, padded_, twiddles_.data());
      for (std::int64_t k = 0; k < rows; ++k) {
        v.join(spec + ((first + k) % L0_) * 2 * padded_, bins_, padded_, tile);
        T* out = out_at(k);
        F::run_c2r(row_inverse_, reinterpret_cast<C*>(tile), out);  // destroys the tile row only
        use(k, static_cast<const T*>(out));
      }
      return;
    }
    multiply_interleaved(spec, h);
    C* s = reinterpret_cast<C*>(spec);
    C* t = reinterpret_cast<C*>(tile);
    F::run_c2c(columns_inverse_, s);
    std::int64_t loaded = -1;  // the tile's first row
    for (std::int64_t k = 0; k < rows; ++k) {
      const std::int64_t r = (first + k) % L0_, g0 = r - r % kTileRows;
      if (g0 != loaded) load_tile(s, g0, std::min(kTileRows, L0_ - g0), t), loaded = g0;
      T* out = out_at(k);
      F::run_c2r(row_inverse_, t + (r - g0) * stride_, out);  // destroys the tile row only
      use(k, static_cast<const T*>(out));
    }
  }

 private:
  // Rows per tile: one cache line of a column's complex values.
  static constexpr std::int64_t kTileRows = 64 / static_cast<std::int64_t>(sizeof(C));

  void multiply_interleaved(T* spec, const T* h) const;  // spec *= h, FFTW columns' layout

  void store_tile(const C* t, std::int64_t r0, std::int64_t n, C* s) const {
    for (std::int64_t c = 0; c < bins_; ++c)
      for (std::int64_t j = 0; j < n; ++j) std::memcpy(&s[c * L0_ + r0 + j], &t[j * stride_ + c], sizeof(C));
  }
  void load_tile(const C* s, std::int64_t r0, std::int64_t n, C* t) const {
    for (std::int64_t c = 0; c < bins_; ++c)
      for (std::int64_t j = 0; j < n; ++j) std::memcpy(&t[j * stride_ + c], &s[c * L0_ + r0 + j], sizeof(C));
  }

  std::int64_t L0_, bins_, stride_;  // stride_: row_column_tile_stride(L1)
  bool vertical_;                    // the column pass: vertical_fft_kernels (else FFTW's)
  std::int64_t padded_;              // vertical: complex values per spectrum row
  std::vector<T> twiddles_;          // vertical: exp(-2 pi i k / L0), k < L0, interleaved
  typename F::Plan row_forward_ = nullptr, row_inverse_ = nullptr, columns_forward_ = nullptr,
                   columns_inverse_ = nullptr;
};

// Whether lengths (L0, L1) suit it: at least 128x128 samples (FFTW's own
// 2-D plan is faster below) and L1 * sizeof(T) a multiple of 16.
template <class T>
bool row_column_suits(std::int64_t L0, std::int64_t L1);

// The same for a problem's dtype (false for complex ones).
inline bool row_column_suits(DType t, std::int64_t L0, std::int64_t L1) {
  if (is_complex(t)) return false;
  return t == DType::f32 ? row_column_suits<float>(L0, L1) : row_column_suits<double>(L0, L1);
}

// row_column_vertical for a problem's dtype (false for complex ones).
inline bool row_column_vertical(DType t, std::int64_t L0, std::int64_t L1) {
  if (is_complex(t)) return false;
  return t == DType::f32 ? row_column_vertical<float>(L0, L1) : row_column_vertical<double>(L0, L1);
}

// Complex values of the spectrum of L0 x L1 in its layout.
template <class T>
std::int64_t row_column_spectrum_elements(std::int64_t L0, std::int64_t L1) {
  return L0 * (row_column_vertical<T>(L0, L1) ? row_column_padded_bins<T>(L1) : L1 / 2 + 1);
}
inline std::int64_t row_column_spectrum_elements(DType t, std::int64_t L0, std::int64_t L1) {
  return t == DType::f32 ? row_column_spectrum_elements<float>(L0, L1) : row_column_spectrum_elements<double>(L0, L1);
}

// The cached transform for (T, L0, L1, effort, columns); made on first use.
template <class T>
std::shared_ptr<const RowColumnTransform<T>> row_column_transform(std::int64_t L0, std::int64_t L1, PlanEffort effort,
                                                                  ColumnPass columns = ColumnPass::by_rule);

}  // namespace faltung::fft
