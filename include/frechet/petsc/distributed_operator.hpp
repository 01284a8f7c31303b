#pragma once
/// \file
/// Operators whose rows and columns are distributed over the ranks of an MPI communicator in
/// contiguous blocks: rank r owns rows [row_begin, row_begin + rows()) and the entries
/// [col_begin, col_begin + cols()) of the vectors it is applied to, in the serial numbering. An
/// operator's rows() and cols() are this rank's sizes, so x and y of apply are this rank's parts and
/// frechet's combinators work unchanged on them: add(a, diagonal_operator(d_local)) is a distributed
/// operator too (hand it to to_petsc_matrix with the communicator). Products are collective: every
/// rank must make the same products in the same order.

#include <mpi.h>

#include <cstddef>

#include "frechet/core/vector.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// A linear operator distributed by contiguous row and column blocks over an MPI communicator.
/// Derive from it as from LinearOperator; apply_impl receives this rank's part of x and writes this
/// rank's part of y, exchanging what it needs with the other ranks.
class DistributedOperator : public LinearOperator {
public:
  /// The communicator the operator is distributed over.
  MPI_Comm comm() const noexcept { return comm_; }
  std::size_t global_rows() const noexcept { return global_rows_; }
  std::size_t global_cols() const noexcept { return global_cols_; }
  /// The first global row (column) this rank owns.
  std::size_t row_begin() const noexcept { return row_begin_; }
  std::size_t col_begin() const noexcept { return col_begin_; }
  /// This rank's part of the main diagonal (the entries (i, i) for the rows i it owns), which PETSc's
  /// Jacobi preconditioner reads. The default throws ArgumentError: an operator that knows its
  /// diagonal overrides it.
  virtual Vector diagonal() const;

protected:
  /// Collective: sums the local sizes for the global ones and numbers the blocks by rank.
  DistributedOperator(MPI_Comm comm, std::size_t local_rows, std::size_t local_cols, OperatorTraits traits = {});

private:
  MPI_Comm comm_;
  std::size_t global_rows_ = 0;
  std::size_t global_cols_ = 0;
  std::size_t row_begin_ = 0;
  std::size_t col_begin_ = 0;
};

/// <x, y> over all ranks, x and y this rank's parts (collective). Each rank's partial sum is core's
/// dot; the ranks' sums are added by MPI_Allreduce, so the result depends on the number of ranks
/// at round-off level.
double global_dot(MPI_Comm comm, ConstVectorView x, ConstVectorView y);
/// ||x||_2 over all ranks (collective).
double global_norm2(MPI_Comm comm, ConstVectorView x);

/// The rows [begin, begin + size) that PETSc's default partition (PetscSplitOwnership) gives this
/// rank of n: n / ranks each, one more on the first n mod ranks ranks (collective).
struct LocalRange {
  std::size_t begin = 0;
  std::size_t size = 0;
};
/// This rank's block of n entries in PETSc's default partition.
LocalRange split_ownership(MPI_Comm comm, std::size_t n);

}  // namespace frechet
