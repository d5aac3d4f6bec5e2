// A large real 1-D transform of length N = 2 M that can use several threads
// and still give the same bits on any number of them.
//
// The N reals are read as M complex values z[n] = x[2n] + i x[2n+1], and
// their length-M transform is done in four steps with M = M1 x M2: M2
// column transforms of length M1, twiddle factors, M1 row transforms of
// length M2 (the spectrum is left in that transposed order, which the
// pointwise product does not mind). The real spectrum follows from pairs
// Z[k], Z[M-k]. Every step is cut into the same pieces whatever the thread
// count and each piece runs the same FFTW plan, so threads only decide who
// computes a piece. FFTW's own threads change its plan, and so the rounding,
// with the count; one thread's FFTW plan leaves the second thread idle.
//
// Used for every real 1-D transform of at least four_step_from<T>() samples
// (fft_executor.cpp): from there FFTW's one-thread plan of the same length
// is slower (f64 2^19: 10.2 ms a convolution's transforms against 8.1; f32
// only from 2^20: 16.2 against 12.4, while at 2^19 FFTW's 5.2 beats 6.0;
// bench/transforms_bench.cpp, docs/performance.md).
#pragma once

#include <cstdint>
#include <memory>

#include "algorithms/fft/fftw_plans.hpp"
#include "faltung/problem.hpp"

namespace faltung::fft {

template <class T>
constexpr std::int64_t four_step_from() {
  return std::int64_t{1} << (sizeof(T) == 4 ? 20 : 19);
}

// Whether a real transform of length L runs in four steps.
template <class T>
bool four_step_suits(std::int64_t L) {
  // Even, and M = L/2 with at least 2^4 in it so both M1 and M2 are even.
  return L >= four_step_from<T>() && L % 32 == 0;
}

// The same for a problem's dtype (false for complex ones).
inline bool four_step_suits(DType t, std::int64_t L) {
  if (is_complex(t)) return false;
  return t == DType::f32 ? four_step_suits<float>(L) : four_step_suits<double>(L);
}

template <class T>
class FourStepReal {
 public:
  virtual ~FourStepReal() = default;
  // In place: data holds N reals (64-byte aligned) and becomes the packed
  // transform Z (M complex values, transposed order).
  virtual void forward(T* data, int threads) const = 0;
  // In place: Z of a kernel becomes its real spectrum H[0..M] (M + 1
  // complex values: data must have room for N + 2 reals), times `scale`,
  // conjugated when asked (correlation).
  virtual void kernel_spectrum(T* data, T scale, bool conjugate, int threads) const = 0;
  // In place: Z of x becomes the packed transform of x (*) h, h's spectrum
  // from kernel_spectrum. As with FFTW's r2c and c2r, forward, multiply
  // and inverse give N times the circular convolution: scale h by 1/N.
  virtual void multiply(T* data, const T* h, int threads) const = 0;
  // In place: packed transform -> N reals.
  virtual void inverse(T* data, int threads) const = 0;
};

// The cached transform of length L (four_step_suits(L)); made on first use.
template <class T>
std::shared_ptr<const FourStepReal<T>> four_step_real(std::int64_t L);

}  // namespace faltung::fft
