// Jacobi (explicit and matrix-free), block Jacobi and SSOR: each is the operator it claims, SPD where
// CG needs it, lowers iterations where it should, and rejects what it cannot precondition.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>

#include "frechet/core/error.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/block_jacobi.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/ssor.hpp"
#include "precond_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

/// A random sparse SPD matrix with a varied diagonal: B + B^T + D, D dominant.
CsrMatrix random_sparse_spd(std::size_t n, Random& rng, bool symmetric = true) {
  std::vector<SparseIndex> rows, cols;
  Vector vals;
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      const auto j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)) % n;
      if (j == i) continue;
      const double v = rng.gaussian();
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
      vals.push_back(v);
      rows.push_back(static_cast<SparseIndex>(j));
      cols.push_back(static_cast<SparseIndex>(i));
      vals.push_back(symmetric ? v : 0.5 * v);
    }
    rows.push_back(static_cast<SparseIndex>(i));
    cols.push_back(static_cast<SparseIndex>(i));
    vals.push_back(1.0 + 10.0 * rng.uniform());
  }
  // Strict diagonal dominance: add each row's off-diagonal mass (after duplicates are summed) to its
  // diagonal.
  CsrMatrix a = CsrMatrix::from_triplets(n, n, rows, cols, vals);
  Vector extra(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex p = a.row_offsets()[i]; p < a.row_offsets()[i + 1]; ++p)
      if (static_cast<std::size_t>(a.col_indices()[p]) != i) extra[i] += std::abs(a.values()[p]);
  for (std::size_t i = 0; i < n; ++i) {
    rows.push_back(static_cast<SparseIndex>(i));
    cols.push_back(static_cast<SparseIndex>(i));
    vals.push_back(extra[i]);
  }
  return CsrMatrix::from_triplets(n, n, rows, cols, vals,
                                  symmetric ? OperatorTraits{.symmetric = true, .positive_definite = true}
                                            : OperatorTraits{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jacobi)

BOOST_AUTO_TEST_CASE(from_a_sparse_matrix_is_the_inverse_diagonal) {
  Random rng(1);
  const CsrMatrix a = random_sparse_spd(40, rng);
  const auto m = jacobi_preconditioner(a);
  DenseMatrix reference(40, 40);
  const Vector d = a.diagonal();
  for (std::size_t i = 0; i < 40; ++i) reference(i, i) = 1.0 / d[i];
  check_operator_matches(*m, reference, 1e-15);
  BOOST_TEST(m->is_positive_definite());
  BOOST_TEST(!m->is_estimated());
  BOOST_TEST(m->operator_products() == 0u);
}

BOOST_AUTO_TEST_CASE(matrix_free_probing_is_exact) {
  Random rng(2);
  const CsrMatrix a = random_sparse_spd(60, rng);
  const auto m = jacobi_preconditioner(dense_operator(a.to_dense()));
  BOOST_TEST(!m->is_estimated());
  BOOST_TEST(m->operator_products() == 60u);
  BOOST_TEST(relative_error(m->diagonal(), a.diagonal()) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(matrix_free_estimate_above_the_exact_limit) {
  // Diagonally dominant: Hutchinson's estimate is close with 200 probes; a diagonal operator exactly.
  Random rng(3);
  const CsrMatrix a = random_sparse_spd(500, rng);
  const auto m = jacobi_preconditioner(a, JacobiOptions{.exact_max_size = 100, .probes = 200, .seed = 5});
  BOOST_TEST(m->is_estimated());
  BOOST_TEST(m->operator_products() == 200u);
  BOOST_TEST(relative_error(m->diagonal(), a.diagonal()) <= 0.3);
  Vector d(500);
  rng.fill_uniform(d, 1.0, 2.0);
  const auto exact = jacobi_preconditioner(diagonal_operator(d), JacobiOptions{.exact_max_size = 10, .probes = 1});
  BOOST_TEST(relative_error(exact->diagonal(), d) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(estimate_with_a_nonpositive_entry_is_an_error) {
  // A zero diagonal with large off-diagonal entries: one probe estimates some entries <= 0.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{1e-6, 1, 1}, {1, 1e-6, 1}, {1, 1, 1e-6}});
  BOOST_CHECK_THROW(jacobi_preconditioner(a, JacobiOptions{.exact_max_size = 1, .probes = 1}), NumericalError);
}

BOOST_AUTO_TEST_CASE(bad_diagonals_name_the_row) {
  const CsrMatrix zero = CsrMatrix::from_dense(DenseMatrix{{2, 1}, {1, 0}});
  try {
    jacobi_preconditioner(zero);
    BOOST_FAIL("a zero diagonal entry was accepted");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("row 1") != std::string::npos);
  }
  BOOST_CHECK_THROW(jacobi_preconditioner(Vector{1.0, -2.0}), ArgumentError);
  BOOST_CHECK_THROW(jacobi_preconditioner(Vector{1.0, std::nan("")}), NonFiniteError);
  BOOST_CHECK_THROW(jacobi_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}})), ShapeError);
  BOOST_CHECK_THROW(jacobi_preconditioner(OperatorPtr{}), ArgumentError);
  BOOST_CHECK_THROW(jacobi_preconditioner(identity_operator(3), JacobiOptions{.probes = 0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(size_mismatch_is_caught_when_the_solver_starts) {
  const CsrMatrix a = laplacian_2d(5, 5);
  const Vector b(25, 1.0);
  BOOST_CHECK_THROW(cg(a, b, {.preconditioner = jacobi_preconditioner(Vector(24, 1.0))}), ShapeError);
}

// P = Q diag(1, 1/100) Q^T with Q the rotation by theta: the Jacobi-scaled D^-1/2 P D^-1/2 has unit
// diagonal and off-diagonal c = P01 / sqrt(P00 P11), so its condition number is (1 + |c|)/(1 - |c|).
// At theta = pi/6 that is 75.49 (down from 100); at pi/4 the diagonal of P is constant and nothing
// changes.
BOOST_AUTO_TEST_CASE(jacobi_scaling_of_a_rotated_ill_conditioned_matrix) {
  for (const double theta : {std::numbers::pi / 6, std::numbers::pi / 4}) {
    const double c = std::cos(theta), s = std::sin(theta);
    const DenseMatrix q{{c, -s}, {s, c}};
    const DenseMatrix p = matmul(matmul(q, DenseMatrix{{1.0, 0.0}, {0.0, 0.01}}), q, Transpose::no, Transpose::yes);
    const auto m = jacobi_preconditioner(CsrMatrix::from_dense(p));
    DenseMatrix scaled(2, 2);
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 2; ++j) scaled(i, j) = p(i, j) / std::sqrt(m->diagonal()[i] * m->diagonal()[j]);
    const Vector lambda = symmetric_eigen(scaled).values;
    const double kappa = lambda[1] / lambda[0];
    const double off = std::abs(p(0, 1)) / std::sqrt(p(0, 0) * p(1, 1));
    BOOST_TEST(kappa == (1 + off) / (1 - off), boost::test_tools::tolerance(1e-12));
    const Vector original = symmetric_eigen(p).values;
    BOOST_TEST(original[1] / original[0] == 100.0, boost::test_tools::tolerance(1e-12));
    if (theta < 0.6)
      BOOST_TEST(std::round(kappa * 100) / 100 == 75.49);
    else
      BOOST_TEST(kappa == 100.0, boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(block_jacobi)

BOOST_AUTO_TEST_CASE(inverts_the_diagonal_blocks) {
  Random rng(4);
  for (const bool symmetric : {true, false}) {
    const CsrMatrix a = random_sparse_spd(31, rng, symmetric);  // 31 = 10 blocks of 3 and one of 1
    const auto m = block_jacobi_preconditioner(a, {.block_size = 3});
    BOOST_TEST(m->block_count() == 11u);
    const DenseMatrix dense = a.to_dense();
    DenseMatrix blocks(31, 31);
    for (std::size_t i = 0; i < 31; ++i)
      for (std::size_t j = 0; j < 31; ++j)
        if (i / 3 == j / 3) blocks(i, j) = dense(i, j);
    check_operator_matches(*m, dense_inverse(blocks), 1e-12);
    BOOST_TEST(m->is_positive_definite() == symmetric);
    if (symmetric) check_spd_on_random_vectors(*m);
  }
}

BOOST_AUTO_TEST_CASE(block_size_one_is_jacobi_and_whole_is_exact) {
  Random rng(5);
  const CsrMatrix a = random_sparse_spd(12, rng);
  check_operator_matches(*block_jacobi_preconditioner(a, {.block_size = 1}), dense_of(*jacobi_preconditioner(a)),
                         1e-14);
  check_operator_matches(*block_jacobi_preconditioner(a, {.block_size = 100}), dense_inverse(a.to_dense()), 1e-12);
}

BOOST_AUTO_TEST_CASE(bad_input) {
  BOOST_CHECK_THROW(block_jacobi_preconditioner(laplacian_2d(3, 3), {.block_size = 0}), ArgumentError);
  // The symmetric indefinite block [[1, 2], [2, 1]] is not positive definite.
  try {
    block_jacobi_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2, 0}, {2, 1, 0}, {0, 0, 1}}), {.block_size = 2});
    BOOST_FAIL("an indefinite symmetric block was accepted");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("block 0") != std::string::npos);
  }
  BOOST_CHECK_THROW(block_jacobi_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {1, 2}}), {.block_size = 2}),
                    NumericalError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ssor)

