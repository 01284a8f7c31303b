// IC(0), ILU(0) and ILUT: the defining property of each factorization checked on the dense matrix
// of M, exactness where no fill is dropped, the shift that rescues IC(0), iteration counts, and the
// errors for what cannot be factored.

#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/core/error.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "precond_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

/// The convection-diffusion operator -Laplace(u) + beta (u_x + u_y) on an n x n grid, upwind
/// differences: nonsymmetric, an M-matrix, 5 entries per row.
CsrMatrix convection_diffusion(std::size_t n, double beta) {
  const CsrMatrix l = laplacian_2d(n, n);
  std::vector<SparseIndex> rows, cols;
  Vector vals;
  const double h = 1.0 / static_cast<double>(n + 1);
  for (std::size_t i = 0; i < l.rows(); ++i) {
    for (SparseIndex p = l.row_offsets()[i]; p < l.row_offsets()[i + 1]; ++p) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(l.col_indices()[p]);
      vals.push_back(l.values()[p]);
    }
    const std::size_t x = i % n, y = i / n;
    rows.push_back(static_cast<SparseIndex>(i));
    cols.push_back(static_cast<SparseIndex>(i));
    vals.push_back(2.0 * beta * h);
    if (x > 0) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(i - 1));
      vals.push_back(-beta * h);
    }
    if (y > 0) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(i - n));
      vals.push_back(-beta * h);
    }
  }
  return CsrMatrix::from_triplets(l.rows(), l.cols(), rows, cols, vals);
}

/// max over the stored entries (i, j) of A of |M_ij - A_ij| / max|A|: zero (to round-off) is what
/// makes an incomplete factorization with zero fill what it claims.
double pattern_mismatch(const CsrMatrix& a, const DenseMatrix& m) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (SparseIndex p = a.row_offsets()[i]; p < a.row_offsets()[i + 1]; ++p)
      worst = std::max(worst, std::abs(m(i, a.col_indices()[p]) - a.values()[p]));
  return worst / max_abs(a.to_dense());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ic0)

BOOST_AUTO_TEST_CASE(matches_a_on_its_pattern) {
  const CsrMatrix a = laplacian_2d(7, 6);
  const auto m = ic0_preconditioner(a);
  BOOST_TEST(m->shift() == 0.0);
  BOOST_TEST(m->attempts() == 1);
  const DenseMatrix m_inverse = dense_of(*m);
  BOOST_TEST(pattern_mismatch(a, dense_inverse(m_inverse)) <= 1e-13);
  check_operator_matches(*m, m_inverse, 1e-14);
  check_spd_on_random_vectors(*m);
}

BOOST_AUTO_TEST_CASE(is_exact_without_fill) {
  // A tridiagonal matrix has no fill: IC(0) is its Cholesky factorization.
  const CsrMatrix a = laplacian_2d(20, 1);
  check_operator_matches(*ic0_preconditioner(a), dense_inverse(a.to_dense()), 1e-12);
}

BOOST_AUTO_TEST_CASE(shifts_after_a_breakdown) {
  // Kershaw's matrix (1978): symmetric positive definite, yet IC(0) meets a negative pivot.
  const CsrMatrix a =
      CsrMatrix::from_dense(DenseMatrix{{3, -2, 0, 2}, {-2, 3, -2, 0}, {0, -2, 3, -2}, {2, 0, -2, 3}});
  BOOST_TEST(symmetric_eigen(a.to_dense()).values[0] > 0.0);
  const auto m = ic0_preconditioner(a);
  BOOST_TEST(m->shift() > 0.0);
  BOOST_TEST(m->attempts() > 1);
  BOOST_TEST_MESSAGE("Kershaw's matrix: IC(0) shift " << m->shift() << " after " << m->attempts() << " attempts");
  // The factor is the IC(0) of A + shift diag(A).
  DenseMatrix shifted_a = a.to_dense();
  for (std::size_t i = 0; i < 4; ++i) shifted_a(i, i) *= 1.0 + m->shift();
  BOOST_TEST(pattern_mismatch(CsrMatrix::from_dense(shifted_a), dense_inverse(dense_of(*m))) <= 1e-13);
  check_spd_on_random_vectors(*m);
  BOOST_CHECK_THROW(ic0_preconditioner(a, {.max_shifts = 0}), NumericalError);
}

BOOST_AUTO_TEST_CASE(lowers_cg_iterations) {
  const CsrMatrix a = laplacian_2d(48, 48);
  const int none = cg_iterations(a, nullptr);
  const int ic0 = cg_iterations(a, ic0_preconditioner(a));
  BOOST_TEST_MESSAGE("CG on the 48 x 48 Laplacian: " << none << " iterations, " << ic0 << " with IC(0)");
  BOOST_TEST(ic0 * 2 < none);
}

