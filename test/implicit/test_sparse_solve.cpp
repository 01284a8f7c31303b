// Differentiable sparse solves (UMFPACK, CHOLMOD) and least squares (SPQR): the primal against dense
// solves, the JVP in A's values and b against central differences, the VJP against the JVP by the
// duality <u, J v> = <J^T u, v>, grad through a solve on the tape, and the bad input.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <tuple>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;

namespace {

// A with the structure of `pattern` and random values, the diagonal shifted by `shift`.
Vector random_values(const CsrMatrix& pattern, double shift, Random& rng) {
  Vector v(pattern.nnz());
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (std::size_t i = 0; i < pattern.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) v[k] = 0.5 * rng.gaussian() + (static_cast<std::size_t>(ci[k]) == i ? shift : 0.0);
  return v;
}

CsrMatrix with_values(const CsrMatrix& pattern, const Vector& values) {
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  return CsrMatrix(pattern.rows(), pattern.cols(), {ro.begin(), ro.end()}, {ci.begin(), ci.end()}, values);
}

// A tall sparse pattern: row i holds columns i mod n, (3 i + 1) mod n and (7 i + 2) mod n.
CsrMatrix tall_pattern(std::size_t m, std::size_t n) {
  std::vector<SparseIndex> rows, cols;
  for (std::size_t i = 0; i < m; ++i)
    for (const std::size_t j : {i % n, (3 * i + 1) % n, (7 * i + 2) % n}) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
    }
  return CsrMatrix::from_triplets(m, n, rows, cols, Vector(rows.size(), 1.0));
}

// Checks f(values, b) at (v0, b0): JVPs in each argument against central differences, and the VJP
// against the JVP by duality in each argument.
template <class F> void check_derivatives(const F& f, const Vector& v0, const Vector& b0, Random& rng, double tol) {
  const Vector dv = rng.gaussian_vector(v0.size());
  const Vector db = rng.gaussian_vector(b0.size());
  const Vector tangent = jvp(f, std::tuple{v0, b0}, std::tuple{dv, db}).tangent;
  const double h = 1e-6;
  Vector vp = v0, vm = v0, bp = b0, bm = b0;
  axpy(h, dv, vp);
  axpy(-h, dv, vm);
  axpy(h, db, bp);
  axpy(-h, db, bm);
  Vector fd = f(vp, bp);
  axpy(-1.0, f(vm, bm), fd);
  scale(0.5 / h, fd);
  BOOST_TEST(testing::relative_error(tangent, fd) <= tol);

  const Vector u = rng.gaussian_vector(tangent.size());
  const auto [value, pullback] = vjp(f, v0, b0);
  const auto [v_bar, b_bar] = pullback(u);
  const double lhs = dot(u, tangent);
  const double rhs = dot(v_bar, dv) + dot(b_bar, db);
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-12 * (std::abs(lhs) + norm2(u) * norm2(tangent)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_solve_rule)

BOOST_AUTO_TEST_CASE(lu_and_cholesky_solves_and_their_derivatives) {
  Random rng(7);
  const CsrMatrix pattern = laplacian_2d(8, 6);  // 48 unknowns, 5-point structure
  const Vector values = random_values(pattern, 6.0, rng);  // nonsymmetric, diagonally dominant
  const Vector b = rng.gaussian_vector(pattern.rows());
  const auto by_lu = [&](const auto& v, const auto& rhs) { return sparse_solve(pattern, v, rhs); };
  const Vector x = by_lu(values, b);
  BOOST_TEST(testing::relative_error(x, LuFactorization(with_values(pattern, values).to_dense()).solve(b)) <= 1e-13);
  check_derivatives(by_lu, values, b, rng, 1e-7);

  // CHOLMOD on the SPD Laplacian's own values (symmetric directions only: a nonsymmetric one would be
  // rejected by the primal).
  const Vector spd(pattern.values().begin(), pattern.values().end());
  const auto by_cholesky = [&](const auto& v, const auto& rhs) {
    return sparse_solve(pattern, v, rhs, {.method = SparseSolveMethod::cholesky});
  };
  BOOST_TEST(testing::relative_error(by_cholesky(spd, b), by_lu(spd, b)) <= 1e-12);
  const Vector db = rng.gaussian_vector(b.size());
  const Vector dv = spd;  // d(A) = A: symmetric, and dx = -x + A^{-1} db in closed form
  const Vector t_chol = jvp(by_cholesky, std::tuple{spd, b}, std::tuple{dv, db}).tangent;
  const Vector t_lu = jvp(by_lu, std::tuple{spd, b}, std::tuple{dv, db}).tangent;
  BOOST_TEST(testing::relative_error(t_chol, t_lu) <= 1e-12);
  Vector closed = by_lu(spd, db);
  axpy(-1.0, by_lu(spd, b), closed);
  BOOST_TEST(testing::relative_error(t_chol, closed) <= 1e-12);
  const auto [value, pullback] = vjp(by_cholesky, spd, b);
  const Vector u = rng.gaussian_vector(b.size());
  const auto [v_bar, b_bar] = pullback(u);
  BOOST_TEST(std::abs(dot(u, t_chol) - (dot(v_bar, dv) + dot(b_bar, db))) <= 1e-11 * norm2(u) * norm2(t_chol));
}

BOOST_AUTO_TEST_CASE(grad_of_a_loss_through_a_solve) {
  // L(p) = ||x(p)||^2 / 2 with A(p) = Laplacian + p_0 I, b = p_1 1: dL/dp against finite differences.
  const CsrMatrix pattern = laplacian_2d(10, 10);
  const Vector lap(pattern.values().begin(), pattern.values().end());
  const Vector diag_mask = [&] {
    Vector d(pattern.nnz(), 0.0);
    const auto ro = pattern.row_offsets();
    const auto ci = pattern.col_indices();
    for (std::size_t i = 0; i < pattern.rows(); ++i)
      for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) d[k] = static_cast<std::size_t>(ci[k]) == i ? 1.0 : 0.0;
    return d;
  }();
  const Vector ones(pattern.rows(), 1.0);
  const auto loss = [&](const auto& p) {
    const auto x = sparse_solve(pattern, lap + p[0] * diag_mask, p[1] * ones, {.method = SparseSolveMethod::cholesky});
    return 0.5 * dot(x, x);
  };
  const Vector p{0.3, 2.0};
  const Vector g = grad(loss, p);
  for (std::size_t i = 0; i < 2; ++i) {
    Vector pp = p, pm = p;
    pp[i] += 1e-6;
    pm[i] -= 1e-6;
    BOOST_TEST(std::abs(g[i] - (loss(pp) - loss(pm)) / 2e-6) <= 1e-6 * std::abs(g[i]));
  }
}

