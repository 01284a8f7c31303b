#include "frechet/precond/block_jacobi.hpp"

#include <algorithm>
#include <string>

#include "core/parallel.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "precond/sparse_triangular.hpp"

namespace frechet {

BlockJacobiPreconditioner::BlockJacobiPreconditioner(std::size_t n, std::size_t block_size, Vector inverses,
                                                     OperatorTraits traits)
    : LinearOperator(n, n, traits), block_size_(block_size), inverses_(std::move(inverses)) {}

// Blocks are small (a few unknowns): a plain loop beats a BLAS call per block.
template <bool Transposed>
void BlockJacobiPreconditioner::apply_blocks(ConstVectorView x, VectorView y) const {
  const std::size_t n = rows();
  const std::size_t b = block_size_;
  const std::size_t blocks = block_count();
  const double* inverses = inverses_.data();
  const double* xs = x.data();
  double* ys = y.data();
#pragma omp parallel for schedule(static) num_threads(detail::loop_threads(n, detail::parallel_min_entries))
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t start = block * b;
    const std::size_t size = std::min(b, n - start);
    const double* inverse = inverses + start * b;  // every block before this one is full: b * b entries
    for (std::size_t i = 0; i < size; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j < size; ++j)
        s += (Transposed ? inverse[j + i * size] : inverse[i + j * size]) * xs[start + j];
      ys[start + i] = s;
    }
  }
}

void BlockJacobiPreconditioner::apply_impl(ConstVectorView x, VectorView y) const { apply_blocks<false>(x, y); }
void BlockJacobiPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  apply_blocks<true>(x, y);
}

std::shared_ptr<const BlockJacobiPreconditioner> block_jacobi_preconditioner(const CsrMatrix& a,
                                                                             const BlockJacobiOptions& options) {
  if (options.block_size == 0) throw ArgumentError("block_jacobi_preconditioner: options.block_size must be >= 1, got 0");
  detail::require_square_finite(a, "block_jacobi_preconditioner");
  const std::size_t n = a.rows();
  const std::size_t b = std::min(options.block_size, n);
  const bool symmetric = a.is_symmetric() || a.is_numerically_symmetric();
  const auto offsets = a.row_offsets();
  const auto columns = a.col_indices();
  const auto values = a.values();

  Vector inverses;
  inverses.reserve(n * b);
  for (std::size_t start = 0; start < n; start += b) {
    const std::size_t size = std::min(b, n - start);
    DenseMatrix block(size, size);
    for (std::size_t i = 0; i < size; ++i)
      for (SparseIndex p = offsets[start + i]; p < offsets[start + i + 1]; ++p) {
        const auto j = static_cast<std::size_t>(columns[p]);
        if (j >= start && j < start + size) block(i, j - start) = values[p];
      }
    const std::string rows = "block " + std::to_string(start / b) + " (rows " + std::to_string(start) + " to " +
                             std::to_string(start + size - 1) + ")";
    DenseMatrix inverse;
    try {
      inverse = symmetric ? CholeskyFactorization(std::move(block)).solve(DenseMatrix::identity(size))
                          : LuFactorization(std::move(block)).solve(DenseMatrix::identity(size));
    } catch (const NumericalError& e) {
      throw NumericalError("block_jacobi_preconditioner: " + rows + (symmetric ? " of the symmetric matrix" : "") +
                           " cannot be inverted: " + e.what());
    }
    if (!all_finite(inverse.values()))
      throw NumericalError("block_jacobi_preconditioner: " + rows + " is numerically singular");
    inverses.insert(inverses.end(), inverse.values().begin(), inverse.values().end());
  }
  const OperatorTraits traits =
      symmetric ? OperatorTraits{.symmetric = true, .positive_semidefinite = true, .positive_definite = true}
                : OperatorTraits{};
  return std::shared_ptr<const BlockJacobiPreconditioner>(
      new BlockJacobiPreconditioner(n, b, std::move(inverses), traits));
}

}  // namespace frechet
