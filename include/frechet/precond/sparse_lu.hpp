#pragma once
/// \file
/// Sparse LU factorization P R A Q = L U of a square (nonsymmetric) CSR matrix by UMFPACK, with solves
/// by A and by A^T from the one factorization, and the operator applying A^{-1} (A^{-T} as its adjoint).
///
/// Reference: T. A. Davis, "Algorithm 832: UMFPACK V4.3, an unsymmetric-pattern multifrontal
/// method", ACM TOMS 30(2), 2004.

#include <cstddef>
#include <memory>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// The LU factorization of a sparse square matrix with row scaling and threshold partial pivoting
/// (UMFPACK's defaults): the column ordering and symbolic analysis are computed once, the numeric
/// factorization follows, and `refactor` repeats only the numeric part for a matrix with the same
/// pattern (the Jacobians of a Newton iteration). The sparse counterpart of core's LuFactorization.
///
/// Solves apply up to two steps of iterative refinement, so their backward error is near machine
/// precision even for badly scaled matrices. They are const and safe from several threads at once:
/// each takes its work arrays from a pool (umfpack_di_wsolve), so they allocate nothing once the pool
/// holds a workspace per thread. `refactor` must not run concurrently with solves.
class SparseLuFactorization {
public:
  /// Analyses and factors `a`. Throws ShapeError if `a` is not square (or is empty), NonFiniteError
  /// naming an entry that is NaN or infinite, and NumericalError, with the reciprocal condition
  /// estimate, if `a` is singular (a pivot is exactly zero, structurally or numerically).
  explicit SparseLuFactorization(const CsrMatrix& a);
  ~SparseLuFactorization();
  SparseLuFactorization(SparseLuFactorization&&) noexcept;
  SparseLuFactorization& operator=(SparseLuFactorization&&) noexcept;
  SparseLuFactorization(const SparseLuFactorization&) = delete;
  SparseLuFactorization& operator=(const SparseLuFactorization&) = delete;

  /// n, the order of A.
  std::size_t size() const noexcept;
  /// Factors `a` again with the ordering and analysis of the first matrix. Throws ArgumentError if
  /// its pattern differs from the first matrix's (naming the first row that differs), and the
  /// constructor's errors otherwise. A matrix rejected before factoring (shape, pattern, entries)
  /// leaves the factorization as it was; a singular one leaves it unusable (solves throw
  /// NumericalError) until a successful refactor.
  void refactor(const CsrMatrix& a);

  /// A^{-1} b. Throws ShapeError if b has not size() entries, NonFiniteError if an entry is not finite.
  Vector solve(ConstVectorView b) const;
  /// x = A^{-1} b into `x` (size() entries, not overlapping b).
  void solve(ConstVectorView b, VectorView x) const;
  /// A^{-1} B, column by column.
  DenseMatrix solve(const DenseMatrix& b) const;
  /// A^{-T} b, from the same factors.
  Vector solve_transpose(ConstVectorView b) const;
  /// x = A^{-T} b into `x`.
  void solve_transpose(ConstVectorView b, VectorView x) const;

  /// UMFPACK's reciprocal condition estimate min_i |U_ii| / max_i |U_ii| (of the scaled matrix): cheap
  /// and crude, it flags near-singularity (values near 1e-16 and below) rather than bounding errors.
  double reciprocal_condition_estimate() const noexcept;
  /// log |det A|, from the diagonal of U, without overflow.
  double log_abs_determinant() const noexcept;
  /// sign(det A): +1 or -1.
  double determinant_sign() const noexcept;
  /// Entries of L and U together, the diagonal counted once (the factors' memory is about 12 bytes each).
  std::size_t factor_nnz() const noexcept;
  /// Bytes of UMFPACK's Numeric object (L, U, the row and column permutations, the scale factors),
  /// as umfpack_di_numeric reports it (Info[UMFPACK_NUMERIC_SIZE] units); not the symbolic analysis.
  std::size_t memory_bytes() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A^{-1} as an operator sharing ownership of an LU factorization: apply solves with A, apply_adjoint
/// with A^T. An exact preconditioner for GMRES or BiCGSTAB, or a direct solver. Products are safe from
/// several threads at once and allocate nothing once the workspace pool is warm.
class SparseLuPreconditioner final : public LinearOperator {
public:
  /// Throws ArgumentError if `factorization` is null.
  explicit SparseLuPreconditioner(std::shared_ptr<const SparseLuFactorization> factorization);
  /// The factorization the products use.
  const SparseLuFactorization& factorization() const noexcept { return *factorization_; }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::shared_ptr<const SparseLuFactorization> factorization_;
};

/// Factors `a` (SparseLuFactorization's errors) and returns A^{-1} as an operator.
std::shared_ptr<const SparseLuPreconditioner> sparse_lu_preconditioner(const CsrMatrix& a);
/// A^{-1} from an existing factorization, shared (a later refactor changes what the operator applies).
std::shared_ptr<const SparseLuPreconditioner> sparse_lu_preconditioner(
    std::shared_ptr<const SparseLuFactorization> factorization);

/// Solves A x = b once by a sparse LU factorization, reported as the Krylov solvers report:
/// iterations 0, converged, residual_norm = ||b - A x||_2 recomputed (operator_products 1), rhs_norm,
/// and that residual as the one entry of residual_history. Throws SparseLuFactorization's errors, and
/// ShapeError or NonFiniteError for b.
SolveResult sparse_lu_solve(const CsrMatrix& a, ConstVectorView b);

}  // namespace frechet
