#pragma once
/// \file
/// What every Krylov solver returns, and why an iteration (a Krylov solver, an optimiser) stopped. A solver that runs and fails to converge does
/// not throw: its result says why. Bad input (shapes, non-finite right-hand sides, tolerances) throws.

#include <functional>
#include <optional>
#include <string>

#include "frechet/core/vector.hpp"

namespace frechet {

/// Why an iteration stopped.
enum class Reason {
  converged,       ///< the stopping rule holds for the returned x
  max_iterations,  ///< the iteration limit came first
  breakdown,       ///< a division by zero in the recurrences (BiCGSTAB rho = 0 or omega = 0, ...)
  indefinite,      ///< the operator (p^T A p <= 0) or the preconditioner (r^T M^{-1} r <= 0) is not definite
  non_finite,      ///< a NaN or infinity appeared; x is the last finite iterate
  stagnation,      ///< the true residual stopped decreasing: the tolerance is below attainable accuracy,
                   ///< or a restart cycle of GMRES(m) made no progress
  line_search_failed,  ///< an optimiser's line search found no step satisfying its conditions
  not_descent,         ///< an optimiser's search direction d has grad f^T d >= 0
  step_too_small,      ///< an optimiser's trust region or damping shrank until the step no longer changes x
};

/// The reason and what to try about it, in one sentence ("max_iterations: ...; raise ...").
std::string to_string(Reason reason);
/// The bare identifier ("max_iterations"), for machine-readable output.
std::string reason_name(Reason reason);

/// Called once per recorded iteration with the iteration number (0 for the initial guess) and the
/// residual norm that the stopping rule tests, the same value appended to residual_history.
using Monitor = std::function<void(int iteration, double residual_norm)>;

/// The result of every linear solver (cg, minres, gmres, fgmres, bicgstab, lsqr, lsmr).
struct SolveResult {
  Vector x;                        ///< the solution; the last finite iterate when reason is non_finite
  int iterations = 0;              ///< iterations performed, over all restarts
  bool converged = false;          ///< reason == Reason::converged
  Reason reason = Reason::max_iterations;
  double residual_norm = 0.0;      ///< ||b - A x||_2 recomputed from the returned x (not a recurrence)
  double rhs_norm = 0.0;           ///< ||b||_2, so residual_norm / rhs_norm is the relative residual
  /// ||A^T (b - A x) - lambda^2 x||_2 recomputed from x: set by the least-squares solvers (lsqr,
  /// lsmr; lambda is the damping), empty for the square solvers.
  std::optional<double> normal_residual_norm;
  /// The norm the stopping rule tests: entry 0 at the initial guess, entry k after iteration k (so
  /// iterations + 1 entries). Each entry is also passed to the monitor.
  Vector residual_history;
  int operator_products = 0;       ///< products with A and A^T, residual recomputations included
};

}  // namespace frechet
