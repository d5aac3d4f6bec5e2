#include "arrays.hpp"

#include <string>
#include <vector>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL faltung_numpy_api
#include <numpy/arrayobject.h>

#include "faltung/errors.hpp"
#include "output_pool.hpp"

namespace faltung::python {

namespace {

int typenum(DType t) {
  switch (t) {
    case DType::f32:
      return NPY_FLOAT32;
    case DType::f64:
      return NPY_FLOAT64;
    case DType::c64:
      return NPY_COMPLEX64;
    case DType::c128:
      return NPY_COMPLEX128;
  }
  return NPY_FLOAT64;
}

PyArrayObject* as_array(nb::handle a) { return reinterpret_cast<PyArrayObject*>(a.ptr()); }

}  // namespace

void import_numpy() {
  if (_import_array() < 0) throw nb::python_error();
}

nb::object input_array(nb::handle obj, DType t) {
  const int want = typenum(t);
  if (PyArray_CheckExact(obj.ptr())) {
    PyArrayObject* a = as_array(obj);
    if (PyArray_TYPE(a) == want && PyArray_ISCARRAY_RO(a) && PyArray_ISNOTSWAPPED(a)) return nb::borrow(obj);
  }
  PyObject* converted = PyArray_FromAny(obj.ptr(), PyArray_DescrFromType(want), 0, 0,
                                        NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED, nullptr);
  if (!converted) throw nb::python_error();
  return nb::steal(converted);
}

DType engine_dtype(nb::handle array) {
  if (!PyArray_Check(array.ptr())) throw Error(ErrorKind::invalid_argument, "expected a numpy array");
  switch (PyArray_TYPE(as_array(array))) {
    case NPY_FLOAT32:
      return DType::f32;
    case NPY_FLOAT64:
      return DType::f64;
    case NPY_COMPLEX64:
      return DType::c64;
    case NPY_COMPLEX128:
      return DType::c128;
  }
  throw Error(ErrorKind::invalid_argument, "the engine computes float32, float64, complex64 and complex128; got " +
                                               nb::cast<std::string>(nb::str(array.attr("dtype"))));
}

Shape shape_of(nb::handle array) {
  PyArrayObject* a = as_array(array);
  const npy_intp* dims = PyArray_DIMS(a);
  return Shape(dims, dims + PyArray_NDIM(a));
}

const void* data_of(nb::handle array) { return PyArray_DATA(as_array(array)); }

nb::object new_array(DType t, const Shape& shape) {
  std::vector<npy_intp> dims(shape.begin(), shape.end());
  const std::size_t bytes = static_cast<std::size_t>(element_count(shape)) * dtype_size(t);
  if (bytes < kPooledFromBytes) {  // numpy's own allocation is cheapest here
    PyObject* a = PyArray_SimpleNew(static_cast<int>(dims.size()), dims.data(), typenum(t));
    if (!a) throw nb::python_error();
    return nb::steal(a);
  }
  // Large results live in recycled buffers (output_pool.hpp): the array owns
  // its buffer through a capsule that gives it back when the array dies.
  void* data = acquire_buffer(bytes);
  nb::capsule owner(data, [](void* p) noexcept { release_buffer(p); });
  PyObject* a = PyArray_SimpleNewFromData(static_cast<int>(dims.size()), dims.data(), typenum(t), data);
  if (!a) throw nb::python_error();  // the capsule frees the buffer
  nb::object array = nb::steal(a);
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(a), owner.release().ptr()) < 0) throw nb::python_error();
  return array;
}

void* output_data(nb::handle out, DType t, const Shape& shape) {
  bool fits = PyArray_Check(out.ptr());
  PyArrayObject* a = fits ? as_array(out) : nullptr;
  fits = fits && PyArray_TYPE(a) == typenum(t) && PyArray_ISCARRAY(a) && PyArray_ISNOTSWAPPED(a) &&
         PyArray_NDIM(a) == static_cast<int>(shape.size());
  for (std::size_t i = 0; fits && i < shape.size(); ++i) fits = PyArray_DIM(a, static_cast<int>(i)) == shape[i];
  if (!fits)
    throw Error(ErrorKind::invalid_argument, "out must be a writable, C-contiguous " + std::string(numpy_name(t)) +
                                                 " array of shape " + shape_to_string(shape));
  return PyArray_DATA(a);
}

}  // namespace faltung::python
