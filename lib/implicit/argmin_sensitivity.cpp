#include "frechet/implicit/argmin_sensitivity.hpp"

#include <cmath>
#include <string>

#include "frechet/krylov/cg.hpp"
#include "frechet/linop/combinators.hpp"

namespace frechet::detail {

void check_argmin_sizes(const char* what, std::size_t n, std::size_t p, std::size_t x_given, std::size_t theta_given) {
  check_size((std::string(what) + ": size of the state direction (x_star's size)").c_str(), n, x_given);
  check_size((std::string(what) + ": size of the parameter direction (theta's size)").c_str(), p, theta_given);
}

ArgminSensitivityResult argmin_solve(const char* what, const OperatorPtr& hessian, ConstVectorView b,
                                     const ArgminSensitivityOptions& o) {
  if (!std::isfinite(o.damping) || o.damping < 0)
    throw ArgumentError(std::string(what) + ": damping must be finite and >= 0, got " + std::to_string(o.damping));
  const OperatorPtr a = o.damping > 0 ? shifted(hessian, o.damping) : hessian;
  const SolveResult s = cg(a, b, {.rtol = o.rtol, .atol = o.atol, .max_iterations = o.max_iterations,
                                  .preconditioner = o.preconditioner});
  return {.value = s.x,
          .iterations = s.iterations,
          .converged = s.converged,
          .reason = s.reason,
          .residual_norm = s.residual_norm,
          .operator_products = s.operator_products};
}

}  // namespace frechet::detail
