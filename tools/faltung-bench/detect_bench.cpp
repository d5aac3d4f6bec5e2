#include "detect_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "faltung/detect.hpp"
#include "faltung/errors.hpp"

namespace faltung::bench {

int run_detect(const DetectCase& c) {
  DetectorOptions o;
  try {
    o.kind = parse_detector_kind(c.kind);
    o.series = c.series;
    o.period = c.period;
    Detector::create(o);
  } catch (const Error& e) {
    std::fprintf(stderr, "faltung-bench: %s\n", e.what());
    return 1;
  }
  const std::int64_t frames = std::max<std::int64_t>(c.samples / c.series, c.block);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<double> x(static_cast<std::size_t>(frames * c.series));
  for (auto& v : x) v = normal(rng);
  std::vector<double> score(x.size());
  std::vector<std::uint8_t> alert(x.size());

  // One pass through warm-up (not timed), then whole passes over the data
  // until the budget is spent; the median pass is reported.
  Detector d = Detector::create(o);
  auto pass = [&] {
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t at = 0; at < frames; at += c.block) {
      const std::int64_t n = std::min(c.block, frames - at);
      d.process(x.data() + at * c.series, score.data() + at * c.series, alert.data() + at * c.series, n);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  pass();
  std::vector<double> times;
  double spent = 0;
  while (times.size() < 3 || (spent < c.budget && times.size() < 100)) {
    times.push_back(pass());
    spent += times.back();
  }
  std::sort(times.begin(), times.end());
  const double seconds = times[times.size() / 2];
  const double rate = static_cast<double>(frames * c.series) / seconds;
  std::printf(
      "{\"group\": \"detect\", \"case\": \"kind=%s series=%lld block=%lld period=%lld\", \"system\": \"faltung\", "
      "\"seconds\": %.6g, \"samples_per_second\": %.4g, \"ns_per_sample\": %.3g, \"state_bytes\": %lld}\n",
      c.kind.c_str(), static_cast<long long>(c.series), static_cast<long long>(c.block),
      static_cast<long long>(c.period), seconds, rate, 1e9 / rate, static_cast<long long>(d.state_bytes()));
  return 0;
}

}  // namespace faltung::bench
