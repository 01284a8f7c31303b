#pragma once
/// \file
/// The implicit layer across ranks: Newton-Krylov for F(x, theta) = 0 with x distributed by rows and
/// the parameters theta replicated, each Newton step one KSP solve; and the derivative of the root by
/// the implicit function theorem,
///     theta_bar = F_theta^T w   with   F_x^T w = -x_bar   at the root,
/// one KSPSolveTranspose with the preconditioner the last Newton step built (transposed), never a
/// differentiation through the iterations. Options and results are the implicit layer's
/// (NewtonOptions, NewtonResult: root_find.hpp), with the same meaning; norms are over all ranks.
///
/// References: S. C. Eisenstat and H. F. Walker, SIAM J. Sci. Comput. 17(1), 1996 (the forcing
/// terms); J. E. Dennis and R. B. Schnabel, SIAM 1996, section 6.3 (the line search).

#include <mpi.h>

#include <functional>

#include "frechet/core/vector.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/petsc/petsc_solve.hpp"

namespace frechet {

/// F(x, theta) = 0 with x distributed over comm (each rank its block) and theta the same on every
/// rank. Every callable is collective and called on every rank with this rank's parts.
struct DistributedRootProblem {
  MPI_Comm comm = MPI_COMM_NULL;
  /// f = F(x, theta), this rank's rows.
  std::function<void(ConstVectorView x, ConstVectorView theta, VectorView f)> residual;
  /// F_x at (x, theta): an operator whose rows() and cols() are this rank's (a DistributedOperator,
  /// or a combinator of one), given to PETSc by to_petsc_matrix(op, comm).
  std::function<OperatorPtr(ConstVectorView x, ConstVectorView theta)> jacobian_x;
  /// F_theta^T w summed over the ranks: the same vector (theta's size) on every rank. Only
  /// petsc_implicit_vjp calls it.
  std::function<Vector(ConstVectorView x, ConstVectorView theta, ConstVectorView w)> theta_vjp;
};

/// Solves F(x, theta) = 0 from x0 (this rank's part) by Newton's method with the Armijo line search
/// of root_find, each step J s = -F solved by a PetscLinearSolver (the `linear` options: method,
/// pc_type, ...) to the Eisenstat-Walker forcing term eta_k as its rtol. NewtonOptions' fields are
/// root_find's: rtol, atol, max_iterations, monitor, line_search, sufficient_decrease,
/// max_backtracks, divergence_limit, forcing; linear_solver must be dense_lu (its default) or gmres,
/// and the fields of root_find's own linear solvers (jacobian_pattern, preconditioner,
/// preconditioner_update, restart, max_linear_iterations) keep their defaults: the linear solve is
/// `linear`'s, whose rtol and x0 must also keep their defaults (the forcing terms set the rtol).
/// The result's preconditioner is a PetscPreconditioner sharing the last step's KSP. Throws
/// ArgumentError for bad options, NonFiniteError (on every rank) for a non-finite x0 on some rank.
NewtonResult petsc_root_find(const DistributedRootProblem& problem, ConstVectorView x0, ConstVectorView theta,
                             const NewtonOptions& options = {},
                             const PetscSolveOptions& linear = {.method = "gmres"});

/// theta_bar = F_theta^T w with F_x(x*, theta)^T w = -x_bar, x* = root.x (this rank's parts of x*
/// and x_bar; theta_bar the same on every rank). When root.preconditioner is the PetscPreconditioner
/// of petsc_root_find, the transposed solve reuses that KSP and its preconditioner, built at the last
/// Newton step, transposed (PCApplyTranspose); otherwise a KSP is made from `linear`. linear's rtol
/// and atol are the adjoint solve's in both cases. Throws NumericalError when root did not
/// converge or the adjoint solve does not, ArgumentError when the preconditioner has no transpose.
Vector petsc_implicit_vjp(const DistributedRootProblem& problem, const NewtonResult& root, ConstVectorView theta,
                          ConstVectorView x_bar, const PetscSolveOptions& linear = {.method = "gmres", .rtol = 1e-10});

}  // namespace frechet
