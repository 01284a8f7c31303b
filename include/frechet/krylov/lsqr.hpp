#pragma once
/// \file
/// LSQR for least-squares problems min ||A x - b||_2^2 + lambda^2 ||x||_2^2 with any m x n A.
///
/// Reference: C. C. Paige and M. A. Saunders, "LSQR: An algorithm for sparse linear equations and
/// sparse least squares", ACM Trans. Math. Softw. 8(1), 1982.

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves min ||A x - b||_2^2 + lambda^2 ||x||_2^2 by Golub-Kahan bidiagonalisation: the iterates
/// are those of CG on the normal equations (A^T A + lambda^2 I) x = A^T b, computed more stably.
/// For a consistent underdetermined system started from x0 = 0 it converges to the minimum-norm
/// solution. residual_norm is ||b - A x||_2 and normal_residual_norm ||A^T (b - A x) - lambda^2 x||_2,
/// both recomputed from x. Throws ShapeError for a b of the wrong size or a mismatched
/// Stopping rule (either test suffices), on the method's estimates and confirmed on the recomputed
/// residual r = b - A x before returning converged:
///     ||r||_2 <= max(rtol ||b||_2, atol)                          (the system is solved; lambda = 0 only)
///     ||A^T r - lambda^2 x||_2 <= max(rtol ||A^T b||_2, atol)    (the normal equations are solved).
/// With a preconditioner N, A is replaced by A N in the second test.
/// Uses rtol, atol, max_iterations (one product with A and one with A^T each; unset means
/// max(2n, 10) with n the number of columns), x0 (the solver works on the correction for b - A x0),
/// preconditioner (N, n x n, applied on the right: min ||A N y - b|| with x = N y; both N and N^T are
/// applied), monitor (the estimate of ||(A N)^T r - lambda^2 x||_2) and damping (lambda); restart
/// must keep its default. x0 and preconditioner are not allowed together with damping > 0
/// (ArgumentError): the damped problem is not one in the correction, and the damping would apply
/// to N^{-1} x.
/// x0/preconditioner, NonFiniteError for non-finite b or x0, ArgumentError for bad options.
SolveResult lsqr(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// lsqr(*a, b, options); throws ArgumentError if `a` is null.
SolveResult lsqr(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
