// Newton with a dense LU and Newton-Krylov: closed-form roots, Moré-Garbow-Hillstrom systems, the two
// linear solvers against each other, preconditioning, and every reason forced once.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::broyden_tridiagonal;
using frechet::testing::message_has;

namespace {

// The test problems of J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing unconstrained
// optimization software", ACM TOMS 7(1), 1981, as square systems.

// Powell's badly scaled function (MGH 3): root near (1.098159e-5, 9.106146), start (0, 1).
const auto powell_badly_scaled = [](const auto& x) {
  using std::exp;
  using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
  return std::vector<T>{1e4 * x[0] * x[1] - 1.0, exp(-x[0]) + exp(-x[1]) - 1.0001};
};

// Discrete boundary value problem (MGH 28): h = 1 / (n + 1), t_i = i h,
// f_i = 2 x_i - x_{i-1} - x_{i+1} + h^2 (x_i + t_i + 1)^3 / 2; start x_i = t_i (t_i - 1).
const auto discrete_bvp = [](const auto& x) {
  using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
  const std::size_t n = x.size();
  const double h = 1.0 / static_cast<double>(n + 1);
  std::vector<T> f(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i + 1) * h;
    const T u = x[i] + t + 1.0;
    T fi = 2.0 * x[i] + 0.5 * h * h * u * u * u;
    if (i > 0) fi = fi - x[i - 1];
    if (i + 1 < n) fi = fi - x[i + 1];
    f[i] = fi;
  }
  return f;
};

Vector bvp_start(std::size_t n) {
  Vector x(n);
  const double h = 1.0 / static_cast<double>(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i + 1) * h;
    x[i] = t * (t - 1.0);
  }
  return x;
}

// The discrete BVP's Jacobian, tridiagonal, assembled by hand: an independent check of the AD one and
// the matrix a preconditioner is built from.
CsrMatrix bvp_jacobian(const Vector& x) {
  const std::size_t n = x.size();
  const double h = 1.0 / static_cast<double>(n + 1);
  std::vector<SparseIndex> rows, cols;
  std::vector<double> values;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = x[i] + static_cast<double>(i + 1) * h + 1.0;
    rows.push_back(static_cast<SparseIndex>(i));
    cols.push_back(static_cast<SparseIndex>(i));
    values.push_back(2.0 + 1.5 * h * h * u * u);
    if (i > 0) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(i - 1));
      values.push_back(-1.0);
    }
    if (i + 1 < n) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(i + 1));
      values.push_back(-1.0);
    }
  }
  return CsrMatrix::from_triplets(n, n, rows, cols, values);
}

Vector evaluate(const auto& f, const Vector& x) { return Vector(detail::plain_output(f(x))); }

}  // namespace

BOOST_AUTO_TEST_SUITE(newton)

