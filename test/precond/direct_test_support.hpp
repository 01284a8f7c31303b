#pragma once
// Helpers of the direct-solver tests: small random sparse problems whose dense copies LAPACK solves.

#include <cmath>
#include <cstddef>
#include <utility>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "linop/linop_test_support.hpp"

namespace frechet::testing {

/// S + S^T + D with S random sparse and D making every row strictly diagonally dominant by 1:
/// symmetric positive definite, exactly symmetric, with the pattern of S + S^T plus the diagonal.
inline CsrMatrix random_sparse_spd(std::size_t n, double density, Random& rng) {
  const DenseMatrix s = random_sparse(n, n, density, rng).to_dense();
  DenseMatrix a(n, n);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) a(i, j) = s(i, j) + s(j, i);
  for (std::size_t i = 0; i < n; ++i) {
    double off = 0.0;
    for (std::size_t j = 0; j < n; ++j) off += i == j ? 0.0 : std::abs(a(i, j));
    a(i, i) = off + 1.0;
  }
  return CsrMatrix::from_dense(a, {.symmetric = true});
}

/// A random sparse square matrix plus a random diagonal: nonsymmetric and (almost surely) invertible.
inline CsrMatrix random_sparse_square(std::size_t n, double density, Random& rng) {
  DenseMatrix a = random_sparse(n, n, density, rng).to_dense();
  for (std::size_t i = 0; i < n; ++i) a(i, i) += 2.0 + rng.uniform();
  return CsrMatrix::from_dense(a);
}

/// D A D with D = diag(1 + 0.1 i / n): the pattern of `a` with new values, symmetric positive
/// definite when `a` is, and nonsingular when `a` is.
inline CsrMatrix rescaled(const CsrMatrix& a) {
  const auto rows = a.row_offsets();
  const auto cols = a.col_indices();
  Vector values(a.values().begin(), a.values().end());
  const auto d = [&](std::size_t i) { return 1.0 + 0.1 * static_cast<double>(i) / static_cast<double>(a.rows()); };
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (auto k = static_cast<std::size_t>(rows[i]); k < static_cast<std::size_t>(rows[i + 1]); ++k)
      values[k] *= d(i) * d(static_cast<std::size_t>(cols[k]));
  return CsrMatrix(a.rows(), a.cols(), {rows.begin(), rows.end()}, {cols.begin(), cols.end()}, std::move(values),
                   a.traits());
}

/// A^{-1} by LAPACK (dense LU), the reference of the operator tests.
inline DenseMatrix dense_inverse(const DenseMatrix& a) {
  return LuFactorization(a).solve(DenseMatrix::identity(a.rows()));
}

}  // namespace frechet::testing
