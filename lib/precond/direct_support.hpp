#pragma once
// Internal: checks shared by the sparse direct solvers (Cholesky, LU, QR), so that each reports bad
// input in the same words.

#include <cstddef>
#include <vector>

#include "frechet/core/vector.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

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
  /// The first row whose column indices differ in `a` (same number of rows assumed), or a.rows() when
  /// the patterns are equal; values are not compared.
  std::size_t first_difference(const CsrMatrix& a) const;
};

}  // namespace frechet::detail
