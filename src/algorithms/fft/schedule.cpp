#include "algorithms/fft/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "algorithms/costs.hpp"
#include "algorithms/fft/fast_lengths.hpp"
#include "algorithms/fft/four_step_real.hpp"
#include "algorithms/fft/row_column_transform.hpp"
#include "algorithms/fft/tiles.hpp"
#include "core/geometry.hpp"
#include "core/threads.hpp"

namespace faltung::fft {
namespace {

// FFTW_MEASURE finds plans up to ~1.5x faster than FFTW_ESTIMATE, but its
// planning takes milliseconds to seconds, growing with the size: worth it for
// transforms up to 2^18 samples in problems that run at least 0.1 ms.
constexpr std::int64_t kMeasureUpTo = std::int64_t{1} << 18;
constexpr double kMeasureFrom = 1e-4;

struct AxisNeed {
  std::int64_t out, m;
};

std::vector<AxisNeed> needs(const core::Geometry& g) {
  std::vector<AxisNeed> v;
  for (const auto& ax : g.axes)
    if (ax.convolved) v.push_back({ax.out, ax.m});
  return v;
}

std::int64_t batch_count(const core::Geometry& g) {
  std::int64_t b = 1;
  for (const auto& ax : g.axes)
    if (!ax.convolved) b *= ax.n;
  return b;
}

// One block of real 1-D data long enough for the four-step transform
// (four_step_real.hpp), which runs on every thread.
bool one_four_step_block(DType t, const std::vector<std::int64_t>& L, std::int64_t items) {
  return items == 1 && L.size() == 1 && four_step_suits(t, L[0]);
}

// Predicted seconds of a schedule with `workers` threads.
double cost(DType t, const std::vector<std::int64_t>& L, std::int64_t items, int threads) {
  std::int64_t n = 1;
  for (auto l : L) n *= l;
  double pair = algorithms::fft_pair_seconds(t, L);
  // Real 2-D blocks whose column pass is our own (row_column_transform.hpp).
  if (L.size() == 2 && row_column_suits(t, L[0], L[1]) && row_column_vertical(t, L[0], L[1]))
    pair *= algorithms::fft_vertical_columns_factor(t);
  const double block = pair + algorithms::fft_block_overhead_seconds(t, n);
  // Its transforms, gather and scatter split among the threads (2^21 f64
  // on two: transforms 1.79x, the whole 1e6 x 1e6 convolution 1.73-2.09x).
  if (one_four_step_block(t, L, items)) return (block + 0.5 * pair) / (threads > 1 ? 0.8 * threads : 1.0);
  const int workers = static_cast<int>(std::min<std::int64_t>(threads, items));
  // Blocks on several threads share the memory bandwidth (kThreadEfficiency).
  const double rounds =
      std::ceil(static_cast<double>(items) / workers) / (workers > 1 ? algorithms::kThreadEfficiency : 1.0);
  // + the kernel's forward transform, which runs beside the input's when one
  // block has two threads (fft_executor.cpp); large transforms contend for
  // memory, so it saves about half its time (1e6 x 1e6 full: 1.25x, not 1.5x).
  const double kernel = items == 1 && threads >= 2 ? 0.25 * pair : 0.5 * pair;
  return rounds * block + kernel;
}

// The schedule's lengths and blocks never depend on the thread count (so
// results are bit-identical for any count): they are chosen on one thread's
// cost and workspace. Threads then take as many workers as the cap allows.
Scheduled finish(const Problem& p, const algorithms::Context& c, std::vector<std::int64_t> L,
                 std::vector<std::int64_t> block, std::int64_t items) {
  Scheduled s;
  std::int64_t n = 1;
  for (auto l : L) n *= l;
  const double one_thread = cost(p.dtype, L, items, 1);
  s.schedule.L = std::move(L);
  s.schedule.block = std::move(block);
  s.schedule.effort = n <= kMeasureUpTo && one_thread >= kMeasureFrom ? PlanEffort::measure : PlanEffort::estimate;
  // One block still takes two workers: the kernel's transform runs beside
  // it; a four-step block takes every thread.
  int workers =
      static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(c.threads, std::max<std::int64_t>(items, 2))));
  if (one_four_step_block(p.dtype, s.schedule.L, items)) workers = core::resolve_threads(c.threads);
  while (workers > 1 && c.max_workspace_bytes && fft_workspace_bytes(p, s.schedule, workers) > c.max_workspace_bytes)
    --workers;
  s.schedule.workers = workers;
  s.seconds = cost(p.dtype, s.schedule.L, items, workers);
  s.workspace_bytes = fft_workspace_bytes(p, s.schedule, workers);
  return s;
}

