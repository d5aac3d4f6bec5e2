// The README's example, compiled with the project so it stays true.
#include <cstdio>
#include <vector>

#include <faltung/convolve.hpp>

int main() {
  // A 2-D image and a 5x5 kernel, scipy.signal style and scipy.ndimage style.
  faltung::Array<float> x{{480, 640}, std::vector<float>(480 * 640, 1.0f)};
  faltung::Array<float> k{{5, 5}, std::vector<float>(25, 1.0f / 25)};
  const auto y = faltung::convolve(x, k, {.mode = faltung::Mode::same});
  const auto z = faltung::filter(x, k, {.boundary = {faltung::BoundaryRule::mirror}});

  // A plan: validate once, execute many times into caller-owned memory, explain.
  const auto plan = faltung::Plan::create(
      faltung::parse_problem("op=corr dtype=f32 x=480x640 k=5x5 mode=same boundary=symmetric"), {.threads = 2});
  std::vector<float> out(static_cast<std::size_t>(plan.output_elements()));
  std::vector<std::max_align_t> workspace(plan.workspace_bytes() / sizeof(std::max_align_t) + 1);
  const faltung::ExecuteReport report = plan.execute(x.data.data(), k.data.data(), out.data(), workspace.data());
  std::printf("%s", plan.explain().c_str());
  std::printf("y[0,0]=%g z[0,0]=%g out[240,320]=%g non-finite inputs: %lld\n", y.data[0], z.data[0],
              out[240 * 640 + 320], static_cast<long long>(report.nonfinite_inputs));
  return 0;
}
