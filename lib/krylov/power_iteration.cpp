#include "frechet/krylov/power_iteration.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "solver_support.hpp"

namespace frechet {

PowerIterationResult power_iteration(const LinearOperator& a, const PowerIterationOptions& options) {
  constexpr const char* name = "power_iteration";
  detail::check_square(name, a);
  // rtol = atol = 0 asks for a fixed number of iterations, which must then be given.
  if (options.rtol != 0.0 || options.atol != 0.0 || !options.max_iterations) {
    detail::check_tolerances(name, options.rtol, options.atol);
  }
  const int max_iterations = options.max_iterations.value_or(1000);
  if (max_iterations < 1) {
    throw ArgumentError(std::string(name) + ": options.max_iterations: expected >= 1, got " +
                        std::to_string(max_iterations));
  }
  const std::size_t n = a.cols();
  Vector v = options.x0.empty() ? Random(options.seed).gaussian_vector(n)
                                : detail::initial_guess(name, options.x0, n);
  const double v_norm = norm2(v);
  if (v_norm == 0.0) throw ArgumentError(std::string(name) + ": options.x0: expected a nonzero vector");
  scale(1.0 / v_norm, v);

  PowerIterationResult result;
  result.residual_history.reserve(static_cast<std::size_t>(max_iterations));
  result.eigenvalue_history.reserve(static_cast<std::size_t>(max_iterations));
  Vector w(n);
  for (;;) {
    a.apply(v, w);
    ++result.operator_products;
    const double theta = dot(v, w);
    const double residual = detail::norm_of_difference(w, theta, v);
    result.residual_history.push_back(residual);
    result.eigenvalue_history.push_back(theta);
    if (options.monitor) options.monitor(result.operator_products, residual);
    result.eigenvalue = theta;
    result.residual_norm = residual;
    if (!std::isfinite(residual) || !std::isfinite(theta)) {
      result.reason = Reason::non_finite;  // v, the eigenvector returned, is still finite
      break;
    }
    if (residual <= std::max(options.rtol * std::abs(theta), options.atol)) {
      result.reason = Reason::converged;
      break;
    }
    if (result.operator_products >= max_iterations) {
      result.reason = Reason::max_iterations;
      break;
    }
    // w != 0 here: w = 0 would give theta = 0 and residual = 0, which has converged above.
    scale(1.0 / norm2(w), w);
    std::swap(v, w);
  }
  result.converged = result.reason == Reason::converged;
  result.eigenvector = std::move(v);
  return result;
}

PowerIterationResult power_iteration(const OperatorPtr& a, const PowerIterationOptions& options) {
  return power_iteration(detail::checked_operator("power_iteration", a), options);
}

}  // namespace frechet
