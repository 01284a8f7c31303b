#pragma once
/// \file
/// A sparse matrix in compressed sparse row (CSR) form, itself a LinearOperator.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Row and column indices of sparse matrices: 32 bits, so that SpMV streams 12 bytes per nonzero.
using SparseIndex = std::int32_t;

namespace detail {
struct SpmvPlan;        // a kernel layout chosen for the matrix's structure (lib/linop/spmv_plan.hpp)
struct SpmvPlanAccess;  // lets the library's internals and tests reach the plan
}

/// An m x n sparse matrix in CSR form: the column indices of row i are
/// col_indices()[row_offsets()[i] .. row_offsets()[i+1]), sorted ascending and unique, and values()
/// holds the matching entries. Immutable after construction, so it can be shared between operators
/// and threads.
class CsrMatrix final : public LinearOperator {
public:
  /// The 0 x 0 matrix.
  CsrMatrix();
  /// Takes ownership of CSR arrays. Throws ShapeError if the array lengths disagree with the shape
  /// and ArgumentError if offsets decrease or a column index is out of range, unsorted or repeated.
  CsrMatrix(std::size_t rows, std::size_t cols, std::vector<SparseIndex> row_offsets,
            std::vector<SparseIndex> col_indices, Vector values, OperatorTraits traits = {});

  /// Builds from coordinate triplets (0-based), summing duplicates. Throws ArgumentError for an index
  /// out of range and ShapeError if the three arrays differ in length.
  static CsrMatrix from_triplets(std::size_t rows, std::size_t cols, std::span<const SparseIndex> row,
                                 std::span<const SparseIndex> col, ConstVectorView value,
                                 OperatorTraits traits = {});
  /// The nonzeros of a dense matrix (entries equal to zero are dropped).
  static CsrMatrix from_dense(const DenseMatrix& a, OperatorTraits traits = {});

  /// Stored entries (explicit zeros included).
  std::size_t nnz() const noexcept { return values_.size(); }
  std::span<const SparseIndex> row_offsets() const noexcept { return row_offsets_; }
  std::span<const SparseIndex> col_indices() const noexcept { return col_indices_; }
  ConstVectorView values() const noexcept { return values_; }

  /// The same matrix with different declared traits (the arrays are copied).
  CsrMatrix with_traits(OperatorTraits traits) const;
  /// A^T as a new CSR matrix.
  CsrMatrix transposed() const;
  /// The dense copy, for tests and small problems.
  DenseMatrix to_dense() const;
  /// The main diagonal (zeros where no entry is stored), of length min(rows, cols).
  Vector diagonal() const;
  /// True when A is square and |A_ij - A_ji| <= tol * max|A| for every stored entry (an entry whose
  /// mirror is not stored is compared with zero). Builds no transpose.
  bool is_numerically_symmetric(double tol = 0.0) const;

  /// The storage the products run on, chosen once at construction from the structure: "dia" (a band
  /// of at most 64 diagonals whose dense storage costs no more than the CSR arrays), "sell"
  /// (SELL-C-sigma, when padding rows to equal lengths in slices of 16 adds at most 25%), or "csr".
  /// Every layout sums each row's entries in CSR order, so the results do not depend on it.
  std::string_view layout() const noexcept;
  /// Bytes the layout and the thread partition hold besides the CSR arrays.
  std::size_t layout_bytes() const noexcept;
  /// The same matrix with its products on `layout` ("csr", "sell" or "dia") whatever its structure,
  /// without the memory bounds of the automatic choice: for comparing layouts. Throws ArgumentError
  /// for any other name.
  CsrMatrix with_layout(std::string_view layout) const;

private:
  friend struct detail::SpmvPlanAccess;

  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;
  void apply_add_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override;

  std::vector<SparseIndex> row_offsets_;
  std::vector<SparseIndex> col_indices_;
  Vector values_;
  std::shared_ptr<const detail::SpmvPlan> plan_;  // shared by copies: the matrix never changes
};

}  // namespace frechet
