#include "support/check.hpp"

#include <sstream>

#include "faltung/testing/reference.hpp"
#include "faltung/testing/tolerance.hpp"

namespace faltung::test {

Buffer run_plan(const Problem& p, const Buffer& x, const Buffer& k, const PlanOptions& o, ExecuteReport* report) {
  const Plan plan = Plan::create(p, o);
  Buffer y(p.dtype, plan.output_shape());
  const ExecuteReport r = plan.execute(x.data(), k.data(), y.data());
  if (report) *report = r;
  return y;
}

CheckResult check_against_reference(const Problem& p, const Buffer& x, const Buffer& k, const Buffer& y,
                                    std::uint64_t seed, std::int64_t transform_length) {
  CheckResult r;
  const Reference ref(p, x.data(), k.data());
  const ReferenceNorms norms = transform_length > 0 ? ref.norms() : ReferenceNorms{};
  auto bound = [&](const ReferenceValue& v) {
    return transform_length > 0 ? tolerance::normwise_bound(p.dtype, transform_length, norms, v)
                                : tolerance::direct_bound(p.dtype, element_count(p.k), v);
  };
  bool any_nonzero = false;
  for (std::int64_t i = 0; i < ref.output_elements(); ++i) {
    const ReferenceValue v = ref.at(i);
    const auto verdict = transform_length > 0 ? tolerance::check_normwise(bound(v), v, y.get(i))
                                              : tolerance::check_direct(p.dtype, element_count(p.k), v, y.get(i));
    ++r.checked;
    any_nonzero = any_nonzero || (!v.nonfinite && v.value != std::complex<long double>(0));
    if (verdict != tolerance::Verdict::ok && r.ok) {
      std::ostringstream m;
      m << "problem: " << to_string(p) << "\nseed: " << seed << "\noutput " << i << " is "
        << tolerance::describe(verdict) << ": got (" << static_cast<double>(y.get(i).real()) << ", "
        << static_cast<double>(y.get(i).imag()) << "), reference (" << static_cast<double>(v.value.real()) << ", "
        << static_cast<double>(v.value.imag()) << "), bound " << static_cast<double>(bound(v))
        << (transform_length > 0 ? " (normwise, L = " + std::to_string(transform_length) + ")" : std::string());
      r.ok = false;
      r.message = m.str();
    }
  }
  r.trivial = !any_nonzero;
  return r;
}

}  // namespace faltung::test
