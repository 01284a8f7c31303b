// The transforms: argnums, pullbacks, Jacobians by either mode, Hessians, derivative checks.
#include <boost/test/unit_test.hpp>

#include "ad_test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

BOOST_AUTO_TEST_SUITE(transforms)

BOOST_AUTO_TEST_CASE(argnums_select_arguments) {
  // L(w, b) = sum tanh(X w + b)^2 with a matrix argument and a vector argument.
  Random rng(1);
  const DenseMatrix x = testing::random_dense(6, 3, rng);
  const Vector w = rng.gaussian_vector(3), b = rng.gaussian_vector(6);
  const auto loss = [&](const auto& wv, const auto& bv) {
    return frechet::sum(frechet::square(frechet::tanh(frechet::matvec(x, wv) + bv)));
  };
  const auto [gw, gb] = grad(loss, w, b);
  const Vector gw_only = grad<0>(loss, w, b);
  const Vector gb_only = grad<1>(loss, w, b);
  BOOST_TEST(relative_error(gw, gw_only) == 0.0);
  BOOST_TEST(relative_error(gb, gb_only) == 0.0);
  BOOST_TEST(check_gradient([&](const auto& v) { return loss(v, b); }, w).passed);
  BOOST_TEST(check_gradient([&](const auto& v) { return loss(w, v); }, b).passed);
  const auto vg = value_and_grad<1>(loss, w, b);
  BOOST_TEST(vg.value == loss(w, b));
  // A scalar argument and a matrix argument.
  const auto g2 = grad<0, 1>([](const auto& s, const auto& m) { return s * frechet::sum(frechet::exp(m)); }, 2.0,
                             DenseMatrix{{0.0, 1.0}, {2.0, 3.0}});
  const double total = 1 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  BOOST_TEST(std::abs(std::get<0>(g2) - total) <= 1e-14 * total);
  BOOST_TEST(std::abs(std::get<1>(g2)(1, 1) - 2 * std::exp(3.0)) <= 1e-14 * total);
}

BOOST_AUTO_TEST_CASE(jvp_in_several_arguments_at_once) {
  // f(A, x) = A x pushes (A_dot, x_dot) together: y_dot = A_dot x + A x_dot, the sum of the JVPs in
  // each argument alone, and <u, y_dot> = <A_bar, A_dot> + <x_bar, x_dot> with the pullback in both.
  Random rng(3);
  const DenseMatrix a = testing::random_dense(4, 3, rng), a_dot = testing::random_dense(4, 3, rng);
  const Vector x = rng.gaussian_vector(3), x_dot = rng.gaussian_vector(3), u = rng.gaussian_vector(4);
  const auto f = [](const auto& m, const auto& v) { return frechet::matvec(m, v); };
  const auto [y, y_dot] = jvp(f, std::tuple{a, x}, std::tuple{a_dot, x_dot});
  Vector expected = matvec(a_dot, x);
  axpy(1.0, matvec(a, x_dot), expected);
  BOOST_TEST(relative_error(y, matvec(a, x)) == 0.0);
  BOOST_TEST(relative_error(y_dot, expected) <= 1e-15);
  Vector separately = jvp([&](const auto& m) { return f(m, x); }, a, a_dot).tangent;
  axpy(1.0, jvp([&](const auto& v) { return f(a, v); }, x, x_dot).tangent, separately);
  BOOST_TEST(relative_error(y_dot, separately) <= 1e-15);
  const auto [a_bar, x_bar] = vjp(f, a, x).pullback(u);
  const double lhs = dot(u, y_dot), rhs = dot(a_bar.values(), a_dot.values()) + dot(x_bar, x_dot);
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-14 * (std::abs(lhs) + std::abs(rhs)));
  // A scalar argument beside a vector, and a scalar output.
  const auto s = jvp([](const auto& c, const auto& v) { return c * frechet::sum(v); }, std::tuple{2.0, x},
                     std::tuple{0.5, x_dot});
  const double sum_x = x[0] + x[1] + x[2], sum_dot = x_dot[0] + x_dot[1] + x_dot[2];
  BOOST_TEST(std::abs(s.tangent - (0.5 * sum_x + 2.0 * sum_dot)) <= 1e-14 * (std::abs(sum_x) + std::abs(sum_dot)));
  BOOST_CHECK_THROW(jvp(f, std::tuple{a, x}, std::tuple{a_dot, Vector(2)}), ShapeError);
  BOOST_CHECK_THROW(jvp(f, std::tuple{a, x}, std::tuple{testing::random_dense(3, 4, rng), x_dot}), ShapeError);
}

