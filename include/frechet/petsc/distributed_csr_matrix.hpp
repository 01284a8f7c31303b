#pragma once
/// \file
/// A sparse matrix distributed by rows: each rank holds its rows in CSR with global column numbers,
/// split at construction into the diagonal block (the columns this rank owns) and the off-diagonal
/// block (the ghost columns, owned by other ranks), as PETSc's MPIAIJ does. A product starts the
/// halo exchange of the ghost entries (a PETSc VecScatter), multiplies the diagonal block while the
/// messages travel, then adds the off-diagonal block's product.

#include <mpi.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/petsc/distributed_operator.hpp"

namespace frechet {

namespace detail {
class Halo;  // the ghost exchange (lib/petsc/halo.hpp)
}

/// A row-distributed CSR matrix. Products are collective, and not safe concurrently on one matrix
/// or its copies: they share the halo's buffers.
class DistributedCsrMatrix final : public DistributedOperator {
public:
  /// Collective. local_rows holds this rank's rows with global column numbers (local_rows.cols() is
  /// the global column count, equal on every rank); local_cols is the number of columns (entries of x)
  /// this rank owns, the column blocks following each other by rank. Throws ArgumentError, on every
  /// rank, if the ranks disagree on the global column count or the local_cols do not sum to it.
  /// traits are the global matrix's (symmetric, positive definite), declared for solvers.
  DistributedCsrMatrix(MPI_Comm comm, const CsrMatrix& local_rows, std::size_t local_cols, OperatorTraits traits = {});

  /// The entries in the columns this rank owns, numbered from col_begin() (rows() x cols()).
  const CsrMatrix& diagonal_block() const noexcept { return diagonal_block_; }
  /// The entries in other ranks' columns, column g being ghost_columns()[g] (rows() x ghosts).
  const CsrMatrix& off_diagonal_block() const noexcept { return off_diagonal_block_; }
  /// The global numbers of the ghost columns, ascending.
  std::span<const SparseIndex> ghost_columns() const noexcept { return ghost_columns_; }
  /// This rank's rows in CSR with global column numbers, as given to the constructor.
  const CsrMatrix& local_rows() const noexcept { return local_rows_; }
  /// The entries (i, i) of this rank's rows (zero where none is stored). Throws ArgumentError for a
  /// matrix that is not square.
  Vector diagonal() const override;

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  CsrMatrix local_rows_;
  CsrMatrix diagonal_block_;
  CsrMatrix off_diagonal_block_;
  std::vector<SparseIndex> ghost_columns_;
  std::shared_ptr<detail::Halo> halo_;
};

/// The matrix a (the same on every rank) distributed by PETSc's default partition of its rows and
/// columns (split_ownership): each rank keeps its rows. Collective; for tests and small problems,
/// since every rank holds all of a.
DistributedCsrMatrix distribute_rows(MPI_Comm comm, const CsrMatrix& a);

/// Reads a Matrix Market file (read_matrix_market: symmetric storage expanded, traits as the file
/// declares) into a matrix distributed as distribute_rows does. Collective. Every rank parses the
/// whole file and keeps its rows: O(nnz) memory and time per rank, fine to about 10^7 entries.
/// Throws what read_matrix_market throws (IoError, ParseError) on every rank.
DistributedCsrMatrix read_distributed_matrix_market(const std::filesystem::path& file, MPI_Comm comm);

}  // namespace frechet
