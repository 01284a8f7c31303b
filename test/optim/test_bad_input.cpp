// Bad input and failing runs: each is a clear exception or a result that says why.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/optim/adam.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/newton.hpp"

namespace frechet {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// f(x) = sum (x_i - 2)^2, undefined (NaN) where any x_i > 3.
Objective nan_beyond_three() {
  Objective f;
  f.value_and_gradient = [](ConstVectorView x, VectorView g) {
    double value = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i] > 3.0) {
        for (double& gi : g) gi = nan;
        return nan;
      }
      value += (x[i] - 2.0) * (x[i] - 2.0);
      g[i] = 2.0 * (x[i] - 2.0);
    }
    return value;
  };
  return f;
}

BOOST_AUTO_TEST_CASE(nan_at_the_start_is_reported_with_iteration_zero) {
  const OptimizeResult r = bfgs(nan_beyond_three(), Vector{4.0});
  BOOST_TEST(reason_name(r.reason) == "non_finite");
  BOOST_TEST(!r.converged);
  BOOST_TEST(contains(r.message, "at iteration 0"));
  BOOST_TEST(r.x == Vector{4.0});
}

BOOST_AUTO_TEST_CASE(the_line_search_backs_off_from_nan_and_the_run_converges) {
  // From x = -10 the first trial step of 100 lands where f is NaN.
  for (LineSearchKind kind : {LineSearchKind::strong_wolfe, LineSearchKind::backtracking}) {
    const OptimizeResult r = gradient_descent(nan_beyond_three(), Vector{-10.0},
                                              {.line_search = kind, .step_size = 100.0});
    BOOST_TEST(r.converged);
    BOOST_TEST(r.x[0] == 2.0, boost::test_tools::tolerance(1e-6));
  }
}

BOOST_AUTO_TEST_CASE(nan_after_a_fixed_step_is_reported_with_its_iteration) {
  // Fixed step 0.75 from -10: x = -10 + 0.75 * 24 = 8 at iteration 1, where f is NaN.
  const OptimizeResult r =
      gradient_descent(nan_beyond_three(), Vector{-10.0}, {.line_search = LineSearchKind::fixed, .step_size = 0.75});
  BOOST_TEST(reason_name(r.reason) == "non_finite");
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(r.x == Vector{-10.0});  // the last finite iterate
  BOOST_TEST(contains(r.message, "iteration 0"));
}

/// f(x) = sum (x_i - 2)^2 with a finite value everywhere but a NaN gradient where any x_i > 1/2.
Objective nan_gradient_beyond_a_half() {
  Objective f;
  f.value_and_gradient = [](ConstVectorView x, VectorView g) {
    double value = 0.0;
    bool defined = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      value += (x[i] - 2.0) * (x[i] - 2.0);
      g[i] = 2.0 * (x[i] - 2.0);
      defined = defined && x[i] <= 0.5;
    }
    if (!defined)
      for (double& gi : g) gi = nan;
    return value;
  };
  return f;
}

BOOST_AUTO_TEST_CASE(a_nan_gradient_after_the_start_is_reported_with_its_iteration) {
  // From x = 0 the first search (trial 1/4 of -g = 4, to x = 1) backs off to x = 1/2, where the
  // gradient is still finite: iteration 1. Every step forward from there meets a NaN gradient, so
  // the next search finds no finite trial and the run ends there, x the last finite iterate.
  const Objective f = nan_gradient_beyond_a_half();
  const auto check = [](const OptimizeResult& r, const char* method) {
    BOOST_TEST_CONTEXT(method) {
      BOOST_TEST(reason_name(r.reason) == "non_finite");
      BOOST_TEST(!r.converged);
      BOOST_TEST(r.iterations == 1);
      BOOST_TEST(contains(r.message, "at iteration 1"));
      BOOST_TEST(r.x == Vector{0.5});
      BOOST_TEST(r.gradient == Vector{-3.0});
    }
  };
  check(bfgs(f, Vector{0.0}), "bfgs");
  check(lbfgs(f, Vector{0.0}), "lbfgs");
  check(gradient_descent(f, Vector{0.0}, {.step_size = 0.25}), "gradient_descent");
}