/// M = omega/(2 - omega) (D/omega + L) (D/omega)^-1 (D/omega + U), densely.
DenseMatrix ssor_matrix(const DenseMatrix& a, double omega) {
  const std::size_t n = a.rows();
  DenseMatrix lower(n, n), upper(n, n), middle(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (j < i) lower(i, j) = a(i, j);
      if (j > i) upper(i, j) = a(i, j);
    }
    lower(i, i) = upper(i, i) = a(i, i) / omega;
    middle(i, i) = omega / a(i, i);
  }
  DenseMatrix m = matmul(matmul(lower, middle), upper);
  for (double& v : m.values()) v *= omega / (2.0 - omega);
  return m;
}

BOOST_AUTO_TEST_CASE(is_the_inverse_of_the_ssor_matrix) {
  Random rng(6);
  for (const bool symmetric : {true, false})
    for (const double omega : {0.5, 1.0, 1.6}) {
      const CsrMatrix a = random_sparse_spd(30, rng, symmetric);
      const auto m = ssor_preconditioner(a, {.omega = omega});
      BOOST_TEST(m->omega() == omega);
      check_operator_matches(*m, dense_inverse(ssor_matrix(a.to_dense(), omega)), 1e-11);
      BOOST_TEST(m->is_positive_definite() == symmetric);
      if (symmetric) check_spd_on_random_vectors(*m);
    }
}

