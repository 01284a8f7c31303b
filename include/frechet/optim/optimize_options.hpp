#pragma once
/// \file
/// The options and the result of every batch optimiser (gradient_descent, bfgs, lbfgs, newton,
/// newton_cg, gauss_newton, levenberg_marquardt): one struct each, so that `{.atol = 1e-8,
/// .max_iterations = 500}` reads the same for all of them. Each method's header says which fields
/// it uses; a field it does not use must keep its default, or the method throws ArgumentError.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "frechet/core/vector.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/optim/line_search.hpp"

namespace frechet {

/// What "converged" tests, at iteration k (g_k = grad f(x_k)):
///   gradient_norm:  ||g_k||_2 <= max(rtol ||g_0||_2, atol)
///   step_norm:      ||x_k - x_{k-1}||_2 <= max(rtol ||x_{k-1}||_2, atol)
///   value_change:   |f_{k-1} - f_k| <= max(rtol |f_{k-1}|, atol)
///   distance_to_solution:  ||x_k - x*||_2 <= max(rtol ||x*||_2, atol), x* = OptimizeOptions::solution
/// step_norm and value_change are the rules some textbooks count iterations with; they hold on a
/// stalled iteration as well as on a converged one, so the gradient norm is the default.
/// distance_to_solution is for studying a method on a problem whose minimiser is known (iterations
/// to a given accuracy, as convergence-rate bounds count them), not for solving one. Every rule
/// also holds at a zero gradient.
enum class StoppingRule { gradient_norm, step_norm, value_change, distance_to_solution };

/// How a line-search method chooses the step along its direction d.
enum class LineSearchKind {
  strong_wolfe,  ///< strong_wolfe_line_search (line_search.hpp): needed by BFGS and L-BFGS
  backtracking,  ///< backtracking_line_search: Armijo's sufficient decrease only
  fixed,         ///< the step is `step_size`, always (gradient descent only)
};

/// How newton() solves H p = -g.
enum class NewtonSolve {
  cholesky,         ///< dense Cholesky of the Hessian (Objective::hessian); an indefinite H ends the run
  sparse_cholesky,  ///< CHOLMOD on the sparse Hessian (Objective::sparse_hessian); the same, analysed once
  cg,               ///< CG on the Hessian operator (Objective::hessian_vector), inexact (forcing term below)
};

/// How gauss_newton() and levenberg_marquardt() solve their linear least-squares subproblem.
enum class LeastSquaresSolve {
  dense,  ///< from the dense Jacobian (LeastSquaresObjective::jacobian): QR, or Cholesky when damped
  lsmr,   ///< LSMR on the Jacobian operator (LeastSquaresObjective::jacobian_operator), damped for LM
};

/// One accepted iterate, as the monitor sees it: the iteration count so far (0 for the starting
/// point; trust-region methods count their rejected steps too), f and ||grad f||_2 at the new x, and
/// the length ||x_k - x_{k-1}||_2 of the step that led there (0 at the start).
struct IterationReport {
  int iteration = 0;
  double value = 0.0;
  double gradient_norm = 0.0;
  double step_norm = 0.0;
};

/// Called at the starting point and at every accepted iterate.
using OptimizeMonitor = std::function<void(const IterationReport&)>;

/// Options of the batch optimisers.
struct OptimizeOptions {
  /// Relative tolerance (finite, >= 0) of the stopping rule; its scale depends on the rule.
  double rtol = 0.0;
  /// Absolute tolerance (finite, >= 0). At least one of rtol and atol must be > 0.
  double atol = 1e-6;
  /// Iteration limit. Unset means the method's default (stated in its header); 0 evaluates f and
  /// grad f at x0 and returns (converged if x0 satisfies the rule); negative throws ArgumentError.
  std::optional<int> max_iterations{};
  StoppingRule stopping_rule = StoppingRule::gradient_norm;
  /// The known minimiser x* (n finite entries) of StoppingRule::distance_to_solution, which needs it;
  /// the other rules refuse it.
  std::optional<Vector> solution{};
  /// The line search of gradient_descent, bfgs, lbfgs, newton and gauss_newton.
  LineSearchKind line_search = LineSearchKind::strong_wolfe;
  /// The constants and the evaluation limit of the line search.
  LineSearchOptions line_search_options{};
  /// gradient_descent only: the fixed step (> 0) with LineSearchKind::fixed, or the first trial step
  /// of the first line search (> 0) otherwise.
  std::optional<double> step_size{};
  /// gradient_descent only: D^{-1}, applied to the gradient (d = -D^{-1} g); symmetric positive
  /// definite, n x n. Null means the identity.
  OperatorPtr preconditioner{};
  /// lbfgs only: the number m >= 1 of (s, y) pairs kept; memory 2 m n.
  int memory = 10;
  /// newton only.
  NewtonSolve newton_solve = NewtonSolve::cholesky;
  /// gauss_newton and levenberg_marquardt only.
  LeastSquaresSolve least_squares_solve = LeastSquaresSolve::dense;
  /// newton_cg and levenberg_marquardt only: the first trust radius (> 0); unset means
  /// max(1, ||x0||_2) for newton_cg and 100 ||D x0||_2 (100 if that is 0; D Moré's scaling) for the
  /// dense levenberg_marquardt. The matrix-free levenberg_marquardt starts from the damping 1 / initial_radius
  /// (unset: 1e-3).
  std::optional<double> initial_radius{};
  /// Record value_history, gradient_norm_history and step_history.
  bool record_history = false;
  /// Record every iterate x_0, x_1, ... in path (n doubles per iteration).
  bool record_path = false;
  OptimizeMonitor monitor{};
};

/// The result of every batch optimiser.
struct OptimizeResult {
  Vector x;                     ///< the last accepted iterate (the last finite one when reason is non_finite)
  double value = 0.0;           ///< f(x); for least squares 1/2 ||r(x)||_2^2
  Vector gradient;              ///< grad f(x)
  double gradient_norm = 0.0;   ///< ||grad f(x)||_2
  int iterations = 0;           ///< accepted and rejected iterations (trust-region methods count both)
  bool converged = false;       ///< reason == Reason::converged
  Reason reason = Reason::max_iterations;
  /// What happened, in one sentence, with the iteration where the run failed ("non_finite: the
  /// objective returned NaN at iteration 3, step 0.5"). Empty when converged.
  std::string message;
  int function_evaluations = 0;  ///< evaluations of f (with or without its gradient; residual evaluations)
  int gradient_evaluations = 0;  ///< evaluations of grad f (of the dense Jacobian for least squares)
  int hessian_evaluations = 0;   ///< Hessians formed, dense or sparse (newton with Cholesky)
  int hessian_vector_products = 0;  ///< products H v (newton with CG, newton_cg)
  int operator_products = 0;     ///< products with J and J^T (matrix-free Gauss-Newton and LM)
  /// newton only: lambda(x)^2 = g^T H^{-1} g at the last Newton step, which bounds f(x) - f* for
  /// self-concordant f (Boyd and Vandenberghe, "Convex Optimization", 9.5.1).
  std::optional<double> newton_decrement_squared;
  /// With record_history: one entry per accepted iterate, as the monitor sees them (entry 0 the
  /// starting point, with step 0): f, ||grad f||_2 and the step length. For the line-search methods
  /// entry k belongs to iteration k.
  std::vector<double> value_history;
  std::vector<double> gradient_norm_history;
  std::vector<double> step_history;
  /// With record_path: x_0, x_1, ..., the accepted iterates.
  std::vector<Vector> path;
};

}  // namespace frechet
