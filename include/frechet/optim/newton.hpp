#pragma once
/// \file
/// Newton's method with a line search, and the truncated Newton method in a trust region
/// (Newton-CG with Steihaug's conjugate gradients).

#include "frechet/core/vector.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"

namespace frechet {

/// Minimises f from x0 by Newton steps: H_k p_k = -g_k, then a line search along p_k from the
/// step 1 (strong Wolfe by default). The solve is options.newton_solve:
///   cholesky         the dense Hessian (Objective::hessian) factored by CholeskyFactorization. An
///                    indefinite or singular Hessian ends the run with Reason::indefinite, x the last
///                    iterate: no modified Hessian is substituted silently (use newton_cg, which
///                    handles negative curvature, or bfgs).
///   sparse_cholesky  the sparse Hessian (Objective::sparse_hessian; differentiable_objective(f,
///                    pattern) fills it by colouring) factored by CHOLMOD (SparseCholeskyFactorization):
///                    the ordering and symbolic analysis once, at the first Hessian (again only if the
///                    pattern changes), the numeric factorization at every iteration. An indefinite
///                    Hessian ends the run as for cholesky.
///   cg               CG on the Hessian operator (Objective::hessian_vector), to the relative residual
///                    eta_k = min(0.5, sqrt(||g_k||_2)) (inexact Newton, superlinear convergence:
///                    Nocedal and Wright, Theorem 7.2); CG's Reason::indefinite ends the run the same way.
/// Reports the Newton decrement lambda^2 = -g^T p = g^T H^{-1} g of the last step in
/// newton_decrement_squared. Uses rtol, atol, max_iterations (default 200), stopping_rule,
/// line_search, line_search_options, newton_solve, record_history, record_path and monitor.
/// A non-finite Hessian ends the run with Reason::non_finite. Throws ArgumentError when the
/// objective lacks the field its solve needs, ShapeError for a Hessian that is not n x n, and the
/// ArgumentError of SparseCholeskyFactorization for a sparse Hessian that is not symmetric.
OptimizeResult newton(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options = {});

/// Minimises f from x0 by the trust-region Newton-CG method: at each iterate the model
/// m(p) = f + g^T p + 1/2 p^T H p is minimised approximately over ||p||_2 <= Delta by Steihaug's CG
/// (T. Steihaug, "The conjugate gradient method and trust regions in large scale optimization",
/// SIAM J. Numer. Anal. 20(3), 1983; Nocedal and Wright, Algorithm 7.2), which stops at the boundary
/// along a direction of negative curvature d^T H d <= 0 instead of failing, and at the relative
/// residual min(0.5, sqrt(||g||_2)). The step is accepted when rho = (f(x) - f(x + p)) / (m(0) - m(p))
/// > 0.1; Delta is quartered when rho < 1/4 and doubled when rho > 3/4 with the step on the boundary
/// (Nocedal and Wright, Algorithm 4.1). Products with H come from Objective::hessian_vector; one
/// product per CG iteration, none more for the model value (m(p) is read from CG's residual); one
/// evaluation of f and grad f per trial step.
/// Uses rtol, atol, max_iterations (default 500, accepted and rejected steps), stopping_rule,
/// initial_radius (default max(1, ||x0||_2)), record_history, record_path and monitor. Ends with
/// Reason::step_too_small when Delta falls below eps max(1, ||x||_2), and with non_finite when f
/// or grad f is non-finite at x0 (a non-finite f at a trial point only shrinks Delta).
OptimizeResult newton_cg(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options = {});

}  // namespace frechet
