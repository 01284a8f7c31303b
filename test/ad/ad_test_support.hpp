#pragma once
// Checks shared by the AD tests: a rule, written as a generic lambda theta -> f(theta), is checked in
// every mode against finite differences and against the other modes.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <type_traits>

#include "frechet/ad/ad.hpp"
#include "test_support.hpp"

namespace frechet::testing {

/// <u, f(x)> for vector-valued f, f(x) for scalar f: a scalar function to take Hessians of.
template <class F>
auto scalarize(F f, const Vector& u) {
  return [f, u](const auto& x) {
    const auto y = f(x);
    using Y = std::remove_cvref_t<decltype(y)>;
    if constexpr (detail::IsStdVector<Y>::value && !std::is_same_v<Y, Vector>) {
      return frechet::dot(frechet::stack(y), u);
    } else if constexpr (std::is_same_v<Y, Vector> || detail::VectorArg<Y>) {
      return frechet::dot(y, u);
    } else {
      return y;
    }
  };
}

/// Tolerances of check_rule.
struct RuleTolerances {
  double fd = 1e-6;       // JVP against central differences
  double duality = 1e-12; // <u, J v> against <J^T u, v>
  double hvp_fd = 1e-5;   // HVP against differences of the gradient
  double second = 1e-10;  // forward-over-forward against forward-over-reverse
};

/// Checks f at x: JVP vs central differences, VJP vs JVP by duality, HVP vs differences of the
/// gradient, and forward-over-forward vs forward-over-reverse. `hessian_symmetry` also forms the
/// Hessian (small n only).
template <class F>
void check_rule(const char* name, F f, const Vector& x, std::uint64_t seed, RuleTolerances tol = {},
                bool hessian_symmetry = false) {
  BOOST_TEST_CONTEXT(name << ", n = " << x.size()) {
    Random rng(seed);
    const std::size_t n = x.size();
    // JVP against central finite differences, in random directions.
    const DerivativeCheckResult c = check_jvp(f, x, {.step = 1e-6, .rtol = tol.fd, .atol = 0.0, .directions = 3, .seed = seed});
    BOOST_TEST(c.passed, "check_jvp relative error " << c.relative_error);

    // VJP against JVP: <u, J v> = <J^T u, v>.
    const Vector v = rng.gaussian_vector(n);
    const auto fwd = jvp(f, x, v);
    auto [value, pullback] = vjp(f, x);
    Vector u;
    double lhs;
    if constexpr (std::is_arithmetic_v<decltype(fwd.tangent)>) {
      u = Vector{rng.gaussian()};
      lhs = u[0] * fwd.tangent;
      BOOST_TEST(std::abs(value - fwd.value) <= 1e-14 * (1 + std::abs(value)));
    } else {
      u = rng.gaussian_vector(fwd.tangent.size());
      lhs = frechet::dot(u, fwd.tangent);
      BOOST_TEST(relative_error(value, fwd.value) <= 1e-14);
    }
    const Vector jtu = pullback(ConstVectorView(u));
    const double rhs = frechet::dot(jtu, v);
    const double scale = norm2(u) * norm2(v) * std::max(1.0, norm2(jtu) / std::max(norm2(u), 1e-300));
    BOOST_TEST(std::abs(lhs - rhs) <= tol.duality * scale, "duality " << lhs << " vs " << rhs);
    // Reusable pullback: the same cotangent gives the same result.
    const Vector again = pullback(ConstVectorView(u));
    BOOST_TEST(relative_error(again, jtu) == 0.0);

    // HVP of g = <u, f> against central differences of its gradient.
    const auto g = scalarize(f, u);
    const Vector w = rng.gaussian_vector(n);
    const ValueGradHvpResult vgh = value_grad_and_hvp(g, x, w);
    const Vector grad_g = grad(g, x);
    BOOST_TEST(relative_error(vgh.gradient, grad_g) <= 1e-13);
    const double h = 1e-5;
    Vector xp = x, xm = x;
    for (std::size_t i = 0; i < n; ++i) {
      xp[i] += h * w[i];
      xm[i] -= h * w[i];
    }
    const Vector gp = grad(g, xp), gm = grad(g, xm);
    Vector fd(n);
    for (std::size_t i = 0; i < n; ++i) fd[i] = (gp[i] - gm[i]) / (2 * h);
    const double hvp_scale = std::max(norm2(fd), norm2(grad_g) * 1e-3);
    Vector diff(n);
    for (std::size_t i = 0; i < n; ++i) diff[i] = vgh.hvp[i] - fd[i];
    BOOST_TEST(norm2(diff) <= tol.hvp_fd * std::max(hvp_scale, 1e-8), "hvp vs fd " << norm2(diff) << " / " << hvp_scale);

    // Forward-over-forward: d^2/ds dt g(x + s w + t v) = v^T H w.
    const DualVector<Dual<double>> xx(DualVector<double>(x, w), DualVector<double>(v, Vector(n, 0.0)));
    const Dual<Dual<double>> gg = g(xx);
    const double ff = gg.tangent().tangent();
    const double fr = frechet::dot(v, vgh.hvp);
    BOOST_TEST(std::abs(ff - fr) <= tol.second * (norm2(v) * norm2(vgh.hvp) + std::abs(fr)) + 1e-14 * norm2(v) * norm2(w),
               "forward-over-forward " << ff << " vs forward-over-reverse " << fr);
    BOOST_TEST(std::abs(gg.value().value() - vgh.value) <= 1e-13 * (1 + std::abs(vgh.value)));

    if (hessian_symmetry) {
      const DenseMatrix hm = hessian(g, x);
      BOOST_TEST(relative_distance(hm, hm.transposed()) <= 1e-12, "Hessian symmetry");
    }
  }
}

/// The central-difference Jacobian of a vector function (reference for small closed forms).
template <class F>
DenseMatrix fd_jacobian(F f, const Vector& x, double h = 1e-6) {
  const Vector y0 = f(x);
  DenseMatrix j(y0.size(), x.size());
  for (std::size_t c = 0; c < x.size(); ++c) {
    Vector xp = x, xm = x;
    xp[c] += h;
    xm[c] -= h;
    const Vector yp = f(xp), ym = f(xm);
    for (std::size_t r = 0; r < y0.size(); ++r) j(r, c) = (yp[r] - ym[r]) / (2 * h);
  }
  return j;
}

/// Numerical rank: singular values above tol * largest.
inline std::size_t numerical_rank(const DenseMatrix& a, double tol = 1e-10) {
  const Vector s = singular_values(a);
  std::size_t r = 0;
  for (double v : s)
    if (v > tol * s[0]) ++r;
  return r;
}

}  // namespace frechet::testing
