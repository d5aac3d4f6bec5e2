// nan policies on the FFT paths (docs/semantics.md). A transform spreads one
// NaN over its whole block, so the first pass runs on x as it is and each
// block reports whether its outputs came out finite. Only when one did not
// does the executor count x and redo every block in the policy's way:
//   propagate  x with non-finite samples as 0, then exactly the windows that
//              hold one (window_counts.hpp) are set to NaN;
//   fill       x with non-finite samples replaced;
//   ignore     normalised convolution with two transforms per block: the sum
//              of w x over valid samples and the sum of w over valid samples;
//   raise      the error naming the first offending sample.
// All of it works block by block in each worker's buffers, so the workspace
// (and max_workspace_bytes) scales with the block, not the array. Outputs
// that overflowed to Inf from a finite x are kept.
#include "algorithms/fft/fft_executor.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <sstream>

#include "algorithms/fft/four_step_real.hpp"
#include "algorithms/fft/row_column_transform.hpp"
#include "algorithms/fft/spectrum_kernels.hpp"
#include "algorithms/fft/tile_io.hpp"
#include "algorithms/fft/tiles.hpp"
#include "algorithms/fft/window_counts.hpp"
#include "core/finite.hpp"
#include "core/threads.hpp"
#include "core/workspace.hpp"

namespace faltung::fft {
namespace {

// Real 1-D transforms of four_step_from<T>() samples and more run in four steps
// (four_step_real.hpp): faster than FFTW's plan on one thread, and one
// block's transforms can use every thread with the same bits.
bool uses_four_step(const Problem& p, const TileLayout& t) {
  return t.L.size() == 1 && four_step_suits(p.dtype, t.L[0]);
}

// Workers for a layout: one per block up to `threads`, and two for a single
// block (the kernel's transform runs beside it, one_block_two_workers); one
// for a single four-step block, whose transforms take the threads instead.
int worker_count(const Problem& p, const TileLayout& t, int threads) {
  if (t.items == 1 && uses_four_step(p, t)) return 1;
  const std::int64_t items = std::max<std::int64_t>(t.items, 2);
  return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(core::resolve_threads(threads), items)));
}

// Byte offsets of the workspace regions, each a whole number of cache lines.
struct Regions {
  std::size_t workers = 0;     // start of worker 0 (after H, the kernel's scaled spectrum)
  std::size_t per_worker = 0;  // per worker:
  std::size_t spectrum = 0;    //   transform buffer at 0, its half spectrum here (real data)
  std::size_t counts = 0;      //   window counts of the block (int32 per buffer element)
  std::size_t line = 0;        //   one line of counts
  std::size_t row = 0;         //   row-column transforms: one buffer row (gather and scatter go through it),
  std::size_t tile = 0;        //   and the transform's tile
  std::size_t total = 0;
};

// Real 2-D transforms whose rows suit it run as rows and columns
// (row_column_transform.hpp); every other shape as one FFTW plan.
bool uses_row_column(const Problem& p, const TileLayout& t) {
  return t.L.size() == 2 && row_column_suits(p.dtype, t.L[0], t.L[1]);
}

// Complex values in one spectrum, in the layout of the transform used.
std::int64_t spectrum_count(const Problem& p, const TileLayout& t) {
  return uses_row_column(p, t) ? row_column_spectrum_elements(p.dtype, t.L[0], t.L[1])
                               : spectrum_elements(!is_complex(p.dtype), t.L);
}

