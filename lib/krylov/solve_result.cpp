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
  }
  return "unknown";
}

}  // namespace frechet
