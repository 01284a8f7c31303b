// Second order by composition: the pullback of a pullback (a JVP as the VJP of a VJP, by the
// transposed reverse pass) and the Hessian in several arguments at once with its mixed blocks.
#define BOOST_TEST_MODULE frechet ad second order
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <optional>

#include "frechet/ad/ad.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {

// Scalar statements of every kind the tape records (two-term combinations, statements, accumulation
// chains, an accumulation flagged onto the statement before), interleaved with vector nodes
// (matvec, tanh, softmax, matmul through reshape, stack), returning a vector.
template <class V> auto mixed_function(const DenseMatrix& a, const V& x) {
  using T = scalar_t<V>;
  T s = x[0] * x[1] * x[2];  // a statement of its own
  s += x[3] * x[3];          // an accumulation onto the statement before (the flag)
  for (std::size_t i = 0; i + 1 < x.size(); ++i) s += sin(x[i]) * x[i + 1];  // a chain
  const auto h = frechet::tanh(frechet::matvec(a, x));
  T t = 1.0 - x[1];  // a two-term combination, no statement
  t = t * s + frechet::sum(h) * x[4];
  const auto p = frechet::softmax(h * h);
  const auto m = frechet::matmul(frechet::reshape(h, 2, 3), frechet::reshape(x, 3, 2));
  const std::vector<T> tail{s, t, exp(t) * x[5]};
  return frechet::concat(frechet::concat(p, frechet::flatten(m)), frechet::stack(tail));
}

double dot_of(const Vector& a, const Vector& b) { return frechet::dot(a, b); }

}  // namespace

BOOST_AUTO_TEST_SUITE(pullback_of_a_pullback)

BOOST_AUTO_TEST_CASE(is_the_jvp_for_statements_and_vector_nodes) {
  Random rng(11);
  const DenseMatrix a = testing::random_dense(6, 6, rng);
  const Vector x = rng.gaussian_vector(6), v = rng.gaussian_vector(6);
  const auto f = [&](const auto& xv) { return mixed_function(a, xv); };
  const auto [y, pullback] = vjp(f, x);
  const auto [value, pullback_of_pullback] = vjp(pullback, Vector(y.size(), 0.0));
  BOOST_TEST(norm2(value) == 0.0);  // the pullback of 0
  const Vector jv = pullback_of_pullback(v);
  const Vector expected = jvp(f, x, v).tangent;
  BOOST_TEST(relative_error(jv, expected) <= 1e-13);
  // Against central differences, which know nothing of the tape.
  Vector xp = x, xm = x;
  axpy(1e-6, v, xp);
  axpy(-1e-6, v, xm);
  Vector fd = f(xp);
  axpy(-1.0, f(xm), fd);
  scale(0.5e6, fd);
  BOOST_TEST(relative_error(jv, fd) <= 1e-7);
  // Duality between the pullback and its own pullback: <u, J v> = <J^T u, v>.
  const Vector u = rng.gaussian_vector(y.size());
  const double lhs = dot_of(u, jv), rhs = dot_of(pullback(u), v);
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-13 * (std::abs(lhs) + std::abs(rhs)));
  // The transposed pass leaves the pullback usable, and may be repeated.
  BOOST_TEST(relative_error(pullback(u), vjp(f, x).pullback(u)) == 0.0);
  BOOST_TEST(relative_error(pullback_of_pullback(v), jv) == 0.0);
}

BOOST_AUTO_TEST_CASE(scalar_valued_f_gives_the_directional_derivative) {
  // A JVP of a scalar f is <grad f, v>; the seed of the first VJP (here 3) only sets its value.
  Random rng(12);
  const Vector x = rng.gaussian_vector(5), v = rng.gaussian_vector(5);
  const auto f = [](const auto& w) { return frechet::logsumexp(w * w) + frechet::norm(w); };
  const auto [y, pullback] = vjp(f, x);
  const auto [g3, pullback_of_pullback] = vjp(pullback, 3.0);
  const Vector g = grad(f, x);
  Vector g_times_3 = g;
  scale(3.0, g_times_3);
  BOOST_TEST(relative_error(g3, g_times_3) <= 1e-15);
  const double jv = pullback_of_pullback(v);
  BOOST_TEST(std::abs(jv - dot_of(g, v)) <= 1e-14 * std::abs(dot_of(g, v)));
}

