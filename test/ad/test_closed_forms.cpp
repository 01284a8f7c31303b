// Closed forms of derivatives: softmax, LayerNorm and unit-norm Jacobians, the cross-entropy
// gradient, and the rules of A x and of least squares (first and second order).
#include <boost/test/unit_test.hpp>

#include "ad_test_support.hpp"

using namespace frechet;
using frechet::testing::numerical_rank;
using frechet::testing::relative_error;

BOOST_AUTO_TEST_SUITE(closed_forms)

BOOST_AUTO_TEST_CASE(softmax_jacobian_is_diag_p_minus_p_pT) {
  Random rng(1);
  for (std::size_t k : {2u, 5u, 40u}) {
    const Vector z = rng.gaussian_vector(k);
    const auto f = [](const auto& x) { return frechet::softmax(x); };
    const Vector p = f(z);
    DenseMatrix expected(k, k);
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) expected(i, j) = (i == j ? p[i] : 0.0) - p[i] * p[j];
    const DenseMatrix jf = jacobian(f, z, {.mode = JacobianMode::forward});
    const DenseMatrix jr = jacobian(f, z, {.mode = JacobianMode::reverse});
    BOOST_TEST(relative_distance(jf, expected) <= 1e-14);
    BOOST_TEST(relative_distance(jr, expected) <= 1e-14);
    const Vector j1 = matvec(jf, Vector(k, 1.0));
    BOOST_TEST(norm_inf(j1) <= 1e-15);  // null space: 1
    BOOST_TEST(numerical_rank(jf) == k - 1);
  }
}

BOOST_AUTO_TEST_CASE(layer_norm_jacobian_rank_and_null_space) {
  const auto f = [](const auto& x) { return frechet::layer_norm(x); };
  Random rng(2);
  for (Vector x : {Vector{1.0, 2.0, 3.0, 4.0}, rng.gaussian_vector(9), rng.gaussian_vector(50)}) {
    const std::size_t d = x.size();
    const Vector xhat = f(x);
    double mu = 0, var = 0;
    for (double v : x) mu += v / static_cast<double>(d);
    for (double v : x) var += (v - mu) * (v - mu) / static_cast<double>(d);
    const double sigma = std::sqrt(var);
    DenseMatrix expected(d, d);
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j)
        expected(i, j) = ((i == j ? 1.0 : 0.0) - 1.0 / static_cast<double>(d) - xhat[i] * xhat[j] / static_cast<double>(d)) / sigma;
    const DenseMatrix j = jacobian(f, x);
    BOOST_TEST(relative_distance(j, expected) <= 1e-13);
    BOOST_TEST(relative_distance(j, testing::fd_jacobian(f, x)) <= 1e-6);
    BOOST_TEST(norm_inf(matvec(j, Vector(d, 1.0))) <= 1e-13);
    BOOST_TEST(norm_inf(matvec(j, xhat)) <= 1e-13);
    BOOST_TEST(numerical_rank(j) == d - 2);
  }
}

BOOST_AUTO_TEST_CASE(unit_norm_jacobian_is_a_scaled_projector) {
  Random rng(3);
  for (std::size_t n : {2u, 3u, 30u}) {
    const Vector x = rng.gaussian_vector(n);
    const DenseMatrix j = jacobian([](const auto& z) { return frechet::normalize(z); }, x);
    const double r = norm2(x);
    DenseMatrix p(n, n);  // ||x|| J = I - u u^T
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < n; ++b) p(a, b) = r * j(a, b);
    BOOST_TEST(relative_distance(matmul(p, p), p) <= 1e-13);  // idempotent
    BOOST_TEST(relative_distance(p, p.transposed()) <= 1e-14);
    Vector u = x;
    for (double& v : u) v /= r;
    BOOST_TEST(norm_inf(matvec(j, u)) <= 1e-14);
    BOOST_TEST(numerical_rank(j) == n - 1);
  }
}

