#pragma once
/// \file
/// Differentiable sparse linear solves and least squares: x = A(p)^{-1} b(p) and x = argmin ||A x - b||
/// as primitives of the AD layer, A given by its sparsity pattern and its values in the pattern's
/// order, both A's values and b of any mode (Vector, DualVector, TapeVector). One factorization (or
/// one Krylov method with one preconditioner: cg, gmres, lsqr) serves the primal and every derivative:
///     solve:  dx = A^{-1} (db - dA x);          b_bar = A^{-T} x_bar,  A_bar = -b_bar x^T on A's pattern;
///     lstsq:  dx = (A^T A)^{-1} (dA^T r + A^T (db - dA x)),  r = b - A x;
///             w = (A^T A)^{-1} x_bar,  b_bar = A w,  A_bar = r w^T - (A w) x^T on A's pattern.
/// The gradient in A is the dense outer product read at the pattern's entries only, so it costs
/// O(nnz), never O(n^2).
///
/// References: M. B. Giles, "Collected matrix derivative results for forward and reverse mode
/// algorithmic differentiation", in Advances in Automatic Differentiation, Springer 2008 (the solve);
/// G. H. Golub and V. Pereyra, "The differentiation of pseudo-inverses and nonlinear least squares
/// problems whose variables separate", SIAM J. Numer. Anal. 10(2), 1973 (least squares, full rank);
/// C. C. Paige and M. A. Saunders, "LSQR: An algorithm for sparse linear equations and sparse least
/// squares", ACM Trans. Math. Softw. 8(1), 1982 (the Krylov least-squares and minimum-norm solves).

#include <functional>
#include <memory>
#include <optional>

#include "frechet/ad/custom_rule.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// How sparse_solve solves with A and A^T.
enum class SparseSolveMethod {
  lu,        ///< UMFPACK (SparseLuFactorization): any nonsingular square A; backward by its transposed solve
  cholesky,  ///< CHOLMOD (SparseCholeskyFactorization): symmetric positive definite A, one factor both ways
  /// Conjugate gradients (cg) for symmetric positive definite A, preconditioned by a symmetric positive
  /// definite M^{-1}; A^T = A, so the backward solve is the same solve. No factorization: memory O(nnz).
  cg,
  /// GMRES(m) (gmres) for any nonsingular square A, M^{-1} applied on the right; the backward solve is
  /// GMRES on A^T preconditioned by M^{-T} (the preconditioner's apply_adjoint), as well as forward.
  gmres,
};

/// Options of sparse_solve. The Krylov fields copy ImplicitOptions' (the same names, defaults and
/// stopping rule). A field the method does not use must keep its default: any other value throws
/// ArgumentError naming the field.
struct SparseSolveOptions {
  SparseSolveMethod method = SparseSolveMethod::lu;
  // ---- cg and gmres only ----
  /// Stopping rule of every solve, forward and backward: ||c - B y||_2 <= max(rtol ||c||_2, atol) for
  /// B = A (the primal, each JVP) or A^T (each VJP) and right-hand side c. rtol, atol finite and >= 0,
  /// not both 0. The derivatives are as accurate as the solves: x_bar's solve error reaches A_bar and
  /// b_bar.
  double rtol = 1e-10;
  double atol = 0.0;
  /// Krylov iterations per solve (over all restarts); unset: the method's default max(2n, 10); 0
  /// returns the warm start; negative throws ArgumentError.
  std::optional<int> max_iterations{};
  int restart = 30;  ///< gmres only: GMRES(m) cycle length m (>= 1)
  /// M^{-1} ~ A^{-1}, n x n, the same for every A the rule sees (cg: symmetric positive definite);
  /// null means none.
  OperatorPtr preconditioner{};
  /// Builds M^{-1} from A at every primal solve, as A changes with its values (say
  /// `[](const CsrMatrix& a) { return ilu0_preconditioner(a); }`); the derivatives of that solve reuse
  /// it. Set at most one of preconditioner and preconditioner_update.
  std::function<OperatorPtr(const CsrMatrix& a)> preconditioner_update{};
};