BOOST_AUTO_TEST_CASE(pullback_is_linear_reusable_and_shape_checked) {
  Random rng(2);
  const DenseMatrix a = testing::random_dense(4, 3, rng);
  const auto f = [&](const auto& v) { return frechet::softmax(frechet::matvec(a, v)); };
  const Vector x = rng.gaussian_vector(3);
  auto [y, pullback] = vjp(f, x);
  BOOST_TEST(relative_error(y, softmax(matvec(a, x))) <= 1e-15);
  const Vector u = rng.gaussian_vector(4), w = rng.gaussian_vector(4);
  Vector c(4);
  for (std::size_t i = 0; i < 4; ++i) c[i] = 2.0 * u[i] - 3.0 * w[i];
  const Vector pu = pullback(ConstVectorView(u)), pw = pullback(ConstVectorView(w)), pc = pullback(ConstVectorView(c));
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(std::abs(pc[i] - (2 * pu[i] - 3 * pw[i])) <= 1e-14);
  BOOST_CHECK_EXCEPTION(pullback(ConstVectorView(Vector(3))), ShapeError, [](const ShapeError& e) {
    const std::string s = e.what();
    return s.find("pullback") != std::string::npos && s.find("expected size 4, got 3") != std::string::npos;
  });
  BOOST_TEST(pullback.tape_bytes() > 0u);
}

BOOST_AUTO_TEST_CASE(jacobian_forward_reverse_and_automatic_agree) {
  Random rng(3);
  const DenseMatrix a = testing::random_dense(7, 3, rng);
  for (std::size_t m : {2u, 7u}) {
    const auto f = [&, m](const auto& v) { return frechet::slice(frechet::tanh(frechet::matvec(a, v)), 0, m); };
    const Vector x = rng.gaussian_vector(3);
    const DenseMatrix jf = jacobian(f, x, {.mode = JacobianMode::forward});
    const DenseMatrix jr = jacobian(f, x, {.mode = JacobianMode::reverse});
    const DenseMatrix ja = jacobian(f, x);
    BOOST_TEST(jf.rows() == m);
    BOOST_TEST(relative_distance(jf, jr) <= 1e-15);
    BOOST_TEST(relative_distance(ja, jr) <= 1e-15);
    BOOST_TEST(relative_distance(jf, testing::fd_jacobian(f, x)) <= 1e-8);
  }
  // A scalar function: the Jacobian is the gradient as a row.
  const auto s = [](const auto& v) { return frechet::dot(v, v); };
  const DenseMatrix js = jacobian(s, Vector{1.0, 2.0});
  BOOST_TEST(js.rows() == 1u);
  BOOST_TEST(js(0, 1) == 4.0);
}

BOOST_AUTO_TEST_CASE(hessian_of_a_critical_point_example) {
  // f(x, y) = x^3 + 3 x y - y^3 (exercise 3): Hessian [[6x, 3], [3, -6y]], saddle at (1, -1).
  const auto f = [](const auto& v) {
    scalar_t<decltype(v)> r = v[0] * v[0] * v[0] + 3.0 * v[0] * v[1] - v[1] * v[1] * v[1];
    return r;
  };
  const DenseMatrix h = hessian(f, Vector{1.0, -1.0});
  BOOST_TEST((h == DenseMatrix{{6.0, 3.0}, {3.0, 6.0}}));
  const Vector g = grad(f, Vector{1.0, -1.0});
  BOOST_TEST(norm_inf(g) == 0.0);  // (3x^2 + 3y, 3x - 3y^2) vanishes
  const SymmetricEigenResult e = symmetric_eigen(h);
  BOOST_TEST(e.values[0] == 3.0);
  BOOST_TEST(e.values[1] == 9.0);
}

