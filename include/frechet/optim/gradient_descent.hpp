#pragma once
/// \file
/// Gradient descent, plain or preconditioned: x_{k+1} = x_k - alpha_k D^{-1} grad f(x_k).

#include "frechet/core/vector.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"

namespace frechet {

/// Minimises f from x0 along d_k = -D^{-1} g_k, with D^{-1} = options.preconditioner (symmetric
/// positive definite, n x n; the identity when null). The step alpha_k is options.step_size with
/// LineSearchKind::fixed, or found by the line search (strong Wolfe by default, or backtracking); the
/// first trial step is options.step_size, else min(1, 1 / ||d_0||_inf), and later ones
/// alpha_{k-1} (g_{k-1}^T d_{k-1}) / (g_k^T d_k) (Nocedal and Wright, eq. 3.60).
/// Uses rtol, atol, max_iterations (default 10000), stopping_rule, line_search,
/// line_search_options, step_size, preconditioner, record_history, record_path and monitor.
/// Ends with not_descent when g^T D^{-1} g <= 0 (a preconditioner that is not positive definite),
/// with the line search's reason when it fails, and with non_finite when f or grad f is NaN or
/// infinite at x0 or at the fixed step (the line searches back off from non-finite trial steps).
/// Throws ArgumentError for bad options or an objective without value_and_gradient, ShapeError for
/// an empty x0 or a preconditioner of the wrong shape, NonFiniteError for a non-finite x0.
OptimizeResult gradient_descent(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options = {});

}  // namespace frechet
