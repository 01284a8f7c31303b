#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(cg_method)

BOOST_AUTO_TEST_CASE(identity_converges_in_one_iteration) {
  const DenseTestOperator a(DenseMatrix::identity(3), {.symmetric = true, .positive_definite = true});
  const Vector b{1.0, -2.0, 3.0};
  const SolveResult r = cg(a, b);
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations == 1);
  BOOST_TEST(r.x == b, boost::test_tools::per_element());
  BOOST_TEST(r.residual_norm == 0.0);
}

BOOST_AUTO_TEST_CASE(distinct_eigenvalues_bound_the_iterations) {
  // In exact arithmetic CG ends after as many iterations as A has distinct eigenvalues.
  const DenseTestOperator a(DenseMatrix{{1, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 5}});
  const SolveResult r = cg(a, Vector{1.0, 1.0, 1.0, 1.0}, {.rtol = 1e-12});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations == 3);
  BOOST_TEST(relative_error(r.x, Vector{1.0, 0.5, 0.5, 0.2}) < 1e-13);
}

BOOST_AUTO_TEST_CASE(random_spd_against_cholesky) {
  Random rng(10);
  for (std::size_t n : {5u, 40u, 150u}) {
    const DenseMatrix dense = random_spd(n, rng);
    const DenseTestOperator a(dense);
    const Vector b = rng.gaussian_vector(n);
    const SolveResult r = cg(a, b, {.rtol = 1e-12});
    BOOST_TEST(r.converged);
    BOOST_TEST(relative_error(r.x, CholeskyFactorization(dense).solve(b)) < 1e-10);
    BOOST_TEST(r.residual_norm <= 1e-12 * norm2(b));
  }
}

BOOST_AUTO_TEST_CASE(iterations_grow_like_the_square_root_of_the_condition_number) {
  // kappa(laplacian_2d(N, N)) ~ (2 (N+1) / pi)^2, so doubling N should about double the iterations.
  const Vector b16(16 * 16, 1.0), b32(32 * 32, 1.0);
  const int k16 = cg(laplacian_2d(16, 16), b16).iterations;
  const int k32 = cg(laplacian_2d(32, 32), b32).iterations;
  BOOST_TEST_MESSAGE("cg iterations on laplacian_2d: N=16: " << k16 << ", N=32: " << k32);
  BOOST_TEST(k32 > 1.6 * k16);
  BOOST_TEST(k32 < 2.4 * k16);
}

BOOST_AUTO_TEST_CASE(jacobi_preconditioning_fixes_bad_scaling) {
  // D A D with D spanning six orders of magnitude: plain CG struggles, Jacobi undoes the scaling.
  const CsrMatrix poisson = laplacian_2d(15, 15);
  const std::size_t n = poisson.rows();
  DenseMatrix scaled = poisson.to_dense();
  Vector d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = std::pow(10.0, 3.0 * std::sin(static_cast<double>(i)));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) scaled(i, j) *= d[i] * d[j];
  const DenseTestOperator a(scaled);
  Vector diag(n);
  for (std::size_t i = 0; i < n; ++i) diag[i] = scaled(i, i);
  Random rng(11);
  const Vector b = rng.gaussian_vector(n);
  const SolveResult plain = cg(a, b, {.rtol = 1e-8});
  const SolveResult pcg = cg(a, b, {.rtol = 1e-8, .preconditioner = jacobi_inverse(diag)});
  BOOST_TEST_MESSAGE("badly scaled poisson: cg " << plain.iterations << " iterations ("
                                                   << reason_name(plain.reason) << "), jacobi-pcg "
                                                   << pcg.iterations);
  BOOST_TEST(pcg.converged);
  BOOST_TEST(pcg.iterations < plain.iterations / 3);
  BOOST_TEST(pcg.residual_norm == true_residual(a, b, pcg.x), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(relative_error(pcg.x, CholeskyFactorization(scaled).solve(b)) < 1e-5);
}

BOOST_AUTO_TEST_CASE(indefinite_operator_is_detected) {
  const DenseTestOperator a(DenseMatrix{{1, 0, 0}, {0, -1, 0}, {0, 0, 2}});
  const SolveResult r = cg(a, Vector{1.0, 1.0, 1.0});
  BOOST_TEST(!r.converged);
  BOOST_TEST(r.reason == Reason::indefinite);
  BOOST_TEST(all_finite(r.x));
  BOOST_TEST(r.residual_norm == true_residual(a, Vector{1.0, 1.0, 1.0}, r.x),
             boost::test_tools::tolerance(1e-14));
  // Semidefinite with b outside the range: p^T A p = 0 along the null space.
  const DenseTestOperator singular(DenseMatrix{{1, 0}, {0, 0}});
  BOOST_TEST(cg(singular, Vector{0.0, 1.0}).reason == Reason::indefinite);
}

BOOST_AUTO_TEST_CASE(indefinite_preconditioner_is_detected) {
  const CsrMatrix a = laplacian_2d(4, 4);
  Vector m(a.rows(), 1.0);
  m[3] = -1.0;
  const SolveResult r = cg(a, Vector(a.rows(), 1.0),
                           {.preconditioner = std::make_shared<DiagonalTestOperator>(m)});
  BOOST_TEST(r.reason == Reason::indefinite);
  BOOST_TEST(!r.converged);
}

BOOST_AUTO_TEST_CASE(unreachable_tolerance_ends_in_stagnation) {
  // rtol far below machine precision: the recurrence residual keeps falling, the true one cannot.
  Random rng(12);
  const std::size_t n = 60;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = std::pow(10.0, 6.0 * static_cast<double>(i) / (n - 1));
  const DenseTestOperator a(with_spectrum(eig, rng));
  const Vector b = rng.gaussian_vector(n);
  const SolveResult r = cg(a, b, {.rtol = 1e-20, .max_iterations = 2000});
  BOOST_TEST(r.reason == Reason::stagnation);
  BOOST_TEST(!r.converged);
  BOOST_TEST(r.iterations < 2000);
  BOOST_TEST(r.residual_norm < 1e-9 * norm2(b));  // the attainable accuracy was reached
}

BOOST_AUTO_TEST_SUITE_END()
