#pragma once
/// \file
/// Sensitivity of a minimiser: for x*(theta) = argmin_x f(x, theta) with H = d2f/dx2 positive
/// definite at x*, the stationarity condition grad_x f(x*, theta) = 0 defines x* implicitly, and the
/// implicit function theorem gives the response Jacobian
///     dx*/dtheta = -H^{-1} M,   M = d2f / dx dtheta (n x p),
/// whose products are one conjugate-gradient solve with the Hessian operator each:
///     argmin_jvp:  dx        = -(H + damping I)^{-1} (M theta_dot)
///     argmin_vjp:  theta_bar = -M^T (H + damping I)^{-1} x_bar.
/// No matrix is formed: H v and the mixed products M theta_dot, M^T w are Hessian-vector products of
/// f (forward-over-reverse), the latter of f as a function of z = (x, theta). The CG iteration
/// limit is an option, so a truncated solve (a few iterations, as in hyperparameter optimisation and
/// influence functions) is a choice whose result says it did not converge, not an error.
///
/// References: B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Comput. 6(1),
/// 1994; P. W. Koh and P. Liang, "Understanding black-box predictions via influence functions", ICML
/// 2017 (damped, truncated Hessian solves).

#include <optional>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/implicit_operators.hpp"

namespace frechet {

/// Options of argmin_jvp and argmin_vjp: the CG solve with H + damping I.
struct ArgminSensitivityOptions {
  /// CG stopping rule: ||r_k||_2 <= max(rtol ||b||_2, atol) (see cg). Not both 0.
  double rtol = 1e-10;
  double atol = 0.0;
  /// CG iterations; unset means CG's default max(2n, 10). A small value gives a truncated solve.
  std::optional<int> max_iterations{};
  /// delta >= 0 in (H + delta I): regularises a Hessian that is only semidefinite or badly
  /// conditioned (then the result is the sensitivity of the damped problem).
  double damping = 0.0;
  /// M^{-1} ~ (H + delta I)^{-1}, symmetric positive definite; null means none.
  OperatorPtr preconditioner{};
};

/// A response-Jacobian product and the solve behind it.
struct ArgminSensitivityResult {
  Vector value;            ///< dx*/dtheta theta_dot (argmin_jvp), or (dx*/dtheta)^T x_bar (argmin_vjp)
  int iterations = 0;      ///< CG iterations
  bool converged = false;  ///< reason == Reason::converged
  /// The CG solve's reason: converged, max_iterations (a truncated solve: value is the product with
  /// the truncated inverse), indefinite (H + damping I is not positive definite: x* is no strict
  /// minimum; add damping), non_finite, stagnation.
  Reason reason = Reason::max_iterations;
  double residual_norm = 0.0;  ///< ||b - (H + delta I) y||_2 of the solve
  int operator_products = 0;   ///< Hessian-vector products (the solve's and the mixed product)
};

namespace detail {

/// y = (H + damping I)^{-1} b by CG, into a result whose value is y.
ArgminSensitivityResult argmin_solve(const char* what, const OperatorPtr& hessian, ConstVectorView b,
                                     const ArgminSensitivityOptions& options);

/// f as a function of z = (x, theta), for the mixed second derivatives.
template <class F> auto joint_function(const F& f, std::size_t n, std::size_t p) {
  return [&f, n, p](const auto& z) { return f(slice(z, 0, n), slice(z, n, p)); };
}

/// Checks the sizes common to both products.
void check_argmin_sizes(const char* what, std::size_t n, std::size_t p, std::size_t x_given, std::size_t theta_given);

}  // namespace detail

/// dx*/dtheta theta_dot = -(H + damping I)^{-1} (d2f/dx dtheta) theta_dot at a minimiser x_star of
/// f(., theta). f is a generic callable f(x, theta) returning a scalar (both arguments vectors, and
/// written so that either may be a tape or dual vector). Throws ShapeError if theta_dot does not
/// have theta's size, ArgumentError for bad options.
template <class F>
ArgminSensitivityResult argmin_jvp(const F& f, const Vector& x_star, const Vector& theta, ConstVectorView theta_dot,
                                   const ArgminSensitivityOptions& options = {}) {
  const std::size_t n = x_star.size(), p = theta.size();
  detail::check_argmin_sizes("argmin_jvp", n, p, n, theta_dot.size());
  // M theta_dot: the x block of the joint Hessian applied to (0, theta_dot).
  const Vector z = concat(x_star, theta);
  Vector direction(n + p, 0.0);
  std::copy(theta_dot.begin(), theta_dot.end(), direction.begin() + static_cast<std::ptrdiff_t>(n));
  const Vector joint = hvp(detail::joint_function(f, n, p), z, direction);
  Vector b(joint.begin(), joint.begin() + static_cast<std::ptrdiff_t>(n));
  scale(-1.0, b);
  ArgminSensitivityResult r = detail::argmin_solve(
      "argmin_jvp", hessian_operator([&f, theta](const auto& x) { return f(x, theta); }, x_star), b, options);
  ++r.operator_products;
  return r;
}

/// (dx*/dtheta)^T x_bar = -(d2f/dx dtheta)^T (H + damping I)^{-1} x_bar at a minimiser x_star of
/// f(., theta). Throws ShapeError if x_bar does not have x_star's size, ArgumentError for bad options.
template <class F>
ArgminSensitivityResult argmin_vjp(const F& f, const Vector& x_star, const Vector& theta, ConstVectorView x_bar,
                                   const ArgminSensitivityOptions& options = {}) {
  const std::size_t n = x_star.size(), p = theta.size();
  detail::check_argmin_sizes("argmin_vjp", n, p, x_bar.size(), p);
  ArgminSensitivityResult r = detail::argmin_solve(
      "argmin_vjp", hessian_operator([&f, theta](const auto& x) { return f(x, theta); }, x_star), x_bar, options);
  // M^T w: the theta block of the joint Hessian applied to (w, 0).
  const Vector z = concat(x_star, theta);
  Vector direction(n + p, 0.0);
  std::copy(r.value.begin(), r.value.end(), direction.begin());
  const Vector joint = hvp(detail::joint_function(f, n, p), z, direction);
  r.value.assign(joint.begin() + static_cast<std::ptrdiff_t>(n), joint.end());
  scale(-1.0, r.value);
  ++r.operator_products;
  return r;
}

}  // namespace frechet