BOOST_AUTO_TEST_CASE(a_nan_hessian_ends_cholesky_newton_with_non_finite) {
  Objective f = differentiable_objective([](const auto& x) { return dot(x, x); });
  f.hessian = [](ConstVectorView) { return DenseMatrix{{2.0, nan}, {nan, 2.0}}; };
  const OptimizeResult r = newton(f, Vector{1.0, 2.0});
  BOOST_TEST(reason_name(r.reason) == "non_finite");
  BOOST_TEST(contains(r.message, "the Hessian is not finite at iteration 0"));
  BOOST_TEST(r.x == (Vector{1.0, 2.0}));
}

BOOST_AUTO_TEST_CASE(a_preconditioner_that_is_not_positive_definite_gives_not_descent) {
  const Objective f = differentiable_objective([](const auto& x) { return dot(x, x); });
  const OptimizeResult r = gradient_descent(f, Vector{1.0, 2.0}, {.preconditioner = diagonal_operator(Vector{-1.0, -1.0})});
  BOOST_TEST(reason_name(r.reason) == "not_descent");
  BOOST_TEST(contains(r.message, "positive definite"));
}

BOOST_AUTO_TEST_CASE(an_objective_whose_gradient_is_wrong_ends_the_line_search) {
  // The gradient has the wrong sign: -g is an ascent direction along which no step decreases f.
  Objective f;
  f.value_and_gradient = [](ConstVectorView x, VectorView g) {
    g[0] = -2.0 * x[0];
    return x[0] * x[0];
  };
  for (LineSearchKind kind : {LineSearchKind::strong_wolfe, LineSearchKind::backtracking}) {
    const OptimizeResult r = gradient_descent(f, Vector{1.0}, {.line_search = kind});
    BOOST_TEST(reason_name(r.reason) == "line_search_failed");
    BOOST_TEST(r.x == Vector{1.0});
  }
}

BOOST_AUTO_TEST_CASE(an_indefinite_hessian_ends_cholesky_newton_with_indefinite) {
  // The saddle x^2 - y^2 + y^4: H = diag(2, -2 + 12 y^2) is indefinite at y = 0.1.
  const Objective f = differentiable_objective([](const auto& v) { return v[0] * v[0] - v[1] * v[1] + v[1] * v[1] * v[1] * v[1]; });
  const OptimizeResult r = newton(f, Vector{1.0, 0.1});
  BOOST_TEST(reason_name(r.reason) == "indefinite");
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(contains(r.message, "not positive definite"));
  BOOST_TEST(contains(r.message, "at iteration 0"));
  const OptimizeResult by_cg = newton(f, Vector{1.0, 0.1}, {.newton_solve = NewtonSolve::cg});
  BOOST_TEST(reason_name(by_cg.reason) == "indefinite");
  // Newton-CG's trust region handles the same start.
  BOOST_TEST(newton_cg(f, Vector{1.0, 0.1}).converged);
}

