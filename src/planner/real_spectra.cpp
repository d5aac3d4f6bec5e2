#include "planner/real_spectra.hpp"

#include "algorithms/fft/fftw_plans.hpp"

namespace faltung::planner {

RealSpectra::RealSpectra(const Shape& shape)
    : pair_(fft::transform_pair<double>(true, shape, fft::PlanEffort::estimate)),
      bins_(fft::spectrum_elements(true, shape)) {}

RealSpectra::~RealSpectra() = default;

void RealSpectra::forward(double* in, double* spectrum) const { pair_->forward(in, spectrum); }

void RealSpectra::inverse(double* spectrum, double* out) const { pair_->inverse(spectrum, out); }

}  // namespace faltung::planner
