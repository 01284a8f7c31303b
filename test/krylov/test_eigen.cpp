#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/core/error.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/power_iteration.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// max_j ||A y_j - theta_j y_j|| / ||A|| and the orthonormality defect ||Y^T Y - I||_max.
void check_eigenpairs(const DenseMatrix& a, const LanczosResult& r, double tol) {
  const std::size_t count = r.eigenvalues.size();
  const double a_norm = std::max(std::abs(symmetric_eigen(a).values.front()),
                                 std::abs(symmetric_eigen(a).values.back()));
  for (std::size_t j = 0; j < count; ++j) {
    Vector res = matvec(a, r.eigenvectors.col(j));
    axpy(-r.eigenvalues[j], r.eigenvectors.col(j), res);
    BOOST_TEST(norm2(res) <= tol * a_norm);
    BOOST_TEST(r.residual_norms[j] == norm2(res), boost::test_tools::tolerance(1e-6));
  }
  const DenseMatrix gram = matmul(r.eigenvectors, r.eigenvectors, Transpose::yes);
  BOOST_TEST(relative_distance(gram, DenseMatrix::identity(count)) < 1e-12);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(eigen)

BOOST_AUTO_TEST_CASE(power_iteration_finds_the_dominant_eigenpair) {
  Random rng(60);
  const std::size_t n = 100;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = 1.0 + static_cast<double>(i) / n;  // 1 .. 1.99
  eig[n - 1] = 3.0;
  const DenseMatrix dense = with_spectrum(eig, rng);
  const DenseTestOperator a(dense);
  const PowerIterationResult r = power_iteration(a, {.rtol = 1e-10, .seed = 1});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.eigenvalue == 3.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.residual_norm <= 1e-10 * 3.0);
  BOOST_TEST(norm2(r.eigenvector) == 1.0, boost::test_tools::tolerance(1e-14));
  // Linear convergence with ratio |lambda_2 / lambda_1| = 1.99 / 3: about log(1e-10)/log(0.663).
  BOOST_TEST(r.operator_products < 80);
  BOOST_TEST(r.residual_history.size() == static_cast<std::size_t>(r.operator_products));
  // Same seed, same numbers.
  const PowerIterationResult again = power_iteration(a, {.rtol = 1e-10, .seed = 1});
  BOOST_TEST(again.operator_products == r.operator_products);
  BOOST_TEST(again.eigenvalue == r.eigenvalue);
}

BOOST_AUTO_TEST_CASE(power_iteration_records_the_rayleigh_quotients_and_runs_a_fixed_count) {
  Random rng(61);
  const std::size_t n = 30;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = 0.1 + static_cast<double>(i) / n;  // 0.1 .. 1.067
  eig[n - 1] = 2.0;
  const DenseMatrix dense = with_spectrum(eig, rng);
  const DenseTestOperator a(dense);
  // rtol = atol = 0 with max_iterations: exactly that many products, whatever the residual.
  const PowerIterationResult r = power_iteration(a, {.rtol = 0.0, .atol = 0.0, .max_iterations = 25, .seed = 3});
  BOOST_TEST(r.operator_products == 25);
  BOOST_TEST(r.reason == Reason::max_iterations);
  BOOST_TEST(r.eigenvalue_history.size() == 25u);
  BOOST_TEST(r.eigenvalue_history.back() == r.eigenvalue);
  // theta_k = v_k^T A v_k with v_k = A^{k-1} v_0 / ||A^{k-1} v_0||, recomputed from the start vector.
  Vector v = Random(3).gaussian_vector(n);
  scale(1.0 / norm2(v), v);
  for (std::size_t k = 0; k < 5; ++k) {
    const Vector av = matvec(dense, v);
    BOOST_TEST(r.eigenvalue_history[k] == dot(v, av), boost::test_tools::tolerance(1e-13));
    v = av;
    scale(1.0 / norm2(v), v);
  }
  // For a positive definite A the Rayleigh quotients of the power iterates never decrease (the
  // moments m_j = v_0^T A^j v_0 are log-convex), and the error falls like (lambda_2 / lambda_1)^(2k).
  for (std::size_t k = 0; k + 1 < 25; ++k) BOOST_TEST(r.eigenvalue_history[k + 1] >= r.eigenvalue_history[k] - 1e-15);
  const double e10 = 2.0 - r.eigenvalue_history[9], e20 = 2.0 - r.eigenvalue_history[19];
  const double ratio = eig[n - 2] / eig[n - 1];
  BOOST_TEST(e20 / e10 <= 1.5 * std::pow(ratio, 20));
  // The same run with a tolerance stops earlier, with the same history up to there.
  const PowerIterationResult tol = power_iteration(a, {.rtol = 1e-3, .seed = 3});
  BOOST_TEST(tol.converged);
  BOOST_TEST(tol.operator_products < 25);
  for (std::size_t k = 0; k < tol.eigenvalue_history.size(); ++k)
    BOOST_TEST(tol.eigenvalue_history[k] == r.eigenvalue_history[k]);
  // An exact eigenvector stops the fixed count at once (its residual is exactly 0).
  const DenseTestOperator diagonal(DenseMatrix{{3, 0}, {0, 1}});
  const PowerIterationResult exact =
      power_iteration(diagonal, {.rtol = 0.0, .atol = 0.0, .max_iterations = 10, .x0 = Vector{1, 0}});
  BOOST_TEST(exact.converged);
  BOOST_TEST(exact.operator_products == 1);
}

