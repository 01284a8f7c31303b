// The examples of doc/implicit.md, compiled and run as written there (keep the two in step).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/implicit/argmin_sensitivity.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "implicit_test_support.hpp"

BOOST_AUTO_TEST_SUITE(guide_examples)

BOOST_AUTO_TEST_CASE(scalar_roots) {
  // --- doc: scalar_roots
  auto f = [](const auto& x) { using std::cos; return cos(x) - x; };
  frechet::ScalarRootResult a = frechet::bracket_root(f, 0.0, 1.0);          // TOMS 748
  frechet::ScalarRootResult b = frechet::newton_root(f, 0.0, 1.0);           // f' from a Dual
  frechet::ScalarRootResult c = frechet::bracket_root(f, 0.0, 1.0, {.max_iterations = 3});
  // a.root == 0.7390851332151607, a.converged; c.reason == Reason::max_iterations, c.lower <= root <= c.upper
  // ---
  BOOST_TEST(a.converged);
  BOOST_TEST(b.converged);
  BOOST_TEST(std::abs(a.root - 0.7390851332151607) <= 1e-15);
  BOOST_TEST(c.reason == frechet::Reason::max_iterations);
  BOOST_TEST((c.lower <= a.root && a.root <= c.upper));
}

BOOST_AUTO_TEST_CASE(newton_and_newton_krylov) {
  // --- doc: newton
  // The discrete boundary value problem of Moré, Garbow and Hillstrom, written once.
  auto bvp = [](const auto& x) {
    using T = frechet::scalar_t<std::remove_cvref_t<decltype(x)>>;
    const std::size_t n = x.size();
    const double h = 1.0 / static_cast<double>(n + 1);
    std::vector<T> f(n);
    for (std::size_t i = 0; i < n; ++i) {
      const T u = x[i] + static_cast<double>(i + 1) * h + 1.0;
      T fi = 2.0 * x[i] + 0.5 * h * h * u * u * u;
      if (i > 0) fi = fi - x[i - 1];
      if (i + 1 < n) fi = fi - x[i + 1];
      f[i] = fi;
    }
    return f;
  };
  const frechet::Vector x0(1000, 0.0);
  frechet::NewtonResult dense = frechet::root_find(bvp, x0);                  // LU of the AD Jacobian
  frechet::NewtonResult krylov = frechet::root_find(bvp, x0, {
      .linear_solver = frechet::NewtonLinearSolver::gmres,                    // matrix-free
      .preconditioner_update = [&](frechet::ConstVectorView x) {              // refreshed at every x_k
        const frechet::Vector xk(x.begin(), x.end());
        const frechet::CsrMatrix pattern = frechet::laplacian_2d(1000, 1);    // tridiagonal
        return frechet::ilu0_preconditioner(frechet::sparse_jacobian(bvp, xk, pattern));
      }});
  frechet::NewtonResult direct = frechet::root_find(bvp, x0, {
      .linear_solver = frechet::NewtonLinearSolver::sparse_lu,                // UMFPACK, analysed once
      .jacobian_pattern = std::make_shared<const frechet::CsrMatrix>(frechet::laplacian_2d(1000, 1))});
  // dense.converged, krylov.converged, direct.converged; krylov.residual_history shows the quadratic convergence
  // ---
  BOOST_TEST(dense.converged);
  BOOST_TEST(krylov.converged);
  BOOST_TEST(direct.converged);
  BOOST_TEST(frechet::testing::relative_error(krylov.x, dense.x) <= 1e-8);
  BOOST_TEST(frechet::testing::relative_error(direct.x, dense.x) <= 1e-12);
  BOOST_TEST(krylov.linear_iterations <= 2 * krylov.iterations);
}

BOOST_AUTO_TEST_CASE(implicit_derivatives) {
  // --- doc: implicit
  // Market equilibrium: demand 100 - 2 P^{c_d} equals supply 5 * 3^{c_s P}.
  auto excess_demand = [](const auto& price, const auto& c) {
    using std::exp;
    using std::pow;
    using P = frechet::scalar_t<std::remove_cvref_t<decltype(price)>>;
    using C = frechet::scalar_t<std::remove_cvref_t<decltype(c)>>;
    using T = std::conditional_t<std::is_same_v<P, double>, C, P>;  // the active argument's scalar
    const T p = price[0], cd = c[0], cs = c[1];
    return std::vector<T>{100.0 - 2.0 * pow(p, cd) - 5.0 * exp(cs * p * std::log(3.0))};
  };
  const frechet::Vector c{0.5, 0.15};
  const frechet::Vector p = frechet::root_find(excess_demand, frechet::Vector{5.0}, c);   // 17.65
  // dp/dc by the implicit function theorem, forward and reverse:
  const frechet::Vector dp_dcd = frechet::implicit_jvp(excess_demand, p, c, frechet::Vector{1.0, 0.0});
  const frechet::Vector dp_dc = frechet::implicit_vjp(excess_demand, p, c, frechet::Vector{1.0});
  // A log-likelihood written through the root, differentiated without unrolling Newton:
  const double p_hat = 17.66, sigma = 0.01;
  auto log_likelihood = [&](const auto& cc) {
    const auto price = frechet::root_find(excess_demand, frechet::Vector{5.0}, cc);
    const auto r = price - frechet::Vector{p_hat};
    return -0.5 * frechet::dot(r, r) / (sigma * sigma);
  };
  const frechet::Vector g = frechet::grad(log_likelihood, c);
  // ... and its Hessian, forward over reverse through the root (one product per direction):
  const frechet::Vector h0 = frechet::hvp(log_likelihood, c, frechet::Vector{1.0, 0.0});
  // ---
  BOOST_TEST(std::abs(p[0] - 17.65) <= 0.005);
  BOOST_TEST(std::abs(dp_dcd[0] - dp_dc[0]) <= 1e-12 * std::abs(dp_dc[0]));
  const double scale = (p_hat - p[0]) / (sigma * sigma);
  BOOST_TEST(std::abs(g[1] - scale * dp_dc[1]) <= 1e-10 * std::abs(g[1]));
  const double step = 1e-6;
  const frechet::Vector up = frechet::grad(log_likelihood, frechet::Vector{c[0] + step, c[1]});
  const frechet::Vector down = frechet::grad(log_likelihood, frechet::Vector{c[0] - step, c[1]});
  for (std::size_t i = 0; i < 2; ++i) BOOST_TEST(std::abs(h0[i] - (up[i] - down[i]) / (2 * step)) <= 1e-6 * std::abs(h0[i]));
}

