#pragma once
/// \file
/// BiCGSTAB for nonsymmetric systems A x = b, right preconditioned.
///
/// Reference: H. A. van der Vorst, "Bi-CGSTAB: A fast and smoothly converging variant of Bi-CG for
/// the solution of nonsymmetric linear systems", SIAM J. Sci. Stat. Comput. 13(2), 1992; the
/// preconditioned form of R. Barrett et al., "Templates for the Solution of Linear Systems", SIAM 1994.

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves A x = b for square A with memory 6n (8n preconditioned) and two products per iteration
/// (an iteration counts against max_iterations once). Uses rtol, atol, max_iterations, x0,
/// preconditioner (M^{-1}, applied on the right: x = M^{-1} u) and monitor (||r_k||_2); restart and
/// damping must keep their defaults. Stopping rule, on the recurrence residual (also tested after
/// the half step, on s) and confirmed on b - A x before returning converged:
///     ||r_k||_2 <= max(rtol ||b||_2, atol).
/// Ends with Reason::breakdown when rho = r0^T r = 0, r0^T v = 0 or omega = 0 (restarting from the
/// returned x with a fresh shadow vector, or GMRES, may help). Bad input throws as cg does.
SolveResult bicgstab(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// bicgstab(*a, b, options); throws ArgumentError if `a` is null.
SolveResult bicgstab(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
