#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "direct_test_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// A random sparse m x n matrix with a nonzero diagonal band, so that it has full rank min(m, n).
CsrMatrix random_full_rank(std::size_t m, std::size_t n, Random& rng) {
  DenseMatrix a = random_sparse(m, n, 0.15, rng).to_dense();
  for (std::size_t k = 0; k < std::min(m, n); ++k) a(k, k) += 3.0;
  return CsrMatrix::from_dense(a);
}

// The pseudo-inverse (A^T A)^{-1} A^T of a tall full-rank A, column by column from LAPACK's QR.
DenseMatrix dense_pseudo_inverse(const DenseMatrix& a) {
  const QrFactorization qr(a);
  DenseMatrix p(a.cols(), a.rows());
  Vector e(a.rows(), 0.0);
  for (std::size_t i = 0; i < a.rows(); ++i) {
    e[i] = 1.0;
    const Vector x = qr.solve_least_squares(e);
    std::copy(x.begin(), x.end(), p.col(i).begin());
    e[i] = 0.0;
  }
  return p;
}

double residual_norm(const CsrMatrix& a, ConstVectorView x, ConstVectorView b) {
  Vector r = a.apply(x);
  axpy(-1.0, b, r);
  return norm2(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_qr)

BOOST_AUTO_TEST_CASE(least_squares_agrees_with_dense_qr) {
  Random rng(51);
  for (const auto& [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {30, 30}, {80, 25}, {300, 60}}) {
    BOOST_TEST_CONTEXT(m << " x " << n) {
      const CsrMatrix a = random_full_rank(m, n, rng);
      const SparseQrFactorization f(a);
      BOOST_TEST(f.rows() == m);
      BOOST_TEST(f.cols() == n);
      BOOST_TEST(f.rank() == n);
      BOOST_TEST(f.tolerance() > 0.0);
      const DenseMatrix d = a.to_dense();
      const Vector b = rng.gaussian_vector(m);
      BOOST_TEST(relative_error(f.solve(b), QrFactorization(d).solve_least_squares(b)) <= 1e-12);
      // A^T y = c, underdetermined: y = A (A^T A)^{-1} c is the minimum-norm solution.
      const Vector c = rng.gaussian_vector(n);
      BOOST_TEST(relative_error(f.solve_transpose(c), matvec(d, QrFactorization(d).solve_normal(c))) <= 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(minimum_norm_solution_of_a_wide_matrix) {
  Random rng(52);
  const CsrMatrix a = random_full_rank(25, 70, rng);
  const SparseQrFactorization f(a);
  BOOST_TEST(f.rank() == 25u);
  const DenseMatrix at = a.to_dense().transposed();
  const Vector b = rng.gaussian_vector(25);
  // x = A^T (A A^T)^{-1} b
  const Vector x = f.solve(b);
  BOOST_TEST(relative_error(x, matvec(at, QrFactorization(at).solve_normal(b))) <= 1e-12);
  BOOST_TEST(residual_norm(a, x, b) <= 1e-12 * norm2(b));
  // The transposed problem is tall: least squares for A^T y ~ c.
  const Vector c = rng.gaussian_vector(70);
  BOOST_TEST(relative_error(f.solve_transpose(c), QrFactorization(at).solve_least_squares(c)) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(rank_deficient_least_squares) {
  // Columns 8 and 9 repeat combinations of the others: rank 8 of 10.
  Random rng(53);
  const DenseMatrix base = random_full_rank(60, 8, rng).to_dense();
  DenseMatrix d(60, 10);
  for (std::size_t i = 0; i < 60; ++i) {
    for (std::size_t j = 0; j < 8; ++j) d(i, j) = base(i, j);
    d(i, 8) = base(i, 0) - 2 * base(i, 3);
    d(i, 9) = 0.5 * base(i, 7);
  }
  const CsrMatrix a = CsrMatrix::from_dense(d);
  const SparseQrFactorization f(a);
  BOOST_TEST_MESSAGE("rank " << f.rank() << " with tolerance " << f.tolerance());
  BOOST_TEST(f.rank() == 8u);
  // The numerical rank by LAPACK's singular values agrees.
  const Vector sv = singular_values(d);
  BOOST_TEST(std::count_if(sv.begin(), sv.end(), [&](double s) { return s > 1e-10 * sv[0]; }) == 8);
  // A basic solution: n - rank entries exactly zero, and the least residual, which is unique.
  const Vector b = rng.gaussian_vector(60);
  const Vector x = f.solve(b);
  BOOST_TEST(std::count(x.begin(), x.end(), 0.0) >= 2);
  const Vector best = QrFactorization(base).solve_least_squares(b);
  const double least = residual_norm(CsrMatrix::from_dense(base), best, b);
  BOOST_TEST(std::abs(residual_norm(a, x, b) - least) <= 1e-12 * least);
  // Its generalized inverse, read column by column from apply, has apply_adjoint as its exact transpose.
  const auto g = sparse_qr_preconditioner(a);
  DenseMatrix dense_g(10, 60);
  Vector e(60, 0.0);
  for (std::size_t i = 0; i < 60; ++i) {
    e[i] = 1.0;
    g->apply(e, dense_g.col(i));
    e[i] = 0.0;
  }
  check_operator_matches(*g, dense_g, 1e-12);
}

BOOST_AUTO_TEST_CASE(tolerance_option) {
  Random rng(54);
  const CsrMatrix a = random_full_rank(40, 10, rng);
  const SparseQrFactorization f(a, {.atol = 1e-3});
  BOOST_TEST(f.tolerance() == 1e-3);
  BOOST_TEST(f.rank() == 10u);
  // A threshold above every column norm declares every column dependent.
  const SparseQrFactorization g(a, {.atol = 1e6});
  BOOST_TEST(g.rank() == 0u);
  BOOST_TEST(norm2(g.solve(rng.gaussian_vector(40))) == 0.0);
  BOOST_CHECK_THROW(SparseQrFactorization(a, {.atol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(SparseQrFactorization(a, {.atol = std::numeric_limits<double>::quiet_NaN()}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(operator_is_the_pseudo_inverse) {
  Random rng(55);
  const CsrMatrix tall = random_full_rank(45, 15, rng);
  const auto g = sparse_qr_preconditioner(tall);
  BOOST_TEST(g->rows() == 15u);
  BOOST_TEST(g->cols() == 45u);
  check_operator_matches(*g, dense_pseudo_inverse(tall.to_dense()), 1e-12);
  const CsrMatrix wide = random_full_rank(15, 45, rng);
  check_operator_matches(*sparse_qr_preconditioner(wide),
                         dense_pseudo_inverse(wide.to_dense().transposed()).transposed(), 1e-12);
}

BOOST_AUTO_TEST_CASE(concurrent_solves_agree) {
  Random rng(58);
  const CsrMatrix a = random_full_rank(400, 150, rng);
  const auto g = sparse_qr_preconditioner(a);
  std::vector<Vector> rhs, expect;
  for (int t = 0; t < 4; ++t) {
    rhs.push_back(rng.gaussian_vector(t % 2 == 0 ? a.rows() : a.cols()));
    expect.push_back(t % 2 == 0 ? g->apply(rhs.back()) : g->apply_adjoint(rhs.back()));
  }
  std::vector<Vector> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 10; ++repeat) got[t] = t % 2 == 0 ? g->apply(rhs[t]) : g->apply_adjoint(rhs[t]);
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < 4; ++t) BOOST_TEST(relative_error(got[t], expect[t]) == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  Random rng(56);
  BOOST_CHECK_THROW(SparseQrFactorization{CsrMatrix{}}, ShapeError);
  DenseMatrix d = random_dense(6, 3, rng);
  d(4, 2) = std::numeric_limits<double>::infinity();
  try {
    SparseQrFactorization f(CsrMatrix::from_dense(d));
    BOOST_FAIL("infinity accepted");
  } catch (const NonFiniteError& e) {
    BOOST_TEST(std::string(e.what()).find("(4, 2)") != std::string::npos);
  }
  const SparseQrFactorization f(random_full_rank(6, 3, rng));
  BOOST_CHECK_THROW(f.solve(Vector(3, 1.0)), ShapeError);
  BOOST_CHECK_THROW(f.solve_transpose(Vector(6, 1.0)), ShapeError);
  Vector b(6, 1.0);
  b[0] = std::numeric_limits<double>::quiet_NaN();
  BOOST_CHECK_THROW(f.solve(b), NonFiniteError);
  BOOST_CHECK_THROW(sparse_qr_preconditioner(std::shared_ptr<const SparseQrFactorization>()), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_solve_results)

BOOST_AUTO_TEST_CASE(qr_reported_as_a_least_squares_solve) {
  Random rng(57);
  const CsrMatrix a = random_full_rank(70, 20, rng);
  const Vector b = rng.gaussian_vector(70);
  const SolveResult r = sparse_qr_solve(a, b);
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(r.converged);
  BOOST_TEST(r.operator_products == 2);
  BOOST_TEST(relative_error(r.x, QrFactorization(a.to_dense()).solve_least_squares(b)) <= 1e-12);
  BOOST_TEST(std::abs(r.residual_norm - residual_norm(a, r.x, b)) <= 1e-15 * r.rhs_norm);
  BOOST_REQUIRE(r.normal_residual_norm.has_value());
  BOOST_TEST(*r.normal_residual_norm <= 1e-12 * r.residual_norm * norm2(a.values()));
  BOOST_CHECK_THROW(sparse_qr_solve(a, Vector(20, 1.0)), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
