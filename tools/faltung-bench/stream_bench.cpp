#include "stream_bench.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>

#include "faltung/convolve.hpp"
#include "faltung/errors.hpp"
#include "faltung/stream.hpp"

namespace faltung::bench {

namespace {

template <class T>
std::vector<T> normal(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> d;
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(d(rng));
  return v;
}

template <class T>
double norm2(const std::vector<T>& v, std::size_t from, std::size_t step, std::size_t count) {
  long double s = 0;
  for (std::size_t i = 0; i < count; ++i) s += static_cast<long double>(v[from + i * step]) * v[from + i * step];
  return static_cast<double>(std::sqrt(s));
}

// Feeds x through the filter, `block` frames per call.
template <class T>
void feed(StreamFilter& f, const std::vector<T>& x, std::vector<T>& y, std::int64_t channels, std::int64_t block) {
  const std::int64_t total = static_cast<std::int64_t>(x.size()) / channels;
  for (std::int64_t at = 0; at < total; at += block) {
    const std::int64_t n = std::min(block, total - at);
    f.process(x.data() + at * channels, y.data() + at * channels, n);
  }
}

// Every channel against the batch engine in float64 (overlap-save), within
// SEMANTICS.md's normwise FFT rule (the direct path's bits are tested by
// the test suite). Returns a message on failure.
template <class T>
std::string check(const std::vector<T>& x, const std::vector<T>& y, const std::vector<T>& w, std::int64_t channels) {
  const std::int64_t total = static_cast<std::int64_t>(x.size()) / channels, taps = static_cast<std::int64_t>(w.size());
  const std::int64_t checked = std::min<std::int64_t>(channels, 4);
  for (std::int64_t c = 0; c < checked; ++c) {
    Array<double> xc{{total}, {}}, wc{{taps}, std::vector<double>(w.begin(), w.end())};
    for (std::int64_t t = 0; t < total; ++t) xc.data.push_back(x[t * channels + c]);
    const auto want = convolve(xc, wc, {.method = Method::overlap_save});
    const double bound = 2 * 4.0 * std::numeric_limits<T>::epsilon() * std::log2(4.0 * 65536) *
                         norm2(x, c, channels, total) * norm2(w, 0, 1, w.size());
    for (std::int64_t t = 0; t < total; ++t) {
      const double err = std::abs(static_cast<double>(y[t * channels + c]) - want.data[t]);
      if (!(err <= bound))
        return "MISMATCH channel " + std::to_string(c) + " output " + std::to_string(t) + ": error " +
               std::to_string(err) + " over the bound " + std::to_string(bound);
    }
  }
  return "";
}

template <class T>
int run_one(const StreamCase& c, const StreamSettings& s) {
  std::mt19937_64 rng(s.seed);
  const std::int64_t C = s.channels;
  const auto x = normal<T>(rng, static_cast<std::size_t>(c.total * C));
  const auto w = normal<T>(rng, static_cast<std::size_t>(c.taps));
  std::vector<T> y(x.size());
  StreamOptions o;
  o.dtype = c.dtype;
  o.channels = C;
  o.method = s.method;
  o.max_block = std::max<std::int64_t>(c.block, 1);
  StreamFilter f = StreamFilter::create(w.data(), c.taps, o);
  if (s.explain) std::fprintf(stderr, "%s\n", f.explain().c_str());
  feed(f, x, y, C, c.block);  // warm-up: page faults, caches
  std::string name = "stream total=" + std::to_string(c.total) + " block=" + std::to_string(c.block) +
                     " taps=" + std::to_string(c.taps) + (c.dtype == DType::f32 ? " float32" : " float64");
  if (C > 1) name += " channels=" + std::to_string(C);
  if (s.verify) {
    const std::string bad = check(x, y, w, C);
    if (!bad.empty()) {
      std::fprintf(stderr, "%s (case: %s, seed %llu)\n", bad.c_str(), name.c_str(),
                   static_cast<unsigned long long>(s.seed));
      return 1;
    }
    std::fprintf(stderr, "ok %s (%s, every output of %lld channel(s) checked)\n", name.c_str(),
                 std::string(faltung::name(f.method())).c_str(), static_cast<long long>(std::min<std::int64_t>(C, 4)));
  }
  if (s.perf) {
    using clock = std::chrono::steady_clock;
    double best = std::numeric_limits<double>::infinity(), spent = 0;
    for (int r = 0; r < 20 && (r < 2 || spent < s.budget); ++r) {
      f.reset();
      const auto t0 = clock::now();
      feed(f, x, y, C, c.block);
      const double t = std::chrono::duration<double>(clock::now() - t0).count();
      best = std::min(best, t);
      spent += t;
    }
    const double samples = static_cast<double>(c.total) * static_cast<double>(C);
    std::printf(
        "{\"group\": \"stream\", \"case\": \"%s\", \"system\": \"faltung\", \"method\": \"%s\", "
        "\"seconds\": %.9g, \"ns_per_sample\": %.4g, \"samples_per_second\": %.4g, \"latency_samples\": %lld, "
        "\"channels\": %lld}\n",
        name.c_str(), std::string(faltung::name(f.method())).c_str(), best, best / samples * 1e9, samples / best,
        static_cast<long long>(f.latency()), static_cast<long long>(C));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

StreamCase stream_case(const Problem& p, std::int64_t block) {
  const Problem c = canonical(p);
  if (c.x.size() != 1 || c.k.size() != 1 || c.op != Op::conv || c.mode != Mode::full || !c.boundary.empty() ||
      (c.dtype != DType::f32 && c.dtype != DType::f64))
    throw Error(ErrorKind::invalid_problem,
                "--stream-block runs 1-D real convolutions in full mode with the zero "
                "boundary (a stream's contract); got '" +
                    to_string(p) + "'");
  return {c.x[0], block, c.k[0], c.dtype};
}

std::vector<StreamCase> grid_stream_cases(const std::string& grid_json) {
  std::ifstream in(grid_json);
  if (!in) throw std::runtime_error("cannot read " + grid_json);
  const auto grid = nlohmann::json::parse(in);
  std::vector<StreamCase> out;
  for (const auto& c : grid.at("stream"))
    out.push_back({c.at("total").get<std::int64_t>(), c.at("block").get<std::int64_t>(),
                   c.at("taps").get<std::int64_t>(), parse_numpy_dtype(c.at("dtype").get<std::string>())});
  return out;
}

int run_streams(const std::vector<StreamCase>& cases, const StreamSettings& s) {
  int failures = 0;
  for (const auto& c : cases) {
    try {
      failures += c.dtype == DType::f32 ? run_one<float>(c, s) : run_one<double>(c, s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      ++failures;
    }
  }
  return failures;
}

}  // namespace faltung::bench
