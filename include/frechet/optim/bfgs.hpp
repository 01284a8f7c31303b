#pragma once
/// \file
/// Quasi-Newton methods: BFGS with a dense inverse-Hessian approximation, and limited-memory BFGS.
///
/// Reference: J. Nocedal and S. J. Wright, "Numerical Optimization", 2nd ed., Springer 2006:
/// Algorithm 6.1 (BFGS), Algorithm 7.4 and 7.5 (L-BFGS and its two-loop recursion, from
/// J. Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 35, 1980).

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/vector.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"

namespace frechet {

/// The BFGS update of an inverse-Hessian approximation H with s = x_{k+1} - x_k and
/// y = g_{k+1} - g_k:
///     H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T,    rho = 1 / (y^T s),
/// which keeps H symmetric positive definite exactly when y^T s > 0 (the curvature condition). The
/// update is skipped, and false returned, when y^T s <= eps ||s||_2 ||y||_2 (eps the machine
/// epsilon), so H stays positive definite whatever s and y are. Throws ShapeError for mismatched sizes.
bool bfgs_inverse_update(DenseMatrix& h, ConstVectorView s, ConstVectorView y);

/// Minimises f from x0 by BFGS: d_k = -H_k g_k, a strong Wolfe line search (first trial 1; at the
/// first iteration, where H_0 = I, min(1, 1 / ||g_0||_2)), then bfgs_inverse_update. Before the
/// first update H is rescaled to (y^T s / y^T y) I (Nocedal and Wright, eq. 6.20). When the line
/// search fails along -H g, H is reset to the identity and the search repeated once along -g; the
/// run ends with the line search's reason only if that fails too. Memory n^2 doubles.
/// Uses rtol, atol, max_iterations (default max(200, 20 n)), stopping_rule, line_search,
/// line_search_options, record_history, record_path and monitor. The line search may be
/// backtracking, but then y^T s > 0 is not guaranteed and updates may be skipped. Reasons and throws
/// as for gradient_descent.
OptimizeResult bfgs(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options = {});

/// Minimises f from x0 by L-BFGS with memory m = options.memory: d_k = -H_k g_k by the two-loop
/// recursion over the last m pairs (s, y) with y^T s > eps ||s|| ||y||, H_k^0 = (s^T y / y^T y) I
/// from the newest pair; first trial step 1 (min(1, 1 / ||g_0||_2) at the first iteration), reset
/// to steepest descent once when a line search fails, as bfgs. Memory 2 m n + O(n); nothing is
/// allocated per iteration (an Objective from differentiable_objective allocates nothing once its
/// tape has grown). Uses the options of bfgs and memory; default max_iterations max(200, 20 n).
OptimizeResult lbfgs(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options = {});

}  // namespace frechet