Regions regions(const Problem& p, const TileLayout& t, int workers) {
  using core::round_up_to_line;
  const bool complex = is_complex(p.dtype);
  const std::size_t real_size = dtype_size(p.dtype) / (complex ? 2 : 1);
  const auto n = static_cast<std::size_t>(t.buffer_elements);
  const std::size_t spectrum_bytes = round_up_to_line(2 * real_size * static_cast<std::size_t>(spectrum_count(p, t)));
  std::size_t longest = 0;  // one line of a block's span
  for (std::size_t i = 0; i < t.conv.size(); ++i)
    longest = std::max(longest, static_cast<std::size_t>(t.L[i] + t.g.axes[t.conv[i]].m));
  Regions r;
  r.workers = spectrum_bytes;
  r.spectrum = round_up_to_line(dtype_size(p.dtype) * n);
  // Complex and four-step transforms run in place: no separate spectrum.
  r.counts = r.spectrum + (complex || uses_four_step(p, t) ? 0 : spectrum_bytes);
  r.line = r.counts + round_up_to_line(4 * n);
  r.row = r.line + round_up_to_line(4 * longest);
  r.tile = r.row;
  r.per_worker = r.row;
  if (uses_row_column(p, t)) {
    r.tile = r.row + round_up_to_line(dtype_size(p.dtype) * static_cast<std::size_t>(t.L[1]));
    r.per_worker = r.tile + row_column_tile_bytes(t.L[1]);
  }
  // + one line of slack: FFTW's new-array execute needs the alignment the
  // plans were made with (64 bytes), whatever the caller's workspace has.
  r.total = r.workers + r.per_worker * static_cast<std::size_t>(workers) + core::kCacheLine;
  return r;
}

// What run_blocks does with each block.
enum class Pass { fast, propagate, fill, ignore };

template <class T>
class FftExecutor final : public algorithms::Executor {
  struct Weights {
    std::complex<T> total;  // sum of the oriented kernel
    double zero = 0;        // a valid-weight sum at most this is 0
  };

 public:
  FftExecutor(const Problem& p, const FftSchedule& s)
      : p_(p),
        s_(s),
        complex_(is_complex(p.dtype)),
        cs_(complex_ ? 2 : 1),
        t_(make_tile_layout(core::make_geometry(p), s.L, s.block)),
        workers_(worker_count(p, t_, s.workers)),
        r_(regions(p, t_, workers_)),
        four_step_(uses_four_step(p, t_) ? four_step_real<T>(s.L[0]) : nullptr),
        transform_threads_(four_step_ && t_.items == 1 ? core::resolve_threads(s.workers) : 1),
        rows_columns_(uses_row_column(p, t_) ? row_column_transform<T>(s.L[0], s.L[1], s.effort) : nullptr),
        pair_(rows_columns_ || four_step_ ? nullptr : transform_pair<T>(!complex_, s.L, s.effort)),
        spectrum_elements_(spectrum_count(p, t_)),
        kernels_(best_spectrum_kernels()),
        in_place_(!complex_ && !four_step_ && (t_.conv.size() == 1 || rows_columns_) &&
                  t_.conv.back() + 1 == static_cast<int>(t_.g.axes.size())),
        stream_(static_cast<std::size_t>(t_.g.output_elements) * dtype_size(p.dtype) >= kStreamFromBytes) {}

  std::size_t workspace_bytes() const override { return r_.total; }
  std::int64_t transform_length() const override { return t_.buffer_elements; }

  ExecuteReport execute(const void* xv, const void* kv, void* yv, void* workspace) const override {
    core::require_finite_kernel(p_, kv);
    const T* x = static_cast<const T*>(xv);
    T* y = static_cast<T*>(yv);
    char* ws = core::align_to_line(static_cast<char*>(workspace));
    T* h = reinterpret_cast<T*>(ws);

    ExecuteReport report;
    bool finite;
    if (t_.items == 1 && workers_ >= 2 && !four_step_) {
      finite = one_block_two_workers(x, static_cast<const T*>(kv), h, y, ws);
    } else {
      kernel_spectrum(static_cast<const T*>(kv), h, worker_data(ws, 0));
      finite = run_blocks(x, Pass::fast, h, y, ws, {});
    }
    if (finite) return report;

    report.nonfinite_inputs = core::count_nonfinite(xv, p_.dtype, t_.g.input_elements);
    if (report.nonfinite_inputs == 0 && std::isfinite(t_.g.cval)) return report;  // overflow: keep the Inf
    if (p_.nan == NanPolicy::raise && report.nonfinite_inputs > 0) core::raise_on_nonfinite_input(p_, xv);
    // raise's only bad value was a non-finite constant: as propagate.
    const Pass pass = p_.nan == NanPolicy::fill     ? Pass::fill
                      : p_.nan == NanPolicy::ignore ? Pass::ignore
                                                    : Pass::propagate;
    const Weights weights = pass == Pass::ignore ? weight_totals(static_cast<const T*>(kv)) : Weights{};
    run_blocks(x, pass, h, y, ws, weights);
    return report;
  }

