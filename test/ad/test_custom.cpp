// Custom rules: a linear solve whose VJP is one transposed solve, checked against differentiating
// through an unrolled LU; rules with only a JVP or only a VJP; a scalar function with its derivative.
#include <boost/test/unit_test.hpp>

#include <optional>

#include "ad_test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {

// x = A^{-1} b for A given by its n*n entries (column-major) and b: one LU in the primal, kept as the
// residual; the VJP is one transposed solve and an outer product.
std::shared_ptr<const CustomRule<std::optional<LuFactorization>>> make_solve_rule(std::size_t n, bool with_jvp,
                                                                                  bool with_vjp) {
  auto rule = std::make_shared<CustomRule<std::optional<LuFactorization>>>();
  rule->name = "custom_solve";
  rule->primal = [n](CustomInputs x, std::optional<LuFactorization>& lu) {
    DenseMatrix a(n, n);
    std::copy(x[0].begin(), x[0].end(), a.data());
    lu.emplace(std::move(a));
    return lu->solve(x[1]);
  };
  if (with_vjp) {
    rule->vjp = [n](CustomInputs, ConstVectorView y, const std::optional<LuFactorization>& lu, ConstVectorView y_bar,
                    CustomCotangents x_bar) {
      const Vector g = lu->solve_transpose(y_bar);  // b_bar = A^{-T} x_bar
      if (!x_bar[1].empty()) axpy(1.0, g, x_bar[1]);
      if (!x_bar[0].empty())  // A_bar = -b_bar x^T
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t i = 0; i < n; ++i) x_bar[0][i + j * n] -= g[i] * y[j];
    };
  }
  if (with_jvp) {
    rule->jvp = [n](CustomInputs x, ConstVectorView y, const std::optional<LuFactorization>& lu, CustomInputs dx) {
      Vector r(n, 0.0);  // dx = A^{-1} (db - dA x)
      if (!dx[1].empty()) copy(dx[1], r);
      if (!dx[0].empty())
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t i = 0; i < n; ++i) r[i] -= dx[0][i + j * n] * y[j];
      (void)x;
      return lu->solve(r);
    };
  }
  return rule;
}

// Gaussian elimination with partial pivoting written with scalar operations: differentiating through it
// is the reference the custom rule must match.
template <class T> std::vector<T> unrolled_lu_solve(std::vector<T> a, std::vector<T> b, std::size_t n) {
  using std::abs;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (abs(a[i + k * n]) > abs(a[p + k * n])) p = i;
    if (p != k) {
      for (std::size_t j = 0; j < n; ++j) std::swap(a[k + j * n], a[p + j * n]);
      std::swap(b[k], b[p]);
    }
    for (std::size_t i = k + 1; i < n; ++i) {
      const T l = a[i + k * n] / a[k + k * n];
      for (std::size_t j = k; j < n; ++j) a[i + j * n] = a[i + j * n] - l * a[k + j * n];
      b[i] = b[i] - l * b[k];
    }
  }
  std::vector<T> x(n, T(0.0));
  for (std::size_t k = n; k-- > 0;) {
    T s = b[k];
    for (std::size_t j = k + 1; j < n; ++j) s = s - a[k + j * n] * x[j];
    x[k] = s / a[k + k * n];
  }
  return x;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(custom_rules)

BOOST_AUTO_TEST_CASE(custom_solve_matches_differentiating_through_lu) {
  Random rng(1);
  const std::size_t n = 6;
  DenseMatrix a = testing::random_dense(n, n, rng);
  for (std::size_t i = 0; i < n; ++i) a(i, i) += 4.0;
  const Vector b = rng.gaussian_vector(n), w = rng.gaussian_vector(n);
  const auto rule = make_solve_rule(n, true, true);
  // L(A, b) = w . x(A, b), three ways: the custom rule, the built-in solve, the unrolled LU.
  const auto by_rule = [&](const auto& m, const auto& v) { return frechet::dot(w, apply_custom(rule, m, v)); };
  const auto by_builtin = [&](const auto& m, const auto& v) { return frechet::dot(w, frechet::solve(m, v)); };
  const auto by_unrolled = [&](const auto& m, const auto& v) {
    using T = scalar_t<decltype(v)>;
    std::vector<T> am, bv;
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) am.push_back(m(i, j));
    for (std::size_t i = 0; i < n; ++i) bv.push_back(v[i]);
    const std::vector<T> x = unrolled_lu_solve(am, bv, n);
    T s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += w[i] * x[i];
    return s;
  };
  const auto [ga, gb] = grad<0, 1>(by_rule, a, b);
  const auto [ua, ub] = grad<0, 1>(by_unrolled, a, b);
  const auto [ba, bb] = grad<0, 1>(by_builtin, a, b);
  BOOST_TEST(relative_distance(ga, ua) <= 1e-12);
  BOOST_TEST(relative_error(gb, ub) <= 1e-12);
  BOOST_TEST(relative_distance(ga, ba) <= 1e-14);
  BOOST_TEST(relative_error(gb, bb) <= 1e-14);
  // The custom node is one tape entry; the unrolled LU is O(n^3) statements.
  Tape<> t1, t2;
  const TapeScalar<> l1 = by_rule(t1.variable(a), t1.variable(b));
  const TapeScalar<> l2 = by_unrolled(t2.variable(a), t2.variable(b));
  BOOST_TEST(t1.node_count() == 2u);  // the custom solve and the dot
  BOOST_TEST(t1.statement_count() == 0u);
  BOOST_TEST(t2.statement_count() > n * n * n / 3);
  (void)l1;
  (void)l2;
}

