#include "frechet/optim/line_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/error.hpp"

namespace frechet {
namespace {

void check_options(const char* method, const LinePoint& start, double initial_step, const LineSearchOptions& options,
                   bool curvature) {
  // Runs at every search: the name becomes a string only on the throwing path, so that a search
  // allocates nothing.
  const auto m = [method] { return std::string(method); };
  if (!(options.c1 > 0.0 && options.c1 < 1.0))
    throw ArgumentError(m() + ": c1 must lie in (0, 1), got " + std::to_string(options.c1));
  if (curvature && !(options.c2 > options.c1 && options.c2 < 1.0))
    throw ArgumentError(m() + ": c2 must lie in (c1, 1), got c1 = " + std::to_string(options.c1) +
                        ", c2 = " + std::to_string(options.c2));
  if (!curvature && !(options.shrink > 0.0 && options.shrink < 1.0))
    throw ArgumentError(m() + ": shrink must lie in (0, 1), got " + std::to_string(options.shrink));
  if (options.max_evaluations < 1)
    throw ArgumentError(m() + ": max_evaluations must be >= 1, got " + std::to_string(options.max_evaluations));
  if (!(initial_step > 0.0) || !std::isfinite(initial_step))
    throw ArgumentError(m() + ": the initial step must be finite and > 0, got " + std::to_string(initial_step));
  if (start.step != 0.0) throw ArgumentError(m() + ": the start point must have step 0, got " + std::to_string(start.step));
  if (!std::isfinite(start.value) || !std::isfinite(start.slope))
    throw NonFiniteError(m() + ": phi(0) and phi'(0) must be finite, got " + std::to_string(start.value) + " and " +
                         std::to_string(start.slope));
}

bool finite(const LinePoint& p, bool with_slope) {
  return std::isfinite(p.value) && (!with_slope || std::isfinite(p.slope));
}

/// The safeguarded trial step of J. J. Moré and D. J. Thuente, "Line search algorithms with
/// guaranteed sufficient decrease", ACM TOMS 20(3), 1994, Section 4 (MINPACK-2's dcstep). x is the
/// end with the lowest value so far, y the other end of the interval, p the trial just evaluated;
/// the interval is updated to contain p and the next trial is returned, within [lo, hi] until a
/// minimiser is bracketed. The four cases: p higher than x (cubic or mean of cubic and quadratic,
/// brackets); slopes of opposite signs (cubic or secant, brackets); slope decreasing in magnitude
/// (cubic extrapolation, kept within 2/3 of the way to y once bracketed); otherwise the cubic through
/// p and y, or the limit of extrapolation.
double more_thuente_step(LinePoint& x, LinePoint& y, const LinePoint& p, bool& bracketed, double lo, double hi) {
  constexpr double p66 = 0.66;
  const double sign = p.slope * (x.slope / std::abs(x.slope));
  double next = 0.0;
  // theta and gamma of the cubic through two points (their eq. 4.2, scaled against overflow).
  const auto cubic_terms = [](const LinePoint& a, const LinePoint& b, double& theta, double& gamma) {
    theta = 3.0 * (a.value - b.value) / (b.step - a.step) + a.slope + b.slope;
    const double s = std::max({std::abs(theta), std::abs(a.slope), std::abs(b.slope)});
    gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (a.slope / s) * (b.slope / s)));
  };
  double theta = 0.0;
  double gamma = 0.0;
  if (p.value > x.value) {
    cubic_terms(x, p, theta, gamma);
    if (p.step < x.step) gamma = -gamma;
    const double r = ((gamma - x.slope) + theta) / (((gamma - x.slope) + gamma) + p.slope);
    const double cubic = x.step + r * (p.step - x.step);
    const double quadratic =
        x.step + (x.slope / ((x.value - p.value) / (p.step - x.step) + x.slope)) / 2.0 * (p.step - x.step);
    next = std::abs(cubic - x.step) < std::abs(quadratic - x.step) ? cubic : cubic + (quadratic - cubic) / 2.0;
    bracketed = true;
  } else if (sign < 0.0) {
    cubic_terms(x, p, theta, gamma);
    if (p.step > x.step) gamma = -gamma;
    const double r = ((gamma - p.slope) + theta) / (((gamma - p.slope) + gamma) + x.slope);
    const double cubic = p.step + r * (x.step - p.step);
    const double secant = p.step + (p.slope / (p.slope - x.slope)) * (x.step - p.step);
    next = std::abs(cubic - p.step) > std::abs(secant - p.step) ? cubic : secant;
    bracketed = true;
  } else if (std::abs(p.slope) < std::abs(x.slope)) {
    cubic_terms(x, p, theta, gamma);
    if (p.step > x.step) gamma = -gamma;
    const double r = ((gamma - p.slope) + theta) / ((gamma + (x.slope - p.slope)) + gamma);
    // The cubic tends to infinity in the direction of the step, or its minimiser lies beyond p.
    const double cubic = (r < 0.0 && gamma != 0.0) ? p.step + r * (x.step - p.step) : (p.step > x.step ? hi : lo);
    const double secant = p.step + (p.slope / (p.slope - x.slope)) * (x.step - p.step);
    if (bracketed) {
      next = std::abs(cubic - p.step) < std::abs(secant - p.step) ? cubic : secant;
      next = p.step > x.step ? std::min(p.step + p66 * (y.step - p.step), next)
                             : std::max(p.step + p66 * (y.step - p.step), next);
    } else {
      next = std::abs(cubic - p.step) > std::abs(secant - p.step) ? cubic : secant;
      next = std::clamp(next, lo, hi);
    }
  } else if (bracketed) {
    cubic_terms(p, y, theta, gamma);
    if (p.step > y.step) gamma = -gamma;
    const double r = ((gamma - p.slope) + theta) / (((gamma - p.slope) + gamma) + y.slope);
    next = p.step + r * (y.step - p.step);
  } else {
    next = p.step > x.step ? hi : lo;
  }
  if (p.value > x.value) {
    y = p;
  } else {
    if (sign < 0.0) y = x;
    x = p;
  }
  return next;
}

}  // namespace

