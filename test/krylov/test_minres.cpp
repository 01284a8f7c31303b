#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/minres.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(minres_method)

BOOST_AUTO_TEST_CASE(symmetric_indefinite_against_lu) {
  Random rng(20);
  const std::size_t n = 80;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = (i % 2 == 0 ? 1.0 : -1.0) * (1.0 + static_cast<double>(i));
  const DenseMatrix dense = with_spectrum(eig, rng);
  const DenseTestOperator a(dense, {.symmetric = true});
  const Vector b = rng.gaussian_vector(n);
  const SolveResult r = minres(a, b, {.rtol = 1e-12});
  BOOST_TEST(r.converged);
  BOOST_TEST(relative_error(r.x, LuFactorization(dense).solve(b)) < 1e-9);
  BOOST_TEST(r.residual_norm <= 1e-12 * norm2(b));
  // The residual norm of MINRES never increases.
  for (std::size_t k = 1; k < r.residual_history.size(); ++k)
    BOOST_TEST(r.residual_history[k] <= r.residual_history[k - 1] * (1 + 1e-12));
  // CG refuses the same system.
  BOOST_TEST(cg(a, b).reason == Reason::indefinite);
}

BOOST_AUTO_TEST_CASE(recurrence_residual_matches_the_true_one) {
  Random rng(21);
  const std::size_t n = 50;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = -5.0 + 10.0 * static_cast<double>(i) / (n - 1) + 0.05;
  const DenseTestOperator a(with_spectrum(eig, rng));
  const Vector b = rng.gaussian_vector(n);
  for (int k : {3, 10, 25}) {
    const SolveResult r = minres(a, b, {.max_iterations = k});
    BOOST_TEST(r.residual_history.back() == r.residual_norm, boost::test_tools::tolerance(1e-8));
  }
}

BOOST_AUTO_TEST_CASE(jacobi_preconditioned_indefinite) {
  // A symmetric indefinite matrix with a badly scaled diagonal; P = |diag(A)|^{-1} is SPD.
  Random rng(22);
  const std::size_t n = 100;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = (i < 30 ? -1.0 : 1.0) * (2.0 + std::sin(static_cast<double>(i)));
  DenseMatrix dense = with_spectrum(eig, rng);
  Vector d(n), abs_diag(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = std::pow(10.0, 2.0 * std::cos(static_cast<double>(i)));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) dense(i, j) *= d[i] * d[j];
  for (std::size_t i = 0; i < n; ++i) abs_diag[i] = d[i] * d[i];  // |diag(D A D)| is ill-defined: use D^2
  const DenseTestOperator a(dense);
  const Vector b = rng.gaussian_vector(n);
  const SolveResult plain = minres(a, b, {.rtol = 1e-8, .max_iterations = 2000});
  const SolveResult pre = minres(a, b, {.rtol = 1e-8, .max_iterations = 2000, .preconditioner = jacobi_inverse(abs_diag)});
  BOOST_TEST_MESSAGE("scaled indefinite: minres " << plain.iterations << ", preconditioned " << pre.iterations);
  BOOST_TEST(pre.converged);
  BOOST_TEST(pre.iterations < plain.iterations / 2);
  BOOST_TEST(relative_error(pre.x, LuFactorization(dense).solve(b)) < 1e-5);
  BOOST_TEST(pre.residual_norm == true_residual(a, b, pre.x), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(indefinite_preconditioner_is_detected) {
  const CsrMatrix a = laplacian_2d(5, 5);
  Vector m(a.rows(), 1.0);
  m[7] = -2.0;
  const SolveResult r = minres(a, Vector(a.rows(), 1.0),
                               {.preconditioner = std::make_shared<DiagonalTestOperator>(m)});
  BOOST_TEST(r.reason == Reason::indefinite);
}

BOOST_AUTO_TEST_CASE(singular_consistent_system) {
  // The 1D Neumann Laplacian is singular (null space: constants); b with zero mean is in the range.
  const std::size_t n = 30;
  DenseMatrix l(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    l(i, i) = (i == 0 || i == n - 1) ? 1.0 : 2.0;
    if (i + 1 < n) l(i, i + 1) = l(i + 1, i) = -1.0;
  }
  Vector b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::cos(3.0 * static_cast<double>(i)) ;
  double mean = 0.0;
  for (double v : b) mean += v / n;
  for (double& v : b) v -= mean;
  const DenseTestOperator a(l);
  const SolveResult r = minres(a, b, {.rtol = 1e-10});
  BOOST_TEST(r.converged);
  BOOST_TEST(true_residual(a, b, r.x) <= 1e-10 * norm2(b));
}

BOOST_AUTO_TEST_SUITE_END()
