#pragma once
/// \file
/// The expression templates of reverse mode: unevaluated scalar expressions of tape variables, their
/// arithmetic, comparisons and <cmath> functions. Included by tape.hpp; internal to the AD layer.

namespace frechet {

// ================================================================================================
// Expression templates. An expression is flattened as it is built: its value and the list of
// (adjoint index, partial derivative) pairs of the variables it depends on, of a length fixed at
// compile time. Assigning it to a TapeScalar records one statement; an `auto` intermediate is a
// self-contained copy, safe to keep. Expressions longer than max_expression_terms are split by
// recording a statement for the longer operand.
/// An unevaluated scalar expression of tape variables: its value and the (adjoint index, partial
/// derivative) pairs of the variables it depends on. Assigning it to a TapeScalar records a statement.
template <class S, int N>
struct LinearExpression {
  using scalar_type = S;
  static constexpr int capacity = N;
  S v;
  Tape<S>* tape = nullptr;
  std::uint32_t generation = 0;
  std::uint32_t index[N];  ///< detail::no_index for a constant term
  S partial[N];
  const S& value() const noexcept { return v; }

  LinearExpression() = default;
  /// value with d value / d a = da (constructed in place: no copy of a large aggregate).
  template <class A, class MA> LinearExpression(S value, const A& a, const MA& da);
  /// value with partials da, db with respect to a and b.
  template <class A, class MA, class B, class MB>
  LinearExpression(S value, const A& a, const MA& da, const B& b, const MB& db);
};


namespace detail {

inline constexpr int max_expression_terms = 32;

template <class S, int N> using LinearExpr = LinearExpression<S, N>;
template <class S, int N> struct IsTapeExpr<LinearExpression<S, N>> : std::true_type {};

template <class E> using ExprScalar = typename std::remove_cvref_t<E>::scalar_type;
template <class E> inline constexpr int terms_of = std::remove_cvref_t<E>::capacity;

// The tape of a combination: the one tape of its active operands (constants have none).
template <class S>
FRECHET_AD_INLINE void merge_tape(Tape<S>*& tape, std::uint32_t& generation, Tape<S>* t, std::uint32_t g) {
  if (t == nullptr || t == tape) {
    if (t != nullptr && generation != g) {
      throw_stale("TapeScalar expression", generation < g ? generation : g, generation < g ? g : generation);
    }
    return;
  }
  if (tape == nullptr) {
    tape = t;
    generation = g;
  } else {
    throw_mixed_tapes("TapeScalar expression");
  }
}

// Writes the terms of an operand, times m, from position `at` on (positions are compile-time).
// A partial derivative that is exactly +1 or -1 (sums, differences, negation): the partials of the
// operand are copied or negated, not multiplied. For dual numbers this is not a detail: 1 * p is
// not foldable for them (0 * inf is NaN), and sums are the most common operation.
struct PlusOne {};
struct MinusOne {};
template <class S> FRECHET_AD_INLINE S scale(const S& p, PlusOne) { return p; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, MinusOne) { return -p; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, const S& m) { return p * m; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, double m)
  requires(!std::is_same_v<S, double>)
{
  return p * m;
}

template <int At, class S, int N, class Scale>
FRECHET_AD_INLINE void append(LinearExpr<S, N>& out, const TapeScalar<S>& x, const Scale& m) {
  merge_tape(out.tape, out.generation, x.tape(), x.generation());
  // (term_index ends an accumulation on x: the expression holds x's value as it is now.)
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((out.index[At + K] = x.term_index(K), out.partial[At + K] = scale(x.term_coefficient(K), m)), ...);
  }(std::make_integer_sequence<int, TapeScalar<S>::capacity>{});
}
template <int At, class S, int N, int M, class Scale>
FRECHET_AD_INLINE void append(LinearExpr<S, N>& out, const LinearExpr<S, M>& e, const Scale& m) {
  merge_tape(out.tape, out.generation, e.tape, e.generation);
  // Unrolled with constant indices, so that the compiler can keep expressions in registers.
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((out.index[At + K] = e.index[K], out.partial[At + K] = scale(e.partial[K], m)), ...);
  }(std::make_integer_sequence<int, M>{});
}

/// v with d v / d a = da.
template <class S, class A, class Scale = S>
FRECHET_AD_INLINE LinearExpr<S, terms_of<A>> unary(const A& a, S v, Scale da) {
  return LinearExpr<S, terms_of<A>>(std::move(v), a, da);
}

template <class E> FRECHET_AD_INLINE TapeScalar<ExprScalar<E>> to_scalar(const E& e);

