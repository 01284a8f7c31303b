#pragma once
// Internal: products and sums of CSR matrices, for the Galerkin coarse operators R A P and the
// smoothed prolongator (I - omega D^-1 A_F) P of the multigrid setup.
//
// Reference: F. G. Gustavson, "Two fast algorithms for sparse matrices: multiplication and permuted
// transposition", ACM Trans. Math. Software 4(3), 1978.

#include <span>
#include <vector>

#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// CSR arrays (rows sorted by column, no duplicates) without the product layout a CsrMatrix builds:
/// the intermediate matrices of the setup are only multiplied and added, never applied, so the
/// layout would be built for nothing.
struct SparseArrays {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<SparseIndex> offsets;  ///< rows + 1 entries
  std::vector<SparseIndex> indices;
  Vector values;
  std::size_t nnz() const noexcept { return indices.size(); }
  /// The arrays moved into a CsrMatrix (which validates them and builds its layout).
  CsrMatrix to_matrix() && {
    return CsrMatrix(rows, cols, std::move(offsets), std::move(indices), std::move(values));
  }
};

/// A read-only view of the CSR arrays of a CsrMatrix or of SparseArrays.
struct SparseRef {
  std::size_t rows, cols;
  std::span<const SparseIndex> offsets, indices;
  ConstVectorView values;
  SparseRef(const CsrMatrix& a)  // NOLINT(google-explicit-constructor)
      : rows(a.rows()), cols(a.cols()), offsets(a.row_offsets()), indices(a.col_indices()), values(a.values()) {}
  SparseRef(const SparseArrays& a)  // NOLINT(google-explicit-constructor)
      : rows(a.rows), cols(a.cols), offsets(a.offsets), indices(a.indices), values(a.values) {}
};

/// C = A B by Gustavson's row-by-row algorithm in two passes: the first counts the entries of each
/// row of C (a marker per column), the second fills them through a dense accumulator and sorts each
/// row's columns. Rows are split among the OpenMP threads, each with its own marker and accumulator
/// (2 cols(B) words per thread). Entries that cancel to zero are kept (the pattern is structural).
/// Throws ShapeError if A.cols() != B.rows() and ArgumentError if nnz(C) exceeds the index limit.
SparseArrays multiply(SparseRef a, SparseRef b);

/// C = alpha A + beta B on the union of the two patterns. Throws ShapeError if the shapes differ.
SparseArrays add(double alpha, SparseRef a, double beta, SparseRef b);

}  // namespace frechet::detail
