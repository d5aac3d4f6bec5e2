// Google Benchmark over the direct method's kernel families, through Plan so
// that what is timed is what users get: the plain tile (short 1-D kernels),
// the ring (1-D, m >= 2 vectors) and the multi-row kernel (2-D windows).
// The GFLOP counter (a rate) counts 2 flops per tap per output. For tuning; the grid runs beside
// the anchors are bench/run_grid.sh.
//
//   ./build/bench/faltung-kernel-bench --benchmark_filter=1d
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "faltung/plan.hpp"

namespace {

void run_problem(benchmark::State& state, const std::string& text, int threads) {
  const faltung::Problem p = faltung::parse_problem(text);
  const faltung::Plan plan = faltung::Plan::create(p, {faltung::Method::direct, threads});
  const std::size_t scalar = faltung::dtype_size(p.dtype) / (faltung::is_complex(p.dtype) ? 2 : 1);
  const std::size_t per = faltung::is_complex(p.dtype) ? 2 : 1;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  auto fill = [&](std::size_t count) {
    std::vector<double> d(count * per);
    for (auto& v : d) v = normal(rng);
    std::vector<unsigned char> bytes(count * per * scalar);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (scalar == 4)
        reinterpret_cast<float*>(bytes.data())[i] = static_cast<float>(d[i]);
      else
        reinterpret_cast<double*>(bytes.data())[i] = d[i];
    }
    return bytes;
  };
  const auto x = fill(static_cast<std::size_t>(faltung::element_count(p.x)));
  const auto k = fill(static_cast<std::size_t>(faltung::element_count(p.k)));
  std::vector<unsigned char> y(static_cast<std::size_t>(plan.output_elements()) * per * scalar);
  std::vector<unsigned char> ws(plan.workspace_bytes());
  for (auto _ : state) {
    plan.execute(x.data(), k.data(), y.data(), ws.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * static_cast<double>(plan.output_elements()) *
                       static_cast<double>(faltung::element_count(p.k)) * (per == 2 ? 4 : 1);
  state.counters["GFLOP"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(text);
}

void register_all() {
  for (const char* dtype : {"f32", "f64"})
    for (int n : {100000, 1000000})
      for (int m : {3, 8, 16, 24, 32, 48, 64, 128, 256}) {
        const std::string text = std::string("op=conv dtype=") + dtype + " x=" + std::to_string(n) +
                                 " k=" + std::to_string(m) + " mode=same";
        benchmark::RegisterBenchmark(
            ("1d/" + std::string(dtype) + "/n:" + std::to_string(n) + "/m:" + std::to_string(m)).c_str(),
            [text](benchmark::State& s) { run_problem(s, text, 1); });
      }
  for (int kk : {3, 5, 7, 11})
    for (int threads : {1, 2}) {
      const std::string text =
          "op=conv dtype=f32 x=1080x1920 k=" + std::to_string(kk) + "x" + std::to_string(kk) + " mode=same";
      benchmark::RegisterBenchmark(
          ("2d/f32/1080x1920/k:" + std::to_string(kk) + "/threads:" + std::to_string(threads)).c_str(),
          [text, threads](benchmark::State& s) { run_problem(s, text, threads); });
    }
  benchmark::RegisterBenchmark("complex/c64/n:100000/m:16", [](benchmark::State& s) {
    run_problem(s, "op=conv dtype=c64 x=100000 k=16 mode=same", 1);
  });
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
