// The line searches on one-dimensional functions phi(alpha) whose answers are known.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "frechet/core/error.hpp"
#include "frechet/optim/line_search.hpp"

namespace frechet {
namespace {

/// phi(alpha) = (alpha - a)^2 - a^2: minimiser a, phi(0) = 0, phi'(0) = -2 a.
LineFunction quadratic(double a, int* calls = nullptr) {
  return [a, calls](double step, bool) {
    if (calls) ++*calls;
    return LinePoint{step, (step - a) * (step - a) - a * a, 2.0 * (step - a)};
  };
}

bool strong_wolfe_holds(const LinePoint& start, const LinePoint& p, const LineSearchOptions& o) {
  return p.value <= start.value + o.c1 * p.step * start.slope && std::abs(p.slope) <= -o.c2 * start.slope;
}

BOOST_AUTO_TEST_CASE(strong_wolfe_accepts_the_first_step_when_it_satisfies_both_conditions) {
  int calls = 0;
  const LineFunction phi = quadratic(1.0, &calls);
  const LinePoint start = phi(0.0, true);
  const LineSearchResult r = strong_wolfe_line_search(phi, start, 1.0);
  BOOST_TEST(r.converged);
  BOOST_TEST(r.point.step == 1.0);
  BOOST_TEST(r.evaluations == 1);  // phi(0) was the caller's
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(strong_wolfe_extrapolates_and_zooms_to_a_step_satisfying_the_conditions) {
  const LineSearchOptions options{.c2 = 0.1};
  for (double a : {1e-3, 0.3, 7.0, 1e4}) {
    const LineFunction phi = quadratic(a);
    const LinePoint start = phi(0.0, true);
    const LineSearchResult r = strong_wolfe_line_search(phi, start, 1.0, options);
    BOOST_TEST_CONTEXT("minimiser " << a) {
      BOOST_TEST(r.converged);
      BOOST_TEST(strong_wolfe_holds(start, r.point, options));
      // On a quadratic the cubic interpolant is exact: |alpha - a| <= c2 a.
      BOOST_TEST(std::abs(r.point.step - a) <= 0.1 * a);
    }
  }
}

BOOST_AUTO_TEST_CASE(strong_wolfe_on_a_nonconvex_phi_returns_a_point_satisfying_the_conditions) {
  // phi(alpha) = -alpha + alpha^4 / 4 + sin(5 alpha) / 2, with several local minima.
  const LineFunction phi = [](double a, bool) {
    return LinePoint{a, -a + 0.25 * a * a * a * a + 0.5 * std::sin(5.0 * a), -1.0 + a * a * a + 2.5 * std::cos(5.0 * a)};
  };
  const LinePoint start{0.0, 0.0, 1.5};  // phi'(0) = 1.5 > 0: not a descent direction
  BOOST_TEST(reason_name(strong_wolfe_line_search(phi, start, 1.0).reason) == "not_descent");
  const LineFunction shifted = [&](double a, bool s) {
    LinePoint p = phi(a + 0.4, s);
    const LinePoint p0 = phi(0.4, s);
    return LinePoint{a, p.value - p0.value, p.slope};
  };
  const LinePoint s0 = shifted(0.0, true);
  BOOST_REQUIRE(s0.slope < 0.0);
  for (double initial : {0.01, 0.5, 3.0}) {
    const LineSearchResult r = strong_wolfe_line_search(shifted, s0, initial);
    BOOST_TEST(r.converged);
    BOOST_TEST(strong_wolfe_holds(s0, r.point, LineSearchOptions{}));
  }
}

BOOST_AUTO_TEST_CASE(a_line_that_cannot_satisfy_wolfe_ends_with_line_search_failed_at_its_best_point) {
  // phi(alpha) = -alpha: sufficient decrease everywhere, |phi'| = 1 never below c2 |phi'(0)|.
  double longest = 0.0;
  const LineFunction phi = [&longest](double a, bool) {
    longest = std::max(longest, a);
    return LinePoint{a, -a, -1.0};
  };
  const LineSearchResult r = strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.max_evaluations = 10});
  BOOST_TEST(!r.converged);
  BOOST_TEST(reason_name(r.reason) == "line_search_failed");
  BOOST_TEST(r.evaluations == 10);
  BOOST_TEST(r.point.step == longest);  // the longest step tried, the lowest value
  BOOST_TEST(longest > 1e5);            // extrapolation grows the step by up to 5 times per trial
}

BOOST_AUTO_TEST_CASE(non_finite_trial_steps_are_backed_off_from) {
  // (alpha - 1)^2 - 1, NaN beyond alpha = 1.5: a first trial of 8 must come back below 1.5.
  const LineFunction phi = [](double a, bool) {
    if (a > 1.5) return LinePoint{a, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    return LinePoint{a, (a - 1.0) * (a - 1.0) - 1.0, 2.0 * (a - 1.0)};
  };
  const LinePoint start = phi(0.0, true);
  const LineSearchResult wolfe = strong_wolfe_line_search(phi, start, 8.0);
  BOOST_TEST(wolfe.converged);
  BOOST_TEST(wolfe.point.step <= 1.5);
  BOOST_TEST(strong_wolfe_holds(start, wolfe.point, LineSearchOptions{}));
  const LineSearchResult armijo = backtracking_line_search(phi, start, 8.0);
  BOOST_TEST(armijo.converged);
  BOOST_TEST(armijo.point.step == 1.0);  // 8, 4, 2, 1
  BOOST_TEST(armijo.evaluations == 4);

  const LineFunction nowhere = [](double a, bool) {
    return LinePoint{a, std::numeric_limits<double>::infinity(), 0.0};
  };
  BOOST_TEST(reason_name(strong_wolfe_line_search(nowhere, start, 1.0, {.max_evaluations = 5}).reason) == "non_finite");
  BOOST_TEST(reason_name(backtracking_line_search(nowhere, start, 1.0, {.max_evaluations = 5}).reason) == "non_finite");
}

BOOST_AUTO_TEST_CASE(backtracking_stops_at_the_first_step_with_sufficient_decrease) {
  int calls = 0;
  const LineFunction phi = quadratic(1.0, &calls);
  const LinePoint start = phi(0.0, true);
  // phi(alpha) <= -2 c1 alpha: alpha = 4 gives 8 (no), 2 gives 0 (no), 1 gives -1 (yes).
  const LineSearchResult r = backtracking_line_search(phi, start, 4.0);
  BOOST_TEST(r.converged);
  BOOST_TEST(r.point.step == 1.0);
  BOOST_TEST(r.evaluations == 3);
  const LineSearchResult fail = backtracking_line_search(phi, start, 1e6, {.max_evaluations = 3});
  BOOST_TEST(reason_name(fail.reason) == "line_search_failed");
  BOOST_TEST(fail.point.step == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_constants_and_steps_throw) {
  const LineFunction phi = quadratic(1.0);
  const LinePoint start = phi(0.0, true);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, start, 0.0), ArgumentError);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, start, -1.0), ArgumentError);
  BOOST_CHECK_THROW(backtracking_line_search(phi, start, 0.0), ArgumentError);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, start, 1.0, {.c1 = 0.5, .c2 = 0.4}), ArgumentError);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, start, 1.0, {.max_evaluations = 0}), ArgumentError);
  BOOST_CHECK_THROW(backtracking_line_search(phi, start, 1.0, {.shrink = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, std::nan(""), -1.0}, 1.0), NonFiniteError);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {1.0, 0.0, -1.0}, 1.0), ArgumentError);
}

}  // namespace
}  // namespace frechet