BOOST_AUTO_TEST_CASE(closed_form_roots) {
  // x_i^2 = a_i: the positive roots from positive starts.
  const Vector a{2.0, 3.0, 0.25, 10.0};
  const auto squares = [&](const auto& x) { return x * x - a; };
  for (const auto solver : {NewtonLinearSolver::dense_lu, NewtonLinearSolver::gmres}) {
    const NewtonResult r = root_find(squares, Vector(4, 1.0), {.rtol = 1e-14, .linear_solver = solver});
    BOOST_TEST(r.converged);
    for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(std::abs(r.x[i] - std::sqrt(a[i])) <= 1e-14 * std::sqrt(a[i]));
    BOOST_TEST(r.residual_history.size() == static_cast<std::size_t>(r.iterations + 1));
    BOOST_TEST(r.residual_norm == r.residual_history.back());
    BOOST_TEST(r.initial_residual_norm == r.residual_history.front());
  }
  // F(x) = A x - b: one exact Newton step.
  Random rng(3);
  DenseMatrix m = testing::random_dense(6, 6, rng);
  for (std::size_t i = 0; i < 6; ++i) m(i, i) += 6.0;
  const Vector b = rng.gaussian_vector(6);
  const NewtonResult lin = root_find([&](const auto& x) { return matvec(m, x) - b; }, Vector(6, 0.0));
  BOOST_TEST(lin.converged);
  BOOST_TEST(lin.iterations == 1);
  BOOST_TEST(lin.jacobian_evaluations == 1);
  BOOST_TEST(lin.function_evaluations == 2);
  BOOST_TEST(testing::relative_error(lin.x, LuFactorization(m).solve(b)) <= 1e-14);
  // Rosenbrock's equations (MGH 1 as a system): 10 (x2 - x1^2) = 0, 1 - x1 = 0; root (1, 1).
  const NewtonResult ros = root_find([](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    return std::vector<T>{10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]};
  }, Vector{-1.2, 1.0});
  BOOST_TEST(ros.converged);
  BOOST_TEST(std::abs(ros.x[0] - 1.0) <= 1e-12);
  BOOST_TEST(std::abs(ros.x[1] - 1.0) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(powell_badly_scaled_and_quadratic_convergence) {
  // Damped steps creep along the curved valley for about 50 iterations before Newton's basin.
  const NewtonResult r = root_find(powell_badly_scaled, Vector{0.0, 1.0}, {.rtol = 0.0, .atol = 1e-13, .max_iterations = 100});
  BOOST_TEST(r.converged);
  BOOST_TEST(std::abs(r.x[0] - 1.098159e-5) <= 1e-11);
  BOOST_TEST(std::abs(r.x[1] - 9.106146) <= 1e-6);
  BOOST_TEST(norm2(evaluate(powell_badly_scaled, r.x)) <= 1e-13);
  // Quadratic convergence in the last steps: ||F_{k+1}|| <= C ||F_k||^2 with a modest C.
  const Vector& h = r.residual_history;
  const std::size_t k = h.size() - 1;
  BOOST_TEST(h[k - 2] <= 1e-3);
  BOOST_TEST(h[k - 1] <= 100.0 * h[k - 2] * h[k - 2]);
  BOOST_TEST(h[k] <= 100.0 * h[k - 1] * h[k - 1] + 1e-15);
}

BOOST_AUTO_TEST_CASE(broyden_tridiagonal_dense_against_krylov) {
  for (const std::size_t n : {10u, 500u}) {
    BOOST_TEST_CONTEXT("n = " << n) {
      const Vector x0(n, -1.0);
      const NewtonResult dense = root_find(broyden_tridiagonal, x0, {.rtol = 1e-12});
      const NewtonResult krylov = root_find(broyden_tridiagonal, x0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::gmres});
      BOOST_TEST(dense.converged);
      BOOST_TEST(krylov.converged);
      BOOST_TEST(norm2(evaluate(broyden_tridiagonal, dense.x)) <= 1e-12 * dense.initial_residual_norm);
      BOOST_TEST(testing::relative_error(krylov.x, dense.x) <= 1e-10);
      BOOST_TEST(krylov.operator_products > 0);
      BOOST_TEST(dense.operator_products == 0);
      BOOST_TEST(dense.linear_iterations == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(discrete_bvp_newton_krylov_with_1000_unknowns) {
  const std::size_t n = 1000;
  const Vector x0 = bvp_start(n);
  // The AD Jacobian against the hand-assembled one.
  BOOST_TEST(relative_distance(jacobian(discrete_bvp, x0), bvp_jacobian(x0).to_dense()) <= 1e-14);

  // ||F(x0)|| is 4e-5 here (F carries h^2): rtol 1e-10 is near the rounding floor already.
  const NewtonResult dense = root_find(discrete_bvp, x0, {.rtol = 1e-10});
  const NewtonResult plain = root_find(discrete_bvp, x0, {.rtol = 1e-10, .linear_solver = NewtonLinearSolver::gmres, .restart = 100});
  int builds = 0;
  const NewtonResult preconditioned = root_find(discrete_bvp, x0, {
      .rtol = 1e-10,
      .linear_solver = NewtonLinearSolver::gmres,
      .preconditioner_update = [&](ConstVectorView x) {
        ++builds;
        return ilu0_preconditioner(bvp_jacobian(Vector(x.begin(), x.end())));
      }});
  for (const NewtonResult* r : {&dense, &plain, &preconditioned}) {
    BOOST_TEST(r->converged);
    BOOST_TEST(r->residual_norm <= 1e-10 * r->initial_residual_norm);
    BOOST_TEST(testing::relative_error(r->x, dense.x) <= 1e-9);
  }
  // ILU(0) of a tridiagonal matrix is its exact LU: one GMRES iteration per Newton step.
  BOOST_TEST(builds == preconditioned.iterations);
  BOOST_TEST(preconditioned.linear_iterations <= 2 * preconditioned.iterations);
  BOOST_TEST(plain.linear_iterations > 10 * preconditioned.linear_iterations);
  // A fixed preconditioner (the Jacobian at x0) works too.
  const NewtonResult fixed = root_find(discrete_bvp, x0, {.rtol = 1e-10, .linear_solver = NewtonLinearSolver::gmres,
                                                          .preconditioner = ilu0_preconditioner(bvp_jacobian(x0))});
  BOOST_TEST(fixed.converged);
  BOOST_TEST(fixed.linear_iterations < plain.linear_iterations);
}

BOOST_AUTO_TEST_CASE(eisenstat_walker_solves_inexactly_early) {
  // Loose forcing terms far from the root cost fewer GMRES iterations than solving every step to
  // 1e-12 (forcing terms pinned at 1e-12), for the same number of Newton steps.
  const Vector x0(500, -1.0);
  const NewtonResult ew = root_find(broyden_tridiagonal, x0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::gmres});
  const NewtonResult tight = root_find(broyden_tridiagonal, x0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::gmres,
                                                                 .forcing = {.initial = 1e-12, .max = 1e-12}});
  BOOST_TEST(ew.converged);
  BOOST_TEST(tight.converged);
  BOOST_TEST(ew.iterations <= tight.iterations + 1);
  BOOST_TEST(2 * ew.linear_iterations < tight.linear_iterations);
}

BOOST_AUTO_TEST_CASE(every_reason) {
  // max_iterations, and 0 iterations.
  const NewtonResult m = root_find(powell_badly_scaled, Vector{0.0, 1.0}, {.max_iterations = 2});
  BOOST_TEST(m.reason == Reason::max_iterations);
  BOOST_TEST(m.iterations == 2);
  BOOST_TEST(!m.converged);
  const NewtonResult z = root_find(powell_badly_scaled, Vector{0.0, 1.0}, {.max_iterations = 0});
  BOOST_TEST(z.reason == Reason::max_iterations);
  BOOST_TEST(z.residual_history.size() == 1u);
  BOOST_TEST((z.x == Vector{0.0, 1.0}));

  // singular_jacobian: two parallel lines, J = [1 1; 1 1] (an exactly zero pivot).
  const auto parallel = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    return std::vector<T>{x[0] + x[1] - 2.0, x[0] + x[1] - 3.0};
  };
  const NewtonResult s = root_find(parallel, Vector{0.0, 0.0});
  BOOST_TEST(s.reason == Reason::singular_jacobian);
  BOOST_TEST(s.iterations == 0);
  // Newton-Krylov on the same system: the first step reaches the least-squares line; from there
  // GMRES cannot reduce ||F + J s||, and the iteration stops instead of looping.
  const NewtonResult sk = root_find(parallel, Vector{0.0, 0.0}, {.linear_solver = NewtonLinearSolver::gmres});
  BOOST_TEST(!sk.converged);
  BOOST_TEST((sk.reason == Reason::singular_jacobian || sk.reason == Reason::not_descent));
  BOOST_TEST(std::abs(sk.x[0] + sk.x[1] - 2.5) <= 1e-8);

  // not_descent: F(x) = R (x - c) with R a rotation by 90 degrees, so J F is orthogonal to F and one
  // GMRES iteration cannot reduce ||F + J s||.
  const auto rotation = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    return std::vector<T>{x[1] - 1.0, 2.0 - x[0]};
  };
  const NewtonResult nd = root_find(rotation, Vector{0.0, 0.0}, {.linear_solver = NewtonLinearSolver::gmres,
                                                                 .restart = 1, .max_linear_iterations = 1});
  BOOST_TEST(nd.reason == Reason::not_descent);
  BOOST_TEST(root_find(rotation, Vector{0.0, 0.0}, {.linear_solver = NewtonLinearSolver::gmres}).converged);

  // line_search_failed: a tolerance below the rounding floor of F (x^2 - 2 is never exactly 0).
  const NewtonResult l = root_find([](const auto& x) { return x * x - 2.0; }, Vector{1.0}, {.rtol = 0.0, .atol = 1e-300});
  BOOST_TEST(l.reason == Reason::line_search_failed);
  BOOST_TEST(std::abs(l.x[0] - std::sqrt(2.0)) <= 4e-16);

  // non_finite: F(x0) is NaN; and every trial point of the first step is NaN.
  const NewtonResult nf = root_find([](const auto& x) { return log(x); }, Vector{-1.0});
  BOOST_TEST(nf.reason == Reason::non_finite);
  BOOST_TEST(nf.iterations == 0);
  const NewtonResult nf2 = root_find([](const auto& x) { return log(x) - 5.0; }, Vector{1.0}, {.max_backtracks = 3});
  BOOST_TEST(nf2.converged);  // the NaN trial points (x < 0) are backtracked over
  const NewtonResult nf3 = root_find([](const auto& x) { return log(x) + 10.0; }, Vector{1.0}, {.line_search = false});
  BOOST_TEST(nf3.reason == Reason::non_finite);  // the full step lands at x = -10

  // diverged: Newton on atan without a line search, from outside its basin (|x0| > 1.39).
  const auto arctan = [](const auto& x) {
    using std::atan;
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    return std::vector<T>{atan(x[0])};
  };
  const NewtonResult d = root_find(arctan, Vector{2.0}, {.line_search = false});
  BOOST_TEST(d.reason == Reason::diverged);
  const NewtonResult dl = root_find(arctan, Vector{2.0}, {.rtol = 0.0, .atol = 1e-14});
  BOOST_TEST(dl.converged);  // the line search brings it in
  BOOST_TEST(std::abs(dl.x[0]) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(monitor_sees_every_iterate) {
  std::vector<double> seen;
  const NewtonResult r = root_find(powell_badly_scaled, Vector{0.0, 1.0}, {.monitor = [&](int k, double f) {
    BOOST_TEST(k == static_cast<int>(seen.size()));
    seen.push_back(f);
  }});
  BOOST_TEST(seen.size() == r.residual_history.size());
  for (std::size_t k = 0; k < seen.size(); ++k) BOOST_TEST(seen[k] == r.residual_history[k]);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const auto f = [](const auto& x) { return x * x - 2.0; };
  const Vector x0{1.0, 1.0};
  // F: R^2 -> R^3.
  const auto tall = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    return std::vector<T>{x[0], x[1], x[0] * x[1]};
  };
  BOOST_CHECK_EXCEPTION(root_find(tall, x0), ShapeError, [](const ShapeError& e) { return message_has(e, "F(x0) has 3"); });
  BOOST_CHECK_THROW(root_find(f, x0, {.linear_solver = NewtonLinearSolver::gmres, .preconditioner = identity_operator(3)}),
                    ShapeError);
  BOOST_CHECK_THROW(root_find(f, Vector{1.0, std::numeric_limits<double>::quiet_NaN()}), NonFiniteError);
  BOOST_CHECK_THROW(root_find(f, x0, {.rtol = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.rtol = -1e-8}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.atol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.max_iterations = -1}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.sufficient_decrease = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.max_backtracks = -1}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.line_search = false, .max_backtracks = 5}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.divergence_limit = 0.5}), ArgumentError);
  // gmres-only fields with the dense solver, and bad gmres fields.
  BOOST_CHECK_EXCEPTION(root_find(f, x0, {.preconditioner = identity_operator(2)}), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "preconditioner"); });
  BOOST_CHECK_THROW(root_find(f, x0, {.forcing = {.max = 0.5}}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.restart = 5}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.max_linear_iterations = 5}), ArgumentError);
  const auto g = NewtonLinearSolver::gmres;
  BOOST_CHECK_THROW(root_find(f, x0, {.linear_solver = g, .forcing = {.max = 1.0}}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.linear_solver = g, .forcing = {.alpha = 3.0}}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.linear_solver = g, .restart = 0}), ArgumentError);
  BOOST_CHECK_THROW(root_find(f, x0, {.linear_solver = g, .preconditioner = identity_operator(2),
                                      .preconditioner_update = [](ConstVectorView) { return identity_operator(2); }}),
                    ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
