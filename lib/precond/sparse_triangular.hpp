#pragma once
// Internal: sparse triangular factors and their four solves, shared by SSOR, IC(0), ILU(0) and ILUT.
//
// A factor is stored as its strictly triangular part in CSR (columns sorted ascending) plus its
// diagonal, kept apart so that a unit diagonal costs nothing and a relaxation parameter can scale it.
// Row storage serves both the solve with the factor (a row sweep) and the solve with its transpose
// (a column sweep that scatters each solved unknown into the ones still to come), so one copy of a
// factor gives M^-1 and M^-T: the adjoint products of the implicit layer need the second.

#include <cstddef>
#include <vector>

#include "frechet/core/vector.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// A lower or upper triangular matrix: strict part in CSR, diagonal apart (empty: unit diagonal).
struct SparseTriangle {
  std::vector<SparseIndex> offsets{0};  ///< n + 1 row offsets into columns/values
  std::vector<SparseIndex> columns;     ///< strictly below (lower) or above (upper) the diagonal
  Vector values;
  Vector diagonal;  ///< n entries, or empty for a unit diagonal

  std::size_t size() const noexcept { return offsets.size() - 1; }
  std::size_t stored_entries() const noexcept { return values.size() + diagonal.size(); }
  std::size_t bytes() const noexcept;
  /// Appends the current row's entries (columns ascending) and closes the row.
  void close_row() { offsets.push_back(static_cast<SparseIndex>(columns.size())); }
};

/// x := L^-1 x for a lower triangle (forward substitution, row by row).
void solve_lower(const SparseTriangle& l, VectorView x) noexcept;
/// x := U^-1 x for an upper triangle (backward substitution, row by row).
void solve_upper(const SparseTriangle& u, VectorView x) noexcept;
/// x := L^-T x for a lower triangle L (L^T is upper: backward, scattering column by column).
void solve_lower_transposed(const SparseTriangle& l, VectorView x) noexcept;
/// x := U^-T x for an upper triangle U (U^T is lower: forward, scattering column by column).
void solve_upper_transposed(const SparseTriangle& u, VectorView x) noexcept;

/// The strict lower and strict upper parts of a square matrix, diagonals left empty.
struct SplitTriangles {
  SparseTriangle lower;
  SparseTriangle upper;
};
SplitTriangles split_triangles(const CsrMatrix& a);

/// Throws ArgumentError naming `method` unless `a` is square, non-empty and finite.
void require_square_finite(const CsrMatrix& a, const char* method);

/// The position of a_ii in each row of `a` (its entry index), or -1 where no diagonal entry is stored.
std::vector<std::ptrdiff_t> diagonal_positions(const CsrMatrix& a);

}  // namespace frechet::detail
