// The implicit function theorem: implicit_jvp and implicit_vjp against closed forms, finite
// differences of the whole solve and each other (duality); root_find as a primitive under grad,
// vjp and jvp; failures.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/linop/operators.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;
using frechet::testing::relative_error;

namespace {

const NewtonLinearSolver both_solvers[] = {NewtonLinearSolver::dense_lu, NewtonLinearSolver::gmres};

ImplicitOptions implicit_options(NewtonLinearSolver s) {
  ImplicitOptions o{.linear_solver = s};
  if (s == NewtonLinearSolver::gmres) o.rtol = 1e-13;
  return o;
}

NewtonOptions newton_options(NewtonLinearSolver s) { return {.rtol = 1e-14, .linear_solver = s}; }

// A nonlinear system coupling all of x and theta: F(x, theta) = A x + 0.1 tanh(x) - B theta - c sin(theta_0),
// with A diagonally dominant, so F_x = A + 0.1 diag(1 - tanh^2 x) is invertible everywhere.
struct Coupled {
  DenseMatrix a, b;
  Vector c;
  template <class X, class T> auto operator()(const X& x, const T& theta) const {
    return matvec(a, x) + 0.1 * tanh(x) - matvec(b, theta) - c * sin(slice(theta, 0, 1))[0];
  }
};

Coupled make_coupled(std::size_t n, std::size_t p, Random& rng) {
  Coupled f{testing::random_dense(n, n, rng), testing::random_dense(n, p, rng), rng.gaussian_vector(n)};
  for (std::size_t i = 0; i < n; ++i) f.a(i, i) += 2.0 * std::sqrt(static_cast<double>(n));
  return f;
}

// x*(theta) by Newton, for finite differences of the whole solve.
template <class F> Vector solve_root(const F& f, const Vector& theta, std::size_t n) {
  const NewtonResult r = root_find([&](const auto& x) { return f(x, theta); }, Vector(n, 0.0), {.rtol = 1e-15, .atol = 1e-300});
  return r.x;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(implicit_function)

BOOST_AUTO_TEST_CASE(square_root_closed_form) {
  // x^2 - theta = 0: x* = sqrt(theta), dx*/dtheta = 1 / (2 sqrt(theta)), diagonal.
  const auto f = [](const auto& x, const auto& theta) { return x * x - theta; };
  const Vector theta{4.0, 2.0, 0.5};
  Vector x_star(3), expected(3);
  for (std::size_t i = 0; i < 3; ++i) {
    x_star[i] = std::sqrt(theta[i]);
    expected[i] = 0.5 / x_star[i];
  }
  const Vector dtheta{1.0, -2.0, 3.0}, x_bar{0.5, 1.0, -1.0};
  for (const auto s : both_solvers) {
    BOOST_TEST_CONTEXT("solver " << static_cast<int>(s)) {
      const Vector dx = implicit_jvp(f, x_star, theta, dtheta, implicit_options(s));
      const Vector tb = implicit_vjp(f, x_star, theta, x_bar, implicit_options(s));
      for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(std::abs(dx[i] - expected[i] * dtheta[i]) <= 1e-13);
        BOOST_TEST(std::abs(tb[i] - expected[i] * x_bar[i]) <= 1e-13);
      }
      // Through the primitive: the gradient of sum(x*(theta)) is 1 / (2 sqrt(theta)).
      const Vector g = grad([&](const auto& t) { return sum(root_find(f, Vector(3, 1.0), t, newton_options(s), implicit_options(s))); }, theta);
      BOOST_TEST(relative_error(g, expected) <= 1e-12);
      const Vector x = root_find(f, Vector(3, 1.0), theta);
      BOOST_TEST(relative_error(x, x_star) <= 1e-12);  // Newton's default rtol is 1e-10 on ||F||
    }
  }
}

BOOST_AUTO_TEST_CASE(linear_system_closed_form) {
  // F = A(theta) x - b(theta) with A(theta) = A0 + theta_0 A1, b(theta) = b0 + theta_1 b1 + theta_2 b2:
  // dx = A^{-1} (db - dA x).
  Random rng(4);
  const std::size_t n = 8;
  DenseMatrix a0 = testing::random_dense(n, n, rng);
  for (std::size_t i = 0; i < n; ++i) a0(i, i) += 6.0;
  const DenseMatrix a1 = testing::random_dense(n, n, rng);
  const Vector b0 = rng.gaussian_vector(n), b1 = rng.gaussian_vector(n), b2 = rng.gaussian_vector(n);
  const auto f = [&](const auto& x, const auto& theta) {
    const auto t0 = slice(theta, 0, 1)[0];
    const auto t1 = slice(theta, 1, 1)[0];
    const auto t2 = slice(theta, 2, 1)[0];
    return matvec(a0, x) + t0 * matvec(a1, x) - b0 - t1 * b1 - t2 * b2;
  };
  const Vector theta{0.3, -1.0, 2.0}, dtheta{0.7, 0.2, -0.4};
  DenseMatrix a = a0;
  for (std::size_t i = 0; i < n * n; ++i) a.data()[i] += theta[0] * a1.data()[i];
  Vector b = b0;
  axpy(theta[1], b1, b);
  axpy(theta[2], b2, b);
  const LuFactorization lu(a);
  const Vector x_star = lu.solve(b);
  Vector rhs(n, 0.0);  // db - dA x
  axpy(dtheta[1], b1, rhs);
  axpy(dtheta[2], b2, rhs);
  gemv(-dtheta[0], a1, Transpose::no, x_star, 1.0, rhs);
  const Vector expected = lu.solve(rhs);
  for (const auto s : both_solvers) {
    const Vector dx = implicit_jvp(f, x_star, theta, dtheta, implicit_options(s));
    BOOST_TEST(relative_error(dx, expected) <= 1e-11);
    const Vector root = root_find(f, Vector(n, 0.0), theta, newton_options(s));
    BOOST_TEST(relative_error(root, x_star) <= 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(duality_and_finite_differences_of_the_whole_solve) {
  Random rng(5);
  const std::size_t n = 40, p = 5;
  const Coupled f = make_coupled(n, p, rng);
  const Vector theta = rng.gaussian_vector(p);
  const Vector x_star = solve_root(f, theta, n);
  const Vector v = rng.gaussian_vector(p), u = rng.gaussian_vector(n);
  // Central differences of x*(theta + h v), each a full Newton solve.
  const double h = 1e-6;
  Vector tp = theta, tm = theta;
  axpy(h, v, tp);
  axpy(-h, v, tm);
  Vector fd = solve_root(f, tp, n);
  axpy(-1.0, solve_root(f, tm, n), fd);
  scale(0.5 / h, fd);
  Vector dxs[2];
  for (int k = 0; k < 2; ++k) {
    const auto s = both_solvers[k];
    const ImplicitLinearization lin = implicit_linearization(f, x_star, theta, implicit_options(s));
    BOOST_TEST(lin.residual_norm() <= 1e-13);
    const Vector dx = lin.jvp(v), tb = lin.vjp(u);
    BOOST_TEST(relative_error(dx, fd) <= 1e-7);
    // <u, J v> = <J^T u, v>
    BOOST_TEST(std::abs(dot(u, dx) - dot(tb, v)) <= 1e-12 * std::abs(dot(u, dx)) + 1e-14);
    BOOST_TEST((s == NewtonLinearSolver::gmres) == (lin.linear_iterations() > 0));
    dxs[k] = dx;
  }
  BOOST_TEST(relative_error(dxs[0], dxs[1]) <= 1e-10);
}

BOOST_AUTO_TEST_CASE(grad_through_root_find_without_unrolling) {
  Random rng(6);
  const std::size_t n = 30, p = 4;
  const Coupled f = make_coupled(n, p, rng);
  const Vector theta = rng.gaussian_vector(p), target = rng.gaussian_vector(n);
  const auto loss = [&](const auto& t) {
    const auto x = root_find(f, Vector(n, 0.0), t, {.rtol = 1e-14});
    const auto r = x - target;
    return 0.5 * dot(r, r) + sum(t * t);
  };
  // Reverse mode through the primitive against forward mode through it, against the chain rule by
  // hand, and against central differences of the loss (each a full solve).
  const Vector g = grad(loss, theta);
  Vector forward(p), e(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    e[j] = 1.0;
    forward[j] = jvp(loss, theta, e).tangent;
    e[j] = 0.0;
  }
  BOOST_TEST(relative_error(g, forward) <= 1e-12);
  const Vector x_star = solve_root(f, theta, n);
  Vector by_hand = implicit_vjp(f, x_star, theta, x_star - target);
  axpy(2.0, theta, by_hand);
  BOOST_TEST(relative_error(g, by_hand) <= 1e-10);
  BOOST_TEST(check_gradient(loss, theta, {.step = 1e-5, .rtol = 1e-7}).passed);
  // One node for the root, whatever the number of Newton iterations.
  Tape<> tape;
  const auto t = tape.variable(theta);
  const TapeVector<> x = root_find(f, Vector(n, 0.0), t, {.rtol = 1e-14});
  BOOST_TEST(tape.node_count() == 1u);
  BOOST_TEST(tape.statement_count() == 0u);
  BOOST_TEST(relative_error(x.value(), x_star) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(market_equilibrium) {
  // Demand 100 - 2 P^{c_d} meets supply 5 * 3^{c_s P} (a supply-and-demand exercise): at c_d = 0.5,
  // c_s = 0.15 the price is 17.65 and the quantity 91.60. dP/dc = -F_c / F_P in closed form.
  const auto excess_demand = [](const auto& price, const auto& c) {
    using std::exp;
    using std::log;
    using std::pow;
    using P = scalar_t<std::remove_cvref_t<decltype(price)>>;
    using C = scalar_t<std::remove_cvref_t<decltype(c)>>;
    using T = std::conditional_t<std::is_same_v<P, double>, C, P>;  // one argument is active
    const T p = price[0], cd = c[0], cs = c[1];
    const T excess = 100.0 - 2.0 * pow(p, cd) - 5.0 * exp(cs * p * std::log(3.0));
    return std::vector<T>{excess};
  };
  const Vector c{0.5, 0.15};
  const Vector p = root_find(excess_demand, Vector{5.0}, c);
  BOOST_TEST(std::abs(p[0] - 17.65) <= 0.005);
  BOOST_TEST(std::abs(100.0 - 2.0 * std::sqrt(p[0]) - 91.60) <= 0.005);
  const double s = 5.0 * std::pow(3.0, c[1] * p[0]);
  const double f_p = -2.0 * c[0] * std::pow(p[0], c[0] - 1.0) - s * c[1] * std::log(3.0);
  const double f_cd = -2.0 * std::pow(p[0], c[0]) * std::log(p[0]);
  const double f_cs = -s * p[0] * std::log(3.0);
  const Vector expected{-f_cd / f_p, -f_cs / f_p};
  BOOST_TEST(relative_error(implicit_vjp(excess_demand, p, c, Vector{1.0}), expected) <= 1e-12);
  BOOST_TEST(std::abs(implicit_jvp(excess_demand, p, c, Vector{1.0, 0.0})[0] - expected[0]) <= 1e-12 * std::abs(expected[0]));
  // The gradient of the Gaussian log-likelihood of an observed price, through the root.
  const double p_hat = 17.66, sigma = 0.01;
  const auto log_likelihood = [&](const auto& cc) {
    const auto price = root_find(excess_demand, Vector{5.0}, cc);
    const auto r = price - Vector{p_hat};
    return -0.5 * std::log(2 * M_PI * sigma * sigma) - 0.5 * dot(r, r) / (sigma * sigma);
  };
  const Vector g = grad(log_likelihood, c);
  const double scale_factor = (p_hat - p[0]) / (sigma * sigma);
  BOOST_TEST(relative_error(g, Vector{scale_factor * expected[0], scale_factor * expected[1]}) <= 1e-10);
}

BOOST_AUTO_TEST_CASE(preconditioned_adjoint_solve) {
  // The adjoint GMRES uses the preconditioner's adjoint: with M^{-1} = F_x^{-1} exactly (a dense
  // inverse), both solves take one iteration.
  Random rng(7);
  const std::size_t n = 25, p = 3;
  const Coupled f = make_coupled(n, p, rng);
  const Vector theta = rng.gaussian_vector(p);
  const Vector x_star = solve_root(f, theta, n);
  const DenseMatrix fx = jacobian([&](const auto& x) { return f(x, theta); }, x_star);
  const DenseMatrix inverse = LuFactorization(fx).solve(DenseMatrix::identity(n));
  const ImplicitLinearization lin = implicit_linearization(f, x_star, theta, {.linear_solver = NewtonLinearSolver::gmres,
                                                                              .rtol = 1e-12,
                                                                              .preconditioner = dense_operator(inverse)});
  const Vector u = rng.gaussian_vector(n), v = rng.gaussian_vector(p);
  const Vector tb = lin.vjp(u);
  BOOST_TEST(lin.linear_iterations() <= 2);
  const Vector dx = lin.jvp(v);
  BOOST_TEST(lin.linear_iterations() <= 4);
  const Vector reference = implicit_vjp(f, x_star, theta, u);
  BOOST_TEST(relative_error(tb, reference) <= 1e-10);
  BOOST_TEST(std::abs(dot(u, dx) - dot(tb, v)) <= 1e-10 * std::abs(dot(u, dx)));
}

BOOST_AUTO_TEST_CASE(failures) {
  const auto f = [](const auto& x, const auto& theta) { return x * x - theta; };
  const Vector theta{4.0, 2.0};
  // A Newton iteration that does not converge: no derivative of a wrong point.
  BOOST_CHECK_EXCEPTION(grad([&](const auto& t) { return sum(root_find(f, Vector(2, 1.0), t, {.max_iterations = 1})); }, theta),
                        NumericalError, [](const NumericalError& e) { return message_has(e, "max_iterations"); });
  BOOST_CHECK_THROW(root_find(f, Vector(2, 1.0), theta, {.max_iterations = 1}), NumericalError);
  // F_x singular at the point: x = 0 is a double root of x^2 - 0.
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{0.0, 1.0}, Vector{0.0, 1.0}, Vector{1.0, 1.0}), NumericalError);
  // GMRES that cannot converge within its limit throws too.
  Random rng(8);
  const Coupled g = make_coupled(20, 2, rng);
  const Vector t2 = rng.gaussian_vector(2);
  const Vector x2 = solve_root(g, t2, 20);
  BOOST_CHECK_EXCEPTION(implicit_vjp(g, x2, t2, Vector(20, 1.0), {.linear_solver = NewtonLinearSolver::gmres, .max_iterations = 2}),
                        NumericalError, [](const NumericalError& e) { return message_has(e, "GMRES did not converge"); });
  // Sizes.
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0, 1.0}, theta, Vector{1.0}), ShapeError);
  BOOST_CHECK_THROW(implicit_vjp(f, Vector{2.0, 1.0}, theta, Vector{1.0, 2.0, 3.0}), ShapeError);
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0}, theta, Vector{1.0, 1.0}), ShapeError);  // F(x, theta) has 2 entries
  // Options the dense solver does not use, and bad gmres tolerances.
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0, 1.0}, theta, Vector{1.0, 1.0}, {.rtol = 1e-6}), ArgumentError);
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0, 1.0}, theta, Vector{1.0, 1.0}, {.preconditioner = identity_operator(2)}), ArgumentError);
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0, 1.0}, theta, Vector{1.0, 1.0},
                                 {.linear_solver = NewtonLinearSolver::gmres, .rtol = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(implicit_jvp(f, Vector{2.0, 1.0}, theta, Vector{1.0, 1.0},
                                 {.linear_solver = NewtonLinearSolver::gmres, .rtol = -1.0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(a_tape_counts_what_the_root_keeps) {
  // A recorded root keeps the forward solve's factors (a sparse direct Newton's last LU) and, once a
  // derivative has asked for it, the linearization (here F_x's dense LU: n^2 doubles).
  Random rng(13);
  const std::size_t n = 60, p = 3;
  const Coupled f = make_coupled(n, p, rng);
  const auto pattern = std::make_shared<const CsrMatrix>(CsrMatrix::from_dense(DenseMatrix(n, n, 1.0)));
  Tape<> tape;
  const auto t = tape.variable(rng.gaussian_vector(p));
  const std::size_t empty = tape.memory_bytes();
  const TapeVector<> x =
      root_find(f, Vector(n, 0.0), t, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern});
  const std::size_t recorded = tape.memory_bytes();
  BOOST_TEST(recorded - empty >= n * n * sizeof(double));  // the dense J's LU factors: n^2 entries at least
  tape.seed(sum(x), 1.0);
  tape.backward();
  BOOST_TEST(tape.memory_bytes() - recorded >= n * n * sizeof(double));
}

BOOST_AUTO_TEST_SUITE_END()
