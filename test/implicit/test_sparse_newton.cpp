// Newton with a sparse direct solve of the coloured Jacobian (UMFPACK and CHOLMOD): against the dense
// LU on small systems, the kept factors as the result's preconditioner, every reason of its own
// forced once, and its bad input.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::broyden_tridiagonal;
using frechet::testing::message_has;

namespace {

// A monotone 1-D reaction-diffusion system -u'' + u^3 = 1 (symmetric positive definite Jacobian).
const auto reaction_diffusion = [](const auto& u) {
  using T = scalar_t<std::remove_cvref_t<decltype(u)>>;
  const std::size_t n = u.size();
  const double h2 = 1.0 / static_cast<double>((n + 1) * (n + 1));
  std::vector<T> f(n);
  for (std::size_t i = 0; i < n; ++i) {
    T fi = 2.0 * u[i] + h2 * (u[i] * u[i] * u[i] - 1.0);
    if (i > 0) fi = fi - u[i - 1];
    if (i + 1 < n) fi = fi - u[i + 1];
    f[i] = fi;
  }
  return f;
};

std::shared_ptr<const CsrMatrix> tridiagonal(std::size_t n) { return std::make_shared<const CsrMatrix>(laplacian_2d(n, 1)); }

std::shared_ptr<const CsrMatrix> diagonal(std::size_t n) {
  std::vector<SparseIndex> offsets(n + 1), cols(n);
  for (std::size_t i = 0; i < n; ++i) {
    offsets[i + 1] = static_cast<SparseIndex>(i + 1);
    cols[i] = static_cast<SparseIndex>(i);
  }
  return std::make_shared<const CsrMatrix>(n, n, std::move(offsets), std::move(cols), Vector(n, 1.0));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_newton)

BOOST_AUTO_TEST_CASE(sparse_lu_and_cholesky_against_the_dense_lu) {
  const std::size_t n = 200;
  const NewtonResult dense = root_find(broyden_tridiagonal, Vector(n, -1.0), {.rtol = 1e-12});
  const NewtonResult lu = root_find(broyden_tridiagonal, Vector(n, -1.0),
                                    {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = tridiagonal(n)});
  BOOST_TEST(dense.converged);
  BOOST_TEST(lu.converged);
  BOOST_TEST(testing::relative_error(lu.x, dense.x) <= 1e-12);
  // Exact steps from the same iterates: the same iteration count and the same residuals to rounding.
  BOOST_TEST(lu.iterations == dense.iterations);
  // 3 colours for a tridiagonal pattern, plus the verifying JVP, per iteration.
  BOOST_TEST(lu.operator_products == 4 * lu.iterations);
  BOOST_TEST(lu.jacobian_evaluations == lu.iterations);
  BOOST_TEST(lu.preconditioner != nullptr);
  BOOST_TEST(dense.preconditioner == nullptr);

  const NewtonResult dense_rd = root_find(reaction_diffusion, Vector(n, 0.0), {.rtol = 1e-12});
  const NewtonResult chol = root_find(reaction_diffusion, Vector(n, 0.0),
                                      {.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_cholesky,
                                       .jacobian_pattern = tridiagonal(n)});
  BOOST_TEST(chol.converged);
  BOOST_TEST(testing::relative_error(chol.x, dense_rd.x) <= 1e-12);
  BOOST_TEST(chol.iterations == dense_rd.iterations);
}

BOOST_AUTO_TEST_CASE(the_kept_factors_invert_the_last_jacobian) {
  // NewtonResult::preconditioner applies J(x_{k-1})^{-1}: at the last iterate before the root, the
  // Jacobian at x_{k-1}, re-run for one iteration less, times the operator is the identity.
  const std::size_t n = 50;
  const auto pattern = tridiagonal(n);
  const NewtonOptions options{.rtol = 1e-12, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern};
  const NewtonResult r = root_find(broyden_tridiagonal, Vector(n, -1.0), options);
  NewtonOptions before = options;
  before.max_iterations = r.iterations - 1;
  const Vector x_before = root_find(broyden_tridiagonal, Vector(n, -1.0), before).x;
  const CsrMatrix j = sparse_jacobian(broyden_tridiagonal, x_before, *pattern);
  Random rng(3);
  const Vector v = rng.gaussian_vector(n);
  BOOST_TEST(testing::relative_error(j.apply(r.preconditioner->apply(v)), v) <= 1e-12);
  BOOST_TEST(testing::relative_error(j.apply_adjoint(r.preconditioner->apply_adjoint(v)), v) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(every_reason_of_the_sparse_step) {
  // singular_jacobian: F(x) = x^2 + 1 has J = 0 at x = 0 (an exactly zero pivot for UMFPACK).
  const auto no_real_root = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    std::vector<T> f(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) f[i] = x[i] * x[i] + 1.0;
    return f;
  };
  const NewtonResult s = root_find(no_real_root, Vector(3, 0.0),
                                   {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = diagonal(3)});
  BOOST_TEST(s.reason == Reason::singular_jacobian);
  BOOST_TEST(s.iterations == 0);
  BOOST_TEST(s.preconditioner == nullptr);
  // indefinite: CHOLMOD asked to factor J = -I.
  const auto negative = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    std::vector<T> f(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) f[i] = 1.0 - x[i];
    return f;
  };
  const NewtonResult c = root_find(negative, Vector(3, 0.0),
                                   {.linear_solver = NewtonLinearSolver::sparse_cholesky, .jacobian_pattern = diagonal(3)});
  BOOST_TEST(c.reason == Reason::indefinite);
  // The same system by UMFPACK: one exact step.
  const NewtonResult l = root_find(negative, Vector(3, 0.0),
                                   {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = diagonal(3)});
  BOOST_TEST(l.converged);
  BOOST_TEST(l.iterations == 1);
  BOOST_TEST(testing::relative_error(l.x, Vector(3, 1.0)) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const Vector x0(10, -1.0);
  // A sparse solver without a pattern, a pattern with another solver, GMRES fields with a sparse one.
  BOOST_CHECK_EXCEPTION(root_find(broyden_tridiagonal, x0, {.linear_solver = NewtonLinearSolver::sparse_lu}), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "jacobian_pattern"); });
  BOOST_CHECK_EXCEPTION(root_find(broyden_tridiagonal, x0, {.jacobian_pattern = tridiagonal(10)}), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "jacobian_pattern"); });
  BOOST_CHECK_EXCEPTION(root_find(broyden_tridiagonal, x0,
                                  {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = tridiagonal(10), .restart = 5}),
                        ArgumentError, [](const ArgumentError& e) { return message_has(e, "restart"); });
  // A pattern of the wrong size.
  BOOST_CHECK_EXCEPTION(root_find(broyden_tridiagonal, x0, {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = tridiagonal(9)}),
                        ShapeError, [](const ShapeError& e) { return message_has(e, "jacobian_pattern"); });
  // A pattern that misses the off-diagonal entries: the verifying JVP names a row.
  BOOST_CHECK_EXCEPTION(root_find(broyden_tridiagonal, x0, {.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = diagonal(10)}),
                        ArgumentError, [](const ArgumentError& e) { return message_has(e, "row"); });
  // A Jacobian that is not symmetric, declared so by asking for Cholesky.
  BOOST_CHECK_THROW(root_find(broyden_tridiagonal, x0,
                              {.linear_solver = NewtonLinearSolver::sparse_cholesky, .jacobian_pattern = tridiagonal(10)}),
                    ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
