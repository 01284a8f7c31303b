#pragma once
/// \file
/// The options of every linear solver (cg, minres, bicgstab, gmres, fgmres, lsqr, lsmr): one struct,
/// so that a designated initializer such as `{.rtol = 1e-10, .preconditioner = m}` reads the same
/// for all of them. Each solver header states its stopping rule in terms of these fields.

#include <optional>

#include "frechet/core/vector.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of the linear solvers. A field that a solver does not use (restart outside gmres and
/// fgmres, damping outside lsqr and lsmr) must keep its default: any other value throws
/// ArgumentError naming the field and the solvers that use it, so nothing is silently ignored.
struct SolverOptions {
  /// Relative tolerance (finite, >= 0): stop when the tested norm is <= max(rtol * scale, atol),
  /// with the scale each solver's header states (||b||_2 for most). At least one of rtol and atol
  /// must be > 0.
  double rtol = 1e-8;
  double atol = 0.0;  ///< absolute tolerance (finite, >= 0) on the same norm
  /// Iteration limit, over all restarts. Unset means max(2n, 10), n the number of unknowns; 0 runs
  /// no iteration and returns x0 with its residual (converged if x0 already satisfies the rule);
  /// negative throws ArgumentError.
  std::optional<int> max_iterations{};
  Vector x0{};  ///< initial guess (n entries, finite); empty means zero
  /// Applies M^{-1}, an approximation of A^{-1}; null means none. Each solver's header says on which
  /// side it is applied and what it must satisfy (symmetric positive definite for cg and minres).
  OperatorPtr preconditioner{};
  /// Called with the iteration number and the tested norm at iteration 0 and after every iteration.
  Monitor monitor{};
  /// gmres and fgmres only: m, the Krylov dimension of a cycle (>= 1; capped at n). Memory (m + 1) n.
  int restart = 30;
  /// lsqr and lsmr only: lambda (finite, >= 0) in min ||A x - b||_2^2 + lambda^2 ||x||_2^2.
  double damping = 0.0;
};

}  // namespace frechet