BOOST_AUTO_TEST_CASE(cross_entropy_gradient_is_p_minus_e_y) {
  Random rng(5);
  for (std::size_t k : {1u, 2u, 10u, 1000u}) {
    const Vector z = rng.gaussian_vector(k);
    const std::size_t y = k / 2;
    const auto ce = [y](const auto& x) { return frechet::logsumexp(x) - x[y]; };
    const auto ce2 = [y](const auto& x) { return -frechet::log_softmax(x)[y]; };
    Vector expected = softmax(z);
    expected[y] -= 1.0;
    BOOST_TEST(relative_error(grad(ce, z), expected) <= 1e-14);
    BOOST_TEST(relative_error(grad(ce2, z), expected) <= 1e-14);
  }
}

BOOST_AUTO_TEST_CASE(ps3_matvec_jvp_and_vjp_rules) {
  Random rng(6);
  const DenseMatrix a = testing::random_dense(4, 3, rng), a_dot = testing::random_dense(4, 3, rng);
  const Vector x = rng.gaussian_vector(3), x_dot = rng.gaussian_vector(3), y_bar = rng.gaussian_vector(4);
  // JVP: y_dot = A_dot x + A x_dot, through a function of the packed (A, x).
  const auto f = [](const auto& m, const auto& v) { return frechet::matvec(m, v); };
  const auto [y, y_dot] = jvp([&](const auto& t) {
    return f(frechet::reshape(frechet::slice(t, 0, 12), 4, 3), frechet::slice(t, 12, 3));
  }, [&] { Vector t(a.values().begin(), a.values().end()); t.insert(t.end(), x.begin(), x.end()); return t; }(),
     [&] { Vector t(a_dot.values().begin(), a_dot.values().end()); t.insert(t.end(), x_dot.begin(), x_dot.end()); return t; }());
  Vector expected = matvec(a_dot, x);
  gemv(1.0, a, Transpose::no, x_dot, 1.0, expected);
  BOOST_TEST(relative_error(y_dot, expected) <= 1e-15);
  BOOST_TEST(relative_error(y, matvec(a, x)) <= 1e-15);
  // VJP: A_bar = y_bar x^T, x_bar = A^T y_bar, with argnums selecting both arguments.
  auto [value, pullback] = vjp<0, 1>(f, a, x);
  const auto [a_bar, x_bar] = pullback(ConstVectorView(y_bar));
  DenseMatrix outer(4, 3);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j) outer(i, j) = y_bar[i] * x[j];
  BOOST_TEST(relative_distance(a_bar, outer) <= 1e-15);
  BOOST_TEST(relative_error(x_bar, matvec_transpose(a, y_bar)) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(ps3_least_squares_adjoint) {
  // n = 1000 observations, p = 3 coefficients, as in PS3 Q3.
  Random rng(7);
  const std::size_t n = 1000, p = 3;
  const DenseMatrix x = testing::random_dense(n, p, rng);
  Vector y = matvec(x, Vector{2.0, -1.0, 0.5});
  for (double& v : y) v += 0.1 * rng.gaussian();
  const Vector beta_bar{1.0, 0.0, 0.0};
  auto [beta, pullback] = vjp<0, 1>([](const auto& m, const auto& v) { return frechet::lstsq(m, v); }, x, y);
  const auto [x_bar, y_bar] = pullback(ConstVectorView(beta_bar));
  const QrFactorization qr(x);
  const Vector g = qr.solve_normal(beta_bar);
  const Vector xg = matvec(x, g);
  Vector r = y;
  gemv(-1.0, x, Transpose::no, beta, 1.0, r);
  DenseMatrix expected(n, p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) expected(i, j) = r[i] * g[j] - xg[i] * beta[j];
  BOOST_TEST(relative_error(y_bar, xg) <= 1e-13);
  BOOST_TEST(relative_distance(x_bar, expected) <= 1e-12);
  BOOST_TEST(relative_error(beta, qr.solve_least_squares(y)) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(least_squares_second_order_and_rank_deficiency) {
  // The Hessian through lstsq (its rule on Dual numbers, under hvp). In y alone, L(y) = ||beta||^2 / 2
  // with beta = X^+ y linear in y, so the Hessian is X^{+T} X^+ = X (X^T X)^{-2} X^T exactly. In X and
  // y together, for a tall X and a y off its range (so the residual terms r g^T count), the Hessian
  // of <u, beta> is symmetric and equals central differences of the gradient, column by column.
  Random rng(13);
  const std::size_t m = 7, p = 3;
  const DenseMatrix x = testing::random_dense(m, p, rng);
  const QrFactorization qr(x);
  const auto in_y = [&x](const auto& v) { return 0.5 * frechet::sum(frechet::square(frechet::lstsq(x, v))); };
  const DenseMatrix h_y = hessian(in_y, rng.gaussian_vector(m));
  DenseMatrix expected(m, m);
  for (std::size_t j = 0; j < m; ++j) {
    Vector e(m, 0.0);
    e[j] = 1.0;
    const Vector column = matvec(x, qr.solve_normal(qr.solve_normal(matvec_transpose(x, e))));
    for (std::size_t i = 0; i < m; ++i) expected(i, j) = column[i];
  }
  BOOST_TEST(relative_distance(h_y, expected) <= 1e-12);

  const Vector u = rng.gaussian_vector(p);
  const auto in_both = [&u, m, p](const auto& t) {
    return frechet::dot(u, frechet::lstsq(frechet::reshape(frechet::slice(t, 0, m * p), m, p), frechet::slice(t, m * p, m)));
  };
  const std::size_t n = m * p + m;
  const Vector t = rng.gaussian_vector(n);
  const DenseMatrix h = hessian(in_both, t);
  BOOST_TEST(relative_distance(h, h.transposed()) <= 1e-12);
  DenseMatrix fd(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    const double step = 1e-5;
    Vector up = t, down = t;
    up[j] += step;
    down[j] -= step;
    Vector column = grad(in_both, up);
    axpy(-1.0, grad(in_both, down), column);
    for (std::size_t i = 0; i < n; ++i) fd(i, j) = column[i] / (2 * step);
  }
  BOOST_TEST(relative_distance(h, fd) <= 1e-6);

  // A rank-deficient X (two equal columns) has no least-squares derivative: the QR refuses it.
  DenseMatrix twins(4, 2);
  for (std::size_t i = 0; i < 4; ++i) twins(i, 0) = twins(i, 1) = static_cast<double>(i + 1);
  const Vector y4{1.0, 0.0, 2.0, 1.0};
  BOOST_CHECK_THROW(frechet::lstsq(twins, y4), NumericalError);
  BOOST_CHECK_THROW(grad([&twins](const auto& v) { return frechet::sum(frechet::lstsq(twins, v)); }, y4), NumericalError);
}

BOOST_AUTO_TEST_CASE(one_entry_normalisations_are_constant) {
  // d = 1: layer_norm with epsilon > 0 is 0 and unit normalisation is sign(x): both have zero
  // Jacobians, in every mode.
  const Vector x{2.5};
  const auto ln = [](const auto& z) { return frechet::layer_norm(z, 1e-3); };
  const auto un = [](const auto& z) { return frechet::normalize(z); };
  BOOST_TEST(ln(x)[0] == 0.0);
  BOOST_TEST(un(x)[0] == 1.0);
  BOOST_TEST(un(Vector{-0.5})[0] == -1.0);
  for (JacobianMode mode : {JacobianMode::forward, JacobianMode::reverse}) {
    BOOST_TEST(jacobian(ln, x, {.mode = mode})(0, 0) == 0.0);
    BOOST_TEST(std::abs(jacobian(un, x, {.mode = mode})(0, 0)) <= 1e-16);
  }
  BOOST_TEST(std::abs(hvp([&](const auto& z) { return frechet::sum(un(z)); }, x, Vector{1.0})[0]) <= 1e-16);
  // layer_norm without epsilon of a constant vector is 0/0: NaN, not an exception.
  BOOST_TEST(std::isnan(frechet::layer_norm(Vector{1.0, 1.0})[0]));
}

BOOST_AUTO_TEST_CASE(norm_at_zero_has_zero_derivative) {
  const Vector zero(5, 0.0);
  const auto f = [](const auto& x) { return frechet::norm(x); };
  BOOST_TEST(norm_inf(grad(f, zero)) == 0.0);
  BOOST_TEST(jvp(f, zero, Vector(5, 1.0)).tangent == 0.0);
  BOOST_TEST(norm_inf(hvp(f, zero, Vector(5, 1.0))) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
