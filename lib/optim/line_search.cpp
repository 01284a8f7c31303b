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

/// The minimiser of the cubic that interpolates phi and phi' at a and b (Nocedal and Wright, eq. 3.59),
/// kept at least a tenth of |b - a| inside the interval; the midpoint where the cubic has none.
double cubic_step(const LinePoint& a, const LinePoint& b) {
  const double lo = std::min(a.step, b.step);
  const double hi = std::max(a.step, b.step);
  const double margin = 0.1 * (hi - lo);
  const double mid = 0.5 * (lo + hi);
  if (!std::isfinite(b.value) || !std::isfinite(b.slope)) return mid;
  const double d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
  const double discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0.0)) return mid;
  const double d2 = std::copysign(std::sqrt(discriminant), b.step - a.step);
  const double t = b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
  if (!std::isfinite(t)) return mid;
  return std::clamp(t, lo + margin, hi - margin);
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
  const double f0 = start.value;
  const double g0 = start.slope;
  const auto sufficient = [&](const LinePoint& p) { return p.value <= f0 + options.c1 * p.step * g0; };
  const auto curved = [&](const LinePoint& p) { return std::abs(p.slope) <= -options.c2 * g0; };
  bool any_finite = false;
  const auto finish = [&](const LinePoint& p, Reason reason) {
    result.point = p;
    result.reason = reason;
    result.converged = reason == Reason::converged;
    return result;
  };

  // Zoom (Algorithm 3.6): lo satisfies sufficient decrease and has the lowest value found; the
  // bracket between lo and hi contains steps satisfying the strong Wolfe conditions.
  const auto zoom = [&](LinePoint lo, LinePoint hi) {
    while (result.evaluations < options.max_evaluations) {
      const double width = std::abs(hi.step - lo.step);
      if (width <= 4.0 * std::numeric_limits<double>::epsilon() * std::max(lo.step, hi.step)) break;
      const double alpha = cubic_step(lo, hi);
      const LinePoint p = phi(alpha, true);
      ++result.evaluations;
      if (!finite(p, true)) {
        hi = LinePoint{alpha, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()};
        continue;
      }
      any_finite = true;
      if (!sufficient(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curved(p)) return finish(p, Reason::converged);
        if (p.slope * (hi.step - lo.step) >= 0.0) hi = lo;
        lo = p;
      }
    }
    return finish(lo, Reason::line_search_failed);
  };

  LinePoint previous = start;
  double alpha = initial_step;
  double non_finite_step = std::numeric_limits<double>::infinity();  // the shortest step known to overflow
  while (result.evaluations < options.max_evaluations) {
    const LinePoint p = phi(alpha, true);
    ++result.evaluations;
    if (!finite(p, true)) {
      // Too long: back off halfway towards the last finite point.
      non_finite_step = alpha;
      alpha = previous.step + 0.5 * (alpha - previous.step);
      if (alpha - previous.step <= std::numeric_limits<double>::epsilon() * alpha) break;
      continue;
    }
    any_finite = true;
    if (!sufficient(p) || (previous.step > 0.0 && p.value >= previous.value)) return zoom(previous, p);
    if (curved(p)) return finish(p, Reason::converged);
    if (p.slope >= 0.0) return zoom(p, previous);
    previous = p;
    alpha = std::min(2.0 * alpha, previous.step + 0.5 * (non_finite_step - previous.step));
  }
  if (!any_finite) return finish(start, Reason::non_finite);
  return finish(previous, Reason::line_search_failed);
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
