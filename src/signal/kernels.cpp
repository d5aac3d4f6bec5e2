// faltung::kernels::make: named kernels from one spec syntax.
#include "faltung/kernels.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/text.hpp"
#include "faltung/errors.hpp"
#include "signal/spec.hpp"

namespace faltung::kernels {

namespace {

using signal::Params;

Error bad(const std::string& what) { return Error(ErrorKind::parse, "kernel spec: " + what); }

std::string num(double v) { return core::format_double(v); }

std::vector<double> normalised(std::vector<double> v, const std::string& name) {
  double sum = 0;
  for (double x : v) sum += x;
  if (sum == 0) throw bad(name + " sums to 0 and cannot be normalised (make it wider)");
  for (double& x : v) x /= sum;
  return v;
}

long long positive(Params& p, const char* key, const std::string& name) {
  const long long v = p.required_integer(key);
  if (v < 1) throw bad(name + ": " + key + " must be >= 1, got " + std::to_string(v));
  return v;
}

// scipy.ndimage's radius: int(truncate * sigma + 0.5), or `radius` itself.
long long gaussian_radius(Params& p, const std::string& name, double sigma, std::string& canonical) {
  if (p.has("truncate") && p.has("radius")) throw bad(name + ": give truncate or radius, not both");
  if (p.has("radius")) {
    const long long r = p.integer("radius", 0);
    if (r < 0) throw bad(name + ": radius must be >= 0, got " + std::to_string(r));
    canonical += ",radius=" + std::to_string(r);
    return std::min(r, 1LL << 60);  // beyond any kernel's size; 2 r + 1 stays defined
  }
  const double truncate = p.number("truncate", 4.0);
  if (truncate <= 0) throw bad(name + ": truncate must be > 0");
  canonical += ",truncate=" + num(truncate);
  const double radius = truncate * sigma + 0.5;
  // a radius past any kernel's size is refused by the caller; clamping first
  // keeps the cast defined for a sigma like 1e300
  return radius >= 0x1p60 ? (1LL << 60) : static_cast<long long>(radius);
}

// exp(-x^2 / 2 sigma^2) on -radius..radius, summing to 1 (scipy.ndimage),
// times the order-th derivative's polynomial: q_0 = 1,
// q_{n+1}(x) = q_n'(x) - x q_n(x) / sigma^2.
std::vector<double> gaussian(double sigma, long long radius, int order) {
  std::vector<double> phi;
  double sum = 0;
  for (long long x = -radius; x <= radius; ++x) {
    phi.push_back(std::exp(-0.5 / (sigma * sigma) * static_cast<double>(x * x)));
    sum += phi.back();
  }
  for (double& v : phi) v /= sum;
  if (order == 0) return phi;
  std::vector<double> q(order + 1, 0.0);  // q[i] multiplies x^i
  q[0] = 1;
  for (int n = 0; n < order; ++n) {
    std::vector<double> next(order + 1, 0.0);
    for (int i = 1; i <= order; ++i) next[i - 1] += i * q[i];
    for (int i = 0; i < order; ++i) next[i + 1] -= q[i] / (sigma * sigma);
    q = next;
  }
  for (long long x = -radius; x <= radius; ++x) {
    double poly = 0, power = 1;
    for (int i = 0; i <= order; ++i, power *= static_cast<double>(x)) poly += q[i] * power;
    phi[static_cast<std::size_t>(x + radius)] *= poly;
  }
  return phi;
}

// scipy.signal.savgol_coeffs(window, order, deriv, use="conv"): the
// minimum-norm solution of A c = e_deriv * deriv!, A[i][j] = x_j^i.
std::vector<double> savgol(long long window, long long order, long long deriv) {
  const long long half = window / 2;
  const double pos = window % 2 ? static_cast<double>(half) : static_cast<double>(half) - 0.5;
  Eigen::MatrixXd a(order + 1, window);
  for (long long j = 0; j < window; ++j) {
    const double x = -(static_cast<double>(j) - pos);  // use="conv": x reversed
    double power = 1;
    for (long long i = 0; i <= order; ++i, power *= x) a(i, j) = power;
  }
  Eigen::VectorXd y = Eigen::VectorXd::Zero(order + 1);
  if (deriv <= order) y(deriv) = std::tgamma(static_cast<double>(deriv) + 1);
  const Eigen::VectorXd c = a.completeOrthogonalDecomposition().solve(y);
  return std::vector<double>(c.data(), c.data() + c.size());
}

std::vector<double> triangle(long long w) {  // scipy.signal.windows.triang
  std::vector<double> v(static_cast<std::size_t>(w));
  for (long long i = 0; i < w; ++i) {
    const long long n = std::min(i, w - 1 - i) + 1;
    const double nd = static_cast<double>(n), wd = static_cast<double>(w);
    v[static_cast<std::size_t>(i)] = w % 2 ? 2.0 * nd / (wd + 1) : (2.0 * nd - 1) / wd;
  }
  return v;
}

std::vector<double> hann(long long w) {  // scipy.signal.windows.hann (symmetric)
  if (w == 1) return {1.0};
  std::vector<double> v(static_cast<std::size_t>(w));
  for (long long i = 0; i < w; ++i)
    v[static_cast<std::size_t>(i)] =
        0.5 - 0.5 * std::cos(2.0 * M_PI * static_cast<double>(i) / static_cast<double>(w - 1));
  return v;
}

struct Made {
  std::vector<double> values;
  std::string canonical;
  bool may_be_2d = false;
};

// The most taps a kernel may have (a 2-D one: per side, and in all): a spec like
// gaussian:sigma=1e7 would otherwise take seconds and gigabytes to build.
constexpr long long kMaxTaps = 1 << 20;
constexpr long long kMax2dTaps = 1 << 26;

long long checked_taps(const std::string& name, long long taps) {
  if (taps > kMaxTaps)
    throw bad(name + ": " + std::to_string(taps) + " taps, more than the " + std::to_string(kMaxTaps) +
              " a kernel may have");
  return taps;
}

Made make_1d(const signal::Spec& spec, Params& p) {
  const std::string& name = spec.name;
  Made m;
  if (name == "box") {
    const long long w = checked_taps(name, positive(p, "width", name));
    m.values.assign(static_cast<std::size_t>(w), 1.0 / static_cast<double>(w));
    m.canonical = "box:width=" + std::to_string(w);
    m.may_be_2d = true;
  } else if (name == "triangle") {
    const long long w = checked_taps(name, positive(p, "width", name));
    m.values = normalised(triangle(w), name);
    m.canonical = "triangle:width=" + std::to_string(w);
    m.may_be_2d = true;
  } else if (name == "hann") {
    const long long w = checked_taps(name, positive(p, "width", name));
    if (w == 2) throw bad("hann:width=2 is all zeros (give 1 or >= 3)");
    m.values = normalised(hann(w), name);
    m.canonical = "hann:width=" + std::to_string(w);
    m.may_be_2d = true;
  } else if (name == "gaussian" || name == "gaussian-derivative") {
    const double sigma = p.required_number("sigma");
    if (sigma <= 0) throw bad(name + ": sigma must be > 0, got " + num(sigma));
    const long long order = name == "gaussian" ? 0 : p.integer("order", 1);
    if (order < 0 || order > 8) throw bad(name + ": order must be 0..8, got " + std::to_string(order));
    m.canonical = name + ":sigma=" + num(sigma);
    if (name == "gaussian-derivative") m.canonical += ",order=" + std::to_string(order);
    const long long radius = gaussian_radius(p, name, sigma, m.canonical);
    checked_taps(name, 2 * radius + 1);
    m.values = gaussian(sigma, radius, static_cast<int>(order));
    m.may_be_2d = name == "gaussian";
  } else if (name == "exponential") {
    const double halflife = p.required_number("halflife");
    if (halflife <= 0) throw bad("exponential: halflife must be > 0, got " + num(halflife));
    // by default enough taps to hold 99.9% of the weight
    // (clamped before the cast: a huge halflife would overflow it)
    const double enough = std::ceil(halflife * std::log2(1000.0));
    const long long taps =
        p.integer("taps", enough > static_cast<double>(kMaxTaps) ? kMaxTaps + 1 : static_cast<long long>(enough));
    if (taps < 1) throw bad("exponential: taps must be >= 1, got " + std::to_string(taps));
    checked_taps(name, taps);
    const double r = std::pow(0.5, 1.0 / halflife);
    for (long long j = 0; j < taps; ++j) m.values.push_back(std::pow(r, static_cast<double>(j)));
    m.values = normalised(m.values, name);
    m.canonical = "exponential:halflife=" + num(halflife) + ",taps=" + std::to_string(taps);
  } else if (name == "savgol") {
    const long long window = checked_taps(name, positive(p, "window", name)), order = p.required_integer("order");
    const long long deriv = p.integer("deriv", 0);
    if (order < 0 || order >= window)
      throw bad("savgol: order must be 0..window-1, got order=" + std::to_string(order) +
                " for window=" + std::to_string(window));
    if (deriv < 0) throw bad("savgol: deriv must be >= 0, got " + std::to_string(deriv));
    m.values = savgol(window, order, deriv);
    m.canonical = "savgol:window=" + std::to_string(window) + ",order=" + std::to_string(order) +
                  ",deriv=" + std::to_string(deriv);
  } else if (name == "step" || name == "spike" || name == "ramp") {
    const long long w = checked_taps(name, positive(p, "width", name));
    if (w < 2) throw bad(name + ": width must be >= 2");
    m.values.assign(static_cast<std::size_t>(w), 0.0);
    m.canonical = name + ":width=" + std::to_string(w);
    // convolving with these gives the matched filter's output at the newest
    // sample: 1 for a unit upward step / unit spike / unit slope
    if (name == "step") {
      const long long h = w / 2;
      for (long long j = 0; j < h; ++j) {
        m.values[static_cast<std::size_t>(j)] = 1.0 / static_cast<double>(h);           // the newest h samples
        m.values[static_cast<std::size_t>(w - 1 - j)] = -1.0 / static_cast<double>(h);  // the oldest h
      }
    } else if (name == "spike") {
      const double rest = -1.0 / static_cast<double>(w), scale = 1.0 - 1.0 / static_cast<double>(w);
      for (auto& v : m.values) v = rest / scale;
      m.values[static_cast<std::size_t>(w / 2)] = (1.0 + rest) / scale;
    } else {
      const double c = static_cast<double>(w - 1) / 2;
      double s = 0;
      for (long long j = 0; j < w; ++j) s += (static_cast<double>(j) - c) * (static_cast<double>(j) - c);
      for (long long j = 0; j < w; ++j) m.values[static_cast<std::size_t>(j)] = (c - static_cast<double>(j)) / s;
    }
  } else {
    std::string known;
    for (const auto& line : catalogue()) known += (known.empty() ? "" : ", ") + line.substr(0, line.find(':'));
    throw bad("unknown kernel '" + name + "' (known: " + known + ")");
  }
  return m;
}

}  // namespace

std::string content_hash(const Shape& shape, const std::vector<double>& values) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  auto eat = [&h](const void* data, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  const char tag[] = "faltung-kernel-1";
  eat(tag, sizeof tag - 1);
  for (std::int64_t d : shape) eat(&d, sizeof d);
  for (double v : values) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    eat(&bits, sizeof bits);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

Kernel make(std::string_view text) {
  const signal::Spec spec = signal::parse_spec(text);
  Params p(spec);
  Made m = make_1d(spec, p);
  const long long dims = m.may_be_2d ? p.integer("dims", 1) : 1;
  p.finish();
  if (dims != 1 && dims != 2) throw bad(spec.name + ": dims must be 1 or 2, got " + std::to_string(dims));
  Kernel k;
  const auto n = static_cast<std::int64_t>(m.values.size());
  if (dims == 2) {
    if (n > kMax2dTaps / n)
      throw bad(spec.name + ": " + std::to_string(n) + "x" + std::to_string(n) + " taps with dims=2, more than the " +
                std::to_string(kMax2dTaps) + " a 2-D kernel may have");
    k.shape = {n, n};
    for (double a : m.values)
      for (double b : m.values) k.values.push_back(a * b);
    m.canonical += ",dims=2";
  } else {
    k.shape = {n};
    k.values = std::move(m.values);
  }
  k.spec = std::move(m.canonical);
  k.version = content_hash(k.shape, k.values);
  return k;
}

std::vector<std::string> catalogue() {
  return {
      "box: width=, dims=1|2 (the mean of width samples)",
      "triangle: width=, dims=1|2 (scipy.signal.windows.triang, summing to 1)",
      "hann: width=, dims=1|2 (scipy.signal.windows.hann, summing to 1)",
      "gaussian: sigma=, truncate=4 | radius=, dims=1|2 (scipy.ndimage's sampled Gaussian)",
      "gaussian-derivative: sigma=, order=1, truncate=4 | radius= (scipy.ndimage's gaussian_filter1d order)",
      "exponential: halflife=, taps=ceil(halflife*log2(1000)) (causal, newest sample first, summing to 1)",
      "savgol: window=, order=, deriv=0 (scipy.signal.savgol_coeffs, use=conv)",
      "step: width= (newest half minus oldest half: 1 for a unit step)",
      "spike: width= (1 for a unit spike at the centre, 0 for a constant)",
      "ramp: width= (least-squares slope of the last width samples)",
  };
}

}  // namespace faltung::kernels