BOOST_AUTO_TEST_CASE(power_iteration_reports_what_it_cannot_do) {
  // Eigenvalues +2 and -2 of equal magnitude: no convergence, honestly reported.
  const DenseTestOperator a(DenseMatrix{{2, 0, 0}, {0, -2, 0}, {0, 0, 1}});
  const PowerIterationResult r = power_iteration(a, {.max_iterations = 50});
  BOOST_TEST(r.reason == Reason::max_iterations);
  BOOST_TEST(r.operator_products == 50);
  BOOST_CHECK_THROW(power_iteration(a, {.x0 = Vector(3, 0.0)}), ArgumentError);
  BOOST_CHECK_THROW(power_iteration(a, {.rtol = 0.0}), ArgumentError);  // no tolerance and no fixed count
  BOOST_CHECK_THROW(power_iteration(a, {.rtol = -1.0, .max_iterations = 5}), ArgumentError);
  BOOST_CHECK_THROW(power_iteration(a, {.max_iterations = 0}), ArgumentError);
  BOOST_CHECK_THROW(power_iteration(DenseTestOperator(DenseMatrix(2, 3)), {}), ShapeError);
  const PoisonedOperator poisoned(a, 3);
  const PowerIterationResult bad = power_iteration(poisoned, {});
  BOOST_TEST(bad.reason == Reason::non_finite);
  BOOST_TEST(all_finite(bad.eigenvector));
}