BOOST_AUTO_TEST_CASE(bad_input) {
  // Indefinite: every shift breaks down too, and the error names a column.
  try {
    ic0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 1}}), {.max_shifts = 3});
    BOOST_FAIL("an indefinite matrix was factored");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("column 1") != std::string::npos);
  }
  try {
    ic0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 0}, {0, -1}}));
    BOOST_FAIL("a negative diagonal was accepted");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("row 1") != std::string::npos);
  }
  BOOST_CHECK_THROW(ic0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{2, 1}, {0, 2}})), ArgumentError);
  BOOST_CHECK_THROW(ic0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{2, 1}})), ArgumentError);
  BOOST_CHECK_THROW(ic0_preconditioner(laplacian_2d(3, 3), {.initial_shift = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(ic0_preconditioner(laplacian_2d(3, 3), {.max_shifts = -1}), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ilu)

BOOST_AUTO_TEST_CASE(ilu0_matches_a_on_its_pattern) {
  const CsrMatrix a = convection_diffusion(7, 30.0);
  const auto m = ilu0_preconditioner(a);
  const DenseMatrix m_inverse = dense_of(*m);
  BOOST_TEST(pattern_mismatch(a, dense_inverse(m_inverse)) <= 1e-13);
  check_operator_matches(*m, m_inverse, 1e-14);
  BOOST_TEST(m->factor_nnz() == a.nnz());
  BOOST_TEST(m->replaced_pivots() == 0u);
}

BOOST_AUTO_TEST_CASE(ilut_without_dropping_is_the_exact_lu) {
  const CsrMatrix a = convection_diffusion(6, 30.0);
  const auto m = ilut_preconditioner(a, {.drop_tolerance = 0.0, .fill = 1000});
  check_operator_matches(*m, dense_inverse(a.to_dense()), 1e-11);
  BOOST_TEST(m->factor_nnz() > a.nnz());  // the fill that ILU(0) drops
}

BOOST_AUTO_TEST_CASE(lower_gmres_iterations_and_ilut_more_than_ilu0) {
  const CsrMatrix a = convection_diffusion(40, 50.0);
  const SolveResult none = gmres_solve(a, nullptr, 3000);
  const SolveResult ilu0 = gmres_solve(a, ilu0_preconditioner(a), 3000);
  const auto ilut = ilut_preconditioner(a, {.drop_tolerance = 1e-4, .fill = 20});
  const SolveResult with_ilut = gmres_solve(a, ilut, 3000);
  BOOST_TEST_MESSAGE("GMRES(30) on convection-diffusion 40 x 40: " << none.iterations << " iterations, "
                     << ilu0.iterations << " with ILU(0), " << with_ilut.iterations << " with ILUT(1e-4, 20)");
  BOOST_TEST(ilu0.converged);
  BOOST_TEST(with_ilut.converged);
  BOOST_TEST(ilu0.iterations * 3 < none.iterations);
  BOOST_TEST(with_ilut.iterations < ilu0.iterations);
  // The right answer, not only a fast one.
  BOOST_TEST(with_ilut.residual_norm <= 1e-8 * with_ilut.rhs_norm);
}

BOOST_AUTO_TEST_CASE(ilut_pivots_past_zero_diagonals) {
  // A diagonally dominant matrix with its columns shuffled: most diagonal entries vanish, and
  // without pivoting the elimination meets zero pivots. With column pivoting and nothing dropped,
  // ILUT is an exact factorization A Q = L U, so M^-1 = A^-1, and M^-T = A^-T exercises Q^T.
  const CsrMatrix b = convection_diffusion(5, 10.0);
  const std::size_t n = b.rows();
  std::vector<SparseIndex> rows, cols;
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex p = b.row_offsets()[i]; p < b.row_offsets()[i + 1]; ++p) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>((b.col_indices()[p] * 7 + 3) % static_cast<SparseIndex>(n)));
    }
  const CsrMatrix a = CsrMatrix::from_triplets(n, n, rows, cols, b.values());
  const auto m = ilut_preconditioner(a, {.drop_tolerance = 0.0, .fill = 1000});
  BOOST_TEST(m->permuted_columns() > 0u);
  BOOST_TEST(m->replaced_pivots() == 0u);
  check_operator_matches(*m, dense_inverse(a.to_dense()), 1e-10);
  BOOST_CHECK_THROW(ilu0_preconditioner(a), Error);
}

BOOST_AUTO_TEST_CASE(ilut_without_pivoting_replaces_a_zero_pivot_and_counts_it) {
  // [[0, 1], [1, 1]] has a zero first pivot without pivoting.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{0, 1}, {1, 1}});
  const auto m = ilut_preconditioner(a, {.drop_tolerance = 0.0, .pivot_threshold = 0.0});
  BOOST_TEST(m->replaced_pivots() == 1u);
  BOOST_TEST(m->permuted_columns() == 0u);
  BOOST_TEST(all_finite(m->apply(Vector{1.0, 1.0})));
  const auto pivoted = ilut_preconditioner(a, {.drop_tolerance = 0.0});
  BOOST_TEST(pivoted->replaced_pivots() == 0u);
  check_operator_matches(*pivoted, dense_inverse(a.to_dense()), 1e-14);
}

BOOST_AUTO_TEST_CASE(bad_input) {
  try {
    ilu0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 1}, {1, 0}}));  // row 1 stores no diagonal
    BOOST_FAIL("a missing diagonal entry was accepted");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("row 1") != std::string::npos);
  }
  try {
    ilu0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 1}, {1, 1}}));  // pivot 1 - 1 = 0
    BOOST_FAIL("a vanishing pivot was accepted");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("row 1") != std::string::npos);
  }
  BOOST_CHECK_THROW(ilu0_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 1}})), ArgumentError);
  BOOST_CHECK_THROW(ilut_preconditioner(laplacian_2d(3, 3), {.drop_tolerance = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(ilut_preconditioner(laplacian_2d(3, 3), {.fill = -1}), ArgumentError);
  BOOST_CHECK_THROW(ilut_preconditioner(laplacian_2d(3, 3), {.pivot_threshold = 1.5}), ArgumentError);
  BOOST_CHECK_THROW(ilut_preconditioner(CsrMatrix::from_triplets(2, 2, std::vector<SparseIndex>{0},
                                                                 std::vector<SparseIndex>{0}, Vector{1.0})),
                    ArgumentError);  // row 1 is zero
  BOOST_CHECK_THROW(ilut_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, std::nan("")}, {0, 1}})),
                    NonFiniteError);
}

BOOST_AUTO_TEST_SUITE_END()
