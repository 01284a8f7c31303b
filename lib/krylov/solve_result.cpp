#include "frechet/krylov/solve_result.hpp"

namespace frechet {

std::string to_string(Reason reason) {
  switch (reason) {
    case Reason::converged:
      return "converged: the stopping rule holds for the returned x";
    case Reason::max_iterations:
      return "max_iterations: the iteration limit came before the tolerance; raise max_iterations, "
             "loosen rtol/atol, or add a preconditioner";
    case Reason::breakdown:
      return "breakdown: a recurrence divided by zero (BiCGSTAB rho or omega = 0, a singular "
             "projected system); restart from the returned x, or try GMRES";
    case Reason::indefinite:
      return "indefinite: p^T A p <= 0 or r^T M^{-1} r <= 0, so the operator or the preconditioner is "
             "not positive definite; use MINRES for symmetric indefinite operators, GMRES otherwise, "
             "or check the preconditioner";
    case Reason::non_finite:
      return "non_finite: a NaN or infinity appeared in the iteration (x is the last finite iterate); "
             "check the operator and the preconditioner for non-finite outputs";
    case Reason::stagnation:
      return "stagnation: the true residual stopped decreasing; the tolerance may be below the "
             "attainable accuracy (loosen it) or GMRES(m) stalled (raise the restart length or "
             "precondition)";
    case Reason::line_search_failed:
      return "line_search_failed: no step along the search direction satisfied the line search's "
             "conditions within its evaluations; x is the best point found. The tolerance may be below "
             "the accuracy of f and its gradient (loosen atol), or the gradient may be wrong (check it "
             "with check_gradient)";
    case Reason::not_descent:
      return "not_descent: the search direction d has grad f^T d >= 0, so no step along it decreases f; "
             "check the gradient, and that the preconditioner or Hessian approximation is positive "
             "definite";
    case Reason::step_too_small:
      return "step_too_small: the trust region or the damping shrank until the step no longer changes "
             "x in floating point; x is as accurate as f allows (loosen atol) or the model is wrong "
             "(check the gradient and the Hessian or Jacobian)";
  }
  return "unknown reason";
}

std::string reason_name(Reason reason) {
  switch (reason) {
    case Reason::converged: return "converged";
    case Reason::max_iterations: return "max_iterations";
    case Reason::breakdown: return "breakdown";
    case Reason::indefinite: return "indefinite";
    case Reason::non_finite: return "non_finite";
    case Reason::stagnation: return "stagnation";
    case Reason::line_search_failed: return "line_search_failed";
    case Reason::not_descent: return "not_descent";
    case Reason::step_too_small: return "step_too_small";
  }
  return "unknown";
}

}  // namespace frechet
