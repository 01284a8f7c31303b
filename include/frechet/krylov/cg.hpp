#pragma once
/// \file
/// The preconditioned conjugate gradient method for symmetric positive definite systems A x = b.
///
/// Reference: M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients for solving linear
/// systems", J. Res. Nat. Bur. Standards 49(6), 1952; the preconditioned form is Algorithm 9.1 of
/// Y. Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., SIAM 2003.

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves A x = b for symmetric positive definite A (the operator must be square; its symmetry is
/// not checked). Uses rtol, atol, max_iterations, x0, preconditioner (M^{-1}, symmetric positive
/// definite, approximating A^{-1}) and monitor (||r_k||_2); restart and damping must keep their
/// defaults. Stopping rule, on the recurrence residual r_k and confirmed on b - A x_k before
/// returning converged:
///     ||r_k||_2 <= max(rtol ||b||_2, atol).
/// Ends with Reason::indefinite when p^T A p <= 0 or r^T M^{-1} r <= 0, rather than returning garbage.
/// When the recurrence claims convergence but b - A x does not satisfy the rule, CG restarts from x
/// (residual replacement); if that does not halve the true residual, it ends with Reason::stagnation.
/// Throws ShapeError for a non-square A, a b of the wrong size, or a mismatched x0/preconditioner;
/// NonFiniteError for a non-finite b or x0; ArgumentError for bad tolerances, a negative
/// max_iterations or a field cg does not use. b = 0 returns x = 0 at once, converged, with 0
/// iterations; max_iterations = 0 returns x0 with its residual.
SolveResult cg(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// cg(*a, b, options); throws ArgumentError if `a` is null.
SolveResult cg(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