BOOST_AUTO_TEST_CASE(a_tape_counts_the_factors_its_solves_keep) {
  // Each recorded solve keeps its factorization alive for the backward pass: the tape's bytes are at
  // least those of the factors, built here again from the same matrix.
  const CsrMatrix pattern = laplacian_2d(12, 12);
  const Vector values(pattern.values().begin(), pattern.values().end());
  const Vector b(pattern.rows(), 1.0);
  const SparseCholeskyFactorization cholesky(pattern);
  const SparseLuFactorization lu(pattern);
  // CHOLMOD keeps a value and a row index per entry of L; UMFPACK at least a value per entry of L and U.
  BOOST_TEST(cholesky.memory_bytes() >= cholesky.factor_nnz() * (sizeof(double) + sizeof(int)));
  BOOST_TEST(lu.memory_bytes() >= lu.factor_nnz() * sizeof(double));
  Tape<double> tape;
  const TapeVector<double> v = tape.variable(values);
  const TapeVector<double> rhs = tape.variable(b);
  const std::size_t before = tape.memory_bytes();
  const TapeVector<double> x = sparse_solve(pattern, v, rhs, {.method = SparseSolveMethod::cholesky});
  const std::size_t one = tape.memory_bytes();
  BOOST_TEST(one - before >= cholesky.memory_bytes());
  const TapeVector<double> y = sparse_solve(pattern, v, x, {.method = SparseSolveMethod::lu});
  BOOST_TEST(tape.memory_bytes() - one >= lu.memory_bytes());
  BOOST_TEST(y.size() == pattern.rows());
}

BOOST_AUTO_TEST_CASE(least_squares_and_its_derivatives) {
  Random rng(11);
  const CsrMatrix pattern = tall_pattern(40, 12);
  const Vector values = random_values(pattern, 1.0, rng);
  const Vector b = rng.gaussian_vector(40);
  const auto f = [&](const auto& v, const auto& rhs) { return sparse_lstsq(pattern, v, rhs); };
  // Against the normal equations, and with a nonzero residual (b is not in A's range), so that the
  // r w^T term of the gradient matters.
  const DenseMatrix a = with_values(pattern, values).to_dense();
  const Vector x = f(values, b);
  BOOST_TEST(testing::relative_error(x, CholeskyFactorization(matmul(a, a, Transpose::yes)).solve(matvec_transpose(a, b))) <= 1e-10);
  Vector r = b;
  axpy(-1.0, matvec(a, x), r);
  BOOST_TEST(norm2(r) >= 0.1 * norm2(b));
  check_derivatives(f, values, b, rng, 1e-6);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const CsrMatrix square = laplacian_2d(4, 4);
  const Vector b(16, 1.0);
  const Vector values(square.values().begin(), square.values().end());
  BOOST_CHECK_EXCEPTION(sparse_solve(square, Vector(3, 1.0), b), ShapeError,
                        [](const ShapeError& e) { return message_has(e, "values"); });
  BOOST_CHECK_EXCEPTION(sparse_solve(square, values, Vector(5, 1.0)), ShapeError,
                        [](const ShapeError& e) { return message_has(e, "b"); });
  BOOST_CHECK_THROW(sparse_solve(tall_pattern(6, 3), Vector(18, 1.0), Vector(6, 1.0)), ShapeError);
  // Singular A (all values zero) and an indefinite one for Cholesky.
  BOOST_CHECK_THROW(sparse_solve(square, Vector(values.size(), 0.0), b), NumericalError);
  Vector negative = values;
  scale(-1.0, negative);
  BOOST_CHECK_THROW(sparse_solve(square, negative, b, {.method = SparseSolveMethod::cholesky}), NumericalError);
  // Least squares: a wide A, and a rank-deficient one (two equal columns).
  BOOST_CHECK_EXCEPTION(sparse_lstsq(tall_pattern(6, 3).transposed(), Vector(18, 1.0), Vector(3, 1.0)), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "tall"); });
  const std::vector<SparseIndex> rows{0, 0, 1, 1, 2, 2}, cols{0, 1, 0, 1, 0, 1};
  const CsrMatrix twins = CsrMatrix::from_triplets(3, 2, rows, cols, Vector(6, 1.0));
  BOOST_CHECK_EXCEPTION(sparse_lstsq(twins, Vector{1.0, 1.0, 2.0, 2.0, 3.0, 3.0}, Vector{1.0, 0.0, 1.0}), NumericalError,
                        [](const NumericalError& e) { return message_has(e, "rank"); });
}

BOOST_AUTO_TEST_SUITE_END()
