#pragma once
// Internal: checks shared by the sparse direct solvers (Cholesky, LU, QR), so that each reports bad
// input in the same words, and the one translation of UMFPACK status codes into frechet errors
// (CHOLMOD's and SPQR's is check_cholmod_status in cholmod_sparse.hpp).

#include <cstddef>
#include <string>
#include <vector>

#include "frechet/core/vector.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// Throws the frechet error for an UMFPACK status, naming `what` (the call that failed) and ending
/// with `detail` when it is not empty: NumericalError for UMFPACK_WARNING_singular_matrix,
/// ArgumentError for an invalid matrix, size, system or pattern, Error otherwise (out of memory,
/// invalid factor objects, internal errors). UMFPACK_OK and the determinant under/overflow warnings
/// (frechet reads the determinant as mantissa and exponent) return.
void check_umfpack_status(int status, const char* what, const std::string& detail = {});

/// Throws NonFiniteError "<what>: entry (i, j) is <value>" for the first stored entry of `a` that is
/// NaN or infinite (core's check_finite does the same for vectors).
void check_finite_entries(const CsrMatrix& a, const char* what);
/// Throws ShapeError "<what>: expected a square matrix, got m x n" unless `a` is square.
void check_square(const CsrMatrix& a, const char* what);
/// The pattern of a CSR matrix (its row offsets and column indices), kept by a factorization so that
/// a refactor can check that a new matrix has the pattern the symbolic analysis was made for.
struct SparsityPattern {
  std::vector<SparseIndex> row_offsets;
  std::vector<SparseIndex> col_indices;

  explicit SparsityPattern(const CsrMatrix& a)
      : row_offsets(a.row_offsets().begin(), a.row_offsets().end()),
        col_indices(a.col_indices().begin(), a.col_indices().end()) {}
  /// Throws ArgumentError naming `what` and the first row whose column indices differ unless `a` (with
  /// the same number of rows) has this pattern; values are not compared.
  void check_same(const CsrMatrix& a, const char* what) const;
};

/// The SolveResult of a direct solve of A x ~ b: iterations 0, converged, residual_norm = ||b - A x||
/// recomputed (one product), rhs_norm, the residual as the one history entry, and for least squares
/// normal_residual_norm = ||A^T (b - A x)|| (a second product).
SolveResult direct_solve_result(const CsrMatrix& a, ConstVectorView b, Vector x, bool least_squares);

}  // namespace frechet::detail
