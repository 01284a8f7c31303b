#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "direct_test_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

bool message_contains(const Error& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_cholesky)

BOOST_AUTO_TEST_CASE(solves_agree_with_dense_cholesky) {
  Random rng(21);
  for (const auto method : {SparseCholeskyMethod::automatic, SparseCholeskyMethod::simplicial,
                            SparseCholeskyMethod::supernodal}) {
    for (const std::size_t n : {1u, 7u, 60u, 150u}) {
      BOOST_TEST_CONTEXT("n " << n << " method " << static_cast<int>(method)) {
        const CsrMatrix a = random_sparse_spd(n, 0.05, rng);
        const SparseCholeskyFactorization f(a, {.method = method});
        const CholeskyFactorization dense(a.to_dense());
        BOOST_TEST(f.size() == n);
        if (method != SparseCholeskyMethod::automatic)
          BOOST_TEST(f.is_supernodal() == (method == SparseCholeskyMethod::supernodal));
        BOOST_TEST(f.factor_nnz() >= n);

        const Vector b = rng.gaussian_vector(n);
        BOOST_TEST(relative_error(f.solve(b), dense.solve(b)) <= 1e-12);

        const DenseMatrix bs = random_dense(n, 3, rng);
        BOOST_TEST(relative_distance(f.solve(bs), dense.solve(bs)) <= 1e-12);

        const CsrMatrix sparse_b = random_sparse(n, 2, 0.3, rng);
        BOOST_TEST(relative_distance(f.solve(sparse_b).to_dense(), dense.solve(sparse_b.to_dense())) <= 1e-12);

        BOOST_TEST(std::abs(f.log_determinant() - dense.log_determinant()) <=
                   1e-12 * std::max(1.0, std::abs(dense.log_determinant())));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(cholmod_chooses_the_layout) {
  // A 2D Laplacian fills in little (simplicial); a dense SPD matrix is one big supernode.
  const SparseCholeskyFactorization sparse(laplacian_2d(10, 10));
  BOOST_TEST(!sparse.is_supernodal());
  Random rng(4);
  const CsrMatrix dense = random_sparse_spd(300, 0.5, rng);
  const SparseCholeskyFactorization filled(dense);
  BOOST_TEST(filled.is_supernodal());
  BOOST_TEST(filled.factor_nnz() <= 300u * 301u / 2u);  // at most a full triangle, and nearly one
  BOOST_TEST(filled.factor_nnz() >= 300u * 301u / 2u * 9 / 10);
}

BOOST_AUTO_TEST_CASE(refactor_equals_a_fresh_factorization) {
  Random rng(5);
  for (const auto method : {SparseCholeskyMethod::simplicial, SparseCholeskyMethod::supernodal}) {
    const CsrMatrix a = random_sparse_spd(80, 0.06, rng);
    const CsrMatrix a2 = rescaled(a);
    SparseCholeskyFactorization f(a, {.method = method});
    f.refactor(a2);
    const SparseCholeskyFactorization fresh(a2, {.method = method});
    const Vector b = rng.gaussian_vector(80);
    // Same ordering, same analysis, same arithmetic: the same numbers.
    BOOST_TEST(relative_error(f.solve(b), fresh.solve(b)) == 0.0);
    BOOST_TEST(f.log_determinant() == fresh.log_determinant());
    BOOST_TEST(relative_error(f.solve(b), CholeskyFactorization(a2.to_dense()).solve(b)) <= 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(refactor_rejects_another_pattern) {
  Random rng(6);
  const CsrMatrix a = laplacian_2d(6, 5);
  SparseCholeskyFactorization f(a);
  const CsrMatrix other = laplacian_2d(5, 6);  // same size, another pattern
  try {
    f.refactor(other);
    BOOST_FAIL("refactor accepted another pattern");
  } catch (const ArgumentError& e) {
    BOOST_TEST(message_contains(e, "pattern"));
  }
  BOOST_CHECK_THROW(f.refactor(laplacian_2d(6, 6)), ShapeError);
  // The factorization is untouched by a rejected pattern.
  const Vector b = rng.gaussian_vector(30);
  BOOST_TEST(relative_error(f.solve(b), CholeskyFactorization(a.to_dense()).solve(b)) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(not_positive_definite_names_the_column) {
  // diag(4, 3, -1, 2, 5) coupled weakly along the chain: the pivot of column 2 is negative whatever
  // the elimination order, since the Schur complements change the diagonal by at most 0.02.
  for (const auto method : {SparseCholeskyMethod::simplicial, SparseCholeskyMethod::supernodal}) {
    DenseMatrix d{{4, 0.1, 0, 0, 0}, {0.1, 3, 0.1, 0, 0}, {0, 0.1, -1, 0.1, 0}, {0, 0, 0.1, 2, 0.1}, {0, 0, 0, 0.1, 5}};
    try {
      SparseCholeskyFactorization f(CsrMatrix::from_dense(d, {.symmetric = true}), {.method = method});
      BOOST_FAIL("an indefinite matrix was factored");
    } catch (const NumericalError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(message_contains(e, "not positive definite"));
      BOOST_TEST(message_contains(e, "column 2 of A"));
    }
  }
  // A failed refactor leaves nothing to solve with until a good one.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{2, 1}, {1, 2}}, {.symmetric = true});
  SparseCholeskyFactorization f(a);
  BOOST_CHECK_THROW(f.refactor(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 1}}, {.symmetric = true})),
                    NumericalError);
  BOOST_CHECK_THROW(f.solve(Vector{1, 1}), NumericalError);
  f.refactor(a);
  BOOST_TEST(relative_error(f.solve(Vector{3, 3}), Vector{1, 1}) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  Random rng(7);
  BOOST_CHECK_THROW(SparseCholeskyFactorization(random_sparse(4, 5, 0.5, rng)), ShapeError);
  BOOST_CHECK_THROW(SparseCholeskyFactorization(random_sparse_square(6, 0.3, rng)), ArgumentError);
  DenseMatrix d{{2, 1}, {1, 2}};
  d(1, 1) = std::numeric_limits<double>::quiet_NaN();
  try {
    SparseCholeskyFactorization f(CsrMatrix::from_dense(d, {.symmetric = true}));
    BOOST_FAIL("NaN accepted");
  } catch (const NonFiniteError& e) {
    BOOST_TEST(message_contains(e, "(1, 1)"));
  }
  const SparseCholeskyFactorization f(laplacian_2d(3, 3));
  BOOST_CHECK_THROW(f.solve(Vector(8, 1.0)), ShapeError);
  BOOST_CHECK_THROW(f.solve(DenseMatrix(8, 2)), ShapeError);
  BOOST_CHECK_THROW(f.solve(random_sparse(10, 2, 0.5, rng)), ShapeError);
  Vector b(9, 1.0);
  b[4] = std::numeric_limits<double>::infinity();
  BOOST_CHECK_THROW(f.solve(b), NonFiniteError);
  BOOST_CHECK_THROW(sparse_cholesky_preconditioner(std::shared_ptr<const SparseCholeskyFactorization>()),
                    ArgumentError);
}

BOOST_AUTO_TEST_CASE(operator_is_the_inverse) {
  Random rng(8);
  const CsrMatrix a = random_sparse_spd(40, 0.1, rng);
  const auto inverse = sparse_cholesky_preconditioner(a);
  BOOST_TEST(inverse->is_symmetric());
  BOOST_TEST(inverse->is_positive_definite());
  check_operator_matches(*inverse, dense_inverse(a.to_dense()), 1e-12);
  // As an exact preconditioner, CG converges in one iteration.
  const Vector b = rng.gaussian_vector(40);
  const SolveResult r = cg(a, b, {.rtol = 1e-10, .preconditioner = inverse});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_products_agree) {
  const CsrMatrix a = laplacian_2d(30, 30);
  const auto inverse = sparse_cholesky_preconditioner(a, {.method = SparseCholeskyMethod::supernodal});
  Random rng(9);
  std::vector<Vector> rhs, expect;
  for (int t = 0; t < 4; ++t) {
    rhs.push_back(rng.gaussian_vector(a.rows()));
    expect.push_back(inverse->apply(rhs.back()));
  }
  std::vector<Vector> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Vector y(a.rows());
      for (int repeat = 0; repeat < 20; ++repeat) inverse->apply(rhs[t], y);
      got[t] = y;
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < 4; ++t) BOOST_TEST(relative_error(got[t], expect[t]) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_solve_results)

BOOST_AUTO_TEST_CASE(reported_as_a_krylov_solve) {
  Random rng(10);
  const CsrMatrix a = random_sparse_spd(50, 0.1, rng);
  const Vector b = rng.gaussian_vector(50);
  const SolveResult r = sparse_cholesky_solve(a, b);
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(r.converged);
  BOOST_TEST((r.reason == Reason::converged));
  BOOST_TEST(r.operator_products == 1);
  BOOST_TEST(r.rhs_norm == norm2(b));
  Vector residual = a.apply(r.x);
  axpy(-1.0, b, residual);
  BOOST_TEST(r.residual_norm == norm2(residual));
  BOOST_TEST(r.residual_norm <= 1e-13 * r.rhs_norm);
  BOOST_REQUIRE_EQUAL(r.residual_history.size(), 1u);
  BOOST_TEST(r.residual_history[0] == r.residual_norm);
  BOOST_TEST(!r.normal_residual_norm.has_value());
  BOOST_CHECK_THROW(sparse_cholesky_solve(a, Vector(49, 1.0)), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
