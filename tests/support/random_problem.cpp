#include "support/random_problem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faltung::test {
namespace {

template <class T>
T pick(std::mt19937_64& rng, std::initializer_list<T> options) {
  std::uniform_int_distribution<std::size_t> d(0, options.size() - 1);
  return *(options.begin() + d(rng));
}

int uniform(std::mt19937_64& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// Lengths around vector widths (8, 16 lanes) and tiles (4x and 8x that), primes.
std::int64_t input_length(std::mt19937_64& rng, bool long_axis) {
  if (long_axis) return pick<std::int64_t>(rng, {127, 128, 129, 255, 256, 257, 509, 1021, 4095, 4097, 4400});
  return pick<std::int64_t>(rng, {1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47});
}

std::int64_t kernel_length(std::mt19937_64& rng, std::int64_t n) {
  switch (uniform(rng, 0, 5)) {
    case 0:
      return 1;
    case 1:
      return 2 * uniform(rng, 1, 4);  // even
    case 2:
      return 2 * uniform(rng, 1, 4) + 1;  // odd
    case 3:
      return n + uniform(rng, 1, 5);  // longer than the input
    case 4:
      return std::max<std::int64_t>(1, n);
    default:
      return uniform(rng, 1, 17);
  }
}

}  // namespace

SweepCase random_case(std::mt19937_64& rng, const SweepLimits& limits) {
  for (;;) {
    Problem p;
    p.op = pick(rng, {Op::conv, Op::corr});
    p.dtype = pick(rng, {DType::f32, DType::f64, DType::c64, DType::c128});
    const int nconv = uniform(rng, 1, 3);
    const int nbatch = uniform(rng, 0, 3) == 0 ? uniform(rng, 1, 2) : 0;
    const int rank = nconv + nbatch;
    // Batch axes go anywhere; the convolved ones are the rest, in order.
    std::vector<int> axes;
    for (int a = 0; a < rank; ++a) axes.push_back(a);
    std::shuffle(axes.begin(), axes.end(), rng);
    axes.resize(nconv);
    std::sort(axes.begin(), axes.end());
    const bool long_1d = nconv == 1 && uniform(rng, 0, 2) == 0;
    p.x.resize(rank);
    for (int a = 0; a < rank; ++a) p.x[a] = input_length(rng, long_1d && a == axes[0]);
    // Kernel rank: one per convolved axis, or rank(x) with 1 on batch axes.
    const bool full_rank_kernel = nbatch > 0 && uniform(rng, 0, 1) == 0;
    std::vector<std::int64_t> m(nconv);
    for (int i = 0; i < nconv; ++i) m[i] = kernel_length(rng, p.x[axes[i]]);
    if (full_rank_kernel) {
      p.k.assign(rank, 1);
      for (int i = 0; i < nconv; ++i) p.k[axes[i]] = m[i];
    } else {
      p.k = m;
    }
    const bool default_axes = !full_rank_kernel && axes.back() == rank - 1 && axes.front() == rank - nconv;
    if (!default_axes || uniform(rng, 0, 3) == 0) p.axes = axes;
    p.mode = pick(rng, {Mode::full, Mode::same, Mode::valid});
    const auto rule = [&] {
      return pick(rng, {BoundaryRule::constant, BoundaryRule::symmetric, BoundaryRule::mirror, BoundaryRule::nearest,
                        BoundaryRule::wrap});
    };
    if (uniform(rng, 0, 1))
      p.boundary = {rule()};
    else
      for (int i = 0; i < nconv; ++i) p.boundary.push_back(rule());
    if (uniform(rng, 0, 2) == 0) p.cval = pick(rng, {1.5, -2.0, 0.25});
    if (p.mode == Mode::same && uniform(rng, 0, 1)) {
      for (int i = 0; i < nconv; ++i)
        p.origin.push_back(uniform(rng, -static_cast<int>((m[i] - 1) / 2), static_cast<int>(m[i] / 2)));
    }
    if (p.mode == Mode::valid) {
      bool fits = true, contains = true;
      for (int i = 0; i < nconv; ++i) {
        fits = fits && m[i] <= p.x[axes[i]];
        contains = contains && m[i] >= p.x[axes[i]];
      }
      if (!fits && !contains) continue;
    }
    p.nan = limits.allow_nonfinite ? pick(rng, {NanPolicy::propagate, NanPolicy::propagate, NanPolicy::ignore,
                                                NanPolicy::fill, NanPolicy::raise})
                                   : NanPolicy::propagate;
    if (p.nan == NanPolicy::fill) p.fill = pick(rng, {0.0, -1.0, 3.5});
    p = canonical(p);
    const std::int64_t macs = element_count(output_shape(p)) * element_count(p.k);
    if (macs > limits.max_macs || macs < limits.min_macs) continue;

    SweepCase c;
    c.problem = p;
    const Values values = uniform(rng, 0, 1) ? Values::integers : Values::normal;
    c.x = random_buffer(p.dtype, p.x, rng, values);
    c.k = random_buffer(p.dtype, p.k, rng, values);
    if (p.nan == NanPolicy::ignore) {
      // Normalised convolution divides by the valid weights: positive smoothing
      // kernels (its use) keep that sum away from zero.
      for (std::int64_t i = 0; i < c.k.elements(); ++i) c.k.set(i, {0.25L + std::abs(c.k.get(i).real()), 0});
    }
    if (limits.allow_nonfinite && uniform(rng, 0, 2) == 0) {
      const int bad = uniform(rng, 1, 3);
      for (int b = 0; b < bad; ++b) {
        const std::int64_t i = std::uniform_int_distribution<std::int64_t>(0, c.x.elements() - 1)(rng);
        const long double v = pick<long double>(rng, {NAN, INFINITY, -INFINITY});
        c.x.set(i, {v, 0});
      }
    }
    c.threads = pick(rng, {1, 1, 2, 3, 4});
    return c;
  }
}

}  // namespace faltung::test
