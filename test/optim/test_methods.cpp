// The optimisers on problems whose answers are known in closed form, and the step-wise optimisers
// against hand-computed sequences.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/optim/adam.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/newton.hpp"

namespace frechet {
namespace {

/// f(x) = 1/2 x^T A x - b^T x with A = diag(1, 10): minimiser x* = (b_1, b_2 / 10).
const DenseMatrix diagonal_a{{1.0, 0.0}, {0.0, 10.0}};
const Vector quadratic_b{1.0, 2.0};
const Vector quadratic_minimiser{1.0, 0.2};

Objective quadratic_objective() {
  return differentiable_objective([](const auto& x) { return 0.5 * quad_form(x, diagonal_a) - dot(quadratic_b, x); });
}

/// Rosenbrock's function with a hand-written gradient, for the user-supplied path.
Objective hand_written_rosenbrock() {
  Objective objective;
  objective.value_and_gradient = [](ConstVectorView x, VectorView g) {
    const double a = x[1] - x[0] * x[0];
    g[0] = -400.0 * a * x[0] - 2.0 * (1.0 - x[0]);
    g[1] = 200.0 * a;
    return 100.0 * a * a + (1.0 - x[0]) * (1.0 - x[0]);
  };
  return objective;
}

double distance(ConstVectorView a, ConstVectorView b) {
  Vector d(a.begin(), a.end());
  axpy(-1.0, b, VectorView(d));
  return norm2(d);
}

BOOST_AUTO_TEST_CASE(adam_reproduces_optax_on_a_hand_computed_sequence) {
  // Gradients 1, -2, 0.5 with learning rate 0.1 and Optax's b1, b2, eps:
  //   t = 1: m = 0.1, v = 0.001, m^ = 1, v^ = 1, u = -0.1 / (1 + 1e-8)
  //   t = 2: m = 0.09 - 0.2 = -0.11, v = 0.000999 + 0.004 = 0.004999,
  //          m^ = -0.11 / 0.19, v^ = 0.004999 / 0.001999, u = -0.1 m^ / (sqrt(v^) + 1e-8) = 0.0366103525
  //   t = 3: m = -0.099 + 0.05 = -0.049, v = 0.004994001 + 0.00025 = 0.005244001, u = 0.0136690662
  Adam adam(1, {.learning_rate = 0.1});
  const double gradients[3] = {1.0, -2.0, 0.5};
  const double m[3] = {0.1, -0.11, -0.049};
  const double v[3] = {0.001, 0.004999, 0.005244001};
  const double u[3] = {-0.1 / (1.0 + 1e-8), 0.036610352472074836, 0.013669066201746632};
  double x = 1.0;
  for (int t = 0; t < 3; ++t) {
    Vector update(1);
    Adam copy_of_state = adam;
    adam.update(Vector{gradients[t]}, update);
    BOOST_TEST(adam.count() == t + 1);
    BOOST_TEST(adam.first_moment()[0] == m[t], boost::test_tools::tolerance(1e-14));
    BOOST_TEST(adam.second_moment()[0] == v[t], boost::test_tools::tolerance(1e-14));
    BOOST_TEST(update[0] == u[t], boost::test_tools::tolerance(1e-13));
    // step() is update() followed by x += u.
    VectorView xv(&x, 1);
    copy_of_state.step(Vector{gradients[t]}, xv);
  }
  BOOST_TEST(x == 1.0 + u[0] + u[1] + u[2], boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(sgd_with_momentum_matches_optax_trace) {
  // trace = g + 0.9 trace: 1, -2 + 0.9 = -1.1, 0.5 - 0.99 = -0.49; u = -0.1 trace; Nesterov
  // u = -0.1 (g + 0.9 trace): -0.19, 0.299, -0.0059.
  Sgd heavy_ball(1, {.learning_rate = 0.1, .momentum = 0.9});
  Sgd nesterov(1, {.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  const double gradients[3] = {1.0, -2.0, 0.5};
  const double plain[3] = {-0.1, 0.11, 0.049};
  const double ahead[3] = {-0.19, 0.299, -0.0059};
  for (int t = 0; t < 3; ++t) {
    Vector u(1);
    heavy_ball.update(Vector{gradients[t]}, u);
    BOOST_TEST(u[0] == plain[t], boost::test_tools::tolerance(1e-14));
    nesterov.update(Vector{gradients[t]}, u);
    BOOST_TEST(u[0] == ahead[t], boost::test_tools::tolerance(1e-13));
  }
}

BOOST_AUTO_TEST_CASE(adam_minimises_a_quadratic_in_a_training_loop) {
  const Objective f = quadratic_objective();
  Vector x{0.0, 0.0};
  Vector g(2);
  Adam adam(2, {.learning_rate = 0.05});
  for (int t = 0; t < 3000; ++t) {
    f.value_and_gradient(x, g);
    adam.step(g, x);
  }
  BOOST_TEST(distance(x, quadratic_minimiser) < 1e-4);
}

BOOST_AUTO_TEST_CASE(bfgs_inverse_update_keeps_h_positive_definite_and_satisfies_the_secant_equation) {
  Random random(7);
  const std::size_t n = 6;
  DenseMatrix h = DenseMatrix::identity(n);
  int skipped = 0;
  for (int k = 0; k < 40; ++k) {
    const Vector s = random.gaussian_vector(n);
    const Vector y = random.gaussian_vector(n);
    const bool curvature = dot(y, s) > 0.0;
    const DenseMatrix before = h;
    const bool updated = bfgs_inverse_update(h, s, y);
    BOOST_TEST(updated == curvature);
    if (!updated) {
      ++skipped;
      BOOST_TEST((h == before));  // y^T s <= 0: H untouched
      continue;
    }
    // H y = s, and H symmetric positive definite (its Cholesky factorisation exists).
    Vector hy(n, 0.0);
    for (std::size_t j = 0; j < n; ++j) axpy(y[j], h.col(j), VectorView(hy));
    BOOST_TEST(distance(hy, s) <= 1e-13 * norm2(h.values()) * norm2(y));
    BOOST_CHECK_NO_THROW(CholeskyFactorization{h});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) BOOST_TEST(h(i, j) == h(j, i));
  }
  BOOST_TEST(skipped > 0);  // both branches exercised
  BOOST_CHECK_THROW(bfgs_inverse_update(h, Vector(n - 1), Vector(n)), ShapeError);
}

BOOST_AUTO_TEST_CASE(gradient_descent_with_a_fixed_step_contracts_as_theory_says) {
  // x_{k+1} - x* = (I - alpha A)(x_k - x*): with alpha = 0.1 the first coordinate's error shrinks
  // by 0.9 per step and the second is exact after one, so ||x_k - x*|| = 0.9^k (x0 = x* - e_1 -
  // 0.2 e_2 has error 1 in the first coordinate).
  const Objective f = quadratic_objective();
  const Vector x0{0.0, 0.0};
  const OptimizeResult r = gradient_descent(
      f, x0, {.atol = 1e-12, .max_iterations = 10, .line_search = LineSearchKind::fixed, .step_size = 0.1,
              .record_history = true, .record_path = true});
  BOOST_TEST(reason_name(r.reason) == "max_iterations");
  BOOST_TEST(r.iterations == 10);
  BOOST_REQUIRE(r.path.size() == 11u);
  for (std::size_t k = 0; k < r.path.size(); ++k)
    BOOST_TEST(distance(r.path[k], quadratic_minimiser) == std::pow(0.9, k) * (k == 0 ? std::hypot(1.0, 0.2) : 1.0),
               boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.value_history.size() == 11u);
  BOOST_TEST(r.step_history[0] == 0.0);
  BOOST_TEST(r.function_evaluations == 11);
}

BOOST_AUTO_TEST_CASE(preconditioned_gradient_descent_with_d_equal_to_a_converges_in_one_step) {
  const OptimizeResult r =
      gradient_descent(quadratic_objective(), Vector{5.0, -3.0},
                       {.line_search = LineSearchKind::fixed, .step_size = 1.0,
                        .preconditioner = diagonal_operator(Vector{1.0, 0.1})});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations == 1);
  BOOST_TEST(distance(r.x, quadratic_minimiser) < 1e-14);
}

BOOST_AUTO_TEST_CASE(the_stopping_rule_is_an_option) {
  const Objective f = quadratic_objective();
  const Vector x0{0.0, 0.0};
  const OptimizeOptions fixed{.atol = 1e-3, .line_search = LineSearchKind::fixed, .step_size = 0.1};
  OptimizeOptions by_step = fixed;
  by_step.stopping_rule = StoppingRule::step_norm;
  OptimizeOptions by_value = fixed;
  by_value.stopping_rule = StoppingRule::value_change;
  // The error 0.9^k: ||g|| = 0.9^k <= 1e-3 at k = 66; the step 0.1 0.9^(k-1) <= 1e-3 at k = 45; the
  // value change 1/2 (0.9^(2k-2) - 0.9^(2k)) = 0.095 0.81^(k-1) <= 1e-3 at k = 23.
  BOOST_TEST(gradient_descent(f, x0, fixed).iterations == 66);
  BOOST_TEST(gradient_descent(f, x0, by_step).iterations == 45);
  BOOST_TEST(gradient_descent(f, x0, by_value).iterations == 23);
  // The distance to x* = (1, 0.2) is 0.9^k from k = 1 (the step 0.1 = 1 / 10 puts x_2 on 0.2 at
  // once): <= 1e-3 ||x*||_2 = 1.0198e-3 at k = 66, where the gradient rule relative to ||g_0||_2 =
  // sqrt(5) holds at k = 58.
  OptimizeOptions by_distance = fixed;
  by_distance.rtol = 1e-3;
  by_distance.atol = 0.0;
  by_distance.stopping_rule = StoppingRule::distance_to_solution;
  by_distance.solution = quadratic_minimiser;
  OptimizeOptions by_gradient = by_distance;
  by_gradient.stopping_rule = StoppingRule::gradient_norm;
  by_gradient.solution.reset();
  BOOST_TEST(gradient_descent(f, x0, by_distance).iterations == 66);
  BOOST_TEST(gradient_descent(f, x0, by_gradient).iterations == 58);
}

BOOST_AUTO_TEST_CASE(the_distance_rule_counts_as_the_recorded_path_does) {
  // The count of a textbook loop "stop at the first k with ||x_k - x*|| < tol", read off a recorded
  // path, is the distance rule's, for a line-searched method as for a fixed step.
  const Objective f = quadratic_objective();
  const Vector x0{-3.0, 4.0};
  constexpr double tolerance = 1e-7;
  for (LineSearchKind kind : {LineSearchKind::fixed, LineSearchKind::strong_wolfe}) {
    const OptimizeResult path = gradient_descent(
        f, x0, {.atol = 1e-300, .max_iterations = 400, .line_search = kind, .step_size = 0.15, .record_path = true});
    int first = -1;
    for (std::size_t k = 0; k < path.path.size() && first < 0; ++k)
      if (distance(path.path[k], quadratic_minimiser) <= tolerance) first = static_cast<int>(k);
    BOOST_TEST_REQUIRE(first > 0);
    const OptimizeResult r = gradient_descent(f, x0,
                                              {.atol = tolerance,
                                               .stopping_rule = StoppingRule::distance_to_solution,
                                               .solution = quadratic_minimiser,
                                               .line_search = kind,
                                               .step_size = 0.15});
    BOOST_TEST(r.converged);
    BOOST_TEST(r.iterations == first);
    BOOST_TEST(distance(r.x, quadratic_minimiser) <= tolerance);
  }
  // Newton on the quadratic: x_1 = x*, and x_0 itself satisfies a loose enough rule.
  BOOST_TEST(newton(f, x0, {.atol = 1e-12, .stopping_rule = StoppingRule::distance_to_solution,
                            .solution = quadratic_minimiser}).iterations == 1);
  BOOST_TEST(bfgs(f, x0, {.atol = 10.0, .stopping_rule = StoppingRule::distance_to_solution,
                          .solution = quadratic_minimiser}).iterations == 0);
}

BOOST_AUTO_TEST_CASE(newton_solves_a_quadratic_in_one_step_and_reports_the_decrement) {
  const Vector x0{3.0, 4.0};
  const OptimizeResult r = newton(quadratic_objective(), x0, {.atol = 1e-10});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations == 1);
  BOOST_TEST(r.hessian_evaluations == 1);
  BOOST_TEST(distance(r.x, quadratic_minimiser) < 1e-12);
  // lambda^2 = g^T A^{-1} g at x0, g = A x0 - b = (2, 38): 4 + 144.4.
  BOOST_REQUIRE(r.newton_decrement_squared.has_value());
  BOOST_TEST(*r.newton_decrement_squared == 148.4, boost::test_tools::tolerance(1e-12));
  // By CG to the relative residual min(0.5, sqrt(||g||)): inexact steps, the same minimiser.
  const OptimizeResult by_cg = newton(quadratic_objective(), x0, {.atol = 1e-10, .newton_solve = NewtonSolve::cg});
  BOOST_TEST(by_cg.converged);
  BOOST_TEST(distance(by_cg.x, quadratic_minimiser) < 1e-10);
  BOOST_TEST(by_cg.hessian_vector_products >= by_cg.iterations);
  BOOST_TEST(by_cg.hessian_evaluations == 0);
}

BOOST_AUTO_TEST_CASE(newton_cg_follows_negative_curvature_to_a_minimum) {
  // f = x^2 + y^4 / 4 - y^2 / 2 is indefinite near y = 0 and has minima at (0, +-1) with f = -1/4.
  const Objective f = differentiable_objective([](const auto& v) {
    return v[0] * v[0] + 0.25 * v[1] * v[1] * v[1] * v[1] - 0.5 * v[1] * v[1];
  });
  const OptimizeResult r = newton_cg(f, Vector{1.0, 0.01}, {.atol = 1e-10});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.value == -0.25, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(std::abs(r.x[1]) == 1.0, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(r.hessian_vector_products > 0);
}

BOOST_AUTO_TEST_CASE(user_supplied_gradients_work_like_ad_ones) {
  const Vector x0{-1.2, 1.0};
  const OptimizeResult hand = lbfgs(hand_written_rosenbrock(), x0);
  const OptimizeResult ad = lbfgs(differentiable_objective([](const auto& x) {
    const auto a = x[1] - x[0] * x[0];
    const auto b = 1.0 - x[0];
    return 100.0 * a * a + b * b;
  }), x0);
  BOOST_TEST(hand.converged);
  BOOST_TEST(distance(hand.x, Vector{1.0, 1.0}) < 1e-5);
  BOOST_TEST(hand.iterations == ad.iterations);
  BOOST_TEST(hand.function_evaluations == ad.function_evaluations);
  const OptimizeResult b = bfgs(hand_written_rosenbrock(), x0);
  BOOST_TEST(b.converged);
  BOOST_TEST(b.gradient_norm <= 1e-6);
}

BOOST_AUTO_TEST_CASE(the_monitor_sees_every_iteration_and_the_history_matches) {
  std::vector<IterationReport> seen;
  const OptimizeResult r = bfgs(hand_written_rosenbrock(), Vector{-1.2, 1.0},
                                {.record_history = true,
                                 .monitor = [&](const IterationReport& report) { seen.push_back(report); }});
  BOOST_TEST(r.converged);
  BOOST_REQUIRE(seen.size() == static_cast<std::size_t>(r.iterations) + 1);
  BOOST_REQUIRE(r.gradient_norm_history.size() == seen.size());
  for (std::size_t k = 0; k < seen.size(); ++k) {
    BOOST_TEST(seen[k].iteration == static_cast<int>(k));
    BOOST_TEST(seen[k].gradient_norm == r.gradient_norm_history[k]);
    BOOST_TEST(seen[k].value == r.value_history[k]);
  }
  BOOST_TEST(seen.back().gradient_norm == r.gradient_norm);
}

BOOST_AUTO_TEST_CASE(gauss_newton_and_levenberg_marquardt_fit_an_exponential) {
  // r_i = a exp(b t_i) - y_i with y from a = 2, b = -0.5: a zero-residual fit.
  std::vector<double> t;
  std::vector<double> y;
  for (int i = 0; i < 12; ++i) {
    t.push_back(0.25 * i);
    y.push_back(2.0 * std::exp(-0.5 * 0.25 * i));
  }
  const LeastSquaresObjective fit = differentiable_least_squares([t, y](const auto& p) {
    using std::exp;
    using T = scalar_t<decltype(p)>;
    std::vector<T> r;
    for (std::size_t i = 0; i < t.size(); ++i) r.push_back(p[0] * exp(p[1] * t[i]) - y[i]);
    return r;
  });
  const Vector x0{1.0, 0.0};
  const Vector answer{2.0, -0.5};
  for (LeastSquaresSolve solve : {LeastSquaresSolve::dense, LeastSquaresSolve::lsmr}) {
    const OptimizeResult gn = gauss_newton(fit, x0, {.atol = 1e-10, .least_squares_solve = solve});
    const OptimizeResult lm = levenberg_marquardt(fit, x0, {.atol = 1e-10, .least_squares_solve = solve});
    BOOST_TEST(gn.converged);
    BOOST_TEST(lm.converged);
    BOOST_TEST(distance(gn.x, answer) < 1e-9);
    BOOST_TEST(distance(lm.x, answer) < 1e-9);
    if (solve == LeastSquaresSolve::lsmr) {
      BOOST_TEST(gn.operator_products > 0);
      BOOST_TEST(lm.operator_products > 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(max_iterations_zero_returns_the_start) {
  const Vector x0{3.0, 4.0};
  const OptimizeResult r = lbfgs(quadratic_objective(), x0, {.max_iterations = 0});
  BOOST_TEST(reason_name(r.reason) == "max_iterations");
  BOOST_TEST(r.x == x0);
  BOOST_TEST(r.function_evaluations == 1);
  const OptimizeResult at_minimum = bfgs(quadratic_objective(), quadratic_minimiser, {.max_iterations = 0});
  BOOST_TEST(at_minimum.converged);
}

}  // namespace
}  // namespace frechet