BOOST_AUTO_TEST_CASE(several_arguments_and_matrices) {
  // f(A, x) = tanh(A x): the pullback's pullback takes (A_dot, x_dot) and gives the JVP in both.
  Random rng(13);
  const DenseMatrix a = testing::random_dense(4, 3, rng), a_dot = testing::random_dense(4, 3, rng);
  const Vector x = rng.gaussian_vector(3), x_dot = rng.gaussian_vector(3);
  const auto f = [](const auto& av, const auto& xv) { return frechet::tanh(frechet::matvec(av, xv)); };
  const auto [y, pullback] = vjp(f, a, x);
  const auto [unused, pullback_of_pullback] = vjp(pullback, Vector(4, 0.0));
  const Vector expected = jvp(f, std::tuple{a, x}, std::tuple{a_dot, x_dot}).tangent;
  BOOST_TEST(relative_error(pullback_of_pullback(a_dot, x_dot), expected) <= 1e-14);
  BOOST_TEST(relative_error(pullback_of_pullback(std::tuple{a_dot, x_dot}), expected) <= 1e-14);
  // One selected argument: the other is a constant.
  const auto [y1, pullback_x] = vjp<1>(f, a, x);
  const auto [unused1, pb_pb_x] = vjp(pullback_x, Vector(4, 0.0));
  BOOST_TEST(relative_error(pb_pb_x(x_dot), jvp([&](const auto& xv) { return f(a, xv); }, x, x_dot).tangent) <= 1e-14);
  BOOST_CHECK_THROW(pb_pb_x(Vector(2, 1.0)), ShapeError);
}

