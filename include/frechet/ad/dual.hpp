#pragma once
/// \file
/// Forward mode: the dual number x + t eps (eps^2 = 0). Dual<double> carries one directional
/// derivative; Dual<Dual<double>> carries second derivatives (forward-over-forward). Every function of
/// <cmath> a numerical user writes is overloaded and found by ADL, so templated user code that says
/// `using std::exp; exp(x)` differentiates. Comparisons look at the value only. Non-finite values
/// propagate as in IEEE arithmetic, through the value and the tangent alike.

#include <cmath>
#include <compare>
#include <ostream>
#include <type_traits>

#include "frechet/ad/detail/inline.hpp"
#include "frechet/ad/detail/scalar_rules.hpp"

namespace frechet {

template <class T>
class Dual;

namespace detail {
template <class T> struct IsDual : std::false_type {};
template <class T> struct IsDual<Dual<T>> : std::true_type {};
}  // namespace detail

/// True for Dual<T> at any nesting level.
template <class T>
inline constexpr bool is_dual_v = detail::IsDual<T>::value;

/// The double at the bottom of a (possibly nested) scalar: value(value(...)).
inline double primal_value(double x) { return x; }

/// A dual number: value() + tangent() eps. T is double or another Dual (nesting gives higher
/// derivatives). Arithmetic with double works on either side.
template <class T>
class Dual {
public:
  using value_type = T;

  constexpr Dual() = default;
  /// A constant: tangent zero. Implicit, so `Dual<double> x = 1.0;` and `x + 2` work.
  constexpr Dual(double value) : value_(value), tangent_(0.0) {}  // NOLINT(google-explicit-constructor)
  /// The value `value` moving in direction `tangent`.
  constexpr Dual(const T& value, const T& tangent) : value_(value), tangent_(tangent) {}
  /// A constant at the level below (a Dual<double> lifted to Dual<Dual<double>>). Explicit, so levels
  /// never mix by accident.
  explicit constexpr Dual(const T& value)
    requires(!std::is_same_v<T, double>)
      : value_(value), tangent_(0.0) {}

  /// The value, and the directional derivative carried along.
  constexpr const T& value() const noexcept { return value_; }
  constexpr const T& tangent() const noexcept { return tangent_; }
  constexpr T& value() noexcept { return value_; }
  constexpr T& tangent() noexcept { return tangent_; }

