// faltung-bench: one driver for verification and performance on problem strings.
//
//   faltung-bench --verify --perf "op=conv dtype=f32 x=1000000 k=31 mode=same"
//   faltung-bench --perf --grid ../shared/bench/grid.json --group 1d > faltung.jsonl
//   faltung-bench --verify --input x.npy --kernel k.npy --output y.npy "op=... x=.. k=.."
//
// --perf prints JSON lines {"group","case","system","seconds","gflops"} that
// ../shared/bench/table.py joins with the anchors'; --table prints a readable
// table instead. --verify exits 1 on any mismatch, naming problem and seed.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <vector>

#include "cases.hpp"
#include "faltung/errors.hpp"
#include "faltung/plan.hpp"
#include "faltung/testing/reference.hpp"
#include "faltung/testing/tolerance.hpp"
#include "faltung/wisdom.hpp"
#include "npy.hpp"
#include "detect_bench.hpp"
#include "stream_bench.hpp"

namespace faltung::bench {
namespace {

struct Settings {
  bool verify = false, perf = false, table = false, explain = false;
  std::string method = "auto";  // one method, or a comma-separated list run in turn
  std::size_t max_workspace = 0;
  std::string accuracy = "normwise";
  std::string wisdom;  // loaded before, saved after
  int threads = 1;
  std::uint64_t seed = 1;
  double budget = 0.3;        // seconds of timed repetitions per case (as anchors.py)
  double max_seconds = 10.0;  // skip cases the plan estimates slower than this
  std::string input, kernel, output;
};

// Aligned byte buffer for any dtype.
struct Bytes {
  std::vector<double> storage;  // 8-byte alignment is enough for every dtype
  explicit Bytes(std::size_t n = 0) : storage((n + 7) / 8) {}
  void* data() { return storage.data(); }
  const void* data() const { return storage.data(); }
};

Bytes random_array(DType t, const Shape& s, std::mt19937_64& rng) {
  const std::int64_t scalars = element_count(s) * (is_complex(t) ? 2 : 1);
  Bytes b(element_count(s) * dtype_size(t));
  std::normal_distribution<double> normal;
  for (std::int64_t i = 0; i < scalars; ++i) {
    if (t == DType::f32 || t == DType::c64)
      static_cast<float*>(b.data())[i] = static_cast<float>(normal(rng));
    else
      static_cast<double*>(b.data())[i] = normal(rng);
  }
  return b;
}

Bytes from_npy(const std::string& path, const Problem& p, const Shape& want, const char* what) {
  const NpyArray a = read_npy(path);
  if (a.dtype != p.dtype || a.shape != want)
    throw std::runtime_error(path + ": holds " + std::string(name(a.dtype)) + " " + shape_to_string(a.shape) +
                             " but the problem's " + what + " is " + std::string(name(p.dtype)) + " " +
                             shape_to_string(want));
  Bytes b(a.bytes.size());
  std::copy(a.bytes.begin(), a.bytes.end(), static_cast<unsigned char*>(b.data()));
  return b;
}

std::complex<long double> element(const void* y, DType t, std::int64_t i) {
  switch (t) {
    case DType::f32:
      return {static_cast<const float*>(y)[i], 0};
    case DType::f64:
      return {static_cast<const double*>(y)[i], 0};
    case DType::c64:
      return {static_cast<const float*>(y)[2 * i], static_cast<const float*>(y)[2 * i + 1]};
    case DType::c128:
      return {static_cast<const double*>(y)[2 * i], static_cast<const double*>(y)[2 * i + 1]};
  }
  return {};
}

// Checks every output when the reference is affordable, otherwise both ends
// and an even sample. Returns the number checked; throws on a mismatch.
std::int64_t verify(const Problem& p, const void* x, const void* k, const void* y, std::uint64_t seed,
                    std::int64_t transform_length) {
  const Reference ref(p, x, k);
  const std::int64_t n = ref.output_elements(), kn = element_count(p.k);
  const std::int64_t affordable = std::max<std::int64_t>(1, 50'000'000 / kn);
  std::vector<std::int64_t> idx;
  if (n <= affordable) {
    for (std::int64_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    const std::int64_t ends = std::min<std::int64_t>(affordable / 4, 2000);
    for (std::int64_t i = 0; i < ends; ++i) idx.push_back(i), idx.push_back(n - 1 - i);
    const std::int64_t step = std::max<std::int64_t>(1, n / std::max<std::int64_t>(1, affordable / 2));
    for (std::int64_t i = ends; i < n - ends; i += step) idx.push_back(i);
  }
  // FFT methods keep the normwise bound: norms over the whole problem.
  const ReferenceNorms norms = transform_length > 0 ? ref.norms() : ReferenceNorms{};
  auto bound = [&](const ReferenceValue& v) {
    return transform_length > 0 ? tolerance::normwise_bound(p.dtype, transform_length, norms, v)
                                : tolerance::direct_bound(p.dtype, kn, v);
  };
  for (const std::int64_t i : idx) {
    const ReferenceValue v = ref.at(i);
    const auto got = element(y, p.dtype, i);
    const auto verdict = transform_length > 0 ? tolerance::check_normwise(bound(v), v, got)
                                              : tolerance::check_direct(p.dtype, kn, v, got);
    if (verdict != tolerance::Verdict::ok) {
      char buf[512];
      std::snprintf(buf, sizeof buf, "output %lld is %s: got (%.17g, %.17g), reference (%.17Lg, %.17Lg), bound %.3Lg",
                    static_cast<long long>(i), tolerance::describe(verdict), static_cast<double>(got.real()),
                    static_cast<double>(got.imag()), v.value.real(), v.value.imag(), bound(v));
      throw std::runtime_error("MISMATCH problem: " + to_string(p) + " seed: " + std::to_string(seed) + "\n  " + buf);
    }
  }
  return static_cast<std::int64_t>(idx.size());
}

double time_best(const Plan& plan, const void* x, const void* k, void* y, void* ws, double budget) {
  using clock = std::chrono::steady_clock;
  auto once = [&] {
    const auto t0 = clock::now();
    plan.execute(x, k, y, ws);
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  once();  // warm-up: page faults, caches
  double best = once();
  const int reps = std::max(1, std::min(50, static_cast<int>(budget / std::max(best, 1e-9))));
  for (int r = 0; r < reps; ++r) best = std::min(best, once());
  return best;
}

struct Row {
  BenchCase c;
  std::string method;
  double seconds = -1, gflops = 0;
  std::int64_t checked = -1;
};

std::vector<std::string> split_methods(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = list.find(',', start);
    out.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int run(const std::vector<Problem>& problems, const Settings& s) {
  std::vector<Row> rows;
  int failures = 0;
  std::FILE* notes = (s.perf && !s.table) ? stderr : stdout;
  const std::vector<std::string> methods = split_methods(s.method);
  for (std::size_t pi = 0; pi < problems.size(); ++pi)
    for (const std::string& method : methods) {
      const Problem& p = problems[pi];
      const std::uint64_t seed = s.seed + pi;
      Row row{case_for(p)};
      try {
        std::mt19937_64 rng(seed);
        const Bytes x = s.input.empty() ? random_array(p.dtype, p.x, rng) : from_npy(s.input, p, p.x, "x");
        const Bytes k = s.kernel.empty() ? random_array(p.dtype, p.k, rng) : from_npy(s.kernel, p, p.k, "k");
        PlanOptions options;
        options.method = parse_method(method);
        options.threads = s.threads;
        options.max_workspace_bytes = s.max_workspace;
        options.accuracy = parse_accuracy(s.accuracy);
        options.kernel = k.data();  // the values are known here: lets auto consider separable
        std::optional<Plan> made;
        try {
          made = Plan::create(p, options);
        } catch (const Error& e) {
          // In a list of methods, one that cannot compute the problem is a note.
          if (methods.size() == 1 || e.kind() != ErrorKind::invalid_problem) throw;
          std::fprintf(notes, "skipped %s with method %s: %s\n", to_string(p).c_str(), method.c_str(), e.what());
          continue;
        }
        const Plan& plan = *made;
        row.method = std::string(name(plan.method()));
        if (options.method == Method::automatic) row.method = "auto:" + row.method;
        if (s.explain) std::fprintf(notes, "%s\n", plan.explain().c_str());
        const double estimate = plan.estimated_seconds();
        if (estimate > s.max_seconds) {
          std::fprintf(notes, "skipped %s: ~%.0f s with method %s (over --max-seconds %.0f)\n", to_string(p).c_str(),
                       estimate, row.method.c_str(), s.max_seconds);
          continue;
        }
        Bytes y(plan.output_elements() * dtype_size(p.dtype));
        Bytes ws(plan.workspace_bytes() + 64);
        plan.execute(x.data(), k.data(), y.data(), ws.data());
        if (s.verify) row.checked = verify(p, x.data(), k.data(), y.data(), seed, plan.transform_length());
        if (!s.output.empty()) write_npy(s.output, p.dtype, plan.output_shape(), y.data());
        if (s.perf) {
          row.seconds = time_best(plan, x.data(), k.data(), y.data(), ws.data(), s.budget);
          const double flops = 2.0 * static_cast<double>(plan.output_elements()) *
                               static_cast<double>(element_count(p.k)) * (is_complex(p.dtype) ? 4 : 1);
          row.gflops = flops / row.seconds / 1e9;
          // One table column per request: "faltung" is auto (whatever it chose,
          // in "method"), "faltung(fft)" a forced method; " 2 threads" added.
          std::string system = options.method == Method::automatic ? "faltung" : "faltung(" + method + ")";
          if (plan.threads() > 1) system += " " + std::to_string(plan.threads()) + " threads";
          if (!s.table)
            std::printf(
                "{\"group\": \"%s\", \"case\": \"%s\", \"system\": \"%s\", \"method\": \"%s\", "
                "\"seconds\": %.9g, \"gflops\": %.4g, \"threads\": %d}\n",
                row.c.group.c_str(), row.c.name.c_str(), system.c_str(), name(plan.method()).data(), row.seconds,
                row.gflops, plan.threads());
        }
        if (s.verify && !s.table)
          std::fprintf(notes, "ok %s (checked %lld outputs, seed %llu)\n", to_string(p).c_str(),
                       static_cast<long long>(row.checked), static_cast<unsigned long long>(seed));
        std::fflush(stdout);
      } catch (const std::exception& e) {
        ++failures;
        std::fprintf(stderr, "%s\n", e.what());
        if (std::string(e.what()).rfind("MISMATCH", 0) != 0)
          std::fprintf(stderr, "  (problem: %s, seed %llu)\n", to_string(p).c_str(),
                       static_cast<unsigned long long>(seed));
        continue;
      }
      rows.push_back(row);
    }
  if (s.table) {
    int width = 4;
    for (const auto& r : rows) width = std::max(width, static_cast<int>(r.c.name.size()));
    std::printf("%-*s  %-9s %-10s %12s %10s\n", width, "case", "method", "verify", "ms", "GFLOP/s");
    for (const auto& r : rows) {
      const std::string verdict = r.checked < 0 ? "-" : "ok " + std::to_string(r.checked);
      if (r.seconds >= 0)
        std::printf("%-*s  %-9s %-10s %12.4f %10.1f\n", width, r.c.name.c_str(), r.method.c_str(), verdict.c_str(),
                    r.seconds * 1e3, r.gflops);
      else
        std::printf("%-*s  %-9s %-10s %12s %10s\n", width, r.c.name.c_str(), r.method.c_str(), verdict.c_str(), "-",
                    "-");
    }
    if (failures) std::printf("%d problem(s) failed; see above\n", failures);
  }
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace faltung::bench

int main(int argc, char** argv) {
  using namespace faltung::bench;
  CLI::App app{"faltung-bench: verify and time convolution problems"};
  Settings s;
  std::vector<std::string> problem_strings;
  std::string file, grid, group;
  app.add_option("problems", problem_strings, "problem strings, e.g. \"op=conv dtype=f32 x=1000000 k=31 mode=same\"");
  app.add_option("--file", file, "a file of problem strings, one per line");
  app.add_option("--grid", grid, "the anchor grid (../shared/bench/grid.json): its 1d, 2d and batched cases");
  app.add_option("--group", group, "with --grid: only groups whose name contains this (1d, 2d, batched, stream)");
  app.add_flag("--verify", s.verify, "compare with the reference under the tolerance rules; exit 1 on a mismatch");
  app.add_flag("--perf", s.perf, "time each problem; print JSON lines {group, case, system, seconds, gflops}");
  app.add_flag("--table", s.table, "print a readable table instead of JSON lines");
  app.add_flag("--explain", s.explain, "print each plan's explanation");
  app.add_option("--method", s.method,
                 "auto | direct | fft | overlap_save | separable | measure | reference, or a comma-separated "
                 "list run in turn")
      ->capture_default_str();
  app.add_option("--max-workspace", s.max_workspace, "max_workspace_bytes of the plans (0 = no cap)");
  app.add_option("--accuracy", s.accuracy, "normwise (FFT allowed) | elementwise")->capture_default_str();
  app.add_option("--wisdom", s.wisdom, "wisdom file: loaded first (if it exists), saved at the end");
  app.add_option("--threads", s.threads, "worker threads (0 = all)")->capture_default_str();
  app.add_option("--seed", s.seed, "seed of the random inputs (problem i uses seed + i)")->capture_default_str();
  app.add_option("--budget", s.budget, "seconds of timed repetitions per case")->capture_default_str();
  app.add_option("--max-seconds", s.max_seconds, "skip cases estimated slower than this")->capture_default_str();
  app.add_option("--input", s.input, "x from this .npy instead of random data");
  app.add_option("--kernel", s.kernel, "k from this .npy instead of random data");
  app.add_option("--output", s.output, "write y to this .npy");
  std::int64_t stream_block = 0, channels = 1;
  app.add_option("--stream-block", stream_block,
                 "run each 1-D problem (and the grid's stream group) as a stream fed this many samples per call; "
                 "JSON lines add ns_per_sample and latency_samples");
  app.add_option("--channels", channels, "with --stream-block: this many channels at once")->capture_default_str();
  DetectCase detect;
  app.add_option("--detect", detect.kind,
                 "time a streaming detector (multiscale | zscore | ewma | holt) on normal noise instead of "
                 "problems; prints a JSON line with samples_per_second");
  app.add_option("--series", detect.series, "with --detect: series at once")->capture_default_str();
  app.add_option("--period", detect.period, "with --detect multiscale: the seasonal period in samples (0: none)")
      ->capture_default_str();
  app.add_option("--detect-block", detect.block, "with --detect: frames per process() call")->capture_default_str();
  app.add_option("--detect-samples", detect.samples, "with --detect: values in all (series x frames)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!detect.kind.empty()) {
    detect.budget = s.budget;
    return run_detect(detect);
  }

  const bool stream_group = !grid.empty() && group.find("stream") != std::string::npos;
  if (stream_block > 0 || stream_group) {
    try {
      StreamSettings ss;
      ss.channels = channels;
      ss.method = faltung::parse_method(s.method);
      ss.verify = s.verify || !s.perf;
      ss.perf = s.perf;
      ss.explain = s.explain;
      ss.budget = s.budget;
      ss.seed = s.seed;
      std::vector<StreamCase> cases;
      for (const auto& t : problem_strings) cases.push_back(stream_case(faltung::parse_problem(t), stream_block));
      if (stream_group) {
        for (auto c : grid_stream_cases(grid)) {
          if (stream_block > 0) c.block = stream_block;
          cases.push_back(c);
        }
      }
      if (cases.empty()) {
        std::fprintf(stderr, "faltung-bench: no stream problems given (see --help)\n");
        return 2;
      }
      return run_streams(cases, ss) ? 1 : 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faltung-bench: %s\n", e.what());
      return 2;
    }
  }

  std::vector<faltung::Problem> problems;
  try {
    for (const auto& t : problem_strings) problems.push_back(faltung::parse_problem(t));
    if (!file.empty())
      for (auto& p : read_problem_file(file)) problems.push_back(p);
    if (!grid.empty())
      for (auto& p : grid_problems(grid, group)) problems.push_back(p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faltung-bench: %s\n", e.what());
    return 2;
  }
  if (problems.empty()) {
    std::fprintf(stderr, "faltung-bench: no problems given (see --help)\n");
    return 2;
  }
  if ((!s.input.empty() || !s.kernel.empty() || !s.output.empty()) && problems.size() != 1) {
    std::fprintf(stderr, "faltung-bench: --input/--kernel/--output need exactly one problem\n");
    return 2;
  }
  if (!s.verify && !s.perf && s.output.empty()) s.verify = true;
  if (!s.wisdom.empty() && std::ifstream(s.wisdom).good())
    for (const auto& warning : faltung::wisdom::load(s.wisdom)) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  const int rc = run(problems, s);
  if (!s.wisdom.empty()) {
    try {
      faltung::wisdom::save(s.wisdom);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "faltung-bench: %s\n", e.what());
      return 2;
    }
  }
  return rc;
}
