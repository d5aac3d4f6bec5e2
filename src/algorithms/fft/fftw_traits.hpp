// FFTW's two precisions behind one template, and the lock every planner call
// takes (FFTW's planner is not thread-safe; executing plans is). Private to
// src/algorithms/fft.
#pragma once

#include <fftw3.h>

#include <cstddef>
#include <mutex>

#include "algorithms/fft/fftw_plans.hpp"

namespace faltung::fft {

std::mutex& fftw_planner_mutex();

inline unsigned fftw_flags(PlanEffort effort) { return effort == PlanEffort::measure ? FFTW_MEASURE : FFTW_ESTIMATE; }

template <class T>
struct Fftw;
template <>
struct Fftw<float> {
  using Plan = fftwf_plan;
  using Complex = fftwf_complex;
  static void* malloc(std::size_t b) { return fftwf_malloc(b); }
  static void free(void* p) { fftwf_free(p); }
  static Plan r2c(int r, const int* n, float* in, Complex* out, unsigned f) {
    return fftwf_plan_dft_r2c(r, n, in, out, f);
  }
  static Plan c2r(int r, const int* n, Complex* in, float* out, unsigned f) {
    return fftwf_plan_dft_c2r(r, n, in, out, f);
  }
  static Plan c2c(int r, const int* n, Complex* io, int sign, unsigned f) {
    return fftwf_plan_dft(r, n, io, io, sign, f);
  }
  // howmany in-place c2c transforms of length n, elements `stride` apart, transforms `dist` apart.
  static Plan many_c2c(int n, int howmany, Complex* io, int stride, int dist, int sign, unsigned f) {
    return fftwf_plan_many_dft(1, &n, howmany, io, nullptr, stride, dist, io, nullptr, stride, dist, sign, f);
  }
  static void run_r2c(Plan p, float* in, Complex* out) { fftwf_execute_dft_r2c(p, in, out); }
  static void run_c2r(Plan p, Complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
  static void run_c2c(Plan p, Complex* io) { fftwf_execute_dft(p, io, io); }
  static void destroy(Plan p) { fftwf_destroy_plan(p); }
};
template <>
struct Fftw<double> {
  using Plan = fftw_plan;
  using Complex = fftw_complex;
  static void* malloc(std::size_t b) { return fftw_malloc(b); }
  static void free(void* p) { fftw_free(p); }
  static Plan r2c(int r, const int* n, double* in, Complex* out, unsigned f) {
    return fftw_plan_dft_r2c(r, n, in, out, f);
  }
  static Plan c2r(int r, const int* n, Complex* in, double* out, unsigned f) {
    return fftw_plan_dft_c2r(r, n, in, out, f);
  }
  static Plan c2c(int r, const int* n, Complex* io, int sign, unsigned f) {
    return fftw_plan_dft(r, n, io, io, sign, f);
  }
  static Plan many_c2c(int n, int howmany, Complex* io, int stride, int dist, int sign, unsigned f) {
    return fftw_plan_many_dft(1, &n, howmany, io, nullptr, stride, dist, io, nullptr, stride, dist, sign, f);
  }
  static void run_r2c(Plan p, double* in, Complex* out) { fftw_execute_dft_r2c(p, in, out); }
  static void run_c2r(Plan p, Complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
  static void run_c2c(Plan p, Complex* io) { fftw_execute_dft(p, io, io); }
  static void destroy(Plan p) { fftw_destroy_plan(p); }
};

}  // namespace faltung::fft
