// Plan creation: validate, ask every registered method, pick, and explain.
#include "faltung/plan.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <vector>

#include "algorithms/solver.hpp"
#include "core/problem_equality.hpp"
#include "core/threads.hpp"
#include "core/workspace.hpp"
#include "faltung/errors.hpp"
#include "faltung/wisdom.hpp"
#include "planner/registry.hpp"
#include "planner/wisdom_store.hpp"

namespace faltung {

namespace {
constexpr std::array<std::string_view, 7> kMethodNames{"auto",      "direct",  "fft",      "overlap_save",
                                                       "separable", "measure", "reference"};
constexpr std::array<std::string_view, 2> kAccuracyNames{"normwise", "elementwise"};

std::string format_seconds(double s) {
  char buf[64];
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  else if (s < 1)
    std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}
}  // namespace

std::string_view name(Method m) { return kMethodNames[static_cast<int>(m)]; }
template <>
std::span<const std::string_view> enum_names<Method>() {
  return kMethodNames;
}

Method parse_method(std::string_view text) {
  for (std::size_t i = 0; i < kMethodNames.size(); ++i)
    if (kMethodNames[i] == text) return static_cast<Method>(i);
  throw Error(ErrorKind::parse, "unknown method '" + std::string(text) +
                                    "' (known: auto, direct, fft, overlap_save, separable, measure, reference)");
}

std::string_view name(Accuracy a) { return kAccuracyNames[static_cast<int>(a)]; }

Accuracy parse_accuracy(std::string_view text) {
  for (std::size_t i = 0; i < kAccuracyNames.size(); ++i)
    if (kAccuracyNames[i] == text) return static_cast<Accuracy>(i);
  throw Error(ErrorKind::parse, "unknown accuracy '" + std::string(text) + "' (known: normwise, elementwise)");
}

struct Plan::State {
  Problem problem;
  Shape output_shape;
  Method requested;
  Method method;
  int threads;
  algorithms::Estimate estimate;
  std::unique_ptr<algorithms::Executor> executor;
  std::vector<std::string> candidates;  // one explain line per method
  std::string choice;                   // how the method was chosen
};

namespace {

struct Candidate {
  const algorithms::Solver* solver = nullptr;
  algorithms::Estimate estimate;
  std::string line;
  bool wanted = false;
  std::unique_ptr<algorithms::Executor> timed;  // made by method=measure, kept for the plan
};

// Every registered method under the options: refused (with the reason) or
// estimated. `wanted` marks the ones the request allows.
std::vector<Candidate> candidates(const Problem& p, const PlanOptions& options, const algorithms::Context& context) {
  const bool automatic = options.method == Method::automatic || options.method == Method::measure;
  std::vector<Candidate> out;
  for (const auto* s : planner::solvers()) {
    Candidate c;
    c.solver = s;
    c.line = std::string(name(s->method())) + ": ";
    std::string reason = s->why_not(p, context);
    if (reason.empty() && options.accuracy == Accuracy::elementwise &&
        s->error_model() == algorithms::ErrorModel::normwise)
      reason = "its error bound is normwise (c * eps * log2(L) * ||x|| * ||w||); accuracy=elementwise was asked for";
    if (reason.empty()) {
      c.estimate = s->estimate(p, context);
      if (context.max_workspace_bytes && c.estimate.workspace_bytes > context.max_workspace_bytes)
        reason = "needs " + std::to_string(c.estimate.workspace_bytes) +
                 " bytes of workspace, over max_workspace_bytes=" + std::to_string(context.max_workspace_bytes);
    }
    if (!reason.empty()) {
      c.line += "refused: " + reason;
      out.push_back(std::move(c));
      continue;
    }
    c.line += "estimated " + format_seconds(c.estimate.seconds);
    if (!c.estimate.detail.empty()) c.line += " (" + c.estimate.detail + ")";
    c.wanted = automatic ? s->method() != Method::reference : s->method() == options.method;
    if (automatic && s->method() == Method::reference)
      c.line += "; not chosen: the test oracle, only on request (method=reference)";
    out.push_back(std::move(c));
  }
  return out;
}

// Random inputs for timing candidates (method=measure).
std::vector<double> timing_data(const Problem& p, const Shape& shape) {
  const std::size_t doubles = static_cast<std::size_t>(element_count(shape)) * dtype_size(p.dtype) / sizeof(double) + 1;
  std::vector<double> d(doubles);
  std::mt19937_64 rng(0x5eed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  // Bytes of uniform floats read as doubles would be odd values; fill by dtype.
  if (p.dtype == DType::f32 || p.dtype == DType::c64) {
    auto* f = reinterpret_cast<float*>(d.data());
    for (std::size_t i = 0; i < doubles * 2; ++i) f[i] = u(rng);
  } else {
    for (auto& v : d) v = u(rng);
  }
  return d;
}

double time_executor(const algorithms::Executor& e, const Problem& p, const Shape& out) {
  const auto x = timing_data(p, p.x), k = timing_data(p, p.k), y0 = timing_data(p, out);
  std::vector<double> y(y0.size());
  std::vector<char> ws(e.workspace_bytes() + core::kCacheLine);
  char* w = core::align_to_line(ws.data());
  double best = 1e300;
  for (int r = 0; r < 3; ++r) {  // the first run pays page faults and cold caches
    const auto t0 = std::chrono::steady_clock::now();
    e.execute(x.data(), k.data(), y.data(), w);
    if (r > 0) best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// Candidates whose estimate is this many times the best are not worth timing.
constexpr double kMeasureWithin = 20.0;

// Everything a plan's choice depends on. Compared field by field: building
// a text key cost more than a small execute (the Python API plans per call).
struct CacheKey {
  Problem problem;  // canonical
  Method method;
  int threads;
  std::size_t max_workspace_bytes;
  Accuracy accuracy;
  // What wisdom remembers for the problem (auto and measure take it):
  // loading wisdom re-plans.
  std::optional<Method> remembered;
  // A kernel given at plan time enters by its bytes (separable depends on
  // its values).
  std::optional<std::size_t> kernel_hash;
};

bool operator==(const CacheKey& a, const CacheKey& b) {
  return a.method == b.method && a.threads == b.threads && a.max_workspace_bytes == b.max_workspace_bytes &&
         a.accuracy == b.accuracy && a.remembered == b.remembered && a.kernel_hash == b.kernel_hash &&
         core::same_canonical(a.problem, b.problem);
}

// Plans by problem and options, most recent first (bounded).
struct PlanCache {
  std::mutex mutex;
  std::list<std::pair<CacheKey, std::shared_ptr<const Plan::State>>> entries;
};
constexpr std::size_t kPlanCacheEntries = 64;

PlanCache& plan_cache() {
  static PlanCache c;
  return c;
}

}  // namespace

Plan Plan::create(const Problem& p0, const PlanOptions& options) {
  if (options.threads < 0)
    throw Error(ErrorKind::invalid_argument,
                "threads must be >= 0 (0 = all hardware threads), got " + std::to_string(options.threads));
  const int threads = core::resolve_threads(options.threads);
  CacheKey key{canonical(p0), options.method, threads, options.max_workspace_bytes, options.accuracy, {}, {}};
  const Problem& p = key.problem;
  Method remembered;
  const bool has_wisdom = (options.method == Method::automatic || options.method == Method::measure) &&
                          wisdom::recall(p, threads, remembered);
  if (has_wisdom) key.remembered = remembered;
  // Only a kernel with two or more axes longer than 1 can be a separable
  // candidate; other kernels' values change nothing, and hashing a long 1-D
  // kernel would cost milliseconds per call.
  const auto long_axes = std::count_if(p.k.begin(), p.k.end(), [](std::int64_t m) { return m > 1; });
  if (options.kernel && long_axes >= 2) {
    const auto* b = static_cast<const char*>(options.kernel);
    const auto bytes = static_cast<std::size_t>(element_count(p.k)) * dtype_size(p.dtype);
    key.kernel_hash = std::hash<std::string_view>{}(std::string_view(b, bytes));
  }
  {
    PlanCache& c = plan_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    for (auto it = c.entries.begin(); it != c.entries.end(); ++it)
      if (it->first == key) {  // a cached problem was validated when it was planned
        c.entries.splice(c.entries.begin(), c.entries, it);
        return Plan(it->second);
      }
  }
  validate(p);

  auto state = std::make_shared<State>();
  state->problem = p;
  state->output_shape = faltung::output_shape(p);
  state->requested = options.method;
  state->threads = threads;

  algorithms::Context context;
  context.threads = threads;
  context.max_workspace_bytes = options.max_workspace_bytes;
  context.kernel = options.kernel;
  std::vector<Candidate> cands = candidates(p, options, context);

  Candidate* chosen = nullptr;
  for (auto& c : cands)
    if (c.wanted && (!chosen || c.estimate.seconds < chosen->estimate.seconds)) chosen = &c;
  if (!chosen)
    throw Error(ErrorKind::invalid_problem, "method " + std::string(name(options.method)) + " cannot compute '" +
                                                to_string(p) + "' under these options");
  state->choice = options.method == Method::automatic ? "auto: lowest estimated time" : "requested";

  // auto and measure take a choice measured before (wisdom) over the model,
  // if that method can still compute the problem under these options.
  Candidate* from_wisdom = nullptr;
  if (has_wisdom)
    for (auto& c : cands)
      if (c.wanted && c.solver->method() == remembered) from_wisdom = &c;
  if (from_wisdom) {
    chosen = from_wisdom;
    state->choice = std::string(name(options.method)) + ": remembered in wisdom";
  } else if (options.method == Method::measure) {
    const double cutoff = chosen->estimate.seconds * kMeasureWithin;
    double best = 0;
    Candidate* fastest = nullptr;
    for (auto& c : cands) {
      if (!c.wanted) continue;
      if (c.estimate.seconds > cutoff) {
        c.line += "; not timed: estimate over " + std::to_string(static_cast<int>(kMeasureWithin)) + "x the best";
        continue;
      }
      c.timed = c.solver->make(p, context);
      const double t = time_executor(*c.timed, p, state->output_shape);
      c.line += "; measured " + format_seconds(t);
      if (!fastest || t < best) fastest = &c, best = t;
    }
    chosen = fastest;
    wisdom::remember(p, threads, chosen->solver->method());
    state->choice = "measure: fastest of the timed candidates";
  }
  for (auto& c : cands) {
    std::string line = c.line;
    if (c.solver == chosen->solver)
      line += "  <- chosen";
    else if (c.wanted == false && line.find("refused") == std::string::npos &&
             line.find("not chosen") == std::string::npos)
      line += "; not chosen: method=" + std::string(name(options.method)) + " was requested";
    state->candidates.push_back(line);
  }
  state->method = chosen->solver->method();
  state->estimate = chosen->estimate;
  state->executor = chosen->timed ? std::move(chosen->timed) : chosen->solver->make(p, context);

  PlanCache& c = plan_cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.entries.emplace_front(std::move(key), state);
  if (c.entries.size() > kPlanCacheEntries) c.entries.pop_back();
  return Plan(std::move(state));
}

const Problem& Plan::problem() const { return state_->problem; }
Shape Plan::output_shape() const { return state_->output_shape; }
std::int64_t Plan::output_elements() const { return element_count(state_->output_shape); }
Method Plan::method() const { return state_->method; }
int Plan::threads() const { return state_->threads; }
std::size_t Plan::workspace_bytes() const { return state_->executor->workspace_bytes(); }
double Plan::estimated_seconds() const { return state_->estimate.seconds; }
Accuracy Plan::accuracy() const {
  return state_->executor->transform_length() > 0 ? Accuracy::normwise : Accuracy::elementwise;
}
std::int64_t Plan::transform_length() const { return state_->executor->transform_length(); }

ExecuteReport Plan::execute(const void* x, const void* k, void* y, void* workspace) const {
  if (!x || !k || !y) throw Error(ErrorKind::invalid_argument, "execute() needs x, k and y (got a null pointer)");
  if (!workspace && workspace_bytes() > 0)
    throw Error(ErrorKind::invalid_argument,
                "execute() needs a workspace of " + std::to_string(workspace_bytes()) + " bytes");
  return state_->executor->execute(x, k, y, workspace);
}

namespace {

// The workspace of execute() calls that bring none: one buffer per thread,
// kept between calls up to kKeptWorkspace bytes, so that small repeated calls
// (the Python API's) neither allocate nor clear memory. A nested call on the
// same thread, or a larger workspace, gets a buffer of its own.
constexpr std::size_t kKeptWorkspace = std::size_t{4} << 20;

struct ThreadWorkspace {
  std::unique_ptr<char[]> data;
  std::size_t bytes = 0;
  bool in_use = false;
};

}  // namespace

ExecuteReport Plan::execute(const void* x, const void* k, void* y) const {
  thread_local ThreadWorkspace kept;
  // Cache-line aligned, so workers' regions do not share lines.
  const std::size_t bytes = workspace_bytes() + core::kCacheLine;
  if (kept.in_use || bytes > kKeptWorkspace) {
    std::unique_ptr<char[]> own(new char[bytes]);
    return execute(x, k, y, core::align_to_line(own.get()));
  }
  if (kept.bytes < bytes) {
    kept.data.reset(new char[bytes]);
    kept.bytes = bytes;
  }
  kept.in_use = true;
  struct Release {
    bool& flag;
    ~Release() { flag = false; }
  } release{kept.in_use};
  return execute(x, k, y, core::align_to_line(kept.data.get()));
}

std::string Plan::explain() const {
  const State& s = *state_;
  std::ostringstream out;
  out << "problem: " << to_string(s.problem) << "\n";
  out << "output: " << shape_to_string(s.output_shape) << "\n";
  out << "method: " << name(s.method) << " (" << s.choice << ")\n";
  out << s.executor->describe();
  char buf[128];
  std::snprintf(buf, sizeof buf, "estimate: %.3g GFLOP, %s\n", s.estimate.flops / 1e9,
                format_seconds(s.estimate.seconds).c_str());
  out << buf;
  out << "candidates:\n";
  for (const auto& line : s.candidates) out << "  " << line << "\n";
  out << "non-finite inputs: counted per execute() (ExecuteReport::nonfinite_inputs); policy nan="
      << name(s.problem.nan) << "\n";
  return out.str();
}

}  // namespace faltung
