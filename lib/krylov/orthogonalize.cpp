#include "orthogonalize.hpp"

#include <algorithm>

#include "core/parallel.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {
namespace {

// Columns whose inner products with w one pass computes: w is read once per group instead of once
// per column. The groups are fixed ([4g, 4g + 4)), so each coefficient is summed in the same order
// whatever the team.
constexpr std::size_t group = 4;

// h[j] = column j . w for j in [j0, j0 + 4).
void group_dots(const double* basis, std::size_t n, std::size_t j0, const double* w, double* h) {
  const double* v0 = basis + j0 * n;
  const double* v1 = v0 + n;
  const double* v2 = v1 + n;
  const double* v3 = v2 + n;
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
  for (std::size_t i = 0; i < n; ++i) {
    s0 += v0[i] * w[i];
    s1 += v1[i] * w[i];
    s2 += v2[i] * w[i];
    s3 += v3[i] * w[i];
  }
  h[j0] = s0;
  h[j0 + 1] = s1;
  h[j0 + 2] = s2;
  h[j0 + 3] = s3;
}

double column_dot(const double* v, std::size_t n, const double* w) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += v[i] * w[i];
  return s;
}

}  // namespace

void basis_dots(const double* basis, std::size_t n, std::size_t k, ConstVectorView w, VectorView h) {
  const std::size_t groups = k / group;
  const double* wp = w.data();
  double* hp = h.data();
  const auto g_count = static_cast<std::ptrdiff_t>(groups);
#pragma omp parallel for schedule(static) num_threads(loop_threads(n * k, parallel_min_entries))
  for (std::ptrdiff_t g = 0; g < g_count; ++g) group_dots(basis, n, static_cast<std::size_t>(g) * group, wp, hp);
  for (std::size_t j = groups * group; j < k; ++j) hp[j] = column_dot(basis + j * n, n, wp);
}

void basis_axpy(double alpha, const double* basis, std::size_t n, std::size_t k, ConstVectorView y, VectorView w) {
  // Row blocks of w, each updated by the k columns in fixed groups: every entry sums its k terms in
  // the same order whatever the team.
  constexpr std::size_t rows = 2048;
  const std::size_t blocks = (n + rows - 1) / rows;
  const double* yp = y.data();
  double* wp = w.data();
  const auto b_count = static_cast<std::ptrdiff_t>(blocks);
#pragma omp parallel for schedule(static) num_threads(loop_threads(n * k, parallel_min_entries))
  for (std::ptrdiff_t b = 0; b < b_count; ++b) {
    const std::size_t i0 = static_cast<std::size_t>(b) * rows;
    const std::size_t i1 = std::min(n, i0 + rows);
    // Four columns per pass over the block: one load and one store of w per four products.
    std::size_t j = 0;
    for (; j + group <= k; j += group) {
      const double c0 = alpha * yp[j], c1 = alpha * yp[j + 1], c2 = alpha * yp[j + 2], c3 = alpha * yp[j + 3];
      const double* v0 = basis + j * n;
      const double* v1 = v0 + n;
      const double* v2 = v1 + n;
      const double* v3 = v2 + n;
#pragma omp simd
      for (std::size_t i = i0; i < i1; ++i) wp[i] = wp[i] + c0 * v0[i] + c1 * v1[i] + c2 * v2[i] + c3 * v3[i];
    }
    for (; j < k; ++j) {
      const double c = alpha * yp[j];
      const double* v = basis + j * n;
#pragma omp simd
      for (std::size_t i = i0; i < i1; ++i) wp[i] += c * v[i];
    }
  }
}

double orthogonalize(const double* basis, std::size_t n, std::size_t k, VectorView w, VectorView h,
                     VectorView scratch) {
  if (k == 0) return norm2(w);
  // First pass: h = V^T w; w -= V h.
  basis_dots(basis, n, k, w, h);
  basis_axpy(-1.0, basis, n, k, h, w);
  // Second pass removes what rounding left of the components along V.
  basis_dots(basis, n, k, w, scratch);
  basis_axpy(-1.0, basis, n, k, scratch, w);
  for (std::size_t i = 0; i < k; ++i) h[i] += scratch[i];
  return norm2(w);
}

}  // namespace frechet::detail
