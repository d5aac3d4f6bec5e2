// Plan creation: validate, ask every registered method, pick, and explain.
#include "faltung/plan.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <vector>

#include "algorithms/solver.hpp"
#include "core/threads.hpp"
#include "core/workspace.hpp"
#include "faltung/errors.hpp"
#include "planner/registry.hpp"

namespace faltung {

namespace {
constexpr std::array<std::string_view, 7> kMethodNames{"auto",      "direct",  "fft",      "overlap_save",
                                                       "separable", "measure", "reference"};
constexpr std::array<std::string_view, 2> kAccuracyNames{"normwise", "elementwise"};

std::string format_seconds(double s) {
  char buf[64];
  if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  else if (s < 1) std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}
}  // namespace

std::string_view name(Method m) { return kMethodNames[static_cast<int>(m)]; }

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
};

Plan Plan::create(const Problem& p0, const PlanOptions& options) {
  const Problem p = canonical(p0);
  validate(p);
  if (options.threads < 0)
    throw Error(ErrorKind::invalid_argument, "threads must be >= 0 (0 = all hardware threads), got " +
                                                 std::to_string(options.threads));
  auto state = std::make_shared<State>();
  state->problem = p;
  state->output_shape = faltung::output_shape(p);
  state->requested = options.method;
  state->threads = core::resolve_threads(options.threads);

  algorithms::Context context;
  context.threads = state->threads;
  context.max_workspace_bytes = options.max_workspace_bytes;
  const bool automatic = options.method == Method::automatic || options.method == Method::measure;

  const algorithms::Solver* chosen = nullptr;
  for (const auto* s : planner::solvers()) {
    std::string line = std::string(name(s->method())) + ": ";
    std::string reason = s->why_not(p, context);
    if (reason.empty() && options.accuracy == Accuracy::elementwise &&
        s->error_model() == algorithms::ErrorModel::normwise)
      reason = "its error bound is normwise (c * eps * log2(L) * ||x|| * ||w||); accuracy=elementwise was asked for";
    if (!reason.empty()) {
      state->candidates.push_back(line + "refused: " + reason);
      continue;
    }
    const auto e = s->estimate(p, context);
    if (reason.empty() && context.max_workspace_bytes && e.workspace_bytes > context.max_workspace_bytes) {
      state->candidates.push_back(line + "refused: needs " + std::to_string(e.workspace_bytes) +
                                  " bytes of workspace, over max_workspace_bytes=" +
                                  std::to_string(context.max_workspace_bytes));
      continue;
    }
    line += "estimated " + format_seconds(e.seconds);
    if (!e.detail.empty()) line += " (" + e.detail + ")";
    const bool wanted = automatic ? s->method() != Method::reference : s->method() == options.method;
    if (automatic && s->method() == Method::reference)
      line += "; not chosen: the test oracle, only on request (method=reference)";
    else if (!wanted)
      line += "; not chosen: method=" + std::string(name(options.method)) + " was requested";
    if (wanted && (!chosen || e.seconds < state->estimate.seconds)) {
      chosen = s;
      state->estimate = e;
    }
    state->candidates.push_back(line);
  }
  if (!chosen)
    throw Error(ErrorKind::invalid_problem, "method " + std::string(name(options.method)) +
                                                " cannot compute '" + to_string(p) + "' under these options");
  state->method = chosen->method();
  state->executor = chosen->make(p, context);
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
  if (!x || !k || !y)
    throw Error(ErrorKind::invalid_argument, "execute() needs x, k and y (got a null pointer)");
  if (!workspace && workspace_bytes() > 0)
    throw Error(ErrorKind::invalid_argument, "execute() needs a workspace of " +
                                                 std::to_string(workspace_bytes()) + " bytes");
  return state_->executor->execute(x, k, y, workspace);
}

ExecuteReport Plan::execute(const void* x, const void* k, void* y) const {
  // Cache-line aligned, so workers' regions do not share lines.
  std::vector<char> ws(workspace_bytes() + core::kCacheLine);
  return execute(x, k, y, core::align_to_line(ws.data()));
}

std::string Plan::explain() const {
  const State& s = *state_;
  std::ostringstream out;
  out << "problem: " << to_string(s.problem) << "\n";
  out << "output: " << shape_to_string(s.output_shape) << "\n";
  out << "method: " << name(s.method)
      << (s.requested == Method::automatic ? " (auto: lowest estimated time)" : " (requested)") << "\n";
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