BOOST_AUTO_TEST_CASE(forward_mode_and_one_sided_rules) {
  Random rng(2);
  const std::size_t n = 5;
  DenseMatrix a = testing::random_dense(n, n, rng);
  for (std::size_t i = 0; i < n; ++i) a(i, i) += 4.0;
  const Vector b = rng.gaussian_vector(n), db = rng.gaussian_vector(n), u = rng.gaussian_vector(n);
  const Vector reference = jvp([&](const auto& v) { return frechet::solve(a, v); }, b, db).tangent;
  const Vector reference_bar = vjp([&](const auto& v) { return frechet::solve(a, v); }, b).pullback(ConstVectorView(u));
  for (auto [with_jvp, with_vjp] : {std::pair{true, true}, {true, false}, {false, true}}) {
    BOOST_TEST_CONTEXT("jvp " << with_jvp << ", vjp " << with_vjp) {
      const auto rule = make_solve_rule(n, with_jvp, with_vjp);
      const auto f = [&](const auto& v) { return apply_custom(rule, a, v); };
      BOOST_TEST(relative_error(jvp(f, b, db).tangent, reference) <= 1e-13);
      BOOST_TEST(relative_error(vjp(f, b).pullback(ConstVectorView(u)), reference_bar) <= 1e-13);
      BOOST_TEST(relative_error(f(b), solve(a, b)) <= 1e-15);
    }
  }
  // A rule without vjp_second_order is first-order: hvp through one says so.
  const auto rule = make_solve_rule(n, true, true);
  BOOST_CHECK_EXCEPTION(hvp([&](const auto& v) { return frechet::sum(apply_custom(rule, a, v)); }, b, b), ArgumentError,
                        [](const ArgumentError& e) { return std::string(e.what()).find("custom_solve") != std::string::npos; });
  auto empty = std::make_shared<CustomRule<>>();
  empty->name = "no_derivative";
  empty->primal = [](CustomInputs x, std::monostate&) { return Vector(x[0].begin(), x[0].end()); };
  // Applied through the pointer to non-const it was built with.
  BOOST_CHECK_THROW(jvp([&](const auto& v) { return apply_custom(empty, v); }, b, db), ArgumentError);
}

BOOST_AUTO_TEST_CASE(scalar_function_with_custom_derivative) {
  // Lambert W (w e^w = x) by Newton's method, not differentiated through. Its derivative
  // W'(x) = 1 / (e^W (1 + W)) is written generically: W at the level of x comes from Newton steps on
  // that level started at the double solution, so hvp gets W'' too.
  const auto w_double = [](double x) {
    double w = std::log1p(x);
    for (int k = 0; k < 60; ++k) w -= (w * std::exp(w) - x) / (std::exp(w) * (1 + w));
    return w;
  };
  const auto lambert_w = scalar_function(w_double, [w_double](const auto& x) {
    using T = std::remove_cvref_t<decltype(x)>;
    using std::exp;
    T w = T(w_double(primal_value(x)));
    for (int k = 0; k < 3; ++k) w = w - (w * exp(w) - x) / (exp(w) * (1.0 + w));
    return 1.0 / (exp(w) * (1.0 + w));
  });
  const auto g = [&](const auto& x) {
    scalar_t<decltype(x)> s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += lambert_w(x[i] * x[i]) * x[i];
    return s;
  };
  const Vector x0{0.3, 1.2, 2.5};
  BOOST_TEST(std::abs(lambert_w(1.0) - 0.5671432904097838) <= 1e-15);  // the omega constant
  BOOST_TEST(check_gradient(g, x0).passed);
  const Vector v0{1.0, 0.5, -1.0};
  const Vector h0 = hvp(g, x0, v0);
  Vector xp = x0, xm = x0;
  for (std::size_t i = 0; i < 3; ++i) {
    xp[i] += 1e-5 * v0[i];
    xm[i] -= 1e-5 * v0[i];
  }
  const Vector gp = grad(g, xp), gm = grad(g, xm);
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(std::abs(h0[i] - (gp[i] - gm[i]) / 2e-5) <= 1e-7 * (1 + std::abs(h0[i])));

  // A clean example: softplus with its derivative sigmoid, both generic.
  const auto soft = scalar_function([](double x) { return softplus(x); },
                                    [](const auto& x) { using frechet::sigmoid; return sigmoid(x); });
  const auto f = [&](const auto& x) {
    scalar_t<decltype(x)> s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += soft(x[i]) * x[i];
    return s;
  };
  const Vector x{-1.0, 0.5, 2.0};
  BOOST_TEST(check_gradient(f, x).passed);
  BOOST_TEST(check_jvp(f, x, {.directions = 2}).passed);
  const Vector v{1.0, -2.0, 0.5};
  const Vector h = hvp(f, x, v);
  // d^2/dx^2 [softplus(x) x] = 2 sigmoid(x) + x sigmoid(x) (1 - sigmoid(x)): diagonal Hessian.
  for (std::size_t i = 0; i < 3; ++i) {
    const double s = sigmoid(x[i]);
    BOOST_TEST(std::abs(h[i] - (2 * s + x[i] * s * (1 - s)) * v[i]) <= 1e-14);
  }
}

BOOST_AUTO_TEST_CASE(scalar_function_detects_a_wrong_derivative) {
  // A derivative with the wrong sign fails the check.
  const auto bad = scalar_function([](double x) { return x * x; }, [](const auto& x) { return -2.0 * x; });
  const auto f = [&](const auto& x) {
    scalar_t<decltype(x)> s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += bad(x[i]);
    return s;
  };
  const DerivativeCheckResult c = check_gradient(f, Vector{1.0, 2.0, -0.5});
  BOOST_TEST(!c.passed);
  BOOST_TEST(c.relative_error > 0.9);
}

BOOST_AUTO_TEST_SUITE_END()
