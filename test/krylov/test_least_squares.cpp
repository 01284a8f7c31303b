#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/krylov/lsmr.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

using LeastSquaresSolver = SolveResult (*)(const LinearOperator&, ConstVectorView, const SolverOptions&);
const std::pair<const char*, LeastSquaresSolver> solvers[] = {{"lsqr", &lsqr}, {"lsmr", &lsmr}};

}  // namespace

BOOST_AUTO_TEST_SUITE(least_squares)

BOOST_AUTO_TEST_CASE(tall_inconsistent_against_qr) {
  Random rng(50);
  const DenseMatrix dense = random_dense(200, 40, rng);
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(200);
  const Vector reference = QrFactorization(dense).solve_least_squares(b);
  for (auto [name, solver] : solvers) {
    BOOST_TEST_CONTEXT(name) {
      const SolveResult r = solver(a, b, {.rtol = 1e-12});
      BOOST_TEST(r.converged);
      BOOST_TEST(relative_error(r.x, reference) < 1e-9);
      BOOST_TEST(r.residual_norm == true_residual(a, b, r.x), boost::test_tools::tolerance(1e-12));
      BOOST_TEST(*r.normal_residual_norm == normal_residual(a, b, r.x), boost::test_tools::tolerance(1e-8));
      BOOST_TEST(*r.normal_residual_norm <= 1e-12 * norm2(a.apply_adjoint(b)));
      BOOST_TEST(r.residual_norm > 0.5 * norm2(b));  // inconsistent: the residual stays large
    }
  }
}

BOOST_AUTO_TEST_CASE(lsmr_normal_residual_decreases_monotonically) {
  Random rng(51);
  const DenseMatrix dense = random_dense(150, 60, rng);
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(150);
  const SolveResult r = lsmr(a, b, {.rtol = 1e-10});
  for (std::size_t k = 1; k < r.residual_history.size(); ++k)
    BOOST_TEST(r.residual_history[k] <= r.residual_history[k - 1] * (1 + 1e-10));
  const SolveResult q = lsqr(a, b, {.rtol = 1e-10});
  BOOST_TEST_MESSAGE("150x60 gaussian: lsqr " << q.iterations << ", lsmr " << r.iterations);
  BOOST_TEST(r.iterations <= q.iterations);
}

BOOST_AUTO_TEST_CASE(wide_consistent_gives_the_minimum_norm_solution) {
  Random rng(52);
  const DenseMatrix dense = random_dense(30, 90, rng);
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(30);
  // x = A^T (A A^T)^{-1} b
  const Vector reference = matvec_transpose(dense, CholeskyFactorization(matmul(dense, dense, Transpose::no, Transpose::yes)).solve(b));
  for (auto [name, solver] : solvers) {
    BOOST_TEST_CONTEXT(name) {
      const SolveResult r = solver(a, b, {.rtol = 1e-12});
      BOOST_TEST(r.converged);
      BOOST_TEST(relative_error(r.x, reference) < 1e-9);
      BOOST_TEST(r.residual_norm <= 1e-11 * norm2(b));
    }
  }
}

BOOST_AUTO_TEST_CASE(damping_against_regularised_normal_equations) {
  Random rng(53);
  const DenseMatrix dense = random_dense(80, 50, rng);
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(80);
  for (double lambda : {0.1, 1.0, 10.0}) {
    DenseMatrix normal = matmul(dense, dense, Transpose::yes);
    for (std::size_t i = 0; i < 50; ++i) normal(i, i) += lambda * lambda;
    const Vector reference = CholeskyFactorization(normal).solve(matvec_transpose(dense, b));
    for (auto [name, solver] : solvers) {
      BOOST_TEST_CONTEXT(name << " lambda=" << lambda) {
        const SolveResult r = solver(a, b, {.rtol = 1e-12, .damping = lambda});
        BOOST_TEST(r.converged);
        BOOST_TEST(relative_error(r.x, reference) < 1e-9);
        BOOST_TEST(*r.normal_residual_norm == normal_residual(a, b, r.x, lambda),
                   boost::test_tools::tolerance(1e-6));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(column_scaling_preconditioner) {
  // Columns scaled over four orders of magnitude; N = diag(1 / ||a_j||) undoes it.
  Random rng(54);
  DenseMatrix dense = random_dense(150, 50, rng);
  Vector inv_norms(50);
  for (std::size_t j = 0; j < 50; ++j) {
    const double s = std::pow(10.0, 2.0 * std::sin(static_cast<double>(j)));
    for (std::size_t i = 0; i < 150; ++i) dense(i, j) *= s;
    inv_norms[j] = 1.0 / norm2(dense.col(j));
  }
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(150);
  const Vector reference = QrFactorization(dense).solve_least_squares(b);
  for (auto [name, solver] : solvers) {
    BOOST_TEST_CONTEXT(name) {
      const SolveResult plain = solver(a, b, {.rtol = 1e-10, .max_iterations = 2000});
      const SolveResult pre = solver(a, b, {.rtol = 1e-10, .preconditioner = std::make_shared<DiagonalTestOperator>(inv_norms)});
      BOOST_TEST_MESSAGE(name << " column-scaled: " << plain.iterations << " (" << reason_name(plain.reason)
                              << "), preconditioned " << pre.iterations);
      BOOST_TEST(pre.converged);
      BOOST_TEST(pre.iterations < plain.iterations / 2);
      BOOST_TEST(relative_error(pre.x, reference) < 1e-7);
    }
  }
}

BOOST_AUTO_TEST_CASE(rhs_orthogonal_to_the_range) {
  // A^T b = 0: x = 0 is the least-squares solution.
  const DenseTestOperator a(DenseMatrix{{1, 0}, {0, 1}, {0, 0}});
  for (auto [name, solver] : solvers) {
    BOOST_TEST_CONTEXT(name) {
      const SolveResult r = solver(a, Vector{0.0, 0.0, 2.0}, {});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.iterations == 0);
      BOOST_TEST(norm_inf(r.x) == 0.0);
      BOOST_TEST(r.residual_norm == 2.0);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