/// v with d v / d a = da and d v / d b = db; too long a combination records its longer operand first.
template <class S, class A, class B, class MA = S, class MB = S>
FRECHET_AD_INLINE auto binary(const A& a, const B& b, S v, MA da, MB db) {
  constexpr int na = terms_of<A>, nb = terms_of<B>;
  if constexpr (na + nb > max_expression_terms && na >= nb && na > 1) {
    return binary<S>(to_scalar(a), b, std::move(v), std::move(da), std::move(db));
  } else if constexpr (na + nb > max_expression_terms && nb > 1) {
    return binary<S>(a, to_scalar(b), std::move(v), std::move(da), std::move(db));
  } else {
    return LinearExpr<S, na + nb>(std::move(v), a, da, b, db);
  }
}

}  // namespace detail

template <class S, int N>
template <class A, class MA>
FRECHET_AD_INLINE LinearExpression<S, N>::LinearExpression(S value, const A& a, const MA& da) : v(std::move(value)) {
  detail::append<0>(*this, a, da);
}
template <class S, int N>
template <class A, class MA, class B, class MB>
FRECHET_AD_INLINE LinearExpression<S, N>::LinearExpression(S value, const A& a, const MA& da, const B& b, const MB& db)
    : v(std::move(value)) {
  detail::append<0>(*this, a, da);
  detail::append<detail::terms_of<A>>(*this, b, db);
}

/// The TapeScalar that an expression evaluates to (recording one statement).
template <TapeExpression E> TapeScalar<detail::ExprScalar<E>> evaluate(const E& e) {
  return TapeScalar<detail::ExprScalar<E>>(e);
}