  std::string describe() const override {
    std::ostringstream s;
    s << "transform: " << (complex_ ? "complex" : "real") << " " << name(p_.dtype) << " FFTW, length ";
    for (std::size_t i = 0; i < s_.L.size(); ++i) s << (i ? "x" : "") << s_.L[i];
    // The four-step pieces are small transforms, always worth FFTW_MEASURE.
    const bool measured = s_.effort == PlanEffort::measure || four_step_;
    s << " (planned with FFTW_" << (measured ? "MEASURE" : "ESTIMATE") << ")";
    if (rows_columns_)
      s << "; as 1-D row transforms, then "
        << (rows_columns_->vertical() ? "radix-4 column transforms across vectors of bins"
                                      : "contiguous column transforms")
        << " (inverse rows only where outputs lie)";
    s << "\n";
    s << "tiling: " << t_.items << " blocks of ";
    for (std::size_t i = 0; i < s_.block.size(); ++i) s << (i ? "x" : "") << s_.block[i];
    s << " outputs (" << t_.batch_count << " batch index" << (t_.batch_count == 1 ? "" : "es")
      << "); boundary extension applied while gathering each block"
      << (!in_place_      ? ""
          : rows_columns_ ? "; rows inside x are transformed in place (no gather), rows of zeros skipped"
                          : "; blocks inside x are transformed in place (no gather)")
      << "\n";
    s << "simd target: " << kernels_.target << " (spectrum products, copies)\n";
    if (four_step_)
      s << "four-step: the real transform as a complex one of half the length, in column and row passes cut "
           "into fixed pieces (bit-identical on any thread count); "
        << transform_threads_ << " thread" << (transform_threads_ == 1 ? "" : "s") << " per transform\n";
    s << "threads: " << std::max(workers_, transform_threads_) << "\n";
    s << "workspace: " << workspace_bytes() << " bytes\n";
    s << "error bound: max|y - y_ref| <= c * eps * log2(L) * ||x||_2 * ||w||_2 (L = " << t_.buffer_elements << ")\n";
    return s.str();
  }

 private:
  T* worker_data(char* ws, int w) const {
    return reinterpret_cast<T*>(ws + r_.workers + r_.per_worker * static_cast<std::size_t>(w));
  }

