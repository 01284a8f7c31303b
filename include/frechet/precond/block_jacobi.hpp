#pragma once
/// \file
/// Block Jacobi preconditioning: the inverses of the diagonal blocks of a sparse matrix.

#include <memory>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of block Jacobi.
struct BlockJacobiOptions {
  /// Unknowns per block (>= 1): blocks [0, b), [b, 2b), ...; the last one may be smaller. Match it
  /// to the unknowns per node of the discretisation (3 for 3D elasticity, 6 for shells).
  std::size_t block_size = 3;
};

/// M = blockdiag(A_11, A_22, ...), the diagonal blocks of A, applied as M^-1 by one small dense
/// product per block with the inverse computed once (LAPACK). For a symmetric A every block is
/// factored by Cholesky, so M is symmetric positive definite and CG accepts it; otherwise by LU with
/// partial pivoting. Products are parallel over blocks.
class BlockJacobiPreconditioner final : public LinearOperator {
public:
  std::size_t block_size() const noexcept { return block_size_; }
  std::size_t block_count() const noexcept { return (rows() + block_size_ - 1) / block_size_; }
  /// Bytes of the inverse blocks.
  std::size_t bytes() const noexcept { return inverses_.size() * sizeof(double); }

private:
  friend std::shared_ptr<const BlockJacobiPreconditioner> block_jacobi_preconditioner(const CsrMatrix&,
                                                                                     const BlockJacobiOptions&);
  BlockJacobiPreconditioner(std::size_t n, std::size_t block_size, Vector inverses, OperatorTraits traits);
  template <bool Transposed>
  void apply_blocks(ConstVectorView x, VectorView y) const;
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::size_t block_size_;
  Vector inverses_;  // block after block, each column-major
};

/// Block Jacobi of a square sparse matrix. Throws ArgumentError for a non-square or empty matrix or
/// block_size 0; NonFiniteError for NaN or infinity; NumericalError naming the block (and its rows)
/// that is singular, or for a symmetric A not positive definite.
std::shared_ptr<const BlockJacobiPreconditioner> block_jacobi_preconditioner(const CsrMatrix& a,
                                                                             const BlockJacobiOptions& options = {});

}  // namespace frechet