BOOST_AUTO_TEST_CASE(steps_and_options_out_of_range_throw) {
  const Objective f = differentiable_objective([](const auto& x) { return dot(x, x); });
  const Vector x0{1.0};
  BOOST_CHECK_THROW(gradient_descent(f, x0, {.line_search = LineSearchKind::fixed, .step_size = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(gradient_descent(f, x0, {.step_size = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(gradient_descent(f, x0, {.step_size = std::numeric_limits<double>::infinity()}), ArgumentError);
  BOOST_CHECK_THROW(newton_cg(f, x0, {.initial_radius = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(gradient_descent(f, x0, {.line_search = LineSearchKind::fixed}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.line_search = LineSearchKind::fixed}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.max_iterations = -1}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.rtol = 0.0, .atol = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.atol = nan}), ArgumentError);
  BOOST_CHECK_THROW(lbfgs(f, x0, {.memory = 0}), ArgumentError);
  BOOST_CHECK_THROW(newton_cg(f, x0, {.initial_radius = 0.0}), ArgumentError);
  // A field the method does not use.
  BOOST_CHECK_THROW(bfgs(f, x0, {.memory = 5}), ArgumentError);
  BOOST_CHECK_THROW(newton_cg(f, x0, {.line_search = LineSearchKind::backtracking}), ArgumentError);
  BOOST_CHECK_THROW(lbfgs(f, x0, {.preconditioner = diagonal_operator(Vector{1.0})}), ArgumentError);
  BOOST_CHECK_THROW(newton(f, x0, {.initial_radius = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(Adam(1, {.learning_rate = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(Adam(1, {.b1 = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(Sgd(1, {.momentum = -0.1}), ArgumentError);
  // The distance rule without x*, x* under another rule, x* of the wrong size or not finite.
  BOOST_CHECK_THROW(bfgs(f, x0, {.stopping_rule = StoppingRule::distance_to_solution}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.solution = Vector{0.0}}), ArgumentError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.stopping_rule = StoppingRule::distance_to_solution, .solution = Vector{0.0, 0.0}}),
                    ShapeError);
  BOOST_CHECK_THROW(bfgs(f, x0, {.stopping_rule = StoppingRule::distance_to_solution, .solution = Vector{nan}}),
                    NonFiniteError);
  // Missing callables.
  BOOST_CHECK_THROW(bfgs(Objective{}, x0), ArgumentError);
  Objective gradient_only;
  gradient_only.value_and_gradient = f.value_and_gradient;
  BOOST_CHECK_THROW(newton(gradient_only, x0), ArgumentError);
  BOOST_CHECK_THROW(newton_cg(gradient_only, x0), ArgumentError);
  BOOST_CHECK_THROW(gauss_newton(LeastSquaresObjective{}, x0), ArgumentError);
  // Non-finite or empty starts.
  BOOST_CHECK_THROW(bfgs(f, Vector{nan}), NonFiniteError);
  BOOST_CHECK_THROW(bfgs(f, Vector{}), ShapeError);
}

BOOST_AUTO_TEST_CASE(mismatched_sizes_throw_shape_error) {
  const Objective f = differentiable_objective([](const auto& x) { return dot(x, x); });
  BOOST_CHECK_THROW(gradient_descent(f, Vector{1.0, 2.0}, {.preconditioner = diagonal_operator(Vector{1.0})}),
                    ShapeError);
  Adam adam(2);
  Vector u(2);
  BOOST_CHECK_THROW(adam.update(Vector{1.0}, u), ShapeError);
  Vector long_u(3);
  BOOST_CHECK_THROW(adam.update(Vector{1.0, 2.0}, long_u), ShapeError);
  BOOST_CHECK_THROW(adam.update(Vector{1.0, nan}, u), NonFiniteError);
  BOOST_TEST(adam.count() == 0);  // refused updates leave the state alone
  // A Hessian of the wrong shape from a user's objective.
  Objective bad_hessian = f;
  bad_hessian.hessian = [](ConstVectorView) { return DenseMatrix(3, 3); };
  BOOST_CHECK_THROW(newton(bad_hessian, Vector{1.0, 2.0}), ShapeError);
  // Residuals that change size between calls, and a dense Gauss-Newton step with m < n.
  LeastSquaresObjective growing;
  growing.residuals = [calls = 0](ConstVectorView x, Vector& r) mutable { r.assign(x.size() + (calls++ > 0), 1.0); };
  growing.jacobian = [](ConstVectorView x) { return DenseMatrix(x.size() + 1, x.size(), 1.0); };
  BOOST_CHECK_THROW(levenberg_marquardt(growing, Vector{1.0}), ShapeError);
  const LeastSquaresObjective short_r = differentiable_least_squares([](const auto& x) {
    return std::vector<scalar_t<decltype(x)>>{x[0] + x[1] - 1.0, x[1] - x[2]};
  });
  BOOST_CHECK_THROW(gauss_newton(short_r, Vector{1.0, 2.0, 3.0}), ShapeError);
  // ... which Levenberg-Marquardt solves.
  BOOST_TEST(levenberg_marquardt(short_r, Vector{1.0, 2.0, 3.0}).converged);
  // A user's dense Jacobian or Jacobian operator of the wrong shape.
  LeastSquaresObjective wrong_jacobian = short_r;
  wrong_jacobian.jacobian = [](ConstVectorView x) { return DenseMatrix(2, x.size() + 1); };
  wrong_jacobian.jacobian_operator = [](ConstVectorView x) { return dense_operator(DenseMatrix(3, x.size())); };
  BOOST_CHECK_THROW(levenberg_marquardt(wrong_jacobian, Vector{1.0, 2.0, 3.0}), ShapeError);
  BOOST_CHECK_THROW(levenberg_marquardt(wrong_jacobian, Vector{1.0, 2.0, 3.0},
                                        {.least_squares_solve = LeastSquaresSolve::lsmr}),
                    ShapeError);
}

}  // namespace
}  // namespace frechet
