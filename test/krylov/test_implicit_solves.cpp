// Krylov methods on operators that exist only as derivatives: CG on a Hessian operator (a Newton
// step without the Hessian), Hutchinson's trace of that Hessian, CG on a Gauss-Newton operator.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::random_dense;
using frechet::testing::relative_error;

namespace {

// f(x) = 1/2 sum (x_{i+1} - x_i)^2 + sum (exp(x_i) - x_i); H = 1D Laplacian (free ends) + diag(exp(x)).
auto chain(std::size_t n) {
  return [n](const auto& x) {
    const auto dx = frechet::slice(x, 1, n - 1) - frechet::slice(x, 0, n - 1);
    return 0.5 * frechet::sum(frechet::square(dx)) + frechet::sum(frechet::exp(x) - x);
  };
}

DenseMatrix chain_hessian(const Vector& x) {
  const std::size_t n = x.size();
  DenseMatrix h(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    h(i, i) = std::exp(x[i]) + ((i == 0 || i + 1 == n) ? 1.0 : 2.0);
    if (i + 1 < n) h(i, i + 1) = h(i + 1, i) = -1.0;
  }
  return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(implicit_solves)

BOOST_AUTO_TEST_CASE(cg_on_a_hessian_operator_is_a_newton_step) {
  const std::size_t n = 300;
  Random rng(1);
  const Vector x = rng.gaussian_vector(n);
  const auto h = hessian_operator(chain(n), x);
  const Vector g = grad(chain(n), x);
  const SolveResult step = cg(*h, g, {.rtol = 1e-12});
  BOOST_TEST(step.converged);
  const Vector reference = CholeskyFactorization(chain_hessian(x)).solve(g);
  BOOST_TEST(relative_error(step.x, reference) <= 1e-9);
}

BOOST_AUTO_TEST_CASE(hutchinson_trace_of_a_hessian_operator) {
  const std::size_t n = 500;
  Random rng(2);
  const Vector x = rng.gaussian_vector(n);
  const auto h = hessian_operator(chain(n), x);
  double exact = 0.0;
  const DenseMatrix dense = chain_hessian(x);
  for (std::size_t i = 0; i < n; ++i) exact += dense(i, i);
  const TraceResult t = hutchinson_trace(*h, {.probes = 200, .seed = 3});
  BOOST_TEST(t.operator_products == 200);
  BOOST_TEST(std::abs(t.estimate - exact) <= 4.0 * t.standard_error);
}

BOOST_AUTO_TEST_CASE(cg_on_a_gauss_newton_operator) {
  Random rng(4);
  const std::size_t m = 40, n = 12;
  const DenseMatrix a = random_dense(m, n, rng);
  const Vector w = rng.gaussian_vector(n), target = rng.gaussian_vector(m);
  const auto f = [&](const auto& v) { return frechet::tanh(frechet::matvec(a, v)); };
  const auto loss = [&](const auto& z) { return 0.5 * frechet::sum(frechet::square(z - target)); };
  const auto g = gauss_newton_operator(f, loss, w);
  const Vector b = rng.gaussian_vector(n);
  const SolveResult r = cg(*g, b, {.rtol = 1e-12});
  BOOST_TEST(r.converged);
  // G = J^T J with J = diag(1 - tanh(A w)^2) A.
  DenseMatrix j = a;
  const Vector aw = matvec(a, w);
  for (std::size_t c = 0; c < n; ++c)
    for (std::size_t i = 0; i < m; ++i) j(i, c) *= 1.0 - std::tanh(aw[i]) * std::tanh(aw[i]);
  const Vector reference = CholeskyFactorization(matmul(j, j, Transpose::yes)).solve(b);
  BOOST_TEST(relative_error(r.x, reference) <= 1e-8);
}

BOOST_AUTO_TEST_SUITE_END()
