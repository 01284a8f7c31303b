#pragma once
// Small problems shared by the Chebyshev and AMG tests.

#include <vector>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::testing {

/// The 1D Laplacian tridiag(-1, 2, -1) on n points (Dirichlet boundary).
inline CsrMatrix laplacian_1d(std::size_t n) {
  std::vector<SparseIndex> rows, cols;
  Vector values;
  for (std::size_t i = 0; i < n; ++i) {
    const auto si = static_cast<SparseIndex>(i);
    if (i > 0) {
      rows.push_back(si);
      cols.push_back(si - 1);
      values.push_back(-1.0);
    }
    rows.push_back(si);
    cols.push_back(si);
    values.push_back(2.0);
    if (i + 1 < n) {
      rows.push_back(si);
      cols.push_back(si + 1);
      values.push_back(-1.0);
    }
  }
  return CsrMatrix::from_triplets(n, n, rows, cols, values, {.symmetric = true, .positive_definite = true});
}

/// p_k(lambda) of the Chebyshev preconditioner on [a, b], from its definition
/// 1 - lambda p_k(lambda) = T_{k+1}(mu(lambda)) / T_{k+1}(mu(0)), mu(lambda) = (b + a - 2 lambda) / (b - a),
/// with T_m by its three-term recurrence: independent of the vector recurrence under test.
inline double chebyshev_polynomial(double lambda, double a, double b, int k) {
  const auto t = [](int m, double x) {
    double t0 = 1.0, t1 = x;
    if (m == 0) return t0;
    for (int i = 1; i < m; ++i) {
      const double t2 = 2.0 * x * t1 - t0;
      t0 = t1;
      t1 = t2;
    }
    return t1;
  };
  const auto mu = [&](double l) { return (b + a - 2.0 * l) / (b - a); };
  return (1.0 - t(k + 1, mu(lambda)) / t(k + 1, mu(0.0))) / lambda;
}

/// f(S) = V diag(f(lambda_i)) V^T for symmetric S.
template <class F>
DenseMatrix matrix_function(const DenseMatrix& s, const F& f) {
  const SymmetricEigenResult e = symmetric_eigen(s);
  DenseMatrix scaled = e.vectors;
  for (std::size_t j = 0; j < scaled.cols(); ++j)
    for (std::size_t i = 0; i < scaled.rows(); ++i) scaled(i, j) *= f(e.values[j]);
  return matmul(scaled, e.vectors, Transpose::no, Transpose::yes);
}

/// The dense matrix of an operator, column by column from the unit vectors.
inline DenseMatrix dense_of(const LinearOperator& op) {
  DenseMatrix m(op.rows(), op.cols());
  Vector e(op.cols(), 0.0);
  for (std::size_t j = 0; j < op.cols(); ++j) {
    e[j] = 1.0;
    op.apply(e, m.col(j));
    e[j] = 0.0;
  }
  return m;
}

}  // namespace frechet::testing
