// Times every partition schedule the stream cost model considers, beside its
// estimate: how well the model (src/stream/schedule.cpp) picks.
//   ./build/bench/faltung-stream-schedules TAPS BLOCK [f32|f64]
// One line per schedule, fastest measured first; "<- model" marks the choice.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "stream/partitioned_stream.hpp"
#include "stream/schedule.hpp"

namespace {

using namespace faltung;

template <class T>
int run(std::int64_t taps, std::int64_t block, DType t) {
  const std::int64_t n = 1'000'000;
  std::vector<T> w(static_cast<std::size_t>(taps)), x(n), y(n);
  std::mt19937 g(0);
  std::normal_distribution<double> d;
  for (auto& v : w) v = static_cast<T>(d(g));
  for (auto& v : x) v = static_cast<T>(d(g));
  stream::Config cfg;
  cfg.dtype = t;
  cfg.taps = taps;
  cfg.max_block = block;
  const auto chosen = stream::best_partition_schedule(t, taps, block);
  struct Row {
    double measured, estimate;
    std::string text;
    bool chosen;
  };
  std::vector<Row> rows;
  for (const auto& s : stream::candidate_schedules(t, taps, block)) {
    auto engine = stream::make_partitioned<T>(cfg, w, s);
    double best = 1e9;
    for (int r = 0; r < 3; ++r) {
      engine->reset();
      const auto t0 = std::chrono::steady_clock::now();
      for (std::int64_t i = 0; i < n; i += block) engine->process(x.data() + i, y.data() + i, std::min(block, n - i));
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    const std::string text = stream::describe(s);
    rows.push_back({best / n * 1e9, s.seconds_per_sample * 1e9, text, text == stream::describe(chosen)});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.measured < b.measured; });
  for (const auto& r : rows)
    std::printf("measured %7.2f ns  estimated %7.2f ns  %s%s\n", r.measured, r.estimate, r.text.c_str(),
                r.chosen ? "  <- model" : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: faltung-stream-schedules TAPS BLOCK [f32|f64]\n");
    return 2;
  }
  const std::int64_t taps = std::atoll(argv[1]), block = std::atoll(argv[2]);
  const bool f64 = argc > 3 && std::string(argv[3]) == "f64";
  return f64 ? run<double>(taps, block, DType::f64) : run<float>(taps, block, DType::f32);
}
