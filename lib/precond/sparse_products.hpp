#pragma once
// Internal: products and sums of CSR matrices, for the Galerkin coarse operators R A P and the
// smoothed prolongator (I - omega D^-1 A_F) P of the multigrid setup.
//
// Reference: F. G. Gustavson, "Two fast algorithms for sparse matrices: multiplication and permuted
// transposition", ACM Trans. Math. Software 4(3), 1978.

#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// C = A B by Gustavson's row-by-row algorithm in two passes: the first counts the entries of each
/// row of C (a marker per column), the second fills them through a dense accumulator and sorts each
/// row's columns. Rows are split among the OpenMP threads, each with its own marker and accumulator
/// (2 cols(B) words per thread). Entries that cancel to zero are kept (the pattern is structural).
/// Throws ShapeError if A.cols() != B.rows() and ArgumentError if nnz(C) exceeds the index limit.
CsrMatrix multiply(const CsrMatrix& a, const CsrMatrix& b);

/// C = alpha A + beta B on the union of the two patterns. Throws ShapeError if the shapes differ.
CsrMatrix add(double alpha, const CsrMatrix& a, double beta, const CsrMatrix& b);

}  // namespace frechet::detail
