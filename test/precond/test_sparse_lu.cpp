#include <boost/test/unit_test.hpp>

#include <suitesparse/umfpack.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "direct_test_support.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "precond/direct_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(sparse_lu)

BOOST_AUTO_TEST_CASE(solves_agree_with_dense_lu) {
  Random rng(31);
  for (const std::size_t n : {1u, 9u, 70u, 200u}) {
    BOOST_TEST_CONTEXT("n " << n) {
      const CsrMatrix a = random_sparse_square(n, 0.05, rng);
      const SparseLuFactorization f(a);
      const LuFactorization dense(a.to_dense());
      BOOST_TEST(f.size() == n);
      BOOST_TEST(f.factor_nnz() >= n);
      const Vector b = rng.gaussian_vector(n);
      BOOST_TEST(relative_error(f.solve(b), dense.solve(b)) <= 1e-12);
      BOOST_TEST(relative_error(f.solve_transpose(b), dense.solve_transpose(b)) <= 1e-12);
      const DenseMatrix bs = random_dense(n, 3, rng);
      BOOST_TEST(relative_distance(f.solve(bs), dense.solve(bs)) <= 1e-12);
      BOOST_TEST(std::abs(f.log_abs_determinant() - dense.log_abs_determinant()) <=
                 1e-12 * std::max(1.0, std::abs(dense.log_abs_determinant())));
      BOOST_TEST(f.determinant_sign() == dense.determinant_sign());
      BOOST_TEST(f.reciprocal_condition_estimate() > 0.0);
      BOOST_TEST(f.reciprocal_condition_estimate() <= 1.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(determinant_of_a_known_matrix) {
  // det [[0, 2], [3, 1]] = -6: a zero diagonal entry forces a row exchange.
  const SparseLuFactorization f(CsrMatrix::from_dense(DenseMatrix{{0, 2}, {3, 1}}));
  BOOST_TEST(f.determinant_sign() == -1.0);
  BOOST_TEST(std::abs(f.log_abs_determinant() - std::log(6.0)) <= 1e-15);
  BOOST_TEST(relative_error(f.solve(Vector{2, 4}), Vector{1, 1}) <= 1e-15);
  BOOST_TEST(relative_error(f.solve_transpose(Vector{3, 3}), Vector{1, 1}) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(refactor_equals_a_fresh_factorization) {
  Random rng(32);
  const CsrMatrix a = random_sparse_square(90, 0.05, rng);
  const CsrMatrix a2 = rescaled(a);
  SparseLuFactorization f(a);
  f.refactor(a2);
  const SparseLuFactorization fresh(a2);
  const Vector b = rng.gaussian_vector(90);
  BOOST_TEST(relative_error(f.solve(b), fresh.solve(b)) <= 1e-14);
  BOOST_TEST(relative_error(f.solve_transpose(b), fresh.solve_transpose(b)) <= 1e-14);
  BOOST_TEST(relative_error(f.solve(b), LuFactorization(a2.to_dense()).solve(b)) <= 1e-12);
  BOOST_TEST(std::abs(f.log_abs_determinant() - fresh.log_abs_determinant()) <= 1e-12);

  BOOST_CHECK_THROW(f.refactor(random_sparse_square(90, 0.05, rng)), ArgumentError);
  BOOST_CHECK_THROW(f.refactor(random_sparse_square(91, 0.05, rng)), ShapeError);
  BOOST_TEST(relative_error(f.solve(b), fresh.solve(b)) <= 1e-14);  // a rejected pattern changes nothing
}

BOOST_AUTO_TEST_CASE(singular_matrix_reports_the_condition_estimate) {
  // Numerically singular (row 2 = 2 row 1) and structurally singular (an empty row).
  for (const DenseMatrix& d : {DenseMatrix{{1, 2, 0}, {2, 4, 0}, {0, 1, 3}}, DenseMatrix{{1, 2, 0}, {0, 0, 0}, {0, 1, 3}}}) {
    try {
      SparseLuFactorization f(CsrMatrix::from_dense(d));
      BOOST_FAIL("a singular matrix was factored");
    } catch (const NumericalError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(std::string(e.what()).find("singular") != std::string::npos);
      BOOST_TEST(std::string(e.what()).find("reciprocal condition estimate 0") != std::string::npos);
    }
  }
  // A failed refactor leaves nothing to solve with until a good one.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{2, 1}, {1, 2}});
  SparseLuFactorization f(a);
  BOOST_CHECK_THROW(f.refactor(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 4}})), NumericalError);
  BOOST_CHECK_THROW(f.solve(Vector{1, 1}), NumericalError);
  f.refactor(a);
  BOOST_TEST(relative_error(f.solve(Vector{3, 3}), Vector{1, 1}) <= 1e-15);
  // Nearly singular is not singular: the estimate says how near.
  const SparseLuFactorization near(CsrMatrix::from_dense(DenseMatrix{{1, 1}, {1, 1 + 1e-13}}));
  BOOST_TEST(near.reciprocal_condition_estimate() < 1e-12);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  Random rng(33);
  BOOST_CHECK_THROW(SparseLuFactorization(random_sparse(4, 5, 0.5, rng)), ShapeError);
  BOOST_CHECK_THROW(SparseLuFactorization{CsrMatrix{}}, ShapeError);
  DenseMatrix d{{2, 1}, {1, 2}};
  d(0, 1) = std::numeric_limits<double>::quiet_NaN();
  try {
    SparseLuFactorization f(CsrMatrix::from_dense(d));
    BOOST_FAIL("NaN accepted");
  } catch (const NonFiniteError& e) {
    BOOST_TEST(std::string(e.what()).find("(0, 1)") != std::string::npos);
  }
  const SparseLuFactorization f(random_sparse_square(5, 0.3, rng));
  BOOST_CHECK_THROW(f.solve(Vector(4, 1.0)), ShapeError);
  BOOST_CHECK_THROW(f.solve_transpose(Vector(6, 1.0)), ShapeError);
  BOOST_CHECK_THROW(f.solve(DenseMatrix(4, 2)), ShapeError);
  Vector b(5, 1.0);
  b[3] = std::numeric_limits<double>::quiet_NaN();
  BOOST_CHECK_THROW(f.solve(b), NonFiniteError);
  BOOST_CHECK_THROW(f.solve_transpose(b), NonFiniteError);
  BOOST_CHECK_THROW(sparse_lu_preconditioner(std::shared_ptr<const SparseLuFactorization>()), ArgumentError);
}

BOOST_AUTO_TEST_CASE(umfpack_status_is_translated_once) {
  BOOST_CHECK_NO_THROW(detail::check_umfpack_status(UMFPACK_OK, "x"));
  BOOST_CHECK_NO_THROW(detail::check_umfpack_status(UMFPACK_WARNING_determinant_underflow, "x"));
  BOOST_CHECK_THROW(detail::check_umfpack_status(UMFPACK_WARNING_singular_matrix, "x"), NumericalError);
  BOOST_CHECK_THROW(detail::check_umfpack_status(UMFPACK_ERROR_invalid_matrix, "x"), ArgumentError);
  BOOST_CHECK_THROW(detail::check_umfpack_status(UMFPACK_ERROR_different_pattern, "x"), ArgumentError);
  BOOST_CHECK_THROW(detail::check_umfpack_status(UMFPACK_ERROR_out_of_memory, "x"), Error);
  BOOST_CHECK_THROW(detail::check_umfpack_status(UMFPACK_ERROR_internal_error, "x"), Error);
  try {
    detail::check_umfpack_status(UMFPACK_ERROR_invalid_system, "umfpack_di_wsolve", "more");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) == "UMFPACK (umfpack_di_wsolve): invalid system for this matrix; more");
  }
}

BOOST_AUTO_TEST_CASE(operator_is_the_inverse_and_its_adjoint_the_transpose) {
  Random rng(34);
  const CsrMatrix a = random_sparse_square(50, 0.08, rng);
  const auto inverse = sparse_lu_preconditioner(a);
  BOOST_TEST(!inverse->is_symmetric());
  check_operator_matches(*inverse, dense_inverse(a.to_dense()), 1e-12);
  // As an exact preconditioner, GMRES converges in one iteration.
  const Vector b = rng.gaussian_vector(50);
  const SolveResult r = gmres(a, b, {.rtol = 1e-10, .preconditioner = inverse});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations <= 1);
}

