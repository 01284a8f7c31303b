#include "frechet/core/blas1.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "blas.hpp"
#include "parallel.hpp"
#include "frechet/core/error.hpp"

namespace frechet {

using detail::parallel_min_entries;

// The reductions are `simd`: the compiler may split the sum into vector lanes, as the threads split
// it anyway above the threshold (the order of summation is unspecified either way).
double dot(ConstVectorView x, ConstVectorView y) {
  check_size("dot: size of y", x.size(), y.size());
  const std::size_t n = x.size();
  double s = 0.0;
#pragma omp parallel for simd reduction(+ : s) schedule(static) if (n >= parallel_min_entries)
  for (std::size_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

double norm2(ConstVectorView x) {
  // Scaled sum of squares only when the plain sum could over- or underflow: the common case stays
  // one streaming pass.
  const std::size_t n = x.size();
  double s = 0.0;
#pragma omp parallel for simd reduction(+ : s) schedule(static) if (n >= parallel_min_entries)
  for (std::size_t i = 0; i < n; ++i) s += x[i] * x[i];
  if (s > 1e-280 && s < 1e280) return std::sqrt(s);
  return blas::nrm2("norm2", x.size(), x.data());
}

double norm_inf(ConstVectorView x) {
  double m = 0.0;
  for (double v : x) m = std::max(m, std::abs(v));
  return m;
}

void axpy(double alpha, ConstVectorView x, VectorView y) {
  check_size("axpy: size of y", x.size(), y.size());
  const std::size_t n = x.size();
#pragma omp parallel for schedule(static) if (n >= parallel_min_entries)
  for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void axpby(double alpha, ConstVectorView x, double beta, VectorView y) {
  check_size("axpby: size of y", x.size(), y.size());
  const std::size_t n = x.size();
#pragma omp parallel for schedule(static) if (n >= parallel_min_entries)
  for (std::size_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta * y[i];
}

void scale(double alpha, VectorView x) {
  const std::size_t n = x.size();
#pragma omp parallel for schedule(static) if (n >= parallel_min_entries)
  for (std::size_t i = 0; i < n; ++i) x[i] *= alpha;
}

void copy(ConstVectorView x, VectorView y) {
  check_size("copy: size of y", x.size(), y.size());
  std::copy(x.begin(), x.end(), y.begin());
}

void fill(VectorView x, double value) { std::fill(x.begin(), x.end(), value); }

bool all_finite(ConstVectorView x) {
  // Summing x_i * 0 turns any NaN or infinity into NaN, in one vectorisable pass.
  double s = 0.0;
  for (double v : x) s += v * 0.0;
  return s == 0.0;
}

void check_finite(const char* what, ConstVectorView x) {
  if (all_finite(x)) return;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw NonFiniteError(std::string(what) + ": expected finite values, got " + std::to_string(x[i]) +
                           " at index " + std::to_string(i));
    }
  }
}

}  // namespace frechet