// Lengths to try along one axis: every fast length (fast_lengths.hpp) from the kernel's
// length up to the whole span, thinned to about `most` by ratio.
std::vector<std::int64_t> candidate_lengths(const AxisNeed& a, std::size_t most) {
  const std::int64_t whole = a.out + a.m - 1;
  std::vector<std::int64_t> all = fast_lengths_between(std::max<std::int64_t>(a.m, 2), whole);
  all.push_back(next_fast_length(whole));
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.size() <= most) return all;
  std::vector<std::int64_t> thin;
  const double step =
      std::pow(static_cast<double>(all.back()) / static_cast<double>(all.front()), 1.0 / static_cast<double>(most));
  double next = 0;
  for (auto l : all)
    if (static_cast<double>(l) >= next || l == all.back()) {
      thin.push_back(l);
      next = static_cast<double>(l) * step;
    }
  return thin;
}

}  // namespace

// Zero samples of the constant extension at the start and end of an axis'
// whole span (tiles.hpp, wrapped lengths). Not under nan=ignore: its weight
// transform sees the constant extension as ones.
std::int64_t shared_zeros(const core::AxisGeometry& ax, double cval, NanPolicy nan) {
  if (ax.rule != BoundaryRule::constant || cval != 0 || nan == NanPolicy::ignore) return 0;
  const std::int64_t span = ax.out + ax.m - 1;
  const std::int64_t lead = std::clamp<std::int64_t>(-ax.start, 0, span);
  const std::int64_t trail = std::clamp<std::int64_t>(ax.start + span - ax.n, 0, span);
  return std::min({lead, trail, ax.m - 1});
}

Scheduled whole_array_schedule(const Problem& p, const algorithms::Context& c) {
  const auto g = core::make_geometry(p);
  std::vector<std::int64_t> L, block;
  for (const auto& ax : g.axes) {
    if (!ax.convolved) continue;
    const AxisNeed a{ax.out, ax.m};
    // Among the fast lengths up to 2x the need, the one the model finds cheapest.
    // The kernel itself must fit: its spectrum is taken at length L.
    const std::int64_t need = std::max(a.out + a.m - 1 - shared_zeros(ax, g.cval, p.nan), a.m);
    std::int64_t best = next_fast_length(need);
    double best_cost = algorithms::fft_pair_seconds(p.dtype, {best});
    for (auto l : fast_lengths_between(need, 2 * need)) {
      const double cl = algorithms::fft_pair_seconds(p.dtype, {l});
      if (cl < best_cost) best = l, best_cost = cl;
    }
    L.push_back(best);
    block.push_back(a.out);
  }
  return finish(p, c, L, block, batch_count(g));
}

std::optional<Scheduled> blocked_schedule(const Problem& p, const algorithms::Context& c) {
  const auto g = core::make_geometry(p);
  const auto axes = needs(g);
  const std::size_t most = axes.size() == 1 ? 4096 : axes.size() == 2 ? 48 : 20;
  std::vector<std::vector<std::int64_t>> cands;
  cands.reserve(axes.size());
  for (const auto& a : axes) cands.push_back(candidate_lengths(a, most));
  const std::int64_t batches = batch_count(g);

  // 1-D real blocks along x's last axis are read in place from the 16-byte
  // boundary before their span (fft_executor.cpp): leave room for that shift.
  const bool in_place = !is_complex(p.dtype) && axes.size() == 1 && g.axes.back().convolved;
  const std::int64_t slack = in_place ? static_cast<std::int64_t>(16 / (dtype_size(p.dtype))) - 1 : 0;
  std::optional<double> best_seconds;
  std::vector<std::int64_t> best_L, best_block;
  std::int64_t best_items = 0;
  std::vector<std::size_t> pick(axes.size(), 0);
  // Odometer over the candidate lengths of every axis; cheapest first, and
  // the workspace check only for schedules that would win.
  while (true) {
    std::vector<std::int64_t> L, block;
    std::int64_t items = batches;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const std::int64_t l = cands[i][pick[i]];
      const std::int64_t room = l - axes[i].m + 1;
      const std::int64_t b = std::min(room > slack ? room - slack : room, axes[i].out);
      L.push_back(l);
      block.push_back(b);
      items *= (axes[i].out + b - 1) / b;
    }
    const double seconds = cost(p.dtype, L, items, 1);
    if (!best_seconds || seconds < *best_seconds) {
      FftSchedule one;
      one.L = L;
      one.block = block;
      if (c.max_workspace_bytes == 0 || fft_workspace_bytes(p, one, 1) <= c.max_workspace_bytes) {
        best_seconds = seconds;
        best_L = L;
        best_block = block;
        best_items = items;
      }
    }
    std::size_t i = 0;
    while (i < axes.size() && ++pick[i] == cands[i].size()) pick[i++] = 0;
    if (i == axes.size()) break;
  }
  if (!best_seconds) return std::nullopt;
  return finish(p, c, best_L, best_block, best_items);
}

}  // namespace faltung::fft
