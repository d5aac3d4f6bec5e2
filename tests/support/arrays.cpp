#include "support/arrays.hpp"

namespace faltung::test {

Buffer::Buffer(DType t, Shape s) : dtype(t), shape(std::move(s)) {
  const std::int64_t n = element_count(shape) * (is_complex(t) ? 2 : 1);
  if (t == DType::f32 || t == DType::c64)
    f.assign(n, 0.0f);
  else
    d.assign(n, 0.0);
}

void* Buffer::data() { return f.empty() ? static_cast<void*>(d.data()) : f.data(); }
const void* Buffer::data() const { return f.empty() ? static_cast<const void*>(d.data()) : f.data(); }

std::complex<long double> Buffer::get(std::int64_t i) const {
  switch (dtype) {
    case DType::f32:
      return {f[i], 0};
    case DType::f64:
      return {d[i], 0};
    case DType::c64:
      return {f[2 * i], f[2 * i + 1]};
    case DType::c128:
      return {d[2 * i], d[2 * i + 1]};
  }
  return {};
}

void Buffer::set(std::int64_t i, std::complex<long double> v) {
  switch (dtype) {
    case DType::f32:
      f[i] = static_cast<float>(v.real());
      break;
    case DType::f64:
      d[i] = static_cast<double>(v.real());
      break;
    case DType::c64:
      f[2 * i] = static_cast<float>(v.real());
      f[2 * i + 1] = static_cast<float>(v.imag());
      break;
    case DType::c128:
      d[2 * i] = static_cast<double>(v.real());
      d[2 * i + 1] = static_cast<double>(v.imag());
      break;
  }
}

Buffer random_buffer(DType t, const Shape& s, std::mt19937_64& rng, Values v) {
  Buffer b(t, s);
  std::uniform_int_distribution<int> ints(-4, 4);
  std::normal_distribution<double> normal(0.0, 1.0);
  auto draw = [&]() -> long double { return v == Values::integers ? ints(rng) : normal(rng); };
  for (std::int64_t i = 0; i < b.elements(); ++i) {
    const long double re = draw();
    const long double im = is_complex(t) ? draw() : 0;
    b.set(i, {re, im});
  }
  return b;
}

}  // namespace faltung::test
