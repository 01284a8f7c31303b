#pragma once
/// \file
/// Differentiable sparse linear solves and least squares: x = A(p)^{-1} b(p) and x = argmin ||A x - b||
/// as primitives of the AD layer, A given by its sparsity pattern and its values in the pattern's
/// order, both A's values and b of any mode (Vector, DualVector, TapeVector). One factorization
/// serves the primal and every derivative:
///     solve:  dx = A^{-1} (db - dA x);          b_bar = A^{-T} x_bar,  A_bar = -b_bar x^T on A's pattern;
///     lstsq:  dx = (A^T A)^{-1} (dA^T r + A^T (db - dA x)),  r = b - A x;
///             w = (A^T A)^{-1} x_bar,  b_bar = A w,  A_bar = r w^T - (A w) x^T on A's pattern.
/// The gradient in A is the dense outer product read at the pattern's entries only, so it costs
/// O(nnz), never O(n^2).
///
/// References: M. B. Giles, "Collected matrix derivative results for forward and reverse mode
/// algorithmic differentiation", in Advances in Automatic Differentiation, Springer 2008 (the solve);
/// G. H. Golub and V. Pereyra, "The differentiation of pseudo-inverses and nonlinear least squares
/// problems whose variables separate", SIAM J. Numer. Anal. 10(2), 1973 (least squares, full rank).

#include <memory>

#include "frechet/ad/custom_rule.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// The factorization of sparse_solve.
enum class SparseSolveMethod {
  lu,        ///< UMFPACK (SparseLuFactorization): any nonsingular square A; backward by its transposed solve
  cholesky,  ///< CHOLMOD (SparseCholeskyFactorization): symmetric positive definite A, one factor both ways
};

/// Options of sparse_solve.
struct SparseSolveOptions {
  SparseSolveMethod method = SparseSolveMethod::lu;
};

namespace detail {

/// What sparse_solve keeps for its derivatives: A^{-1} by its factors (apply_adjoint solves with A^T).
struct SparseSolveSaved {
  OperatorPtr inverse;
  std::size_t factor_bytes = 0;  ///< the factorization's memory_bytes()
  /// For Tape::memory_bytes: this struct and the factors it keeps alive.
  std::size_t bytes() const noexcept { return sizeof(*this) + factor_bytes; }
};
/// What sparse_lstsq keeps: (A^T A)^{-1} v by two SPQR solves, A itself, and the residual r = b - A x.
struct SparseLstsqSaved {
  OperatorPtr pseudo_inverse;  ///< apply: the least-squares solve; apply_adjoint: the minimum-norm solve with A^T
  std::shared_ptr<const CsrMatrix> a;
  Vector residual;
};

/// The custom rule of sparse_solve for `pattern`, inputs (values, b).
std::shared_ptr<const CustomRule<SparseSolveSaved>> sparse_solve_rule(const CsrMatrix& pattern, const SparseSolveOptions& options);
/// The custom rule of sparse_lstsq for `pattern`, inputs (values, b).
std::shared_ptr<const CustomRule<SparseLstsqSaved>> sparse_lstsq_rule(const CsrMatrix& pattern);

}  // namespace detail

/// x = A^{-1} b, with A the square matrix of `pattern`'s structure holding `values` (one per stored
/// entry, in CSR order), differentiable in values and b. Throws ShapeError if values do not have
/// pattern.nnz() entries or b not pattern.rows(), and the factorization's errors (NumericalError for
/// a singular or, with cholesky, an indefinite A; ArgumentError for a non-symmetric one with
/// cholesky, whose derivatives in A are then those of the full matrix, for symmetric directions).
/// Second order: under hvp the pullback also differentiates b_bar and A_bar along the tangents,
///     b_bar_dot = A^{-T} (x_bar_dot - dA^T b_bar),   A_bar_dot = -(b_bar_dot x^T + b_bar dx^T) on A's pattern,
/// one more transposed solve with the same factors.
template <class V, class B>
auto sparse_solve(const CsrMatrix& pattern, const V& values, const B& b, const SparseSolveOptions& options = {}) {
  return apply_custom(detail::sparse_solve_rule(pattern, options), values, b);
}

/// x = argmin ||A x - b||_2 for a tall A (rows >= cols) of full column rank, the matrix of `pattern`
/// with `values`, by SPQR (SparseQrFactorization), differentiable in values and b. Throws as
/// sparse_solve for the sizes, ArgumentError for a wide A, and NumericalError if SPQR finds A rank
/// deficient (the least-squares solution is then not differentiable). First order: under hvp it
/// throws ArgumentError.
template <class V, class B> auto sparse_lstsq(const CsrMatrix& pattern, const V& values, const B& b) {
  return apply_custom(detail::sparse_lstsq_rule(pattern), values, b);
}

}  // namespace frechet