  // --- arithmetic -------------------------------------------------------------------------------
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator+(const Dual& a) { return a; }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator-(const Dual& a) { return Dual(-a.value_, -a.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator+(const Dual& a, const Dual& b) {
    return Dual(a.value_ + b.value_, a.tangent_ + b.tangent_);
  }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator+(const Dual& a, double b) { return Dual(a.value_ + b, a.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator+(double a, const Dual& b) { return Dual(a + b.value_, b.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator-(const Dual& a, const Dual& b) {
    return Dual(a.value_ - b.value_, a.tangent_ - b.tangent_);
  }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator-(const Dual& a, double b) { return Dual(a.value_ - b, a.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator-(double a, const Dual& b) { return Dual(a - b.value_, -b.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator*(const Dual& a, const Dual& b) {
    return Dual(a.value_ * b.value_, a.tangent_ * b.value_ + a.value_ * b.tangent_);
  }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator*(const Dual& a, double b) { return Dual(a.value_ * b, a.tangent_ * b); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator*(double a, const Dual& b) { return Dual(a * b.value_, a * b.tangent_); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator/(const Dual& a, const Dual& b) {
    const T q = a.value_ / b.value_;
    return Dual(q, (a.tangent_ - q * b.tangent_) / b.value_);
  }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator/(const Dual& a, double b) { return Dual(a.value_ / b, a.tangent_ / b); }
  FRECHET_AD_ALWAYS_INLINE friend constexpr Dual operator/(double a, const Dual& b) {
    const T q = a / b.value_;
    return Dual(q, -(q * b.tangent_) / b.value_);
  }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator+=(const Dual& b) { return *this = *this + b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator-=(const Dual& b) { return *this = *this - b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator*=(const Dual& b) { return *this = *this * b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator/=(const Dual& b) { return *this = *this / b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator+=(double b) { return *this = *this + b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator-=(double b) { return *this = *this - b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator*=(double b) { return *this = *this * b; }
  FRECHET_AD_ALWAYS_INLINE constexpr Dual& operator/=(double b) { return *this = *this / b; }

  // --- comparisons: on the value ------------------------------------------------------------------
  friend constexpr bool operator==(const Dual& a, const Dual& b) { return a.value_ == b.value_; }
  friend constexpr bool operator==(const Dual& a, double b) { return a.value_ == b; }
  friend constexpr auto operator<=>(const Dual& a, const Dual& b) { return a.value_ <=> b.value_; }
  friend constexpr auto operator<=>(const Dual& a, double b) { return a.value_ <=> b; }

  // --- <cmath> ------------------------------------------------------------------------------------
#define FRECHET_DUAL_UNARY(FN, RULE) \
  friend Dual FN(const Dual& x) { return Dual::apply(detail::scalar::RULE{}, x); }
  FRECHET_DUAL_UNARY(exp, Exp)
  FRECHET_DUAL_UNARY(log, Log)
  FRECHET_DUAL_UNARY(log1p, Log1p)
  FRECHET_DUAL_UNARY(expm1, Expm1)
  FRECHET_DUAL_UNARY(exp2, Exp2)
  FRECHET_DUAL_UNARY(log2, Log2)
  FRECHET_DUAL_UNARY(log10, Log10)
  FRECHET_DUAL_UNARY(sqrt, Sqrt)
  FRECHET_DUAL_UNARY(cbrt, Cbrt)
  FRECHET_DUAL_UNARY(sin, Sin)
  FRECHET_DUAL_UNARY(cos, Cos)
  FRECHET_DUAL_UNARY(tan, Tan)
  FRECHET_DUAL_UNARY(asin, Asin)
  FRECHET_DUAL_UNARY(acos, Acos)
  FRECHET_DUAL_UNARY(atan, Atan)
  FRECHET_DUAL_UNARY(sinh, Sinh)
  FRECHET_DUAL_UNARY(cosh, Cosh)
  FRECHET_DUAL_UNARY(tanh, Tanh)
  FRECHET_DUAL_UNARY(asinh, Asinh)
  FRECHET_DUAL_UNARY(acosh, Acosh)
  FRECHET_DUAL_UNARY(atanh, Atanh)
  FRECHET_DUAL_UNARY(erf, Erf)
  FRECHET_DUAL_UNARY(erfc, Erfc)
  FRECHET_DUAL_UNARY(lgamma, Lgamma)
  FRECHET_DUAL_UNARY(tgamma, Tgamma)
  FRECHET_DUAL_UNARY(sigmoid, Sigmoid)
  FRECHET_DUAL_UNARY(softplus, Softplus)
  FRECHET_DUAL_UNARY(relu, Relu)
  FRECHET_DUAL_UNARY(square, Square)
  FRECHET_DUAL_UNARY(abs, Abs)
  FRECHET_DUAL_UNARY(fabs, Abs)
  FRECHET_DUAL_UNARY(floor, Floor)
  FRECHET_DUAL_UNARY(ceil, Ceil)
  FRECHET_DUAL_UNARY(trunc, Trunc)
  FRECHET_DUAL_UNARY(round, Round)
#undef FRECHET_DUAL_UNARY
  /// psi(x), derivative trigamma.
  friend Dual digamma(const Dual& x) { return Dual::apply(detail::scalar::Polygamma{0}, x); }
  /// psi^(n)(x), derivative psi^(n+1).
  friend Dual polygamma(int n, const Dual& x) { return Dual::apply(detail::scalar::Polygamma{n}, x); }

  friend Dual pow(const Dual& x, double p) { return Dual::apply(detail::scalar::PowConst{p}, x); }
  friend Dual pow(const Dual& x, int n) { return Dual::apply(detail::scalar::PowInt{n}, x); }
  friend Dual pow(double a, const Dual& x) { return Dual::apply(detail::scalar::ConstPow{a}, x); }
  friend Dual pow(const Dual& x, const Dual& y) { return Dual::apply2<detail::scalar::Pow>(x, y); }
  friend Dual atan2(const Dual& y, const Dual& x) { return Dual::apply2<detail::scalar::Atan2>(y, x); }
  friend Dual atan2(const Dual& y, double x) { return atan2(y, Dual(x)); }
  friend Dual atan2(double y, const Dual& x) { return atan2(Dual(y), x); }
  friend Dual hypot(const Dual& x, const Dual& y) { return Dual::apply2<detail::scalar::Hypot>(x, y); }
  friend Dual hypot(const Dual& x, double y) { return hypot(x, Dual(y)); }
  friend Dual hypot(double x, const Dual& y) { return hypot(Dual(x), y); }
  friend Dual fmod(const Dual& x, const Dual& y) { return Dual::apply2<detail::scalar::Fmod>(x, y); }
  friend Dual fmod(const Dual& x, double y) { return fmod(x, Dual(y)); }

  /// max/min pick one argument (at a tie, the second); fmax/fmin also skip a NaN argument.
  friend Dual max(const Dual& a, const Dual& b) { return a > b ? a : b; }
  friend Dual max(const Dual& a, double b) { return a > b ? a : Dual(b); }
  friend Dual max(double a, const Dual& b) { return a > b ? Dual(a) : b; }
  friend Dual min(const Dual& a, const Dual& b) { return a < b ? a : b; }
  friend Dual min(const Dual& a, double b) { return a < b ? a : Dual(b); }
  friend Dual min(double a, const Dual& b) { return a < b ? Dual(a) : b; }
  friend Dual fmax(const Dual& a, const Dual& b) { return isnan(b) ? a : (isnan(a) ? b : max(a, b)); }
  friend Dual fmin(const Dual& a, const Dual& b) { return isnan(b) ? a : (isnan(a) ? b : min(a, b)); }
  friend Dual fmax(const Dual& a, double b) { return fmax(a, Dual(b)); }
  friend Dual fmin(const Dual& a, double b) { return fmin(a, Dual(b)); }

  /// Classification looks at the value, like comparisons.
  friend bool isfinite(const Dual& x) { using std::isfinite; return isfinite(x.value_); }
  friend bool isnan(const Dual& x) { using std::isnan; return isnan(x.value_); }
  friend bool isinf(const Dual& x) { using std::isinf; return isinf(x.value_); }
  friend double primal_value(const Dual& x) { return primal_value(x.value_); }

  friend std::ostream& operator<<(std::ostream& os, const Dual& x) {
    return os << '(' << x.value_ << " + " << x.tangent_ << " eps)";
  }

  /// Applies a unary scalar rule (scalar_rules.hpp): value f(x), tangent f'(x) t.
  template <class Rule>
  static Dual apply(const Rule& rule, const Dual& x) {
    const T y = rule.value(x.value_);
    return Dual(y, rule.derivative(x.value_, y) * x.tangent_);
  }
  /// Applies a binary scalar rule: tangent df/dx tx + df/dy ty.
  template <class Rule>
  static Dual apply2(const Dual& x, const Dual& y) {
    const T z = Rule::value(x.value_, y.value_);
    const auto [dx, dy] = Rule::partials(x.value_, y.value_, z);
    // A zero tangent contributes nothing, even where the partial is not finite (pow at x <= 0).
    const T t = (is_zero(y.tangent_) ? T(0.0) : dy * y.tangent_) +
                (is_zero(x.tangent_) ? T(0.0) : dx * x.tangent_);
    return Dual(z, t);
  }

private:
  static bool is_zero(double v) { return v == 0.0; }
  template <class U> static bool is_zero(const Dual<U>& v) {
    return Dual<U>::is_zero(v.value_) && Dual<U>::is_zero(v.tangent_);
  }
  template <class U> friend class Dual;

  T value_{};
  T tangent_{};
};

}  // namespace frechet
