// Bratu's problem -Laplace(u) = lambda e^u on a 100 x 100 grid (10^4 unknowns): Newton-Krylov with an
// ILU(0) preconditioner built from the coloured Jacobian at every iterate, quadratic convergence in
// the residual history, and forward and adjoint sensitivities to lambda consistent with each other
// and with finite differences of the whole solve.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "bratu.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;

namespace {

constexpr std::size_t m = 100;  // grid side: m^2 unknowns

const auto bratu = frechet::testing::bratu_residual(m);

}  // namespace

BOOST_AUTO_TEST_SUITE(bratu_problem)

BOOST_AUTO_TEST_CASE(newton_krylov_and_sensitivities_with_ten_thousand_unknowns) {
  const Vector theta{6.0};  // below the turning point lambda* ~ 6.81: two solutions, the lower found from 0
  const CsrMatrix pattern = laplacian_2d(m, m);
  const ColumnColoring colors = column_coloring(pattern);
  BOOST_TEST(colors.color_count == 5);
  const auto f = [&](const auto& u) { return bratu(u, theta); };
  const auto ilu_at = [&](ConstVectorView u) {
    return ilu0_preconditioner(sparse_jacobian(f, Vector(u.begin(), u.end()), pattern, colors));
  };
  const NewtonResult r = root_find(f, Vector(m * m, 0.0), {.rtol = 1e-12,
                                                            .linear_solver = NewtonLinearSolver::gmres,
                                                            .preconditioner_update = ilu_at});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations <= 8);
  // Quadratic convergence: once the residual is small, each step roughly squares it (in units of the
  // first residual).
  const Vector& h = r.residual_history;
  const double first = h[0];
  bool quadratic_step_seen = false;
  for (std::size_t k = 1; k < h.size(); ++k)
    if (h[k - 1] / first < 1e-2 && h[k] / first > 1e-13) quadratic_step_seen |= h[k] / first <= 10 * std::pow(h[k - 1] / first, 2);
  BOOST_TEST(quadratic_step_seen);

  // du/dlambda forward and (du/dlambda)^T u_bar backward, through GMRES on F_x and F_x^T with the
  // ILU(0) of F_x at the root (its adjoint in the backward solve).
  const ImplicitLinearization lin = implicit_linearization(
      bratu, r.x, theta, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-10, .restart = 100, .preconditioner = ilu_at(r.x)});
  const Vector du = lin.jvp(Vector{1.0});
  Random rng(15);
  const Vector u_bar = rng.gaussian_vector(m * m);
  const Vector lambda_bar = lin.vjp(u_bar);
  // Two independent solves to rtol 1e-10: <u_bar, du> = lambda_bar up to their accuracy.
  BOOST_TEST(std::abs(dot(u_bar, du) - lambda_bar[0]) <= 1e-7 * std::abs(lambda_bar[0]));
  BOOST_TEST(lin.linear_iterations() <= 400);
  // Warm starts: each direction starts from its previous solution scaled to the new right-hand side,
  // so a parallel right-hand side costs no iteration (its start already meets the stopping rule) and
  // gives the scaled answer; an independent one costs a full solve again.
  const int before_repeats = lin.linear_iterations();
  BOOST_TEST_MESSAGE("GMRES iterations of the first jvp and vjp: " << before_repeats);
  Vector three_u_bar = u_bar;
  scale(3.0, three_u_bar);
  BOOST_TEST(std::abs(lin.vjp(three_u_bar)[0] - 3.0 * lambda_bar[0]) <= 1e-8 * std::abs(lambda_bar[0]));
  BOOST_TEST(std::abs(lin.jvp(Vector{-2.0})[0] + 2.0 * du[0]) <= 1e-8 * std::abs(du[0]));
  BOOST_TEST(lin.linear_iterations() - before_repeats <= 2);
  const Vector other_bar = rng.gaussian_vector(m * m);
  const Vector other_lambda_bar = lin.vjp(other_bar);
  BOOST_TEST(std::abs(dot(other_bar, du) - other_lambda_bar[0]) <= 1e-7 * std::abs(other_lambda_bar[0]));
  BOOST_TEST(lin.linear_iterations() - before_repeats > 10);
  // Against central differences of the whole solve in lambda.
  const double step = 1e-5;
  const auto solve_at = [&](double lambda) {
    const Vector t{lambda};
    return root_find([&](const auto& u) { return bratu(u, t); }, r.x, {.rtol = 1e-13, .linear_solver = NewtonLinearSolver::gmres,
                                                                      .preconditioner_update = ilu_at}).x;
  };
  Vector fd = solve_at(theta[0] + step);
  axpy(-1.0, solve_at(theta[0] - step), fd);
  scale(0.5 / step, fd);
  BOOST_TEST(testing::relative_error(du, fd) <= 1e-6);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bratu_sparse_direct)

