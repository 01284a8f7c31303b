#pragma once
// The linear-solve strategies of the Newton iteration: each solves J(x_k) s = -F(x_k) in its own way
// and reports whether the step is usable. root_find picks one by NewtonOptions::linear_solver.

#include <memory>

#include "frechet/implicit/root_find.hpp"

namespace frechet::detail {

/// What a step solver reports about the step it wrote.
struct StepOutcome {
  /// converged: s is a usable step; singular_jacobian, not_descent or non_finite: it is not.
  Reason reason = Reason::converged;
  /// An upper bound of F^T J s, the slope of ||F||^2 / 2 along s at lambda = 0 (exact for an exact
  /// solve: -||F||^2 + F^T (F + J s)); negative for a usable step.
  double slope = 0.0;
  int linear_iterations = 0;
  int operator_products = 0;
};

/// A strategy for the Newton step.
class NewtonStepSolver {
public:
  virtual ~NewtonStepSolver() = default;
  /// Writes s with ||F(x) + J(x) s|| <= eta ||F(x)|| (exact solvers ignore eta), given fx = F(x).
  virtual StepOutcome solve(const Vector& x, const Vector& fx, double eta, Vector& s) = 0;
  /// M^{-1} ~ J^{-1} from the last solve, for NewtonResult::preconditioner; null if there is none.
  virtual OperatorPtr preconditioner() const { return nullptr; }
};

/// The strategy of options.linear_solver: the dense Jacobian and LAPACK's LU; GMRES on the Jacobian
/// operator with the options' preconditioner, restart and iteration limit; or the coloured sparse
/// Jacobian and UMFPACK's LU or CHOLMOD's Cholesky, analysed at the first step and refactored after.
/// Throws ShapeError if options.jacobian_pattern is not n x n.
std::unique_ptr<NewtonStepSolver> make_step_solver(const NonlinearSystem& system, const NewtonOptions& options);

}  // namespace frechet::detail