/// How sparse_lstsq solves with A (least squares) and A^T (minimum norm).
enum class SparseLstsqMethod {
  qr,  ///< SPQR (SparseQrFactorization): one factorization A = Q R serves both solves
  /// LSQR (Paige and Saunders) for both solves, with no factorization: memory O(nnz). The least-
  /// squares solve is LSQR on A with the preconditioner N on the right; the minimum-norm solve of
  /// A^T z = v is LSQR on (A N)^T = N^T A^T with right-hand side N^T v, whose solutions are those of
  /// A^T z = v (N nonsingular) and whose minimum-norm one LSQR finds from a start in range(A).
  lsqr,
};

/// Options of sparse_lstsq, named as SparseSolveOptions'. A field the method does not use must keep
/// its default: any other value throws ArgumentError naming the field.
struct SparseLstsqOptions {
  SparseLstsqMethod method = SparseLstsqMethod::qr;
  // ---- lsqr only ----
  /// Stopping rule of every LSQR solve (lsqr.hpp), forward and backward: with B the operator and c
  /// the right-hand side, ||c - B y||_2 <= max(rtol ||c||_2, atol) or ||B^T (c - B y)||_2 <= max(rtol
  /// ||B^T c||_2, atol); B = A N for the least-squares solves, B = N^T A^T and c = N^T v for the
  /// minimum-norm ones. rtol, atol finite and >= 0, not both 0. The derivatives are as accurate as
  /// the solves.
  double rtol = 1e-10;
  double atol = 0.0;
  /// LSQR iterations per solve (each one product with A and one with A^T); unset: LSQR's default
  /// max(2k, 10), k the unknowns of the solve; 0 returns the warm start; negative throws ArgumentError.
  std::optional<int> max_iterations{};
  /// N, n x n (n = A's columns), applied on the right: min ||A N y - b|| with x = N y, N nonsingular
  /// (say the inverse column norms of A); N and N^T are applied. The same for every A the rule sees;
  /// null means none.
  OperatorPtr preconditioner{};
  /// Builds N from A at every primal solve (say from A's column norms); the derivatives of that
  /// solve reuse it. Set at most one of preconditioner and preconditioner_update.
  std::function<OperatorPtr(const CsrMatrix& a)> preconditioner_update{};
};

namespace detail {

/// What sparse_solve keeps for its derivatives: A^{-1} as an operator (apply_adjoint solves with A^T),
/// by its factors (lu, cholesky) or by checked Krylov solves with A and the preconditioner (cg, gmres).
struct SparseSolveSaved {
  OperatorPtr inverse;
  /// The factorization's memory_bytes() (lu, cholesky), or A's arrays and the warm starts (cg, gmres;
  /// a preconditioner's memory is not counted: an operator does not report it).
  std::size_t factor_bytes = 0;
  /// For Tape::memory_bytes: this struct and what it keeps alive.
  std::size_t bytes() const noexcept { return sizeof(*this) + factor_bytes; }
};
/// What sparse_lstsq keeps: (A^T A)^{-1} v = A^+ A^{+T} v by two solves (SPQR's or checked LSQR
/// solves), A itself, and the residual r = b - A x.
struct SparseLstsqSaved {
  OperatorPtr pseudo_inverse;  ///< apply: the least-squares solve; apply_adjoint: the minimum-norm solve with A^T
  std::shared_ptr<const CsrMatrix> a;
  Vector residual;
  /// SPQR's memory_bytes() and A's arrays (qr), or A's arrays and the warm starts (lsqr; a
  /// preconditioner's memory is not counted: an operator does not report it).
  std::size_t factor_bytes = 0;
  /// For Tape::memory_bytes: this struct, the factors and A it keeps alive, and the residual.
  std::size_t bytes() const noexcept { return sizeof(*this) + factor_bytes + residual.capacity() * sizeof(double); }
};

/// The custom rule of sparse_solve for `pattern`, inputs (values, b).
std::shared_ptr<const CustomRule<SparseSolveSaved>> sparse_solve_rule(const CsrMatrix& pattern, const SparseSolveOptions& options);
/// The custom rule of sparse_lstsq for `pattern`, inputs (values, b).
std::shared_ptr<const CustomRule<SparseLstsqSaved>> sparse_lstsq_rule(const CsrMatrix& pattern,
                                                                      const SparseLstsqOptions& options = {});

}  // namespace detail

