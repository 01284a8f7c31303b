#include "frechet/petsc/distributed_csr_matrix.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "frechet/core/error.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "halo.hpp"

namespace frechet {
namespace {

// The local column count, checked on every rank against the global one: the result of one
// reduction, so that every rank throws or none does.
std::size_t checked_local_cols(MPI_Comm comm, const CsrMatrix& local_rows, std::size_t local_cols) {
  const std::uint64_t mine[2] = {local_cols, local_rows.cols()};
  std::uint64_t sum[2] = {0, 0};
  std::uint64_t low = 0, high = 0;
  MPI_Allreduce(mine, sum, 2, MPI_UINT64_T, MPI_SUM, comm);
  MPI_Allreduce(&mine[1], &low, 1, MPI_UINT64_T, MPI_MIN, comm);
  MPI_Allreduce(&mine[1], &high, 1, MPI_UINT64_T, MPI_MAX, comm);
  if (low != high)
    throw ArgumentError("DistributedCsrMatrix: local_rows.cols() is the global column count and must be equal on every "
                        "rank; the ranks give " + std::to_string(low) + " to " + std::to_string(high));
  if (sum[0] != high)
    throw ArgumentError("DistributedCsrMatrix: local_cols summed over the ranks must equal the global column count " +
                        std::to_string(high) + ", got " + std::to_string(sum[0]));
  return local_cols;
}

}  // namespace

DistributedCsrMatrix::DistributedCsrMatrix(MPI_Comm comm, const CsrMatrix& local_rows, std::size_t local_cols,
                                           OperatorTraits traits)
    : DistributedOperator(comm, local_rows.rows(), checked_local_cols(comm, local_rows, local_cols), traits),
      local_rows_(local_rows) {
  const std::size_t m = rows(), c0 = col_begin(), c1 = col_begin() + cols();
  const auto offsets = local_rows.row_offsets();
  const auto columns = local_rows.col_indices();
  const auto values = local_rows.values();
  for (const SparseIndex c : columns)
    if (static_cast<std::size_t>(c) < c0 || static_cast<std::size_t>(c) >= c1) ghost_columns_.push_back(c);
  std::sort(ghost_columns_.begin(), ghost_columns_.end());
  ghost_columns_.erase(std::unique(ghost_columns_.begin(), ghost_columns_.end()), ghost_columns_.end());

  // Both blocks keep each row's entries in column order: the owned columns shifted by c0, the ghost
  // columns renumbered by their rank in the ascending ghost list, both monotone maps.
  std::vector<SparseIndex> diag_offsets(m + 1, 0), diag_columns, off_offsets(m + 1, 0), off_columns;
  Vector diag_values, off_values;
  diag_columns.reserve(columns.size());
  diag_values.reserve(columns.size());
  for (std::size_t i = 0; i < m; ++i) {
    for (auto e = offsets[i]; e < offsets[i + 1]; ++e) {
      const auto c = static_cast<std::size_t>(columns[e]);
      if (c >= c0 && c < c1) {
        diag_columns.push_back(static_cast<SparseIndex>(c - c0));
        diag_values.push_back(values[e]);
      } else {
        const auto g = std::lower_bound(ghost_columns_.begin(), ghost_columns_.end(), columns[e]) - ghost_columns_.begin();
        off_columns.push_back(static_cast<SparseIndex>(g));
        off_values.push_back(values[e]);
      }
    }
    diag_offsets[i + 1] = static_cast<SparseIndex>(diag_columns.size());
    off_offsets[i + 1] = static_cast<SparseIndex>(off_columns.size());
  }
  // A principal submatrix of a symmetric (definite) matrix is symmetric (definite): the diagonal
  // block keeps the traits when the rows and columns are split alike.
  const bool principal = global_rows() == global_cols() && row_begin() == col_begin() && rows() == cols();
  diagonal_block_ = CsrMatrix(m, cols(), std::move(diag_offsets), std::move(diag_columns), std::move(diag_values),
                              principal ? traits : OperatorTraits{});
  off_diagonal_block_ = CsrMatrix(m, ghost_columns_.size(), std::move(off_offsets), std::move(off_columns),
                                  std::move(off_values));
  halo_ = std::make_shared<detail::Halo>(comm, cols(), ghost_columns_);
}

Vector DistributedCsrMatrix::diagonal() const {
  if (global_rows() != global_cols())
    throw ArgumentError("DistributedCsrMatrix::diagonal: the matrix is " + std::to_string(global_rows()) + " x " +
                        std::to_string(global_cols()) + ", not square");
  Vector d(rows(), 0.0);
  const auto offsets = local_rows_.row_offsets();
  const auto columns = local_rows_.col_indices();
  for (std::size_t i = 0; i < rows(); ++i) {
    const auto row = static_cast<SparseIndex>(row_begin() + i);
    const auto first = columns.begin() + offsets[i], last = columns.begin() + offsets[i + 1];
    const auto it = std::lower_bound(first, last, row);
    if (it != last && *it == row) d[i] = local_rows_.values()[static_cast<std::size_t>(it - columns.begin())];
  }
  return d;
}

void DistributedCsrMatrix::apply_impl(ConstVectorView x, VectorView y) const {
  // The diagonal block's product overlaps the exchange of the ghost entries.
  halo_->begin_gather(x);
  diagonal_block_.apply(x, y);
  const ConstVectorView ghosts = halo_->finish_gather();
  if (!ghost_columns_.empty()) off_diagonal_block_.apply_add(ghosts, y);
}

void DistributedCsrMatrix::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  // y = A_diag^T x here; A_off^T x goes to the ghost columns' owners, which add it to their y.
  diagonal_block_.apply_adjoint(x, y);
  const VectorView contributions = halo_->ghost_buffer();
  if (!ghost_columns_.empty()) off_diagonal_block_.apply_adjoint(x, contributions);
  halo_->scatter_add(y);
}

DistributedCsrMatrix distribute_rows(MPI_Comm comm, const CsrMatrix& a) {
  const LocalRange rows = split_ownership(comm, a.rows());
  const LocalRange cols = split_ownership(comm, a.cols());
  const auto offsets = a.row_offsets();
  const auto first = static_cast<std::size_t>(offsets[rows.begin]);
  const auto last = static_cast<std::size_t>(offsets[rows.begin + rows.size]);
  std::vector<SparseIndex> local_offsets(rows.size + 1);
  for (std::size_t i = 0; i <= rows.size; ++i)
    local_offsets[i] = static_cast<SparseIndex>(static_cast<std::size_t>(offsets[rows.begin + i]) - first);
  std::vector<SparseIndex> local_columns(a.col_indices().begin() + first, a.col_indices().begin() + last);
  Vector local_values(a.values().begin() + first, a.values().begin() + last);
  const CsrMatrix local(rows.size, a.cols(), std::move(local_offsets), std::move(local_columns),
                        std::move(local_values));
  return DistributedCsrMatrix(comm, local, cols.size, a.traits());
}

DistributedCsrMatrix read_distributed_matrix_market(const std::filesystem::path& file, MPI_Comm comm) {
  return distribute_rows(comm, read_matrix_market(file).matrix);
}

}  // namespace frechet
