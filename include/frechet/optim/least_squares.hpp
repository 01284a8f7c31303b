#pragma once
/// \file
/// Nonlinear least squares, min_x f(x) = 1/2 ||r(x)||_2^2 with r: R^n -> R^m: Gauss-Newton with a
/// line search, and Levenberg-Marquardt. Both solve their linear subproblem from the dense Jacobian
/// or matrix-free (options.least_squares_solve): the matrix-free form needs only products J v and
/// J^T u, by LSMR on LeastSquaresObjective::jacobian_operator, so J^T J is never formed.
/// The value reported is 1/2 ||r||_2^2 and the gradient J^T r (so a sum-of-squares test set that
/// states f* = ||r||_2^2 compares 2 value).

#include "frechet/core/vector.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"

namespace frechet {

/// Minimises 1/2 ||r(x)||_2^2 by Gauss-Newton: p_k = argmin_p ||J_k p + r_k||_2 (dense: Householder
/// QR of J, which needs m >= n and J of full column rank; lsmr: LSMR on the Jacobian operator to a
/// relative normal-equation residual 1e-10), then a line search along p_k from the step 1 (strong
/// Wolfe by default; each trial with slope costs a Jacobian, backtracking trials need only r).
/// Uses rtol, atol, max_iterations (default 200), stopping_rule, line_search, line_search_options,
/// least_squares_solve, record_history, record_path and monitor. Ends with Reason::breakdown when
/// the dense J is rank-deficient (Levenberg-Marquardt handles that), otherwise as gradient_descent.
/// Throws ShapeError when the dense step is asked for with m < n or r changes size.
OptimizeResult gauss_newton(const LeastSquaresObjective& objective, ConstVectorView x0,
                            const OptimizeOptions& options = {});

/// Minimises 1/2 ||r(x)||_2^2 by Levenberg-Marquardt, p = -(J^T J + lambda I)^{-1} J^T r.
///   dense  Moré's trust-region form (J. J. Moré, "The Levenberg-Marquardt algorithm:
///          implementation and theory", Numerical Analysis, Lecture Notes in Math. 630, Springer
///          1978): lambda is the one for which ||p(lambda)||_2 = Delta within 10 percent, found by
///          Moré's safeguarded Newton iteration on 1/||p|| (Cholesky of J^T J + lambda I per trial
///          lambda; lambda = 0 when the Gauss-Newton step fits); Delta from rho = actual / predicted
///          reduction: Delta <- mu min(Delta, 10 ||p||) with mu = 1/2 (1/10 if f increased) when
///          rho < 1/4, Delta <- 2 ||p|| when rho > 3/4 or lambda = 0. Steps with rho > 1e-4 are
///          accepted. The scaling matrix D of Moré's paper is the identity here.
///   lsmr   matrix-free: p by LSMR on the Jacobian operator with damping sqrt(lambda), and lambda
///          updated from rho by Nielsen's rule (H. B. Nielsen, "Damping parameter in Marquardt's
///          method", IMM-REP-1999-05, DTU): lambda <- lambda max(1/3, 1 - (2 rho - 1)^3) on
///          acceptance, lambda <- nu lambda, nu <- 2 nu on rejection, since Moré's secular equation
///          needs a factorisation; lambda starts at 1 / initial_radius.
/// Uses rtol, atol, max_iterations (default 500, accepted and rejected steps), stopping_rule,
/// least_squares_solve, initial_radius (dense: default 100 max(1, ||x0||_2), Moré's factor;
/// lsmr: default 1e3), record_history, record_path and monitor. Ends with Reason::step_too_small when
/// Delta falls below eps max(1, ||x||_2) (or lambda above 1/eps), and with non_finite when r or J
/// is not finite at x0 (a non-finite r at a trial point counts as a failed step).
OptimizeResult levenberg_marquardt(const LeastSquaresObjective& objective, ConstVectorView x0,
                                   const OptimizeOptions& options = {});

}  // namespace frechet