// ---- arithmetic on expressions -----------------------------------------------------------------
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator+(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() + b.value(), detail::PlusOne{}, detail::PlusOne{});
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator-(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() - b.value(), detail::PlusOne{}, detail::MinusOne{});
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator*(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() * b.value(), b.value(), a.value());
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator/(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  const S inv = 1.0 / b.value();
  const S q = a.value() * inv;
  return detail::binary<S>(a, b, q, inv, -q * inv);
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator+(const A& a) { return a; }
template <TapeExpression A> FRECHET_AD_INLINE auto operator-(const A& a) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, -a.value(), detail::MinusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator+(const A& a, detail::Constant<A> b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() + b, detail::PlusOne{});
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator+(detail::Constant<B> a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a + b.value(), detail::PlusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator-(const A& a, detail::Constant<A> b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() - b, detail::PlusOne{});
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator-(detail::Constant<B> a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a - b.value(), detail::MinusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator*(const A& a, detail::Constant<A> b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() * b, b);
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator*(detail::Constant<B> a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a * b.value(), a);
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator/(const A& a, detail::Constant<A> b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() / b, 1.0 / b);
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator/(detail::Constant<B> a, const B& b) {
  using S = detail::ExprScalar<B>;
  const S q = a / b.value();
  return detail::unary<S>(b, q, -q / b.value());
}

// ---- comparisons: on the value -------------------------------------------------------------------
template <TapeExpression A, TapeExpression B> bool operator==(const A& a, const B& b) { return a.value() == b.value(); }
template <TapeExpression A> bool operator==(const A& a, detail::Constant<A> b) { return a.value() == b; }
template <TapeExpression A, TapeExpression B> auto operator<=>(const A& a, const B& b) { return a.value() <=> b.value(); }
template <TapeExpression A> FRECHET_AD_INLINE auto operator<=>(const A& a, detail::Constant<A> b) {
  return a.value() <=> b;
}

// ---- <cmath> on expressions -------------------------------------------------------------------
namespace detail {
template <class Rule, class A> FRECHET_AD_INLINE auto apply_unary(const Rule& rule, const A& a) {
  using S = ExprScalar<A>;
  S y = rule.value(a.value());
  S d = rule.derivative(a.value(), y);
  return unary<S>(a, std::move(y), std::move(d));
}
template <class Rule, class A, class B> FRECHET_AD_INLINE auto apply_binary(const A& a, const B& b) {
  using S = ExprScalar<A>;
  S z = Rule::value(a.value(), b.value());
  auto [da, db] = Rule::partials(a.value(), b.value(), z);
  return binary<S>(a, b, std::move(z), std::move(da), std::move(db));
}
}  // namespace detail

#define FRECHET_TAPE_UNARY(FN, RULE) \
  template <TapeExpression A> FRECHET_AD_INLINE auto FN(const A& a) { return detail::apply_unary(detail::scalar::RULE{}, a); }
FRECHET_TAPE_UNARY(exp, Exp)
FRECHET_TAPE_UNARY(log, Log)
FRECHET_TAPE_UNARY(log1p, Log1p)
FRECHET_TAPE_UNARY(expm1, Expm1)
FRECHET_TAPE_UNARY(exp2, Exp2)
FRECHET_TAPE_UNARY(log2, Log2)
FRECHET_TAPE_UNARY(log10, Log10)
FRECHET_TAPE_UNARY(sqrt, Sqrt)
FRECHET_TAPE_UNARY(cbrt, Cbrt)
FRECHET_TAPE_UNARY(sin, Sin)
FRECHET_TAPE_UNARY(cos, Cos)
FRECHET_TAPE_UNARY(tan, Tan)
FRECHET_TAPE_UNARY(asin, Asin)
FRECHET_TAPE_UNARY(acos, Acos)
FRECHET_TAPE_UNARY(atan, Atan)
FRECHET_TAPE_UNARY(sinh, Sinh)
FRECHET_TAPE_UNARY(cosh, Cosh)
FRECHET_TAPE_UNARY(tanh, Tanh)
FRECHET_TAPE_UNARY(asinh, Asinh)
FRECHET_TAPE_UNARY(acosh, Acosh)
FRECHET_TAPE_UNARY(atanh, Atanh)
FRECHET_TAPE_UNARY(erf, Erf)
FRECHET_TAPE_UNARY(erfc, Erfc)
FRECHET_TAPE_UNARY(lgamma, Lgamma)
FRECHET_TAPE_UNARY(tgamma, Tgamma)
FRECHET_TAPE_UNARY(sigmoid, Sigmoid)
FRECHET_TAPE_UNARY(softplus, Softplus)
FRECHET_TAPE_UNARY(relu, Relu)
FRECHET_TAPE_UNARY(square, Square)
FRECHET_TAPE_UNARY(abs, Abs)
FRECHET_TAPE_UNARY(fabs, Abs)
FRECHET_TAPE_UNARY(floor, Floor)
FRECHET_TAPE_UNARY(ceil, Ceil)
FRECHET_TAPE_UNARY(trunc, Trunc)
FRECHET_TAPE_UNARY(round, Round)
#undef FRECHET_TAPE_UNARY
template <TapeExpression A> auto digamma(const A& a) { return detail::apply_unary(detail::scalar::Polygamma{0}, a); }
template <TapeExpression A> auto polygamma(int n, const A& a) {
  return detail::apply_unary(detail::scalar::Polygamma{n}, a);
}
template <TapeExpression A> auto pow(const A& a, double p) { return detail::apply_unary(detail::scalar::PowConst{p}, a); }
template <TapeExpression A> auto pow(const A& a, int n) { return detail::apply_unary(detail::scalar::PowInt{n}, a); }
template <TapeExpression B> auto pow(double a, const B& b) { return detail::apply_unary(detail::scalar::ConstPow{a}, b); }
template <TapeExpression A, TapeExpression B> auto pow(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Pow>(a, b);
}
template <TapeExpression A, TapeExpression B> auto atan2(const A& y, const B& x) {
  return detail::apply_binary<detail::scalar::Atan2>(y, x);
}
template <TapeExpression A> auto atan2(const A& y, double x) {
  using S = detail::ExprScalar<A>;
  const S r2 = x * x + y.value() * y.value();
  return detail::unary<S>(y, atan2(y.value(), S(x)), x / r2);
}
template <TapeExpression B> auto atan2(double y, const B& x) {
  using S = detail::ExprScalar<B>;
  const S r2 = x.value() * x.value() + y * y;
  return detail::unary<S>(x, atan2(S(y), x.value()), -y / r2);
}
template <TapeExpression A, TapeExpression B> auto hypot(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Hypot>(a, b);
}
template <TapeExpression A> auto hypot(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  using std::hypot;
  const S h = hypot(a.value(), S(b));
  return detail::unary<S>(a, h, h == 0.0 ? S(0.0) : a.value() / h);
}
template <TapeExpression A, TapeExpression B> auto fmod(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Fmod>(a, b);
}
/// max/min pick one argument (at a tie, the second).
template <TapeExpression A, TapeExpression B> auto max(const A& a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() > b.value() ? T(a) : T(b);
}
template <TapeExpression A> auto max(const A& a, double b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() > b ? T(a) : T(b);
}
template <TapeExpression B> auto max(double a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<B>>;
  return a > b.value() ? T(a) : T(b);
}
template <TapeExpression A, TapeExpression B> auto min(const A& a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() < b.value() ? T(a) : T(b);
}
template <TapeExpression A> auto min(const A& a, double b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() < b ? T(a) : T(b);
}
template <TapeExpression B> auto min(double a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<B>>;
  return a < b.value() ? T(a) : T(b);
}
template <TapeExpression A, class B> auto fmax(const A& a, const B& b) { return max(a, b); }
template <TapeExpression A, class B> auto fmin(const A& a, const B& b) { return min(a, b); }
/// Classification looks at the value.
template <TapeExpression A> bool isfinite(const A& a) { using std::isfinite; return isfinite(a.value()); }
template <TapeExpression A> bool isnan(const A& a) { using std::isnan; return isnan(a.value()); }
template <TapeExpression A> bool isinf(const A& a) { using std::isinf; return isinf(a.value()); }
template <class S> double primal_value(const TapeScalar<S>& x) { return primal_value(x.value()); }

}  // namespace frechet
