// Executing a plan with a caller's workspace allocates nothing (one thread).
// This file replaces the global operator new of the test binary with a
// counting one; counting is switched on only around execute().
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

#include "faltung/detect.hpp"
#include "faltung/filter_bank.hpp"
#include "faltung/stream.hpp"
#include "support/check.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace faltung::test {
namespace {

// Operator new calls during one execute with a caller's workspace.
long allocations_in_execute(const Plan& plan, const Buffer& x, const Buffer& k) {
  Buffer y(plan.problem().dtype, plan.output_shape());
  std::vector<unsigned char> ws(plan.workspace_bytes());
  allocations = 0;
  counting = true;
  plan.execute(x.data(), k.data(), y.data(), ws.data());
  counting = false;
  return allocations.load();
}

TEST(NoAllocation, ExecuteWithWorkspace) {
  for (const char* s :
       {"op=conv dtype=f32 x=100000 k=64 mode=same", "op=conv dtype=f32 x=100000 k=5 mode=same boundary=wrap",
        "op=corr dtype=f64 x=300x200 k=5x5 mode=same boundary=symmetric",
        "op=conv dtype=c64 x=40x50x60 k=3x3x3 mode=full", "op=conv dtype=f64 x=5000 k=9 mode=same nan=ignore",
        "op=conv dtype=f32 x=5000 k=9 mode=same nan=fill fill=0"}) {
    const Problem p = parse_problem(s);
    std::mt19937_64 rng(1);
    Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    x.set(17, {NAN, 0});  // the policies' extra passes run too
    const Buffer k = random_buffer(p.dtype, p.k, rng, Values::normal);
    EXPECT_EQ(allocations_in_execute(Plan::create(p, {Method::direct, 1}), x, k), 0) << s;
  }
}

// The FFT methods (every nan policy's extra passes) and separable (which
// factors the kernel at each execute) allocate nothing either.
TEST(NoAllocation, FftAndSeparableMethods) {
  struct Case {
    const char* problem;
    Method method;
  };
  for (const Case& c : {Case{"op=conv dtype=f32 x=100000 k=300 mode=same", Method::overlap_save},
                        Case{"op=corr dtype=f64 x=200x300 k=21x17 mode=same boundary=wrap", Method::overlap_save},
                        Case{"op=conv dtype=c64 x=3000 k=200 mode=full", Method::fft},
                        Case{"op=conv dtype=f64 x=4000 k=100 mode=same nan=ignore", Method::overlap_save},
                        Case{"op=conv dtype=f32 x=4000 k=100 mode=same nan=fill fill=1", Method::fft},
                        Case{"op=conv dtype=f64 x=300x200 k=7x9 mode=same boundary=mirror", Method::separable},
                        // rows and columns (2-D of 128x128 and more), four steps (1-D of 2^19 and more)
                        Case{"op=corr dtype=f32 x=300x700 k=31x33 mode=same boundary=symmetric", Method::overlap_save},
                        Case{"op=conv dtype=f64 x=600000 k=7 mode=same nan=ignore", Method::fft}}) {
    const Problem p = parse_problem(c.problem);
    std::mt19937_64 rng(2);
    Buffer x = random_buffer(p.dtype, p.x, rng, Values::normal);
    x.set(17, {NAN, 0});  // the policies' slow passes run too
    Buffer k(p.dtype, p.k);
    for (std::int64_t i = 0; i < k.elements(); ++i)  // rank 1 (separable), positive (ignore)
      k.set(i,
            {1.0L + (i / p.k.back()) * 0.5L + (i % p.k.back()) * 0.25L + (i / p.k.back()) * (i % p.k.back()) * 0.125L,
             0});
    PlanOptions o;
    o.method = c.method;
    o.kernel = k.data();
    EXPECT_EQ(allocations_in_execute(Plan::create(p, o), x, k), 0) << c.problem;
  }
}

}  // namespace
}  // namespace faltung::test

namespace faltung::test {
namespace {

// StreamFilter::process allocates nothing, on every engine and policy.
TEST(NoAllocation, StreamProcess) {
  struct Case {
    std::int64_t taps, channels;
    Method method;
    NanPolicy nan;
  };
  for (const Case c : {Case{31, 1, Method::direct, NanPolicy::ignore}, Case{31, 20, Method::direct, NanPolicy::ignore},
                       Case{3000, 2, Method::overlap_save, NanPolicy::propagate},
                       Case{500, 1, Method::overlap_save, NanPolicy::fill}}) {
    std::vector<float> w(static_cast<std::size_t>(c.taps), 0.01f);
    StreamOptions o;
    o.dtype = DType::f32;
    o.channels = c.channels;
    o.method = c.method;
    o.nan = c.nan;
    o.max_block = 256;
    StreamFilter f = StreamFilter::create(w.data(), c.taps, o);
    const std::int64_t n = 20000;
    std::vector<float> x(static_cast<std::size_t>(n * c.channels), 1.0f), y(x.size());
    x[500] = NAN;
    allocations = 0;
    counting = true;
    for (std::int64_t at = 0; at < n; at += 777)
      f.process(x.data() + at * c.channels, y.data() + at * c.channels, std::min<std::int64_t>(777, n - at));
    counting = false;
    EXPECT_EQ(allocations.load(), 0) << "taps " << c.taps << " channels " << c.channels;
  }
}

}  // namespace
}  // namespace faltung::test

namespace faltung::test {
namespace {

TEST(NoAllocation, FilterBankProcess) {
  const std::vector<double> w(15, 1.0 / 15);
  FilterBank bank = FilterBank::create(w.data(), 15);
  const auto a = bank.add(), b = bank.add();
  std::vector<double> x(1000, 1.0), y(1000);
  x[10] = NAN;
  allocations = 0;
  counting = true;
  for (int rep = 0; rep < 10; ++rep) bank.process(rep % 2 ? a : b, x.data(), y.data(), 1000);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

TEST(NoAllocation, DetectorProcess) {
  // every kind, and the kinds with seasonal features with a period too
  const std::pair<DetectorKind, std::int64_t> cases[] = {{DetectorKind::surprise, 0},   {DetectorKind::surprise, 100},
                                                         {DetectorKind::multiscale, 0}, {DetectorKind::multiscale, 100},
                                                         {DetectorKind::zscore, 0},     {DetectorKind::ewma, 0},
                                                         {DetectorKind::holt, 0}};
  for (const auto& [kind, period] : cases) {
    DetectorOptions o;
    o.kind = kind;
    o.series = 3;
    o.period = period;
    Detector d = Detector::create(o);
    const std::int64_t frames = 5000;
    std::vector<double> x(static_cast<std::size_t>(frames * o.series)), score(x.size());
    std::vector<std::uint8_t> alert(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.01 * static_cast<double>(i)) + (i == 900 ? NAN : 0.0);
    allocations = 0;
    counting = true;
    for (std::int64_t at = 0; at < frames; at += 333)
      d.process(x.data() + at * o.series, score.data() + at * o.series, alert.data() + at * o.series,
                std::min<std::int64_t>(333, frames - at));
    counting = false;
    EXPECT_EQ(allocations.load(), 0) << name(kind) << " period " << period;
  }
}

}  // namespace
}  // namespace faltung::test
