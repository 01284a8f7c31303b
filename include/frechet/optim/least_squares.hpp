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

/// Minimises 1/2 ||r(x)||_2^2 by Levenberg-Marquardt, p = -(J^T J + lambda D^2)^{-1} J^T r.
///   dense  Moré's trust-region form (J. J. Moré, "The Levenberg-Marquardt algorithm:
///          implementation and theory", Numerical Analysis, Lecture Notes in Math. 630, Springer
///          1978; MINPACK's lmder): D = diag(d) with d_c the largest norm of column c of J met so
///          far; lambda is the one for which ||D p(lambda)||_2 = Delta within 10 percent, found by
///          Moré's safeguarded Newton iteration on 1/||D p|| (Cholesky of J^T J + lambda D^2 per
///          trial lambda; lambda = 0 when the Gauss-Newton step fits); Delta from rho = actual /
///          predicted reduction as in MINPACK: the first Delta shrinks to ||D p_1||; Delta <- mu
///          min(Delta, 10 ||D p||) when rho < 1/4, with mu = 1/2, or when f increased the minimiser of
///          the quadratic through f, g^T p and the trial value, kept in [1/10, 1/2]; Delta <- 2 ||D p||
///          when rho > 3/4 or lambda = 0. Steps with rho > 1e-4 are accepted.
///   lsmr   matrix-free, with D = I (the column norms of J are not at hand): p by LSMR on the
///          Jacobian operator with damping sqrt(lambda), and lambda updated from rho by Nielsen's rule (H. B. Nielsen, "Damping parameter in Marquardt's
///          method", IMM-REP-1999-05, DTU): lambda <- lambda max(1/3, 1 - (2 rho - 1)^3) on
///          acceptance, lambda <- nu lambda, nu <- 2 nu on rejection, since Moré's secular equation
///          needs a factorisation; lambda starts at 1 / initial_radius.
/// Uses rtol, atol, max_iterations (default 500, accepted and rejected steps), stopping_rule,
/// least_squares_solve, initial_radius (dense: default 100 ||D x0||_2, or 100 if that is 0, Moré's;
/// lsmr: default 1e3), record_history, record_path and monitor. Ends with Reason::step_too_small when
/// Delta falls below eps ||D x||_2 (or lambda above 1/eps), and with non_finite when r or J
/// is not finite at x0 (a non-finite r at a trial point counts as a failed step).
OptimizeResult levenberg_marquardt(const LeastSquaresObjective& objective, ConstVectorView x0,
                                   const OptimizeOptions& options = {});

}  // namespace frechet
