#pragma once
// Helpers of the precond suite: dense references of preconditioners and iteration counts.

#include <boost/test/unit_test.hpp>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "test_support.hpp"

namespace frechet::testing {

/// The dense matrix of an operator, column by column from its products with e_j.
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

/// The inverse of a square dense matrix (LU).
inline DenseMatrix dense_inverse(const DenseMatrix& a) {
  return LuFactorization(a).solve(DenseMatrix::identity(a.rows()));
}

/// Checks that `m_inverse` is symmetric positive definite: <u, M v> = <M u, v> and x^T M x > 0 on
/// random vectors.
inline void check_spd_on_random_vectors(const LinearOperator& m_inverse, std::uint64_t seed = 11) {
  Random rng(seed);
  for (int trial = 0; trial < 5; ++trial) {
    const Vector u = rng.gaussian_vector(m_inverse.rows());
    const Vector v = rng.gaussian_vector(m_inverse.rows());
    const double uv = dot(u, m_inverse.apply(v));
    const double vu = dot(v, m_inverse.apply(u));
    BOOST_TEST(std::abs(uv - vu) <= 1e-12 * (std::abs(uv) + std::abs(vu)) + 1e-300);
    BOOST_TEST(dot(u, m_inverse.apply(u)) > 0.0);
  }
}

/// CG iterations to rtol 1e-8 on A x = 1 with the given preconditioner (null for none).
inline int cg_iterations(const LinearOperator& a, OperatorPtr preconditioner) {
  const Vector b(a.rows(), 1.0);
  const SolveResult r = cg(a, b, {.rtol = 1e-8, .preconditioner = std::move(preconditioner)});
  BOOST_TEST(r.converged);
  return r.iterations;
}

/// GMRES(30) iterations to rtol 1e-8 on A x = 1 with the given preconditioner (null for none).
inline SolveResult gmres_solve(const LinearOperator& a, OperatorPtr preconditioner, int max_iterations) {
  const Vector b(a.rows(), 1.0);
  return gmres(a, b, {.rtol = 1e-8, .max_iterations = max_iterations, .preconditioner = std::move(preconditioner)});
}

}  // namespace frechet::testing
