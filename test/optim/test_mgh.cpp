// Every optimiser on the Moré-Garbow-Hillstrom problems (mgh_problems.hpp), from the standard
// starting points: a run that says converged must have reached the published f* or one of the
// other minima the paper reports, to |f - f*| <= 1e-4 f* + 1e-9 (the paper gives six digits); a run
// that does not converge must end with a reason listed below as expected for that method and
// problem, and a listed failure that starts converging fails the test too, so the list stays true.
// FRECHET_MGH_TABLE=1 prints the whole table.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/newton.hpp"
#include "mgh_problems.hpp"

namespace frechet {
namespace {

struct Method {
  std::string name;
  std::function<OptimizeResult(const mgh::Problem&)> run;
  double value_scale;  // the method's value times this is sum f_i^2
};

std::vector<Method> methods() {
  const auto smooth = [](auto minimise, OptimizeOptions options = {}) {
    return [minimise, options](const mgh::Problem& p) {
      return minimise(differentiable_objective(mgh::objective_function(p)), p.x0, options);
    };
  };
  const auto least_squares = [](auto minimise, OptimizeOptions options = {}) {
    return [minimise, options](const mgh::Problem& p) {
      return minimise(differentiable_least_squares(mgh::residual_function(p)), p.x0, options);
    };
  };
  using Smooth = OptimizeResult (*)(const Objective&, ConstVectorView, const OptimizeOptions&);
  using Squares = OptimizeResult (*)(const LeastSquaresObjective&, ConstVectorView, const OptimizeOptions&);
  return {
      {"gradient_descent", smooth(static_cast<Smooth>(gradient_descent), {.max_iterations = 20000}), 1.0},
      {"bfgs", smooth(static_cast<Smooth>(bfgs)), 1.0},
      {"lbfgs", smooth(static_cast<Smooth>(lbfgs)), 1.0},
      {"newton_cholesky", smooth(static_cast<Smooth>(newton)), 1.0},
      {"newton_cg_solve", smooth(static_cast<Smooth>(newton), {.newton_solve = NewtonSolve::cg}), 1.0},
      {"newton_cg", smooth(static_cast<Smooth>(newton_cg)), 1.0},
      {"gauss_newton", least_squares(static_cast<Squares>(gauss_newton)), 2.0},
      {"gauss_newton_lsmr",
       least_squares(static_cast<Squares>(gauss_newton), {.least_squares_solve = LeastSquaresSolve::lsmr}), 2.0},
      {"levenberg_marquardt", least_squares(static_cast<Squares>(levenberg_marquardt)), 2.0},
      {"levenberg_marquardt_lsmr",
       least_squares(static_cast<Squares>(levenberg_marquardt), {.least_squares_solve = LeastSquaresSolve::lsmr}),
       2.0},
  };
}

/// |f - f*| <= 1e-4 f* + atol, atol 1e-9 but for Powell's badly scaled function, whose gradient
/// carries the factor 1e4 of its first residual: there ||grad f|| <= 1e-6 holds with f near 1e-7.
bool near(int problem, double f, double target) {
  const double atol = problem == 3 ? 1e-6 : 1e-9;
  return std::abs(f - target) <= 1e-4 * target + atol;
}

/// Minima that the runs find besides those the paper reports: gradient descent reaches a local
/// minimum of Broyden's banded function (n = 10) with f = 3.05728; the test checks that the
/// Hessian is positive definite there.
const std::map<int, double> other_local_minima = {{31, 3.05728}};

/// The failures expected of each method: problem number -> the reason it ends with.
const std::map<std::string, std::map<int, Reason>>& expected_failures() {
  static const std::map<std::string, std::map<int, Reason>> table = {
      // Slow linear convergence on ill-conditioned problems within 20000 iterations, or a line search
      // that cannot improve f at the level of rounding (Freudenstein-Roth's local minimum 48.9842,
      // Jennrich-Sampson and Brown-Dennis at f*, where ||g|| = 1e-6 is below f's accuracy).
      {"gradient_descent",
       {{2, Reason::line_search_failed}, {3, Reason::max_iterations}, {4, Reason::max_iterations},
        {6, Reason::line_search_failed}, {10, Reason::max_iterations}, {11, Reason::max_iterations},
        {13, Reason::max_iterations}, {16, Reason::line_search_failed},
        {17, Reason::max_iterations}, {18, Reason::max_iterations}, {19, Reason::max_iterations},
        {20, Reason::max_iterations}, {22, Reason::max_iterations},
        {24, Reason::max_iterations}, {27, Reason::max_iterations}}},
      // Meyer's function (f* = 87.9458 with parameters of size 1e4): the default 200 iterations are
      // not enough from the standard start. Jennrich-Sampson: at f* to six digits with ||g|| ~ 1e-5,
      // the line search cannot improve f at the level of its rounding.
      {"bfgs", {{6, Reason::line_search_failed}, {10, Reason::max_iterations}}},
      {"lbfgs", {{10, Reason::max_iterations}}},
      // The Cholesky step refuses an indefinite Hessian instead of modifying it.
      {"newton_cholesky",
       {{3, Reason::indefinite}, {4, Reason::indefinite}, {5, Reason::indefinite}, {7, Reason::indefinite},
        {8, Reason::indefinite}, {10, Reason::indefinite}, {11, Reason::indefinite}, {12, Reason::indefinite},
        {14, Reason::indefinite}, {15, Reason::indefinite}, {17, Reason::indefinite}, {18, Reason::indefinite},
        {19, Reason::indefinite}, {26, Reason::indefinite}, {33, Reason::indefinite}, {34, Reason::indefinite},
        {35, Reason::indefinite}}},
      // CG on the Hessian meets its negative curvature.
      {"newton_cg_solve",
       {{1, Reason::indefinite}, {7, Reason::indefinite}, {10, Reason::max_iterations}, {11, Reason::indefinite},
        {12, Reason::indefinite}, {14, Reason::indefinite}, {15, Reason::indefinite}, {18, Reason::indefinite},
        {19, Reason::indefinite}, {21, Reason::indefinite}, {26, Reason::indefinite}, {35, Reason::indefinite}}},
      {"newton_cg", {{10, Reason::max_iterations}}},
      // Gauss-Newton without a trust region: rank-deficient or nearly singular Jacobians (Beale's at
      // x0, the rank-1 linear problems, Biggs' on its way; the QR's relative rank test reports them as
      // breakdown), large residuals (Brown-Dennis, Penalty II, Jennrich-Sampson) and Meyer's scaling.
      // Gulf: the first Gauss-Newton step has length 1646 (J nearly rank-deficient at x0) and f has two
      // dips along it; Moré-Thuente's strong Wolfe point lies in the second, deeper one (step length
      // 68), in the basin of x_1 -> 0 where the Gauss-Newton steps stay short (||g|| grows to 1e4)
      // for the 200 iterations (doubling and zoom stopped in the first dip, and converged).
      {"gauss_newton",
       {{2, Reason::line_search_failed}, {5, Reason::breakdown}, {6, Reason::line_search_failed},
        {10, Reason::line_search_failed}, {11, Reason::max_iterations}, {16, Reason::max_iterations},
        {18, Reason::breakdown},
        {24, Reason::max_iterations}, {33, Reason::breakdown}, {34, Reason::breakdown},
        // Chebyquad stalls where J is nearly rank-deficient (f = 0.0297, not a minimum): the QR's
        // relative rank test calls it breakdown since the tape's compensated merge of repeated terms
        // (the last bits of J moved; it had ended with line_search_failed at the same point).
        {35, Reason::breakdown}}},
      {"gauss_newton_lsmr",
       {{2, Reason::line_search_failed}, {6, Reason::line_search_failed}, {10, Reason::line_search_failed},
        {11, Reason::max_iterations}, {16, Reason::max_iterations}, {18, Reason::max_iterations},
        {24, Reason::max_iterations},
        {35, Reason::line_search_failed}}},
      // At f* (Freudenstein-Roth: at its local minimum 48.9842) to six digits, but f ~ 1e1-1e5 there,
      // so ||grad f|| <= 1e-6 asks for a decrease of f below its rounding: with Moré's scaling D the
      // radius shrinks to eps ||D x|| at ||grad f|| ~ 1e-6-1e-3 (without it, 2 and 6 had met the
      // test by the luck of their paths; since the tape's compensated merge, whose gradients differ
      // in their last bits, 2 meets it again, at its local minimum).
      {"levenberg_marquardt",
       {{6, Reason::step_too_small}, {10, Reason::step_too_small}, {16, Reason::step_too_small}}},
      // Penalty I by gradient descent and Jennrich-Sampson by LSMR-LM end within the last digits of
      // their tests: a change in the summation order of a dot product (the fixed-block reductions) made
      // both converge, where they had ended at the iteration limit and with a step too small.
      {"levenberg_marquardt_lsmr", {{10, Reason::step_too_small}, {16, Reason::step_too_small}}},
  };
  return table;
}

BOOST_AUTO_TEST_CASE(mgh_every_method_reaches_a_published_minimum_or_reports_why) {
  const bool print = std::getenv("FRECHET_MGH_TABLE") != nullptr;
  const auto& expected = expected_failures();
  for (const Method& method : methods()) {
    const auto listed = expected.find(method.name);
    for (const mgh::Problem& problem : mgh::problems()) {
      if (method.name.rfind("gauss_newton", 0) == 0 && problem.m < problem.n) continue;
      const OptimizeResult result = method.run(problem);
      const double f = method.value_scale * result.value;
      bool at_minimum = near(problem.number, f, problem.f_star);
      for (double local : problem.local_minima) at_minimum = at_minimum || near(problem.number, f, local);
      const auto other = other_local_minima.find(problem.number);
      if (!at_minimum && result.converged && other != other_local_minima.end() &&
          near(problem.number, f, other->second)) {
        // Positive definite Hessian: a local minimum indeed, not a saddle point.
        BOOST_CHECK_NO_THROW(CholeskyFactorization(hessian(mgh::objective_function(problem), result.x)));
        at_minimum = true;
      }
      if (print)
        std::cout << method.name << " " << problem.number << " " << problem.name << " " << reason_name(result.reason)
                  << " f=" << f << " f*=" << problem.f_star << " |g|=" << result.gradient_norm
                  << " it=" << result.iterations << " fe=" << result.function_evaluations
                  << " ge=" << result.gradient_evaluations << (result.converged && !at_minimum ? " WRONG" : "")
                  << "\n";
      BOOST_TEST_CONTEXT(method.name << " on problem " << problem.number << " (" << problem.name << ")") {
        const bool failure_listed = listed != expected.end() && listed->second.count(problem.number) != 0;
        if (result.converged) {
          BOOST_TEST(at_minimum, "converged to f = " << f << ", published f* = " << problem.f_star);
          BOOST_TEST(!failure_listed, "listed as an expected failure, but converged");
        } else {
          BOOST_TEST(failure_listed, "ended with " << to_string(result.reason) << ": " << result.message);
          if (failure_listed) BOOST_TEST(reason_name(result.reason) == reason_name(listed->second.at(problem.number)));
          BOOST_TEST(!result.message.empty());
        }
      }
    }
  }
}

}  // namespace
}  // namespace frechet