LineSearchResult strong_wolfe_line_search(const LineFunction& phi, const LinePoint& start, double initial_step,
                                          const LineSearchOptions& options) {
  check_options("strong_wolfe_line_search", start, initial_step, options, true);
  LineSearchResult result;
  result.point = start;
  result.point_has_slope = true;
  if (start.slope >= 0.0) {
    result.reason = Reason::not_descent;
    return result;
  }
  constexpr double extrapolate_min = 1.1;  // Moré and Thuente's bounds on an extrapolated step
  constexpr double extrapolate_max = 4.0;
  constexpr double infinity = std::numeric_limits<double>::infinity();
  constexpr double epsilon = std::numeric_limits<double>::epsilon();
  const double slope_test = options.c1 * start.slope;
  const auto sufficient = [&](const LinePoint& p) { return p.value <= start.value + p.step * slope_test; };
  // psi(alpha) = phi(alpha) - phi(0) - c1 alpha phi'(0), the function Moré and Thuente search while no
  // step has shown sufficient decrease and phi' >= 0 (their "stage 1"); phi afterwards.
  const auto to_psi = [&](LinePoint p) {
    p.value -= p.step * slope_test;
    p.slope -= slope_test;
    return p;
  };
  const auto from_psi = [&](LinePoint p) {
    p.value += p.step * slope_test;
    p.slope += slope_test;
    return p;
  };
  const auto finish = [&](const LinePoint& p, Reason reason) {
    result.point = p;
    result.reason = reason;
    result.converged = reason == Reason::converged;
    return result;
  };

  // x: the best step so far; y: the other end of the interval (a bracket once `bracketed`).
  LinePoint x = start;
  LinePoint y = start;
  bool bracketed = false;
  bool stage1 = true;
  bool any_finite = false;
  double lo = 0.0;
  double hi = initial_step * (1.0 + extrapolate_max);
  double width = infinity;
  double previous_width = infinity;
  double too_long = infinity;  // the shortest step known to give a non-finite phi or phi'
  double alpha = initial_step;
  while (result.evaluations < options.max_evaluations) {
    const LinePoint p = phi(alpha, true);
    ++result.evaluations;
    if (!finite(p, true)) {
      // Too long: back off halfway towards the best finite point, and never come back this far.
      too_long = std::min(too_long, alpha);
      alpha = x.step + 0.5 * (alpha - x.step);
      if (std::abs(alpha - x.step) <= epsilon * alpha) break;
      continue;
    }
    any_finite = true;
    if (sufficient(p) && std::abs(p.slope) <= -options.c2 * start.slope) return finish(p, Reason::converged);
    if (stage1 && sufficient(p) && p.slope >= 0.0) stage1 = false;
    if (stage1 && p.value <= x.value && !sufficient(p)) {
      LinePoint xm = to_psi(x);
      LinePoint ym = to_psi(y);
      alpha = more_thuente_step(xm, ym, to_psi(p), bracketed, lo, hi);
      x = from_psi(xm);
      y = from_psi(ym);
    } else {
      alpha = more_thuente_step(x, y, p, bracketed, lo, hi);
    }
    if (bracketed) {
      // Bisect when two trials have not shrunk the bracket by a third, or when the interpolation
      // overflowed or rounded onto an end (where Moré and Thuente stop with a warning).
      const double mid = x.step + 0.5 * (y.step - x.step);
      if (std::abs(y.step - x.step) >= 0.66 * previous_width) alpha = mid;
      previous_width = width;
      width = std::abs(y.step - x.step);
      lo = std::min(x.step, y.step);
      hi = std::max(x.step, y.step);
      if (hi - lo <= 4.0 * epsilon * hi) break;  // the bracket has shrunk to rounding
      if (!(alpha > lo && alpha < hi)) alpha = mid;
    } else {
      if (!std::isfinite(alpha)) alpha = hi;
      lo = alpha + extrapolate_min * (alpha - x.step);
      hi = alpha + extrapolate_max * (alpha - x.step);
    }
    if (alpha >= too_long && x.step < too_long) alpha = x.step + 0.5 * (too_long - x.step);
    if (!(alpha > 0.0)) break;
  }
  if (!any_finite) return finish(start, Reason::non_finite);
  return finish(x.step > 0.0 && sufficient(x) ? x : start, Reason::line_search_failed);
}

LineSearchResult backtracking_line_search(const LineFunction& phi, const LinePoint& start, double initial_step,
                                          const LineSearchOptions& options) {
  check_options("backtracking_line_search", start, initial_step, options, false);
  LineSearchResult result;
  result.point = start;
  result.point_has_slope = true;
  if (start.slope >= 0.0) {
    result.reason = Reason::not_descent;
    return result;
  }
  bool any_finite = false;
  double alpha = initial_step;
  while (result.evaluations < options.max_evaluations) {
    const LinePoint p = phi(alpha, false);
    ++result.evaluations;
    if (std::isfinite(p.value)) {
      any_finite = true;
      if (p.value <= start.value + options.c1 * alpha * start.slope) {
        result.point = p;
        result.point_has_slope = false;
        result.converged = true;
        result.reason = Reason::converged;
        return result;
      }
    }
    alpha *= options.shrink;
  }
  result.reason = any_finite ? Reason::line_search_failed : Reason::non_finite;
  return result;
}

}  // namespace frechet
