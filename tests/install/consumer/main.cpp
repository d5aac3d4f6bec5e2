// A program outside the faltung tree, built against an installed faltung
// (find_package or pkg-config): a convolution, a threaded plan and a named
// kernel, each checked against values worked out by hand.
#include <cmath>
#include <cstdio>
#include <vector>

#include <faltung/convolve.hpp>
#include <faltung/kernels.hpp>

int main() {
  const faltung::Array<double> x{{4}, {1, 2, 3, 4}};
  const faltung::Array<double> k{{2}, {1, 1}};
  const auto y = faltung::convolve(x, k);  // full: 1 3 5 7 4
  const std::vector<double> want = {1, 3, 5, 7, 4};
  if (y.data != want) {
    std::fprintf(stderr, "convolve gave the wrong values\n");
    return 1;
  }
  const auto plan =
      faltung::Plan::create(faltung::parse_problem("op=conv dtype=f64 x=1000x1000 k=3x3 mode=same"), {.threads = 2});
  std::vector<double> image(1000 * 1000, 1.0), box(9, 1.0), out(static_cast<std::size_t>(plan.output_elements()));
  plan.execute(image.data(), box.data(), out.data());
  if (out[500 * 1000 + 500] != 9.0 || out[0] != 4.0) {
    std::fprintf(stderr, "the plan gave the wrong values\n");
    return 1;
  }
  const auto gauss = faltung::kernels::make("gaussian:sigma=2");
  double sum = 0;
  for (double v : gauss.values) sum += v;
  if (std::abs(sum - 1.0) > 1e-12) {
    std::fprintf(stderr, "the gaussian does not sum to 1\n");
    return 1;
  }
  std::printf("consumer: ok (%s)\n", gauss.id().c_str());
  return 0;
}