BOOST_AUTO_TEST_CASE(lowers_cg_iterations_on_the_laplacian) {
  const CsrMatrix a = laplacian_2d(48, 48);
  const int none = cg_iterations(a, nullptr);
  const int ssor = cg_iterations(a, ssor_preconditioner(a, {.omega = 1.5}));
  BOOST_TEST_MESSAGE("CG on the 48 x 48 Laplacian: " << none << " iterations, " << ssor << " with SSOR(1.5)");
  BOOST_TEST(ssor * 2 < none);
}

BOOST_AUTO_TEST_CASE(bad_input) {
  const CsrMatrix a = laplacian_2d(4, 4);
  BOOST_CHECK_THROW(ssor_preconditioner(a, {.omega = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(ssor_preconditioner(a, {.omega = 2.0}), ArgumentError);
  BOOST_CHECK_THROW(ssor_preconditioner(a, {.omega = std::nan("")}), ArgumentError);
  BOOST_CHECK_THROW(ssor_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}})), ArgumentError);
  BOOST_CHECK_THROW(ssor_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, std::nan("")}})),
                    NonFiniteError);
  try {
    ssor_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 0}}));
    BOOST_FAIL("a zero diagonal entry was accepted");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("row 1") != std::string::npos);
  }
  BOOST_CHECK_THROW(ssor_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, -1}})), ArgumentError);
  // A negative diagonal entry is fine for a nonsymmetric matrix (GMRES does not need M SPD).
  BOOST_CHECK_NO_THROW(ssor_preconditioner(CsrMatrix::from_dense(DenseMatrix{{1, 2}, {3, -1}})));
}

BOOST_AUTO_TEST_SUITE_END()
