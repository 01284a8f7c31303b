// sparse_solve's Krylov paths on real matrices of FRECHET_MATRIX_DIR: cg with IC(0) on an SPD
// finite-difference Laplacian (gr_900_900_crg), gmres with ILU(0) on a nonsymmetric elliptic PDE
// (pde900). The solution and the pullback of a random cotangent (in A's values and in b) against
// the direct solves (CHOLMOD, UMFPACK), and the JVP against the VJP by duality. sparse_lstsq by LSQR
// on the real tall least-squares matrices well1033 and illc1033 against SPQR.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <tuple>

#include "frechet/ad/ad.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "implicit_test_support.hpp"
#include "sparse_solve_test_support.hpp"

using namespace frechet;

namespace {

void check_against_direct(const char* file, const SparseSolveOptions& krylov, const SparseSolveOptions& direct) {
  BOOST_TEST_CONTEXT(file) {
    const CsrMatrix a = read_matrix_market(testing::matrix_dir() / file).matrix;
    const Vector values(a.values().begin(), a.values().end());
    Random rng(17);
    const Vector b = rng.gaussian_vector(a.rows());
    const auto with = [&](const SparseSolveOptions& options) {
      return [&a, options](const auto& v, const auto& rhs) { return sparse_solve(a, v, rhs, options); };
    };
    const auto [x, pullback] = vjp(with(krylov), values, b);
    const auto [x_direct, pullback_direct] = vjp(with(direct), values, b);
    BOOST_TEST(testing::relative_error(x, x_direct) <= 1e-9);
    const Vector u = rng.gaussian_vector(a.rows());
    const auto [v_bar, b_bar] = pullback(u);
    const auto [v_bar_direct, b_bar_direct] = pullback_direct(u);
    BOOST_TEST(testing::relative_error(b_bar, b_bar_direct) <= 1e-9);
    BOOST_TEST(testing::relative_error(v_bar, v_bar_direct) <= 1e-9);
    // Duality in b (a direction in the values would have to keep cg's A symmetric).
    const Vector db = rng.gaussian_vector(a.rows());
    const Vector dx = jvp(with(krylov), std::tuple{values, b}, std::tuple{Vector(values.size(), 0.0), db}).tangent;
    BOOST_TEST(std::abs(dot(u, dx) - dot(b_bar, db)) <= 1e-10 * norm2(u) * norm2(dx));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_solve_real_matrices)

BOOST_AUTO_TEST_CASE(cg_with_ic0_on_gr_900_900_crg) {
  check_against_direct("gr_900_900_crg.mtx",
                       {.method = SparseSolveMethod::cg, .rtol = 1e-13,
                        .preconditioner_update = [](const CsrMatrix& a) -> OperatorPtr { return ic0_preconditioner(a); }},
                       {.method = SparseSolveMethod::cholesky});
}

BOOST_AUTO_TEST_CASE(gmres_with_ilu0_on_pde900) {
  check_against_direct("pde900.mtx",
                       {.method = SparseSolveMethod::gmres, .rtol = 1e-13,
                        .preconditioner_update = [](const CsrMatrix& a) -> OperatorPtr { return ilu0_preconditioner(a); }},
                       {.method = SparseSolveMethod::lu});
}

// HB/well1033 and HB/illc1033, 1033 x 320 least-squares matrices of full column rank with one
// pattern (cond_2 about 166 and 1.9e4, the README of the matrix folder): real tall matrices, so no
// stacking is needed. Their column norms differ, so LSQR is column-scaled. b random, hence not in A's
// range: the residual terms of the gradient count. illc1033 needs more than LSQR's default 2n
// iterations, and rtol = 1e-10: at 1e-12 its solves stagnate (LSQR's attainable accuracy is about
// eps kappa) and throw. Its kappa is below 1/sqrt(rtol), so the rank test of the minimum-norm solve
// passes it as of full rank, as SPQR does.
BOOST_AUTO_TEST_CASE(lsqr_on_well1033_and_illc1033) {
  for (const auto& [file, rtol, tol] : {std::tuple{"well1033.mtx", 1e-12, 1e-8}, std::tuple{"illc1033.mtx", 1e-10, 1e-7}}) {
    BOOST_TEST_CONTEXT(file) {
      const CsrMatrix a = read_matrix_market(testing::matrix_dir() / file).matrix;
      const Vector values(a.values().begin(), a.values().end());
      Random rng(19);
      const Vector b = rng.gaussian_vector(a.rows());
      const SparseLstsqOptions by_lsqr{.method = SparseLstsqMethod::lsqr, .rtol = rtol, .max_iterations = 20 * 320,
                                       .preconditioner_update = [](const CsrMatrix& m) { return testing::sparse::inverse_column_norms(m); }};
      const auto with = [&a](const SparseLstsqOptions& options) {
        return [&a, options](const auto& v, const auto& rhs) { return sparse_lstsq(a, v, rhs, options); };
      };
      const auto [x, pullback] = vjp(with(by_lsqr), values, b);
      const auto [x_qr, pullback_qr] = vjp(with({}), values, b);
      BOOST_TEST(testing::relative_error(x, x_qr) <= tol);
      const Vector u = rng.gaussian_vector(a.cols());
      const auto [v_bar, b_bar] = pullback(u);
      const auto [v_bar_qr, b_bar_qr] = pullback_qr(u);
      BOOST_TEST(testing::relative_error(b_bar, b_bar_qr) <= tol);
      BOOST_TEST(testing::relative_error(v_bar, v_bar_qr) <= tol);
      // Duality in the values and b together.
      const Vector dv = rng.gaussian_vector(values.size()), db = rng.gaussian_vector(a.rows());
      const Vector dx = jvp(with(by_lsqr), std::tuple{values, b}, std::tuple{dv, db}).tangent;
      BOOST_TEST(std::abs(dot(u, dx) - dot(v_bar, dv) - dot(b_bar, db)) <= 10 * tol * norm2(u) * norm2(dx));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
