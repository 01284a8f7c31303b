#include "frechet/core/blas1.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "blas.hpp"
#include "parallel.hpp"
#include "frechet/core/error.hpp"

namespace frechet {

namespace {

// The threads of an elementwise loop over n entries.
int vector_threads(std::size_t n) noexcept { return detail::loop_threads(n, detail::parallel_min_entries); }

}  // namespace

// The reductions sum fixed blocks in a fixed order (detail::deterministic_sum), so their bits do not
// depend on the number of threads; within a block the sum is `simd`, split into vector lanes the same
// way every time. Every kernel reads its arrays through local pointers: inside an OpenMP region a span
// is a shared object the compiler must reload at every iteration, which keeps the loop from
// vectorizing (callgrind: three times the instructions of dot).
double dot(ConstVectorView x, ConstVectorView y) {
  check_size("dot: size of y", x.size(), y.size());
  const double* xp = x.data();
  const double* yp = y.data();
  return detail::deterministic_sum(x.size(), [xp, yp](std::size_t begin, std::size_t end) {
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = begin; i < end; ++i) s += xp[i] * yp[i];
    return s;
  });
}

double norm2(ConstVectorView x) {
  // Scaled sum of squares only when the plain sum could over- or underflow: the common case stays
  // one streaming pass.
  const double* xp = x.data();
  const double s = detail::deterministic_sum(x.size(), [xp](std::size_t begin, std::size_t end) {
    double t = 0.0;
#pragma omp simd reduction(+ : t)
    for (std::size_t i = begin; i < end; ++i) t += xp[i] * xp[i];
    return t;
  });
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
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  const double* xp = x.data();
  double* yp = y.data();
#pragma omp parallel for simd schedule(static) num_threads(vector_threads(x.size()))
  for (std::ptrdiff_t i = 0; i < n; ++i) yp[i] += alpha * xp[i];
}

void axpby(double alpha, ConstVectorView x, double beta, VectorView y) {
  check_size("axpby: size of y", x.size(), y.size());
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  const double* xp = x.data();
  double* yp = y.data();
#pragma omp parallel for simd schedule(static) num_threads(vector_threads(x.size()))
  for (std::ptrdiff_t i = 0; i < n; ++i) yp[i] = alpha * xp[i] + beta * yp[i];
}

void scale(double alpha, VectorView x) {
  const auto n = static_cast<std::ptrdiff_t>(x.size());
  double* xp = x.data();
#pragma omp parallel for simd schedule(static) num_threads(vector_threads(x.size()))
  for (std::ptrdiff_t i = 0; i < n; ++i) xp[i] *= alpha;
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
