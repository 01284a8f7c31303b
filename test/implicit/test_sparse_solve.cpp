// Differentiable sparse solves (UMFPACK, CHOLMOD, CG, GMRES) and least squares (SPQR): the primal
// against dense solves, the JVP in A's values and b against central differences, the VJP against the
// JVP by the duality <u, J v> = <J^T u, v>, grad through a solve on the tape (the Krylov paths
// against the direct ones at n = 10^4), unconverged Krylov solves reported, and the bad input.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>
#include <tuple>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "implicit_test_support.hpp"
#include "sparse_solve_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;
using namespace frechet::testing::sparse;

namespace {

// Masks on the 5-point pattern (numbered x fastest): the diagonal, the diagonal weighted by i/(n-1),
// and the central x-difference (+1 on the east neighbour, -1 on the west: skew-symmetric).
struct StencilMasks {
  Vector diagonal, weighted, convection;
};
StencilMasks stencil_masks(const CsrMatrix& pattern) {
  const std::size_t n = pattern.rows();
  StencilMasks m{Vector(pattern.nnz(), 0.0), Vector(pattern.nnz(), 0.0), Vector(pattern.nnz(), 0.0)};
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      const std::size_t j = static_cast<std::size_t>(ci[k]);
      if (j == i) {
        m.diagonal[k] = 1.0;
        m.weighted[k] = static_cast<double>(i) / static_cast<double>(n - 1);
      }
      if (j == i + 1) m.convection[k] = 1.0;
      if (j + 1 == i) m.convection[k] = -1.0;
    }
  return m;
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
  const std::size_t two = tape.memory_bytes();
  BOOST_TEST(two - one >= lu.memory_bytes());
  // A Krylov solve keeps A (a value and a column index per entry) and its warm starts.
  const TapeVector<double> z = sparse_solve(pattern, v, y, {.method = SparseSolveMethod::cg});
  BOOST_TEST(tape.memory_bytes() - two >= pattern.nnz() * (sizeof(double) + sizeof(SparseIndex)) + 2 * pattern.rows() * sizeof(double));
  BOOST_TEST(z.size() == pattern.rows());
  // A least-squares solve keeps SPQR's factors, A and the residual.
  Random rng(4);
  const CsrMatrix tall = tall_pattern(400, 120);
  const Vector tall_values = random_values(tall, 1.0, rng);
  const SparseQrFactorization qr(with_values(tall, tall_values));
  BOOST_TEST(qr.memory_bytes() >= tall.cols() * sizeof(double));  // R holds at least its diagonal
  const TapeVector<double> tv = tape.variable(tall_values);
  const TapeVector<double> tb = tape.variable(rng.gaussian_vector(400));
  const std::size_t three = tape.memory_bytes();
  const TapeVector<double> w = sparse_lstsq(tall, tv, tb);
  BOOST_TEST(tape.memory_bytes() - three >= qr.memory_bytes() + tall.nnz() * (sizeof(double) + sizeof(SparseIndex)) + 400 * sizeof(double));
  BOOST_TEST(w.size() == 120u);
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

BOOST_AUTO_TEST_SUITE(sparse_solve_krylov)

BOOST_AUTO_TEST_CASE(krylov_derivatives_by_duality_and_differences) {
  Random rng(5);
  const CsrMatrix pattern = laplacian_2d(30, 30);
  const Vector b = rng.gaussian_vector(pattern.rows());
  // gmres with ILU(0) rebuilt from each A, on a nonsymmetric diagonally dominant A.
  const Vector values = random_values(pattern, 6.0, rng);
  const auto by_gmres = [&](const auto& v, const auto& rhs) {
    return sparse_solve(pattern, v, rhs,
                        {.method = SparseSolveMethod::gmres, .rtol = 1e-13,
                         .preconditioner_update = [](const CsrMatrix& a) { return ilu0_preconditioner(a); }});
  };
  const auto by_lu = [&](const auto& v, const auto& rhs) { return sparse_solve(pattern, v, rhs); };
  BOOST_TEST(testing::relative_error(by_gmres(values, b), by_lu(values, b)) <= 1e-11);
  check_derivatives(by_gmres, values, b, rng, 1e-7, 1e-10);

  // cg with IC(0) on a symmetric positive definite A: the Laplacian plus the identity (its smallest
  // eigenvalue is then above 1) plus a random symmetric part of norm well below 1.
  const Vector lap(pattern.values().begin(), pattern.values().end());
  Vector spd = symmetrized(pattern, rng.gaussian_vector(pattern.nnz()));
  scale(0.05, spd);
  axpy(1.0, lap, spd);
  axpy(1.0, stencil_masks(pattern).diagonal, spd);
  const auto by_cg = [&](const auto& v, const auto& rhs) {
    return sparse_solve(pattern, v, rhs,
                        {.method = SparseSolveMethod::cg, .rtol = 1e-13,
                         .preconditioner_update = [](const CsrMatrix& a) { return ic0_preconditioner(a); }});
  };
  BOOST_TEST(testing::relative_error(by_cg(spd, b), by_lu(spd, b)) <= 1e-10);
  check_derivatives(by_cg, spd, b, rng, 1e-7, 1e-10, &pattern);
}

BOOST_AUTO_TEST_CASE(krylov_gradients_match_the_direct_ones_at_ten_thousand_unknowns) {
  // L(p) = ||x||^2 / 2 + <g, x> with A(p) x = b(p) on a 100 x 100 grid (n = 10^4):
  //     A(p) = Laplacian + diag(p_0 + p_1 w) + p_2 K,   b(p) = p_3 f,
  // w_i = i/(n-1) and K the central x-difference (convection: A is nonsymmetric when p_2 != 0). The
  // gradient by cg (p_2 = 0) and gmres against cholesky / lu and central differences.
  const CsrMatrix pattern = laplacian_2d(100, 100);
  const std::size_t n = pattern.rows();
  const Vector lap(pattern.values().begin(), pattern.values().end());
  const StencilMasks masks = stencil_masks(pattern);
  Random rng(21);
  const Vector f = rng.gaussian_vector(n);
  const Vector g = rng.gaussian_vector(n);
  const auto loss_with = [&](const SparseSolveOptions& options) {
    return [&, options](const auto& p) {
      const auto x = sparse_solve(pattern, lap + p[0] * masks.diagonal + p[1] * masks.weighted + p[2] * masks.convection,
                                  p[3] * f, options);
      return 0.5 * dot(x, x) + dot(g, x);
    };
  };
  const auto ic0 = [](const CsrMatrix& a) -> OperatorPtr { return ic0_preconditioner(a); };
  const auto ilu0 = [](const CsrMatrix& a) -> OperatorPtr { return ilu0_preconditioner(a); };
  struct Case {
    SparseSolveOptions krylov, direct;
    Vector p;
  };
  const std::vector<Case> cases{
      {{.method = SparseSolveMethod::cg, .rtol = 1e-12, .preconditioner_update = ic0},
       {.method = SparseSolveMethod::cholesky},
       Vector{0.05, 0.3, 0.0, 1.5}},
      {{.method = SparseSolveMethod::gmres, .rtol = 1e-12, .restart = 50, .preconditioner_update = ilu0},
       {.method = SparseSolveMethod::lu},
       Vector{0.05, 0.3, 0.4, 1.5}},
  };
  for (const Case& c : cases) {
    const auto krylov = loss_with(c.krylov);
    const auto direct = loss_with(c.direct);
    const Vector by_krylov = grad(krylov, c.p);
    const Vector by_direct = grad(direct, c.p);
    BOOST_TEST(testing::relative_error(by_krylov, by_direct) <= 1e-8);
    // Central differences of the direct loss; p_2 only where A may be nonsymmetric.
    const std::size_t parameters = c.krylov.method == SparseSolveMethod::cg ? 2 : 3;
    for (std::size_t i = 0; i <= parameters; ++i) {
      if (i == 2 && parameters == 2) continue;
      const double h = 1e-5;
      Vector pp = c.p, pm = c.p;
      pp[i] += h;
      pm[i] -= h;
      BOOST_TEST(std::abs(by_krylov[i] - (direct(pp) - direct(pm)) / (2 * h)) <= 1e-6 * std::abs(by_krylov[i]));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unconverged_krylov_solve_throws_forward_or_backward) {
  // A = Laplacian + 0.5 I and b its lowest eigenvector: the forward solve converges in one
  // iteration, the backward solve of a random cotangent does not in two, and must not return a
  // gradient.
  const std::size_t nx = 60, ny = 50;
  const CsrMatrix pattern = laplacian_2d(nx, ny);
  const Vector lap(pattern.values().begin(), pattern.values().end());
  const Vector diagonal = stencil_masks(pattern).diagonal;
  Vector s(nx * ny);
  for (std::size_t j = 0; j < ny; ++j)
    for (std::size_t i = 0; i < nx; ++i)
      s[i + nx * j] = std::sin(std::numbers::pi * static_cast<double>(i + 1) / static_cast<double>(nx + 1)) *
                      std::sin(std::numbers::pi * static_cast<double>(j + 1) / static_cast<double>(ny + 1));
  Random rng(3);
  const Vector w = rng.gaussian_vector(nx * ny);
  for (const SparseSolveMethod method : {SparseSolveMethod::cg, SparseSolveMethod::gmres}) {
    const SparseSolveOptions options{.method = method, .max_iterations = 2};
    const auto loss = [&](const auto& p) { return dot(w, sparse_solve(pattern, lap + p[0] * diagonal, s, options)); };
    const Vector p{0.5};
    BOOST_TEST(std::isfinite(loss(p)));  // forward: converged
    BOOST_CHECK_EXCEPTION(grad(loss, p), NumericalError, [](const NumericalError& e) {
      return message_has(e, "did not converge in the backward solve") && message_has(e, "max_iterations");
    });
    BOOST_CHECK_EXCEPTION(sparse_solve(pattern, lap, w, options), NumericalError, [](const NumericalError& e) {
      return message_has(e, "did not converge in the solve with A") && message_has(e, "max_iterations");
    });
  }
}

BOOST_AUTO_TEST_CASE(a_repeated_cotangent_starts_at_its_answer) {
  // The second pullback of one cotangent starts from the first one's solution: at most one
  // preconditioner product, where the first takes many.
  const CsrMatrix pattern = laplacian_2d(40, 40);
  Random rng(9);
  const Vector values = random_values(pattern, 4.5, rng);
  const Vector b = rng.gaussian_vector(pattern.rows());
  int count = 0;
  const OperatorPtr m = std::make_shared<const CountingPreconditioner>(jacobi_preconditioner(with_values(pattern, values)), count);
  const auto f = [&](const auto& v, const auto& rhs) {
    return sparse_solve(pattern, v, rhs, {.method = SparseSolveMethod::gmres, .preconditioner = m});
  };
  const auto [x, pullback] = vjp(f, values, b);
  const Vector u = rng.gaussian_vector(pattern.rows());
  count = 0;
  const auto first = pullback(u);
  const int cold = count;
  count = 0;
  const auto second = pullback(u);
  BOOST_TEST(cold >= 5);
  BOOST_TEST(count <= 1);
  BOOST_TEST(testing::relative_error(std::get<1>(second), std::get<1>(first)) <= 1e-9);
}

BOOST_AUTO_TEST_CASE(bad_krylov_options_throw_naming_the_field) {
  const CsrMatrix pattern = laplacian_2d(5, 4);
  const Vector values(pattern.values().begin(), pattern.values().end());
  const Vector b(pattern.rows(), 1.0);
  const OperatorPtr m = jacobi_preconditioner(pattern);
  const auto throws_naming = [&](const SparseSolveOptions& options, const std::string& field) {
    BOOST_CHECK_EXCEPTION(sparse_solve(pattern, values, b, options), ArgumentError,
                          [&](const ArgumentError& e) { return message_has(e, field); });
  };
  // Krylov fields with a direct method, and restart with cg.
  throws_naming({.rtol = 1e-6}, "rtol");
  throws_naming({.method = SparseSolveMethod::cholesky, .atol = 1e-9}, "atol");
  throws_naming({.max_iterations = 10}, "max_iterations");
  throws_naming({.restart = 10}, "restart");
  throws_naming({.preconditioner = m}, "preconditioner");
  throws_naming({.preconditioner_update = [](const CsrMatrix& a) -> OperatorPtr { return ilu0_preconditioner(a); }},
                "preconditioner_update");
  throws_naming({.method = SparseSolveMethod::cg, .restart = 10}, "restart");
  // Values out of range.
  throws_naming({.method = SparseSolveMethod::gmres, .rtol = -1.0}, "rtol");
  throws_naming({.method = SparseSolveMethod::gmres, .rtol = 0.0}, "rtol and atol are both 0");
  throws_naming({.method = SparseSolveMethod::cg, .max_iterations = -1}, "max_iterations");
  throws_naming({.method = SparseSolveMethod::gmres, .restart = 0}, "restart");
  throws_naming({.method = SparseSolveMethod::gmres,
                 .preconditioner = m,
                 .preconditioner_update = [](const CsrMatrix& a) -> OperatorPtr { return ilu0_preconditioner(a); }},
                "preconditioner_update");
  BOOST_CHECK_EXCEPTION(sparse_solve(pattern, values, b,
                                     {.method = SparseSolveMethod::gmres, .preconditioner = jacobi_preconditioner(laplacian_2d(3, 3))}),
                        ShapeError, [](const ShapeError& e) { return message_has(e, "preconditioner"); });
  // cg refuses a nonsymmetric A, as cholesky does.
  Random rng(2);
  BOOST_CHECK_EXCEPTION(sparse_solve(pattern, random_values(pattern, 5.0, rng), b, {.method = SparseSolveMethod::cg}),
                        ArgumentError, [](const ArgumentError& e) { return message_has(e, "symmetric"); });
}

BOOST_AUTO_TEST_SUITE_END()
