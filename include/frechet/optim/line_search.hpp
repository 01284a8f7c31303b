#pragma once
/// \file
/// Line searches on phi(alpha) = f(x + alpha d) for a descent direction d (phi'(0) = g^T d < 0).
///
/// strong_wolfe_line_search finds alpha > 0 with
///     phi(alpha) <= phi(0) + c1 alpha phi'(0)       (sufficient decrease, Armijo)
///     |phi'(alpha)| <= c2 |phi'(0)|                  (strong curvature condition)
/// by the algorithm of J. J. Moré and D. J. Thuente, "Line search algorithms with guaranteed
/// sufficient decrease", ACM TOMS 20(3), 1994 (MINPACK-2's dcsrch, which SciPy's L-BFGS-B calls):
/// until a minimiser is bracketed the step is extrapolated by the cubic interpolating phi and phi' at
/// the last two steps, kept between 1.1 and 4 times the last increase; once bracketed, each trial is
/// the safeguarded cubic, quadratic or secant step of their Section 4, with bisection when two trials
/// have not shrunk the bracket by a third. While no step has shown sufficient decrease with
/// phi' >= 0, the search runs on psi(alpha) = phi(alpha) - phi(0) - c1 alpha phi'(0). phi and phi'
/// are evaluated together, once per trial; the accepted step is the last trial. With c2 < 1 an
/// accepted step gives y^T s > 0, which BFGS needs.
///
/// backtracking_line_search tries alpha, rho alpha, rho^2 alpha, ... until sufficient decrease holds
/// (Nocedal and Wright, Algorithm 3.1), using values of f only.
///
/// Non-finite values: a trial step where phi or phi' is NaN or infinite is treated as too long; the
/// search backs off towards the last finite point (bisection) and carries on, so an objective that
/// overflows far from x does not end the run. Only when every trial is non-finite does the search
/// return Reason::non_finite.

#include <functional>

#include "frechet/krylov/solve_result.hpp"

namespace frechet {

/// Constants of the line searches.
struct LineSearchOptions {
  double c1 = 1e-4;  ///< sufficient-decrease constant, 0 < c1 < 1 (and c1 < c2)
  double c2 = 0.9;   ///< curvature constant of strong_wolfe_line_search, c1 < c2 < 1
  int max_evaluations = 40;  ///< trial steps per search (>= 1)
  double shrink = 0.5;       ///< backtracking_line_search: the factor rho in (0, 1)
};

/// phi and phi' at a step: phi(alpha) = f(x + alpha d), phi'(alpha) = grad f(x + alpha d)^T d.
struct LinePoint {
  double step = 0.0;
  double value = 0.0;
  double slope = 0.0;  ///< phi'(step); not evaluated (left NaN) by a value-only call
};

/// Evaluates phi at `step`, with phi' when `with_slope` (a value-only call may skip the gradient).
using LineFunction = std::function<LinePoint(double step, bool with_slope)>;

/// What a line search returns: the accepted step, or on failure the best point it found (the
/// lowest value satisfying sufficient decrease, else step 0).
struct LineSearchResult {
  LinePoint point;
  bool converged = false;  ///< reason == Reason::converged: the conditions hold at point
  /// converged; line_search_failed (no step satisfied the conditions within max_evaluations, or the
  /// bracket shrank below rounding); not_descent (phi'(0) >= 0); non_finite (no finite trial).
  Reason reason = Reason::line_search_failed;
  int evaluations = 0;        ///< calls of phi
  bool point_has_slope = false;  ///< whether point.slope was evaluated
};

/// The strong Wolfe line search (see the file comment). `start` is phi and phi' at 0; the first trial
/// is `initial_step` (> 0, finite). Throws ArgumentError for bad constants or steps.
LineSearchResult strong_wolfe_line_search(const LineFunction& phi, const LinePoint& start, double initial_step,
                                          const LineSearchOptions& options = {});

/// Armijo backtracking (see the file comment): phi is called with with_slope = false. Throws
/// ArgumentError for bad constants or steps.
LineSearchResult backtracking_line_search(const LineFunction& phi, const LinePoint& start, double initial_step,
                                          const LineSearchOptions& options = {});

}  // namespace frechet