BOOST_AUTO_TEST_CASE(concurrent_products_agree) {
  Random rng(35);
  const CsrMatrix a = random_sparse_square(400, 0.01, rng);
  const auto inverse = sparse_lu_preconditioner(a);
  std::vector<Vector> rhs, expect;
  for (int t = 0; t < 4; ++t) {
    rhs.push_back(rng.gaussian_vector(a.rows()));
    expect.push_back(t % 2 == 0 ? inverse->apply(rhs.back()) : inverse->apply_adjoint(rhs.back()));
  }
  std::vector<Vector> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Vector y(a.rows());
      for (int repeat = 0; repeat < 20; ++repeat) {
        if (t % 2 == 0) inverse->apply(rhs[t], y);
        else inverse->apply_adjoint(rhs[t], y);
      }
      got[t] = y;
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < 4; ++t) BOOST_TEST(relative_error(got[t], expect[t]) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_solve_results)

BOOST_AUTO_TEST_CASE(lu_reported_as_a_krylov_solve) {
  Random rng(36);
  const CsrMatrix a = random_sparse_square(60, 0.1, rng);
  const Vector b = rng.gaussian_vector(60);
  const SolveResult r = sparse_lu_solve(a, b);
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(r.converged);
  BOOST_TEST(r.operator_products == 1);
  BOOST_TEST(relative_error(r.x, LuFactorization(a.to_dense()).solve(b)) <= 1e-12);
  BOOST_TEST(r.residual_norm <= 1e-13 * r.rhs_norm);
  BOOST_TEST(r.residual_history.size() == 1u);
  BOOST_CHECK_THROW(sparse_lu_solve(a, Vector(60, std::numeric_limits<double>::quiet_NaN())), NonFiniteError);
}

BOOST_AUTO_TEST_SUITE_END()
