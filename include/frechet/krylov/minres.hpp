#pragma once
/// \file
/// MINRES for symmetric (possibly indefinite or singular) systems A x = b.
///
/// Reference: C. C. Paige and M. A. Saunders, "Solution of sparse indefinite systems of linear
/// equations", SIAM J. Numer. Anal. 12(4), 1975. The recurrences follow Saunders' reference
/// implementation (the one SciPy's minres translates).

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves A x = b for symmetric A by minimising ||b - A x||_P over the Krylov subspace, where
/// ||r||_P = sqrt(r^T P r) (the 2-norm without a preconditioner). Uses rtol, atol, max_iterations,
/// x0, preconditioner (P = M^{-1}, symmetric positive definite; A may be indefinite, P may not) and
/// monitor (||r_k||_P); restart and damping must keep their defaults. Stopping rule, on the recurrence
/// estimate and confirmed on b - A x before returning converged:
///     ||r_k||_P <= max(rtol ||b||_P, atol).
/// residual_norm is the 2-norm ||b - A x||_2. Ends with Reason::indefinite if r^T P r < 0 (P is not
/// positive definite). Bad input throws as cg does; b = 0 returns x = 0 at once.
SolveResult minres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// minres(*a, b, options); throws ArgumentError if `a` is null.
SolveResult minres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