BOOST_AUTO_TEST_CASE(sparse_lu_and_cholesky_newton_with_ten_thousand_unknowns) {
  const Vector theta{6.0};
  const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
  const auto f = [&](const auto& u) { return bratu(u, theta); };
  const Vector u0(m * m, 0.0);
  const NewtonResult lu = root_find(f, u0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern});
  const NewtonResult chol =
      root_find(f, u0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_cholesky, .jacobian_pattern = pattern});
  const NewtonResult krylov = root_find(f, u0, {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::gmres,
                                                .preconditioner_update = [&](ConstVectorView u) {
                                                  return ilu0_preconditioner(sparse_jacobian(f, Vector(u.begin(), u.end()), *pattern));
                                                }});
  BOOST_TEST(lu.converged);
  BOOST_TEST(chol.converged);
  BOOST_TEST(krylov.converged);
  // Quadratic convergence, exact steps: from the second step on each residual (relative to the
  // first) is at most a modest multiple of the square of the one before, down to the stopping
  // threshold (the rounding floor of F is about 1e-13 of ||F(u_0)|| here).
  const Vector& h = lu.residual_history;
  for (std::size_t k = 2; k < h.size(); ++k)
    BOOST_TEST(h[k] / h[0] <= std::max(10 * std::pow(h[k - 1] / h[0], 2), 1e-12), "step " << k << ": " << h[k - 1] / h[0] << " -> " << h[k] / h[0]);
  BOOST_TEST(h.back() <= 1e-12 * h[0]);
  // One root: the three linear solvers agree to the accuracy the stopping rule allows (||J^{-1}||
  // ~ 1 / (2 pi^2 h^2) times ||F|| <= 1e-12 ||F(u_0)||).
  BOOST_TEST(testing::relative_error(lu.x, krylov.x) <= 1e-10);
  BOOST_TEST(testing::relative_error(chol.x, lu.x) <= 1e-10);
  BOOST_TEST(lu.iterations == chol.iterations);
  BOOST_TEST(lu.operator_products == 6 * lu.iterations);  // 5 colours and the verifying JVP
}

BOOST_AUTO_TEST_CASE(the_adjoint_reuses_the_forward_factors) {
  const Vector theta{6.0};
  const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
  for (const NewtonLinearSolver solver : {NewtonLinearSolver::sparse_lu, NewtonLinearSolver::sparse_cholesky}) {
    BOOST_TEST_CONTEXT("solver " << static_cast<int>(solver)) {
      const NewtonResult r = root_find([&](const auto& u) { return bratu(u, theta); }, Vector(m * m, 0.0),
                                       {.rtol = 1e-12, .linear_solver = solver, .jacobian_pattern = pattern});
      BOOST_REQUIRE(r.converged);
      // GMRES on the exact F_x at the root, preconditioned by the factors of F_x one iterate before:
      // a step or two per solve, backward as forward (the factors' transposed solve).
      const ImplicitLinearization kept = implicit_linearization(
          bratu, r.x, theta, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-12, .preconditioner = r.preconditioner});
      const Vector du = kept.jvp(Vector{1.0});
      const int forward_iterations = kept.linear_iterations();
      Random rng(21);
      const Vector u_bar = rng.gaussian_vector(m * m);
      const Vector lambda_bar = kept.vjp(u_bar);
      BOOST_TEST(forward_iterations <= 3);
      BOOST_TEST(kept.linear_iterations() - forward_iterations <= 3);
      // Duality <u_bar, J e> = <J^T u_bar, e> for the one parameter.
      BOOST_TEST(std::abs(dot(u_bar, du) - lambda_bar[0]) <= 1e-9 * std::abs(lambda_bar[0]));
      // The same derivative by a fresh sparse factorization of F_x at the root.
      const ImplicitLinearization fresh =
          implicit_linearization(bratu, r.x, theta, {.linear_solver = solver, .jacobian_pattern = pattern});
      BOOST_TEST(testing::relative_error(fresh.jvp(Vector{1.0}), du) <= 1e-9);
      BOOST_TEST(testing::relative_error(fresh.vjp(u_bar), lambda_bar) <= 1e-9);
      BOOST_TEST(fresh.linear_iterations() == 0);
      // Against central differences of the whole sparse-direct solve.
      const double step = 1e-5;
      const auto solve_at = [&](double lambda) {
        const Vector t{lambda};
        return root_find([&](const auto& u) { return bratu(u, t); }, r.x,
                         {.rtol = 1e-13, .linear_solver = solver, .jacobian_pattern = pattern}).x;
      };
      Vector fd = solve_at(theta[0] + step);
      axpy(-1.0, solve_at(theta[0] - step), fd);
      scale(0.5 / step, fd);
      BOOST_TEST(testing::relative_error(du, fd) <= 1e-6);
    }
  }
}

BOOST_AUTO_TEST_CASE(grad_through_a_sparse_direct_root) {
  // L(lambda) = sum(u*(lambda)) / n by grad through root_find, whose adjoint is preconditioned by the
  // forward solve's kept factors, against jvp through it (a direct solve) and finite differences.
  const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
  const NewtonOptions newton{.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern};
  const auto loss = [&](const auto& theta, const ImplicitOptions& implicit) {
    const auto u = root_find(bratu, Vector(m * m, 0.0), theta, newton, implicit);
    return sum(u) / static_cast<double>(m * m);
  };
  const Vector theta{5.0};
  const Vector g = grad([&](const auto& t) { return loss(t, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-12}); }, theta);
  const double forward =
      jvp([&](const auto& t) { return loss(t, {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern}); }, theta,
          Vector{1.0})
          .tangent;
  BOOST_TEST(std::abs(g[0] - forward) <= 1e-9 * std::abs(forward));
  const double step = 1e-5;
  const double fd = (loss(Vector{theta[0] + step}, {}) - loss(Vector{theta[0] - step}, {})) / (2 * step);
  BOOST_TEST(std::abs(g[0] - fd) <= 1e-6 * std::abs(fd));
}

BOOST_AUTO_TEST_SUITE_END()
