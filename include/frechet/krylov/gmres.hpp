#pragma once
/// \file
/// Restarted GMRES(m) with right preconditioning, and flexible GMRES (FGMRES) for preconditioners
/// that change from one application to the next (an inner iterative solve, for instance).
///
/// References: Y. Saad and M. H. Schultz, "GMRES: A generalized minimal residual algorithm for
/// solving nonsymmetric linear systems", SIAM J. Sci. Stat. Comput. 7(3), 1986; Y. Saad, "A flexible
/// inner-outer preconditioned GMRES algorithm", SIAM J. Sci. Comput. 14(2), 1993.

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves A x = b for square A by GMRES(m): each cycle minimises ||b - A x||_2 over x0 + M^{-1}
/// K_m(A M^{-1}, r0), with classical Gram-Schmidt and one reorthogonalisation (CGS2). Uses rtol,
/// atol, max_iterations (inner iterations over all cycles), x0, preconditioner (M^{-1}, applied on
/// the right, A M^{-1} u = b with x = M^{-1} u, so the residual minimised is the true one), monitor
/// (the Arnoldi estimate of ||b - A x_k||_2) and restart (m); damping must keep its default.
/// Memory (m + 1) n. Stopping rule, on the Arnoldi estimate and confirmed on the recomputed b - A x
/// at the end of the cycle:
///     ||b - A x_k||_2 <= max(rtol ||b||_2, atol).
/// residual_norm is always the recomputed true residual. Ends with Reason::stagnation if a full cycle
/// does not reduce the residual (GMRES(m) stalls; raise `restart`) and Reason::breakdown if the
/// projected system is singular. Bad input throws as cg does, and restart < 1 throws ArgumentError;
/// b = 0 returns x = 0 at once.
SolveResult gmres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// gmres(*a, b, options); throws ArgumentError if `a` is null.
SolveResult gmres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

/// FGMRES(m): as gmres, but keeps the preconditioned vectors z_j = M_j^{-1} v_j of a cycle (another
/// m n of memory), so the preconditioner may differ between applications; the update is x += Z y.
/// Without a preconditioner it is the same method as gmres.
SolveResult fgmres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// fgmres(*a, b, options); throws ArgumentError if `a` is null.
SolveResult fgmres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