BOOST_AUTO_TEST_CASE(scalar_arguments_and_outputs) {
  // g(x) = log(1 + e^x) - 2x with g' = sigmoid(x) - 2 and g'' = s (1 - s) (exercise 6).
  const auto g = [](const auto& x) {
    using std::exp, std::log;
    return log(1.0 + exp(x)) - 2.0 * x;
  };
  const double x = 0.3, s = sigmoid(0.3);
  BOOST_TEST(std::abs(grad(g, x) - (s - 2.0)) <= 1e-15);
  const auto [value, tangent] = jvp(g, x, 1.0);
  BOOST_TEST(std::abs(tangent - (s - 2.0)) <= 1e-15);
  BOOST_TEST(std::abs(value - (std::log(1 + std::exp(0.3)) - 0.6)) <= 1e-15);
  const auto gv = [&](const auto& v) { return g(v[0]); };
  BOOST_TEST(std::abs(hessian(gv, Vector{x})(0, 0) - s * (1 - s)) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(constant_scalars_of_the_function_type) {
  // A scalar of the function's type that is a constant (no tape) mixes with vector operations in
  // every mode; an operation with no tape variable at all says so.
  const auto f = [](const auto& x) {
    const scalar_t<decltype(x)> c = 3.0;
    return frechet::sum(c * frechet::square(x)) + frechet::dot(x, x + c);
  };
  const Vector x{0.5, -1.0, 2.0}, v{1.0, 2.0, -1.0};
  const Vector g = grad(f, x);
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(std::abs(g[i] - (8.0 * x[i] + 3.0)) <= 1e-14);
  const Vector h = hvp(f, x, v);
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(std::abs(h[i] - 8.0 * v[i]) <= 1e-14);
  BOOST_TEST(std::abs(jvp(f, x, v).tangent - frechet::dot(g, v)) <= 1e-14);
  const TapeScalar<> c = 2.0;
  BOOST_CHECK_THROW(c * Vector({1.0, 2.0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(derivative_check_options_and_report) {
  const auto f = [](const auto& v) { return frechet::sum(frechet::sin(v)) * frechet::norm(v); };
  const Vector x{0.3, -1.2, 2.0, 0.7};
  const DerivativeCheckResult all = check_gradient(f, x);
  BOOST_TEST(all.passed);
  BOOST_TEST(all.errors.size() == 4u);
  BOOST_TEST(all.non_finite == 0u);
  BOOST_TEST(all.relative_error < 1e-8);
  const DerivativeCheckResult some = check_gradient(f, x, {.directions = 2, .seed = 5});
  BOOST_TEST(some.errors.size() == 2u);
  BOOST_TEST(some.passed);
  BOOST_CHECK_THROW(check_gradient(f, x, {.step = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(check_jvp(f, x, {.rtol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(check_jvp(f, x, {.atol = -1.0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(derivative_check_passes_at_an_optimum_and_fails_a_wrong_gradient) {
  // Next to the minimum of a function of size 1e4 the gradient is ~1e-9 and central differences are
  // rounding noise (0 or ~1e-6): a purely relative test fails there, the mixed one passes.
  const auto f = [](const auto& v) {
    scalar_t<decltype(v)> s = 1e4;
    for (std::size_t i = 0; i < v.size(); ++i) s += (v[i] - 1.0) * (v[i] - 1.0);
    return s;
  };
  const Vector optimum{1.0 + 1e-9, 1.0 - 2e-9, 1.0 + 3e-9};
  const DerivativeCheckResult at_optimum = check_gradient(f, optimum);
  BOOST_TEST(at_optimum.passed);
  BOOST_TEST(at_optimum.atol > 0.0);
  BOOST_TEST(!check_gradient(f, optimum, {.atol = 0.0}).passed);  // the relative test alone fails
  // A gradient off by 1e-3 relative, away from the optimum, fails.
  const auto off = [](const auto& v) {
    scalar_t<decltype(v)> s = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) s += scalar_function([](double t) { return t * t; },
                                                                    [](const auto& t) { return 2.001 * t; })(v[i]);
    return s;
  };
  const DerivativeCheckResult wrong = check_gradient(off, Vector{1.0, -2.0, 0.5});
  BOOST_TEST(!wrong.passed);
  BOOST_TEST(wrong.relative_error > 1e-4);
}

BOOST_AUTO_TEST_CASE(mlp_loss_with_matrix_operations) {
  // Two layers on a batch: L = 0.5 / m ||tanh(X W1 + b1) W2 + b2 - Y||^2, gradient in all parameters.
  Random rng(4);
  const std::size_t m = 20, d = 5, h = 7, k = 3;
  const DenseMatrix x = testing::random_dense(m, d, rng), y = testing::random_dense(m, k, rng);
  const auto loss = [&](const auto& w1, const auto& b1, const auto& w2, const auto& b2) {
    const auto hidden = frechet::tanh(frechet::broadcast_add(frechet::matmul(x, w1), b1));
    const auto r = frechet::broadcast_add(frechet::matmul(hidden, w2), b2) - y;
    return (0.5 / static_cast<double>(m)) * frechet::sum(frechet::square(r));
  };
  const DenseMatrix w1 = testing::random_dense(d, h, rng), w2 = testing::random_dense(h, k, rng);
  const Vector b1 = rng.gaussian_vector(h), b2 = rng.gaussian_vector(k);
  const auto [g1, gb1, g2, gb2] = grad(loss, w1, b1, w2, b2);
  // Against finite differences in W1 and b2 through the flattened parameter.
  const auto in_w1 = [&](const auto& t) { return loss(frechet::reshape(t, d, h), b1, w2, b2); };
  BOOST_TEST(check_gradient(in_w1, Vector(w1.values().begin(), w1.values().end())).passed);
  const auto in_b2 = [&](const auto& t) { return loss(w1, b1, w2, t); };
  BOOST_TEST(check_gradient(in_b2, b2).passed);
  BOOST_TEST(relative_error(grad(in_b2, b2), gb2) <= 1e-14);
  BOOST_TEST(relative_error(grad(in_w1, Vector(w1.values().begin(), w1.values().end())), g1.values()) <= 1e-14);
  // One node per operation: the tape does not grow with the number of weights.
  Tape<> tape;
  const TapeScalar<> l = loss(tape.variable(w1), tape.variable(b1), tape.variable(w2), tape.variable(b2));
  BOOST_TEST(tape.node_count() == 8u);
  BOOST_TEST(tape.statement_count() == 0u);  // the scaling by 0.5 / m is a scaled variable
  (void)l;
  (void)gb1;
  (void)g2;
}

BOOST_AUTO_TEST_CASE(transforms_on_a_reused_tape) {
  // As in an optimiser loop: the same tape for every call, the same results as a fresh tape, and no
  // new memory after the first call.
  const auto f = [](const auto& x, const auto& c) {
    using T = scalar_t<decltype(x)>;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += c * sin(x[i] * x[i + 1]) + exp(0.1 * x[i]);
    return s;
  };
  Random rng(21);
  Tape<> tape;
  Tape<Dual<double>> htape;
  std::size_t bytes = 0, hbytes = 0;
  for (int call = 0; call < 4; ++call) {
    const Vector x = rng.gaussian_vector(50), v = rng.gaussian_vector(50);
    const double c = 1.0 + call;
    const auto [value, g] = value_and_grad<0>(tape, f, x, c);
    const auto fresh = value_and_grad<0>(f, x, c);
    BOOST_TEST(value == fresh.value);
    BOOST_TEST(relative_error(g, fresh.gradient) == 0.0);
    BOOST_TEST(relative_error(grad<0>(tape, f, x, c), g) == 0.0);
    const auto fx = [&](const auto& z) { return f(z, c); };
    BOOST_TEST(relative_error(hvp(htape, fx, x, v), hvp(fx, x, v)) == 0.0);
    if (call == 0) {
      bytes = tape.memory_bytes();
      hbytes = htape.memory_bytes();
    }
    BOOST_TEST(tape.memory_bytes() == bytes);
    BOOST_TEST(htape.memory_bytes() == hbytes);
  }
}

BOOST_AUTO_TEST_SUITE_END()