BOOST_AUTO_TEST_CASE(lanczos_extreme_eigenvalues_match_lapack) {
  Random rng(61);
  for (std::size_t n : {10u, 120u, 400u}) {
    const DenseMatrix dense = random_spd(n, rng);
    const DenseTestOperator a(dense, {.symmetric = true});
    const Vector exact = symmetric_eigen(dense).values;  // ascending
    for (int count : {1, 4}) {
      BOOST_TEST_CONTEXT("n=" << n << " count=" << count) {
        const LanczosResult largest = lanczos(a, {.count = count, .seed = 3});
        BOOST_TEST(largest.converged);
        // The smallest eigenvalues of B B^T + n I crowd together (the hard edge of Marchenko-Pastur),
        // so they need a larger basis than the default to converge in reasonable time.
        const LanczosResult smallest =
            lanczos(a, {.count = count, .target = EigenTarget::smallest, .basis_size = 60, .seed = 3});
        BOOST_TEST(smallest.converged);
        for (std::size_t j = 0; j < static_cast<std::size_t>(count); ++j) {
          BOOST_TEST(std::abs(largest.eigenvalues[j] - exact[n - 1 - j]) <= 1e-8 * exact[n - 1]);
          BOOST_TEST(std::abs(smallest.eigenvalues[j] - exact[j]) <= 1e-8 * exact[n - 1]);
        }
        check_eigenpairs(dense, largest, 1e-9);
        check_eigenpairs(dense, smallest, 1e-9);
        BOOST_TEST_MESSAGE("n=" << n << " count=" << count << ": largest in " << largest.operator_products
                                << " products (" << largest.restarts << " restarts), smallest in "
                                << smallest.operator_products);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(lanczos_thick_restart_on_a_clustered_spectrum) {
  // laplacian_2d(30, 29): the smallest eigenvalues are close together, so a small basis must restart.
  // (On a square grid lambda_2 = lambda_3 is double, and a single start vector sees only one vector
  // of each eigenspace: Lanczos would return lambda_4 third.)
  const CsrMatrix a = laplacian_2d(30, 29);
  const Vector exact = symmetric_eigen(a.to_dense()).values;
  const LanczosResult r = lanczos(a, {.count = 3, .target = EigenTarget::smallest, .basis_size = 12});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.restarts > 0);
  for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(std::abs(r.eigenvalues[j] - exact[j]) <= 1e-8 * exact.back());
  BOOST_TEST_MESSAGE("poisson 870, 3 smallest, basis 12: " << r.operator_products << " products, " << r.restarts << " restarts");
}

BOOST_AUTO_TEST_CASE(lanczos_indefinite_magnitude_and_multiplicity) {
  Random rng(62);
  const std::size_t n = 80;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = -1.0 + 2.0 * static_cast<double>(i) / n;  // in [-1, 1)
  eig[5] = -7.0;
  eig[6] = 5.0;
  eig[7] = 5.0;  // a double eigenvalue: an invariant subspace must be extended to find both
  const DenseMatrix dense = with_spectrum(eig, rng);
  const DenseTestOperator a(dense);
  const LanczosResult r = lanczos(a, {.count = 3, .target = EigenTarget::largest_magnitude});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.eigenvalues[0] == -7.0, boost::test_tools::tolerance(1e-10));
  BOOST_TEST(r.eigenvalues[1] == 5.0, boost::test_tools::tolerance(1e-10));
  BOOST_TEST(r.eigenvalues[2] == 5.0, boost::test_tools::tolerance(1e-10));
  check_eigenpairs(dense, r, 1e-9);
  // The identity: every vector is an eigenvector; three of them, orthonormal.
  const DenseTestOperator identity(DenseMatrix::identity(50));
  const LanczosResult id = lanczos(identity, {.count = 3});
  BOOST_TEST(id.converged);
  for (double v : id.eigenvalues) BOOST_TEST(v == 1.0, boost::test_tools::tolerance(1e-14));
  check_eigenpairs(DenseMatrix::identity(50), id, 1e-12);
}

BOOST_AUTO_TEST_CASE(lanczos_seed_and_bad_input) {
  const CsrMatrix a = laplacian_2d(10, 10);
  const LanczosResult r1 = lanczos(a, {.count = 2, .seed = 9});
  const LanczosResult r2 = lanczos(a, {.count = 2, .seed = 9});
  BOOST_TEST(r1.operator_products == r2.operator_products);
  BOOST_TEST(r1.eigenvalues == r2.eigenvalues, boost::test_tools::per_element());
  BOOST_CHECK_THROW(lanczos(a, {.count = 0}), ArgumentError);
  BOOST_CHECK_THROW(lanczos(a, {.count = 101}), ArgumentError);
  BOOST_CHECK_THROW(lanczos(a, {.count = 5, .basis_size = 5}), ArgumentError);
  BOOST_CHECK_THROW(lanczos(a, {.rtol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(lanczos(a, {.x0 = Vector(100, 0.0)}), ArgumentError);
  BOOST_CHECK_THROW(lanczos(a, {.x0 = Vector(3, 1.0)}), ShapeError);
  BOOST_CHECK_THROW(lanczos(DenseTestOperator(DenseMatrix(3, 4)), {}), ShapeError);
  Random rng(63);
  const DenseTestOperator nonsymmetric(random_nonsymmetric(30, 1.0, rng));
  BOOST_CHECK_THROW(lanczos(nonsymmetric, {}), ArgumentError);
  const LanczosResult limited = lanczos(a, {.count = 2, .max_iterations = 4});
  BOOST_TEST(limited.reason == Reason::max_iterations);
  BOOST_TEST(limited.eigenvalues.size() == 2u);
  const PoisonedOperator poisoned(a, 5);
  BOOST_TEST(lanczos(poisoned, {}).reason == Reason::non_finite);
}

BOOST_AUTO_TEST_SUITE_END()