/// x = A^{-1} b, with A the square matrix of `pattern`'s structure holding `values` (one per stored
/// entry, in CSR order), differentiable in values and b. Throws ShapeError if values do not have
/// pattern.nnz() entries, b not pattern.rows() or a preconditioner is not n x n; ArgumentError for bad
/// options (naming the field); the factorization's errors (NumericalError for a singular or, with
/// cholesky, an indefinite A; ArgumentError for a non-symmetric one with cholesky or cg, whose
/// derivatives in A are then those of the full matrix, for symmetric directions).
///
/// cg and gmres: every solve (the primal, each JVP, each VJP's A^T solve) is checked: one that stops
/// unconverged throws NumericalError naming the method, the direction, the reason, the iterations
/// and the relative residual, rather than return a wrong x or a silently wrong gradient. Each
/// direction starts from its previous solution y_prev scaled to its new right-hand side c,
///     y_0 = alpha y_prev,   alpha = <c, c_prev> / ||c_prev||^2,
/// (c_prev its previous right-hand side; cg has one memory for both directions, as A^T = A): a right-
/// hand side parallel to the previous one starts at its answer, an orthogonal one from zero, and no
/// start is worse than zero by more than the previous solve's residual. Not for concurrent use of one
/// recorded solve.
///
/// Second order: under hvp the pullback also differentiates b_bar and A_bar along the tangents,
///     b_bar_dot = A^{-T} (x_bar_dot - dA^T b_bar),   A_bar_dot = -(b_bar_dot x^T + b_bar dx^T) on A's pattern,
/// one more transposed solve with the same factors (or Krylov method and preconditioner).
template <class V, class B>
auto sparse_solve(const CsrMatrix& pattern, const V& values, const B& b, const SparseSolveOptions& options = {}) {
  return apply_custom(detail::sparse_solve_rule(pattern, options), values, b);
}

/// x = argmin ||A x - b||_2 for a tall A (rows >= cols) of full column rank, the matrix of `pattern`
/// with `values`, differentiable in values and b, by SPQR (SparseQrFactorization) or, with
/// `.method = SparseLstsqMethod::lsqr`, by LSQR. Throws as sparse_solve for the sizes (ShapeError
/// also for a preconditioner that is not n x n), ArgumentError for a wide A or bad options (naming the
/// field), and NumericalError if SPQR finds A rank deficient (the least-squares solution is then not
/// differentiable). The derivatives need (A^T A)^{-1} v = A^+ A^{+T} v: the minimum-norm solve z of
/// A^T z = v, then the least-squares solve of A w ~ z, never A^T A.
///
/// lsqr: every solve (the primal, and the two of each derivative) is checked: one that stops
/// unconverged throws NumericalError naming the direction, the reason, the iterations and the
/// relative residuals, rather than return a wrong x or a silently wrong gradient. Each direction
/// starts from its previous solution scaled to its new right-hand side, as sparse_solve's Krylov
/// paths do. For the minimum-norm solve that start keeps the answer: the previous solution lies in
/// range(A) (LSQR's corrections do, from a start there), so the new one is again the solution in
/// range(A), the minimum-norm one; the first starts from zero. Not for concurrent use of one recorded
/// solve. A rank-deficient A is found at the first derivative: its minimum-norm solve then converges
/// only in the least-squares sense, and a relative residual above sqrt(rtol) throws NumericalError
/// (a full-rank A leaves at most kappa(A N) rtol); the primal alone returns LSQR's minimum-norm
/// least-squares solution.
///
/// Second order: under hvp the pullback also differentiates w = (A^T A)^{-1} x_bar, b_bar = A w and
/// A_bar = r w^T - b_bar x^T along the tangents (dr = db - dA x - A dx):
///     w_dot = (A^T A)^{-1} (x_bar_dot - dA^T A w - A^T dA w),   b_bar_dot = dA w + A w_dot,
///     A_bar_dot = dr w^T + r w_dot^T - b_bar_dot x^T - b_bar dx^T   on A's pattern,
/// two more solves of each kind with the same factorization (or LSQR and preconditioner).
template <class V, class B>
auto sparse_lstsq(const CsrMatrix& pattern, const V& values, const B& b, const SparseLstsqOptions& options = {}) {
  return apply_custom(detail::sparse_lstsq_rule(pattern, options), values, b);
}

}  // namespace frechet
