// Argmin sensitivity: CG on the Hessian operator against the dense response Jacobian, truncated and
// damped solves, an indefinite Hessian, bad input.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/implicit/argmin_sensitivity.hpp"
#include "frechet/implicit/root_find.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {

// f(x, theta) = x^T A x / 2 + sum(x^4) / 4 - sin(theta)^T B^T x, A symmetric positive definite:
// grad_x f = A x + x^3 - B sin(theta), H = A + 3 diag(x^2), d2f/dx dtheta = -B diag(cos theta).
struct Problem {
  DenseMatrix a, b, bt;
  template <class X, class T> auto operator()(const X& x, const T& theta) const {
    return 0.5 * quad_form(x, a) + 0.25 * sum(square(square(x))) - dot(sin(theta), matvec(bt, x));
  }
  Vector minimiser(const Vector& theta) const {
    const Vector force = matvec(b, sin(theta));
    const NewtonResult r = root_find([&](const auto& x) { return matvec(a, x) + x * x * x - force; },
                                     Vector(a.rows(), 0.0), {.rtol = 1e-14});
    BOOST_REQUIRE(r.converged);
    return r.x;
  }
  // -H^{-1} M and its pieces, dense.
  DenseMatrix response(const Vector& x, const Vector& theta, double damping = 0.0) const {
    DenseMatrix h = a;
    for (std::size_t i = 0; i < x.size(); ++i) h(i, i) += 3.0 * x[i] * x[i] + damping;
    DenseMatrix bc = b;  // -M = B diag(cos theta)
    for (std::size_t j = 0; j < theta.size(); ++j)
      for (std::size_t i = 0; i < b.rows(); ++i) bc(i, j) *= std::cos(theta[j]);
    return LuFactorization(h).solve(bc);
  }
};

Problem make_problem(std::size_t n, std::size_t p, Random& rng) {
  Problem f{testing::random_spd(n, rng), testing::random_dense(n, p, rng), {}};
  f.bt = f.b.transposed();
  return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(argmin_sensitivity)

BOOST_AUTO_TEST_CASE(against_the_dense_response_jacobian) {
  Random rng(11);
  const std::size_t n = 30, p = 4;
  const Problem f = make_problem(n, p, rng);
  const Vector theta = rng.gaussian_vector(p);
  const Vector x_star = f.minimiser(theta);
  BOOST_TEST(norm2(grad([&](const auto& x) { return f(x, theta); }, x_star)) <= 1e-12);
  const DenseMatrix j = f.response(x_star, theta);
  const Vector theta_dot = rng.gaussian_vector(p), x_bar = rng.gaussian_vector(n);
  const ArgminSensitivityResult fwd = argmin_jvp(f, x_star, theta, theta_dot, {.rtol = 1e-12});
  const ArgminSensitivityResult rev = argmin_vjp(f, x_star, theta, x_bar, {.rtol = 1e-12});
  BOOST_TEST(fwd.converged);
  BOOST_TEST(rev.converged);
  BOOST_TEST(relative_error(fwd.value, matvec(j, theta_dot)) <= 1e-10);
  BOOST_TEST(relative_error(rev.value, matvec_transpose(j, x_bar)) <= 1e-10);
  BOOST_TEST(fwd.operator_products >= fwd.iterations + 1);
  // Against central differences of the minimiser itself.
  const double h = 1e-6;
  Vector tp = theta, tm = theta;
  axpy(h, theta_dot, tp);
  axpy(-h, theta_dot, tm);
  Vector fd = f.minimiser(tp);
  axpy(-1.0, f.minimiser(tm), fd);
  scale(0.5 / h, fd);
  BOOST_TEST(relative_error(fwd.value, fd) <= 1e-7);
}

BOOST_AUTO_TEST_CASE(truncated_and_damped_solves) {
  Random rng(12);
  const std::size_t n = 40, p = 3;
  const Problem f = make_problem(n, p, rng);
  const Vector theta = rng.gaussian_vector(p);
  const Vector x_star = f.minimiser(theta);
  const Vector theta_dot = rng.gaussian_vector(p);
  const Vector exact = matvec(f.response(x_star, theta), theta_dot);
  // A truncated solve is a result, flagged, and less accurate than more iterations.
  double previous = 1e300;
  for (const int k : {2, 8, 40}) {
    const ArgminSensitivityResult r = argmin_jvp(f, x_star, theta, theta_dot, {.rtol = 1e-12, .max_iterations = k});
    BOOST_TEST(r.iterations <= k);
    const double error = relative_error(r.value, exact);
    BOOST_TEST(error <= previous);
    previous = error;
    if (k < 8) {
      BOOST_TEST(!r.converged);
      BOOST_TEST(r.reason == Reason::max_iterations);
      BOOST_TEST(error > 1e-6);
    }
  }
  BOOST_TEST(previous <= 1e-9);
  // Damping: the sensitivity of the problem with (H + delta I).
  const ArgminSensitivityResult d = argmin_jvp(f, x_star, theta, theta_dot, {.rtol = 1e-12, .damping = 0.5});
  BOOST_TEST(d.converged);
  BOOST_TEST(relative_error(d.value, matvec(f.response(x_star, theta, 0.5), theta_dot)) <= 1e-10);
}

BOOST_AUTO_TEST_CASE(indefinite_hessian_and_bad_input) {
  // f = -|x|^2 / 2 + theta^T x: x = theta is a maximum; CG reports it.
  const auto f = [](const auto& x, const auto& theta) { return -0.5 * dot(x, x) + dot(theta, x); };
  const Vector theta{1.0, 2.0};
  const ArgminSensitivityResult r = argmin_jvp(f, theta, theta, Vector{1.0, 0.0});
  BOOST_TEST(r.reason == Reason::indefinite);
  BOOST_TEST(!r.converged);
  // Damping 2 makes H + 2 I = I: dx = -(I)^{-1} (I theta_dot).
  const ArgminSensitivityResult damped = argmin_jvp(f, theta, theta, Vector{1.0, 0.0}, {.damping = 2.0});
  BOOST_TEST(damped.converged);
  BOOST_TEST(relative_error(damped.value, Vector{-1.0, 0.0}) <= 1e-14);
  BOOST_CHECK_THROW(argmin_jvp(f, theta, theta, Vector{1.0}), ShapeError);
  BOOST_CHECK_THROW(argmin_vjp(f, theta, theta, Vector{1.0, 2.0, 3.0}), ShapeError);
  BOOST_CHECK_THROW(argmin_jvp(f, theta, theta, Vector{1.0, 0.0}, {.damping = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(argmin_jvp(f, theta, theta, Vector{1.0, 0.0}, {.rtol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(argmin_vjp(f, theta, theta, Vector{1.0, 0.0}, {.rtol = 0.0}), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