  // H = FFT(w placed at the origin) / N, conjugated for correlation
  // (tiles.hpp says where each block's outputs then lie).
  // staging: a worker's transform buffer (real data).
  void kernel_spectrum(const T* w, T* h, T* staging) const {
    const T scale = T(1) / static_cast<T>(t_.buffer_elements);
    const bool conjugate = !t_.g.flip;
    if (four_step_) {  // in place in h, staged by every thread the transform has
      const std::int64_t m = t_.g.kernel_elements;
      in_pieces(t_.buffer_elements, [&](std::int64_t from, std::int64_t to) {
        const std::int64_t split = std::clamp(m, from, to);
        std::memcpy(h + from, w + from, sizeof(T) * static_cast<std::size_t>(split - from));
        std::memset(static_cast<void*>(h + split), 0, sizeof(T) * static_cast<std::size_t>(to - split));
        return true;
      });
      four_step_->forward(h, transform_threads_);
      four_step_->kernel_spectrum(h, scale, conjugate, transform_threads_);
      return;
    }
    // Complex transforms run in place, so the kernel is staged in h itself.
    T* data = complex_ ? h : staging;
    std::memset(static_cast<void*>(data), 0, sizeof(T) * cs_ * static_cast<std::size_t>(t_.buffer_elements));
    const std::size_t c = t_.conv.size();
    std::int64_t rows = t_.g.kernel_elements / t_.g.axes[t_.conv[c - 1]].m;
    const std::int64_t m_last = t_.g.axes[t_.conv[c - 1]].m;
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t rem = r, off = 0;
      for (std::size_t i = c - 1; i-- > 0;) {
        const std::int64_t m = t_.g.axes[t_.conv[i]].m;
        off += (rem % m) * t_.buf_stride[i];
        rem /= m;
      }
      std::memcpy(data + off * cs_, w + r * m_last * cs_, sizeof(T) * cs_ * m_last);
    }
    if (rows_columns_) {
      rows_columns_->forward([&](std::int64_t i) { return data + i * t_.L[1]; }, h, tile_buffer(staging));
      rows_columns_->scale(h, scale, conjugate);
      return;
    }
    pair_->forward(data, h);
    for (std::int64_t i = 0; i < spectrum_elements_; ++i) {
      h[2 * i] *= scale;
      h[2 * i + 1] *= conjugate ? -scale : scale;
    }
  }

  // One block (the whole array) on two threads: the kernel's spectrum and the
  // input's forward transform are independent, so they run at once (3
  // transforms in the time of 2); the product and the inverse follow. The
  // same transforms as on one thread, so the bits do not change.
  bool one_block_two_workers(const T* x, const T* w, T* h, T* y, char* ws) const {
    const Tile tile = locate(t_, 0);
    T* data = worker_data(ws, 0);
    T* spec = complex_ ? data : reinterpret_cast<T*>(reinterpret_cast<char*>(data) + r_.spectrum);
    std::int64_t shift = 0;
    core::parallel_for(2, 2, [&](std::int64_t begin, std::int64_t end, int) {
      for (std::int64_t task = begin; task < end; ++task) {
        if (task == 0)
          shift = forward_block(x, tile, plain_rule(), data, spec);
        else
          kernel_spectrum(w, h, worker_data(ws, 1));
      }
    });
    product_and_inverse(tile, h, data, spec);
    const bool finite = scatter_block(tile, data, y, shift);
    if (stream_) kernels_.flush_streams();
    return finite;
  }

  // Every block of the pass, split among the workers. True when every output
  // written is finite.
  bool run_blocks(const T* x, Pass pass, const T* h, T* y, char* ws, const Weights& wt) const {
    std::atomic<bool> finite{true};
    core::parallel_for(t_.items, workers_, [&](std::int64_t begin, std::int64_t end, int w) {
      char* mine = ws + r_.workers + r_.per_worker * static_cast<std::size_t>(w);
      bool ok = true;
      for (std::int64_t item = begin; item < end; ++item) ok &= block(x, pass, locate(t_, item), h, y, mine, wt);
      if (stream_) kernels_.flush_streams();  // this thread's streamed stores, before the join
      if (!ok) finite.store(false, std::memory_order_relaxed);
    });
    return finite.load();
  }

  bool block(const T* x, Pass pass, const Tile& tile, const T* h, T* y, char* mine, const Weights& wt) const {
    T* data = reinterpret_cast<T*>(mine);
    T* spec = complex_ ? data : reinterpret_cast<T*>(mine + r_.spectrum);
    const bool constant_bad = !std::isfinite(t_.g.cval);
    GatherRule rule = plain_rule();
    if (pass == Pass::fast) return convolve_block(x, tile, rule, h, data, spec, y);

    auto* counts = reinterpret_cast<std::int32_t*>(mine + r_.counts);
    auto* line = reinterpret_cast<std::int32_t*>(mine + r_.line);
    const bool samples_bad = pass != Pass::fill;
    if (samples_bad || constant_bad) {
      GatherRule bad;
      bad.sample = samples_bad ? Sample::bad_indicator : Sample::zero;
      bad.constant = constant_bad ? 1.0 : 0.0;
      gather(t_, tile, x, data, cs_, bad);
      for (std::int64_t i = 0; i < t_.buffer_elements; ++i) counts[i] = data[i * cs_] != T(0);
      count_block_windows(t_, tile, counts, line);
    }
    rule.sample = Sample::sanitized;
    rule.replacement = pass == Pass::fill ? p_.fill : 0.0;
    if (constant_bad) rule.constant = 0.0;
    convolve_block(x, tile, rule, h, data, spec, y);
    if (!samples_bad && !constant_bad) return true;

    const T nan = std::numeric_limits<T>::quiet_NaN();
    if (pass != Pass::ignore) {
      for_each_output_row(t_, tile,
                          [&](std::int64_t off, std::int64_t, std::int64_t y_off, std::int64_t n, std::int64_t sy) {
                            for (std::int64_t i = 0; i < n; ++i)
                              if (counts[off + i] > 0)
                                for (int c = 0; c < cs_; ++c) y[(y_off + i * sy) * cs_ + c] = nan;
                          });
      return true;
    }
    // ignore: the valid weights' sum per window, then y = num * sum(w) / den.
    GatherRule weights;
    weights.sample = Sample::valid_indicator;
    weights.constant = constant_bad ? 0.0 : 1.0;
    forward_block(x, tile, weights, data, spec);  // never in place: the weights are not x
    product_and_inverse(tile, h, data, spec);
    using C = std::complex<T>;
    const std::int64_t L = t_.L.back(), r0 = t_.read_offset.back();
    for_each_output_row(
        t_, tile, [&](std::int64_t off, std::int64_t read_row, std::int64_t y_off, std::int64_t n, std::int64_t sy) {
          for (std::int64_t i = 0; i < n; ++i) {
            if (counts[off + i] == 0) continue;
            T* out = y + (y_off + i * sy) * cs_;
            const T* d = data + (read_row + (r0 + i) % L) * cs_;
            const C den(d[0], complex_ ? d[1] : T(0));
            if (counts[off + i] >= t_.g.kernel_elements || std::abs(den) <= wt.zero) {
              for (int c = 0; c < cs_; ++c) out[c] = nan;
              continue;
            }
            const C v = C(out[0], complex_ ? out[1] : T(0)) * wt.total / den;
            out[0] = v.real();
            if (complex_) out[1] = v.imag();
          }
        });
    return true;
  }

  bool convolve_block(const T* x, const Tile& tile, const GatherRule& rule, const T* h, T* data, T* spec, T* y) const {
    const std::int64_t shift = forward_block(x, tile, rule, data, spec);
    if (rows_columns_) {
      // Each kept row straight from its inverse transform to y, in cache.
      bool ok = true;
      const std::int64_t sy = t_.y_stride[t_.conv[1]];
      const std::int64_t y0 = tile.y_base + tile.o0[1] * sy;
      T* buffer = row_buffer(data);
      rows_columns_->inverse(
          spec, h, t_.read_offset[0], std::min(tile.count[0], t_.L[0]), tile_buffer(data),
          [&](std::int64_t) { return buffer; },
          [&](std::int64_t k, const T* row) {
            const std::int64_t y_off = y0 + (tile.o0[0] + k) * t_.y_stride[t_.conv[0]];
            ok &= scatter_row(
                t_, row, y, y_off, tile.count[1], sy, cs_,
                [this](T* d, const T* s, std::size_t n) { return copy_row(d, s, n); }, shift);
          });
      return ok;
    }
    product_and_inverse(tile, h, data, spec);
    return scatter_block(tile, data, y, shift);
  }

  GatherRule plain_rule() const {
    GatherRule rule;
    rule.constant = t_.g.cval;
    return rule;
  }

  // The block's forward transform into spec, from x itself where it can be
  // read in place, else gathered into data. Returns where the block's
  // outputs will lie past the usual read offset (read_in_place).
  std::int64_t forward_block(const T* x, const Tile& tile, const GatherRule& rule, T* data, T* spec) const {
    if (rows_columns_) return forward_rows(x, tile, rule, data, spec);
    if (four_step_) {  // in place: always gathered, by every thread the transform has
      const RowSource src = row_source(t_, tile, 0);
      in_pieces(t_.L[0], [&](std::int64_t from, std::int64_t to) {
        fill_row(t_, tile, x, data, cs_, rule, src, 0, from, to);
        return true;
      });
      four_step_->forward(data, transform_threads_);
      return 0;
    }
    std::int64_t shift = 0;
    const T* in_place = rule.sample == Sample::plain ? read_in_place(x, tile, shift) : nullptr;
    if (in_place) {
      pair_->forward(const_cast<T*>(in_place), spec);  // r2c out of place preserves its input
    } else {
      gather(t_, tile, x, data, cs_, rule);
      pair_->forward(data, spec);
    }
    return shift;
  }

  // A real 2-D block as rows and columns: each row is read from x in place
  // where its span lies inside x's row, a row of zeros is not transformed,
  // and the rest are gathered one at a time into the worker's row buffer
  // (in line with the rows read in place: `shift` later), in cache.
  std::int64_t forward_rows(const T* x, const Tile& tile, const GatherRule& rule, T* data, T* spec) const {
    T* buffer = row_buffer(data);
    const std::int64_t row_stride = t_.x_stride[t_.conv[0]];
    std::int64_t shift = 0;
    const bool in_place = rule.sample == Sample::plain && in_place_ &&
                          (row_stride * static_cast<std::int64_t>(sizeof(T))) % 16 == 0 &&
                          last_axis_in_place(x + tile.x_base, tile, shift);
    const std::int64_t c0 = tile.o0[1] + t_.g.axes[t_.conv[1]].start;
    const bool constant_zero = rule.constant == 0;  // a constant row gathers as rule.constant
    rows_columns_->forward(
        [&](std::int64_t i) -> const T* {
          const RowSource src = row_source(t_, tile, i);
          if (src.kind == RowSource::zeros || (src.kind == RowSource::constant && constant_zero)) return nullptr;
          if (src.kind == RowSource::x_row && in_place) return x + src.x_off + c0 - shift;
          fill_row(t_, tile, x, buffer, cs_, rule, src, shift);
          return buffer;
        },
        spec, tile_buffer(data));
    return shift;
  }

  // The worker's row buffer and transform tile (its regions after `data`).
  T* row_buffer(T* data) const { return reinterpret_cast<T*>(reinterpret_cast<char*>(data) + r_.row); }
  T* tile_buffer(T* data) const { return reinterpret_cast<T*>(reinterpret_cast<char*>(data) + r_.tile); }

  // Only the rows the tile's outputs lie on come back from a row-column
  // transform (for_each_output_row reads no others).
  void product_and_inverse(const Tile& tile, const T* h, T* data, T* spec) const {
    if (four_step_) {
      four_step_->multiply(data, h, transform_threads_);
      four_step_->inverse(data, transform_threads_);
      return;
    }
    if (rows_columns_) {
      // Each row straight into its place in data (the layout scatter reads).
      const std::int64_t L0 = t_.L[0], L1 = t_.L[1], first = t_.read_offset[0];
      rows_columns_->inverse(
          spec, h, first, std::min(tile.count[0], L0), tile_buffer(data),
          [&](std::int64_t k) { return data + ((first + k) % L0) * L1; }, [](std::int64_t, const T*) {});
    } else {
      multiply(spec, h);
      pair_->inverse(spec, data);
    }
  }

  bool scatter_block(const Tile& tile, const T* data, T* y, std::int64_t shift) const {
    if (four_step_ && transform_threads_ > 1 && t_.y_stride[t_.conv[0]] == 1) {
      // One long row of outputs (real): copied in pieces by every thread.
      T* out = y + tile.y_base + tile.o0[0];
      const std::int64_t count = tile.count[0];
      return in_pieces(count, [&](std::int64_t from, std::int64_t to) {
        bool ok = true;
        for_each_run(
            t_, count,
            [&](std::int64_t r0, std::int64_t n, std::int64_t pos) {
              const std::int64_t a = std::max(r0, from), b = std::min(r0 + n, to);
              if (a < b) ok &= copy_row(out + a, data + pos + (a - r0), static_cast<std::size_t>(b - a));
            },
            shift);
        if (stream_) kernels_.flush_streams();  // this thread's streamed stores, before the join
        return ok;
      });
    }
    return scatter(
        t_, tile, data, y, cs_, [this](T* d, const T* s, std::size_t n) { return copy_row(d, s, n); }, shift);
  }

  // A 1-D block of real data whose L samples all lie inside its row of x
  // needs no gather: the forward transform reads x itself (last_axis_in_place).
  const T* read_in_place(const T* x, const Tile& tile, std::int64_t& shift) const {
    if (!in_place_ || !last_axis_in_place(x + tile.x_base, tile, shift)) return nullptr;
    return x + tile.x_base + tile.o0[0] + t_.g.axes[t_.conv[0]].start - shift;
  }

  // Whether the block's rows (row: x's row the block reads) can be read in
  // place along the last axis: from the first 16-byte boundary at or before
  // the span (FFTW's new-array execute needs the alignment it planned with;
  // its SIMD unit is 16 bytes here), L samples inside x. The block's outputs
  // then lie `shift` samples later. Samples read past the span only meet
  // outputs the block drops, as the zeros a gather writes there would.
  // Saves a copy of every block (9% of a 1-D overlap-save's profile).
  bool last_axis_in_place(const T* row, const Tile& tile, std::int64_t& shift) const {
    const std::size_t last = t_.conv.size() - 1;
    const auto& ax = t_.g.axes[t_.conv[last]];
    const std::int64_t c0 = tile.o0[last] + ax.start, L = t_.L[last];
    shift = static_cast<std::int64_t>((reinterpret_cast<std::uintptr_t>(row + c0) % 16) / sizeof(T));
    if (c0 - shift < 0 || c0 - shift + L > ax.n || tile.count[last] + ax.m - 1 + shift > L) {
      shift = 0;
      return false;
    }
    return true;
  }

  // Calls piece(from, to) over [0, n) in pieces of kPiece on the four-step
  // transform's threads (copies: the cut does not change a bit); true when
  // every call returned true.
  template <class Piece>
  bool in_pieces(std::int64_t n, Piece&& piece) const {
    constexpr std::int64_t kPiece = std::int64_t{1} << 16;
    std::atomic<bool> all{true};
    core::parallel_for((n + kPiece - 1) / kPiece, transform_threads_, [&](std::int64_t b, std::int64_t e, int) {
      if (!piece(b * kPiece, std::min(n, e * kPiece))) all.store(false, std::memory_order_relaxed);
    });
    return all.load();
  }

  // Outputs far beyond the caches are written with non-temporal stores:
  // writing 80 MB of y through the cache first reads it in.
  static constexpr std::size_t kStreamFromBytes = std::size_t{32} << 20;

  bool copy_row(T* d, const T* s, std::size_t n) const {
    if constexpr (sizeof(T) == 4)
      return stream_ ? kernels_.stream_f32(d, s, n) : kernels_.copy_f32(d, s, n);
    else
      return stream_ ? kernels_.stream_f64(d, s, n) : kernels_.copy_f64(d, s, n);
  }

  void multiply(T* spec, const T* h) const {
    multiply_spectrum(kernels_, spec, h, static_cast<std::size_t>(spectrum_elements_));
  }

  // sum(w) as the windows see it, and the denominator below which a window
  // of nan=ignore counts as having no valid weight: a sum within the
  // transform's rounding of 0 is 0 (as direct's exact 0 / 0).
  Weights weight_totals(const T* w) const {
    using C = std::complex<T>;
    C total(0);
    double abs_sum = 0;
    for (std::int64_t i = 0; i < t_.g.kernel_elements; ++i) {
      const C v(w[i * cs_], complex_ ? w[i * cs_ + 1] : T(0));
      total += t_.g.conjugate ? std::conj(v) : v;
      abs_sum += std::abs(v);
    }
    return {total, 4.0 * std::numeric_limits<T>::epsilon() *
                       std::log2(static_cast<double>(std::max<std::int64_t>(2, t_.buffer_elements))) * abs_sum};
  }

  Problem p_;
  FftSchedule s_;
  bool complex_;
  int cs_;
  TileLayout t_;
  int workers_;
  Regions r_;
  std::shared_ptr<const FourStepReal<T>> four_step_;           // large real 1-D, or null
  int transform_threads_;                                      // threads inside one four-step transform
  std::shared_ptr<const RowColumnTransform<T>> rows_columns_;  // real 2-D, or null
  std::shared_ptr<const TransformPair<T>> pair_;               // every other shape, or null
  std::int64_t spectrum_elements_;
  const SpectrumKernels& kernels_;
  bool in_place_;  // real blocks along x's last axis (1-D, or 2-D as rows and columns) may be read in place
  bool stream_;    // y is written with non-temporal stores
};

}  // namespace

std::size_t fft_workspace_bytes(const Problem& p, const FftSchedule& s, int workers) {
  const TileLayout t = make_tile_layout(core::make_geometry(p), s.L, s.block);
  return regions(p, t, worker_count(p, t, workers)).total;
}

std::unique_ptr<algorithms::Executor> make_fft_executor(const Problem& p, const FftSchedule& s) {
  if (p.dtype == DType::f32 || p.dtype == DType::c64) return std::make_unique<FftExecutor<float>>(p, s);
  return std::make_unique<FftExecutor<double>>(p, s);
}

}  // namespace faltung::fft