BOOST_AUTO_TEST_CASE(argmin) {
  // --- doc: argmin
  // Ridge regression w*(lambda) = argmin ||X w - y||^2 / 2 + lambda ||w||^2 / 2, with theta = (lambda):
  frechet::DenseMatrix x(50, 5);
  frechet::Vector y(50);
  for (std::size_t i = 0; i < 50; ++i) {
    for (std::size_t j = 0; j < 5; ++j) x(i, j) = std::sin(0.3 * static_cast<double>((i + 1) * (j + 1)));
    y[i] = std::cos(static_cast<double>(i));
  }
  auto objective = [&](const auto& w, const auto& theta) {
    const auto r = frechet::matvec(x, w) - y;
    return 0.5 * frechet::dot(r, r) + 0.5 * frechet::sum(theta) * frechet::dot(w, w);
  };
  const frechet::Vector theta{0.1};
  frechet::DenseMatrix h = frechet::matmul(x, x, frechet::Transpose::yes);
  for (std::size_t i = 0; i < 5; ++i) h(i, i) += theta[0];
  const frechet::Vector w_star = frechet::LuFactorization(h).solve(frechet::matvec_transpose(x, y));
  frechet::ArgminSensitivityResult dw = frechet::argmin_jvp(objective, w_star, theta, frechet::Vector{1.0});
  frechet::ArgminSensitivityResult few = frechet::argmin_jvp(objective, w_star, theta, frechet::Vector{1.0},
                                                             {.max_iterations = 2});   // truncated CG
  // dw.value = -(X^T X + lambda I)^{-1} w*; few.converged is false, few.reason is max_iterations
  // ---
  frechet::Vector expected = frechet::LuFactorization(h).solve(w_star);
  frechet::scale(-1.0, expected);
  BOOST_TEST(dw.converged);
  BOOST_TEST(frechet::testing::relative_error(dw.value, expected) <= 1e-8);
  BOOST_TEST(few.reason == frechet::Reason::max_iterations);
}

BOOST_AUTO_TEST_CASE(coloured_jacobian) {
  // --- doc: coloring
  // Bratu's problem -Laplace(u) = lambda e^u on an m x m grid (5-point stencil, zero boundary).
  const std::size_t m = 100;
  auto bratu = [m](const auto& u) {
    using std::exp;
    using T = frechet::scalar_t<std::remove_cvref_t<decltype(u)>>;
    const double h2 = 1.0 / static_cast<double>((m + 1) * (m + 1));
    std::vector<T> f(m * m);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t k = i + j * m;
        T s = 4.0 * u[k] - 6.0 * h2 * exp(u[k]);
        if (i > 0) s = s - u[k - 1];
        if (i + 1 < m) s = s - u[k + 1];
        if (j > 0) s = s - u[k - m];
        if (j + 1 < m) s = s - u[k + m];
        f[k] = s;
      }
    return f;
  };
  const frechet::CsrMatrix pattern = frechet::laplacian_2d(m, m);           // the same structure
  const frechet::ColumnColoring colors = frechet::column_coloring(pattern);  // 5 colours
  const frechet::Vector u(m * m, 0.1);
  const frechet::CsrMatrix j = frechet::sparse_jacobian(bratu, u, pattern, colors);  // 5 JVPs + 1 check
  // ---
  BOOST_TEST(colors.color_count == 5);
  frechet::Vector v(m * m, 0.0), jv(m * m);
  v[m + 1] = 1.0;
  j.apply(v, jv);
  BOOST_TEST(frechet::testing::relative_error(jv, frechet::jvp(bratu, u, v).tangent) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(differentiable_sparse_solve) {
  // --- doc: sparse_solve
  const frechet::CsrMatrix pattern = frechet::laplacian_2d(10, 10);    // A's structure
  const frechet::Vector lap(pattern.values().begin(), pattern.values().end());
  const frechet::Vector ones(pattern.rows(), 1.0);
  auto loss = [&](const auto& p) {                                      // A(p) = p_0 L, b(p) = p_1 1
    const auto x = frechet::sparse_solve(pattern, p[0] * lap, p[1] * ones,
                                         {.method = frechet::SparseSolveMethod::cholesky});
    return 0.5 * frechet::dot(x, x);
  };
  const frechet::Vector g = frechet::grad(loss, frechet::Vector{2.0, 3.0});
  // x = (p_1 / p_0) L^{-1} 1, so g = (-2, 2 p_0 / p_1) loss / p_0
  // ---
  const double l = loss(frechet::Vector{2.0, 3.0});
  BOOST_TEST(std::abs(g[0] + 2.0 * l / 2.0) <= 1e-12 * l);
  BOOST_TEST(std::abs(g[1] - 2.0 * l / 3.0) <= 1e-12 * l);
}

BOOST_AUTO_TEST_SUITE_END()
