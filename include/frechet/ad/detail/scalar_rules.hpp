#pragma once
/// \file
/// The scalar primitives, each defined once: its value and its local derivative(s), written for any
/// scalar type (double, Dual<double>, Dual<Dual<double>>, ...). Forward mode multiplies the derivative
/// by the tangent, reverse mode by the cotangent, so one table serves Dual, the tape's expressions
/// and the elementwise vector maps. Non-finite values follow IEEE arithmetic; at kinks the
/// derivative is the one documented on each rule.

#include <cmath>
#include <utility>

namespace frechet {

/// The digamma function psi(x) = Gamma'(x) / Gamma(x) (Boost.Math; NaN/inf at the poles).
double digamma(double x);
/// The polygamma function psi^(n)(x), the n-th derivative of digamma (n = 0 is digamma).
double polygamma(int n, double x);
/// The logistic sigmoid 1 / (1 + exp(-x)), evaluated without overflow for either sign of x.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}
/// max(x, 0)
inline double relu(double x) { return x > 0 ? x : 0.0; }
/// log(1 + exp(x)), without overflow.
inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
/// x * x
inline double square(double x) { return x * x; }

namespace detail::scalar {

// Unqualified calls below resolve by ADL for Dual arguments and through these using-declarations
// for double, so every rule works at any nesting level.
using std::abs, std::acos, std::acosh, std::asin, std::asinh, std::atan, std::atan2, std::atanh,
    std::cbrt, std::ceil, std::cos, std::cosh, std::erf, std::erfc, std::exp, std::exp2, std::expm1,
    std::floor, std::hypot, std::lgamma, std::log, std::log10, std::log1p, std::log2, std::pow,
    std::round, std::sin, std::sinh, std::sqrt, std::tan, std::tanh, std::tgamma, std::trunc,
    std::fmod;
using frechet::digamma, frechet::polygamma, frechet::sigmoid, frechet::softplus;

inline constexpr double two_over_sqrt_pi = 1.1283791670955126;

// A unary rule: value(x) and derivative(x, y) with y = value(x).
#define FRECHET_UNARY_RULE(NAME, VALUE, DERIV)                         \
  struct NAME {                                                        \
    template <class T> static T value(const T& x) { return VALUE; }   \
    template <class T> static T derivative(const T& x, const T& y) {  \
      (void)x;                                                         \
      (void)y;                                                         \
      return DERIV;                                                    \
    }                                                                  \
  };

FRECHET_UNARY_RULE(Exp, exp(x), y)
FRECHET_UNARY_RULE(Log, log(x), 1.0 / x)
FRECHET_UNARY_RULE(Log1p, log1p(x), 1.0 / (1.0 + x))
FRECHET_UNARY_RULE(Expm1, expm1(x), y + 1.0)
FRECHET_UNARY_RULE(Exp2, exp2(x), y * 0.6931471805599453)
FRECHET_UNARY_RULE(Log2, log2(x), 1.4426950408889634 / x)
FRECHET_UNARY_RULE(Log10, log10(x), 0.4342944819032518 / x)
FRECHET_UNARY_RULE(Sqrt, sqrt(x), 0.5 / y)
FRECHET_UNARY_RULE(Cbrt, cbrt(x), 1.0 / (3.0 * y * y))
FRECHET_UNARY_RULE(Sin, sin(x), cos(x))
FRECHET_UNARY_RULE(Cos, cos(x), -sin(x))
FRECHET_UNARY_RULE(Tan, tan(x), 1.0 + y * y)
FRECHET_UNARY_RULE(Asin, asin(x), 1.0 / sqrt(1.0 - x * x))
FRECHET_UNARY_RULE(Acos, acos(x), -1.0 / sqrt(1.0 - x * x))
FRECHET_UNARY_RULE(Atan, atan(x), 1.0 / (1.0 + x * x))
FRECHET_UNARY_RULE(Sinh, sinh(x), cosh(x))
FRECHET_UNARY_RULE(Cosh, cosh(x), sinh(x))
FRECHET_UNARY_RULE(Tanh, tanh(x), 1.0 - y * y)
FRECHET_UNARY_RULE(Asinh, asinh(x), 1.0 / sqrt(x * x + 1.0))
FRECHET_UNARY_RULE(Acosh, acosh(x), 1.0 / sqrt(x * x - 1.0))
FRECHET_UNARY_RULE(Atanh, atanh(x), 1.0 / (1.0 - x * x))
FRECHET_UNARY_RULE(Erf, erf(x), two_over_sqrt_pi * exp(-(x * x)))
FRECHET_UNARY_RULE(Erfc, erfc(x), -two_over_sqrt_pi * exp(-(x * x)))
FRECHET_UNARY_RULE(Lgamma, lgamma(x), digamma(x))
FRECHET_UNARY_RULE(Tgamma, tgamma(x), y * digamma(x))
FRECHET_UNARY_RULE(Sigmoid, sigmoid(x), y * (1.0 - y))
FRECHET_UNARY_RULE(Softplus, softplus(x), sigmoid(x))
FRECHET_UNARY_RULE(Square, x * x, 2.0 * x)
FRECHET_UNARY_RULE(Negate, -x, T(-1.0))
// Piecewise-constant functions: zero derivative everywhere (the jumps are not differentiated).
FRECHET_UNARY_RULE(Floor, floor(x), T(0.0))
FRECHET_UNARY_RULE(Ceil, ceil(x), T(0.0))
FRECHET_UNARY_RULE(Trunc, trunc(x), T(0.0))
FRECHET_UNARY_RULE(Round, round(x), T(0.0))
// Kinks: the minimum-norm subgradient, so abs'(0) = 0 and relu'(0) = 0.
FRECHET_UNARY_RULE(Abs, abs(x), x > 0.0 ? T(1.0) : (x < 0.0 ? T(-1.0) : T(0.0)))
FRECHET_UNARY_RULE(Relu, x > 0.0 ? x : T(0.0), x > 0.0 ? T(1.0) : T(0.0))

#undef FRECHET_UNARY_RULE

/// psi^(n): derivative psi^(n+1).
struct Polygamma {
  int n;
  template <class T> T value(const T& x) const { return polygamma(n, x); }
  template <class T> T derivative(const T& x, const T&) const { return polygamma(n + 1, x); }
};

/// x^p for a constant real p: p x^(p-1). The derivative of x^0 is 0 everywhere.
struct PowConst {
  double p;
  template <class T> T value(const T& x) const { return pow(x, p); }
  template <class T> T derivative(const T& x, const T&) const {
    return p == 0.0 ? T(0.0) : p * pow(x, p - 1.0);
  }
};

/// x^n for an integer n: n x^(n-1), exact at x = 0 for n >= 1.
struct PowInt {
  int n;
  template <class T> T value(const T& x) const { return pow(x, n); }
  template <class T> T derivative(const T& x, const T&) const {
    return n == 0 ? T(0.0) : static_cast<double>(n) * pow(x, n - 1);
  }
};

/// a^x for a constant base a: a^x log(a).
struct ConstPow {
  double a;
  template <class T> T value(const T& x) const { return pow(a, x); }
  template <class T> T derivative(const T&, const T& y) const { return y * std::log(a); }
};

/// A binary rule: value(x, y) and partials(x, y, z) = (dz/dx, dz/dy) with z = value(x, y).
struct Pow {
  template <class T> static T value(const T& x, const T& y) { return pow(x, y); }
  // The log term is only formed where it can matter, so x <= 0 with a constant exponent stays finite.
  template <class T> static std::pair<T, T> partials(const T& x, const T& y, const T& z) {
    return {y * pow(x, y - 1.0), x > 0.0 ? z * log(x) : T(0.0)};
  }
};
struct Atan2 {
  template <class T> static T value(const T& y, const T& x) { return atan2(y, x); }
  template <class T> static std::pair<T, T> partials(const T& y, const T& x, const T&) {
    const T r2 = x * x + y * y;
    return {x / r2, -y / r2};
  }
};
/// hypot: derivative defined as 0 at the origin, like the 2-norm.
struct Hypot {
  template <class T> static T value(const T& x, const T& y) { return hypot(x, y); }
  template <class T> static std::pair<T, T> partials(const T& x, const T& y, const T& z) {
    if (z == 0.0) return {T(0.0), T(0.0)};
    return {x / z, y / z};
  }
};
struct Fmod {
  template <class T> static T value(const T& x, const T& y) { return fmod(x, y); }
  template <class T> static std::pair<T, T> partials(const T& x, const T& y, const T&) {
    return {T(1.0), -trunc(x / y)};
  }
};

}  // namespace detail::scalar
}  // namespace frechet
