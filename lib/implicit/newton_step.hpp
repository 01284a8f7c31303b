#pragma once
// The linear-solve strategies of the Newton iteration: each solves J(x_k) s = -F(x_k) in its own way
// and reports whether the step is usable. root_find picks one by NewtonOptions::linear_solver; a
// sparse direct strategy (UMFPACK or CHOLMOD with the symbolic analysis kept across iterations, the
// Jacobian in CSR from a colouring) is one more class here and one more enumerator.

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
};

/// The dense Jacobian from the AD layer and LAPACK's LU.
std::unique_ptr<NewtonStepSolver> make_dense_lu_step(const NonlinearSystem& system);
/// GMRES on the Jacobian operator, with the options' preconditioner, restart and iteration limit.
std::unique_ptr<NewtonStepSolver> make_gmres_step(const NonlinearSystem& system, const NewtonOptions& options);

}  // namespace frechet::detail