BOOST_AUTO_TEST_CASE(custom_rules_push_forward_through_their_jvp_or_their_vjp) {
  // x = A^{-1} b as a custom rule with only a VJP (the forward sweep then builds its JVP from VJPs)
  // and the same rule with only a JVP: both transposed passes give the built-in solve's JVP.
  const std::size_t n = 3;
  Random rng(14);
  const DenseMatrix a = testing::random_spd(n, rng);
  const Vector b = rng.gaussian_vector(n), b_dot = rng.gaussian_vector(n);
  auto with_vjp = std::make_shared<CustomRule<std::optional<LuFactorization>>>();
  with_vjp->name = "solve_vjp";
  with_vjp->primal = [a](CustomInputs x, std::optional<LuFactorization>& lu) {
    lu.emplace(a);
    return lu->solve(x[0]);
  };
  auto with_jvp = std::make_shared<CustomRule<std::optional<LuFactorization>>>(*with_vjp);
  with_jvp->name = "solve_jvp";
  with_vjp->vjp = [](CustomInputs, ConstVectorView, const std::optional<LuFactorization>& lu, ConstVectorView x_bar,
                     CustomCotangents bars) { axpy(1.0, lu->solve_transpose(x_bar), bars[0]); };
  with_jvp->jvp = [](CustomInputs, ConstVectorView, const std::optional<LuFactorization>& lu, CustomInputs dx) {
    return lu->solve(dx[0]);
  };
  const Vector expected = jvp([&](const auto& bv) { return frechet::exp(frechet::solve(a, bv)); }, b, b_dot).tangent;
  for (const auto& rule : {std::shared_ptr<const CustomRule<std::optional<LuFactorization>>>(with_vjp),
                           std::shared_ptr<const CustomRule<std::optional<LuFactorization>>>(with_jvp)}) {
    const auto f = [&](const auto& bv) { return frechet::exp(apply_custom(rule, bv)); };
    const auto [y, pullback] = vjp(f, b);
    const auto [unused, pullback_of_pullback] = vjp(pullback, Vector(n, 0.0));
    BOOST_TEST(relative_error(pullback_of_pullback(b_dot), expected) <= 1e-13, rule->name);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hessian_in_several_arguments)

BOOST_AUTO_TEST_CASE(blocks_are_the_joint_hessian) {
  // f(w, theta) = sum tanh(A w + theta)^2 + theta^T theta w_0: every block of the joint Hessian is
  // non-zero. The tuple HVP is the HVP of f(z) with z = (w, theta), split into its two blocks.
  Random rng(21);
  const DenseMatrix a = testing::random_dense(4, 3, rng);
  const Vector w = rng.gaussian_vector(3), theta = rng.gaussian_vector(4);
  const Vector w_dot = rng.gaussian_vector(3), theta_dot = rng.gaussian_vector(4);
  const auto f = [&](const auto& wv, const auto& tv) {
    return frechet::sum(frechet::square(frechet::tanh(frechet::matvec(a, wv) + tv))) + frechet::dot(tv, tv) * wv[0];
  };
  const auto [hw, ht] = hvp(f, std::tuple{w, theta}, std::tuple{w_dot, theta_dot});
  const auto joint = [&](const auto& z) { return f(frechet::slice(z, 0, 3), frechet::slice(z, 3, 4)); };
  const Vector hz = hvp(joint, concat(w, theta), concat(w_dot, theta_dot));
  BOOST_TEST(relative_error(concat(hw, ht), hz) <= 1e-14);
  // The mixed block alone, (d2f / dw dtheta) theta_dot, against central differences of grad_w in theta.
  const Vector mixed = mixed_hvp(f, w, theta, theta_dot);
  const double h = 1e-5;
  Vector tp = theta, tm = theta;
  axpy(h, theta_dot, tp);
  axpy(-h, theta_dot, tm);
  Vector fd = grad<0>(f, w, tp);
  axpy(-1.0, grad<0>(f, w, tm), fd);
  scale(1 / (2 * h), fd);
  BOOST_TEST(relative_error(mixed, fd) <= 1e-8);
  // Duality of the mixed blocks: <u, (d2f / dw dtheta) theta_dot> = <(d2f / dtheta dw) u, theta_dot>.
  const Vector u = rng.gaussian_vector(3);
  const double lhs = dot_of(u, mixed);
  const double rhs = dot_of(std::get<1>(hvp(f, std::tuple{w, theta}, std::tuple{u, Vector(4, 0.0)})), theta_dot);
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-13 * (std::abs(lhs) + std::abs(rhs)));
}

BOOST_AUTO_TEST_CASE(closed_form_of_a_least_squares_mixed_derivative) {
  // f(x, theta) = 1/2 ||A x - theta||^2 + 1/2 ||x||^2 has d2f / dx dtheta = -A^T exactly, and with a
  // scalar and a matrix argument f(s, B) = s^2 sum(B) has d2f / ds dB . B_dot = 2 s sum(B_dot).
  Random rng(22);
  const DenseMatrix a = testing::random_dense(5, 3, rng);
  const Vector x = rng.gaussian_vector(3), theta = rng.gaussian_vector(5), theta_dot = rng.gaussian_vector(5);
  const auto f = [&](const auto& xv, const auto& tv) {
    const auto r = frechet::matvec(a, xv) - tv;
    return 0.5 * frechet::dot(r, r) + 0.5 * frechet::dot(xv, xv);
  };
  Vector expected = matvec_transpose(a, theta_dot);
  scale(-1.0, expected);
  BOOST_TEST(relative_error(mixed_hvp(f, x, theta, theta_dot), expected) <= 1e-15);
  const DenseMatrix b = testing::random_dense(2, 2, rng), b_dot = testing::random_dense(2, 2, rng);
  const auto g = [](const auto& s, const auto& bm) { return s * s * frechet::sum(frechet::flatten(bm)); };
  const double d = mixed_hvp(g, 1.5, b, b_dot);
  double sum_dot = 0.0;
  for (double e : b_dot.values()) sum_dot += e;
  BOOST_TEST(std::abs(d - 3.0 * sum_dot) <= 1e-14 * std::abs(3.0 * sum_dot));
  BOOST_CHECK_THROW(mixed_hvp(f, x, theta, Vector(4, 0.0)), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
