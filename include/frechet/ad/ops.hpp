#pragma once
/// \file
/// Vector-level operations for templated user code. Each function accepts plain arrays (Vector,
/// DenseMatrix, double), forward-mode arrays (DualVector, DualMatrix, Dual) or tape variables
/// (TapeVector, TapeMatrix, TapeScalar), mixed freely with constants, and returns the type of its
/// mode: the same function body therefore computes values, JVPs, gradients and HVPs. On a tape each
/// call is one node whatever the size (matvec of an n x n matrix: one node, an O(n^2) BLAS pullback).
///
/// Unqualified calls find them by argument-dependent lookup in every mode, plain frechet::Vector
/// included, with no using-directive (a std::vector<double> must be converted to Vector first).
/// `*` and `/` are entrywise between vectors; with a matrix operand they do not compile, and the
/// message names matvec, matmul, solve or the named entrywise multiply/divide. Shape mismatches
/// throw ShapeError naming the operation and the shapes.

#include <span>
#include <vector>

#include "frechet/ad/detail/rules_elementwise.hpp"
#include "frechet/ad/detail/rules_linear_algebra.hpp"
#include "frechet/ad/detail/rules_normalisations.hpp"
#include "frechet/ad/detail/rules_reductions.hpp"
#include "frechet/ad/detail/rules_structure.hpp"

namespace frechet {

namespace detail {
/// A scalar that can multiply or shift an array: double, Dual, TapeScalar or a tape expression.
template <class T>
concept ScalarLike = ScalarArg<T> || TapeExpression<T>;
/// An active scalar (not a plain double).
template <class T>
concept ActiveScalar = ScalarLike<T> && !std::is_arithmetic_v<std::remove_cvref_t<T>>;

template <class X, class Rule, class... A> auto apply_same_kind(const Rule& rule, const A&... args) {
  return apply<Traits<X>::kind>(rule, args...);
}
}  // namespace detail

// ---- reductions -------------------------------------------------------------------------------

/// sum_i x_i over every entry.
template <detail::ArrayArg X> auto sum(const X& x) { return detail::apply<detail::Kind::scalar>(detail::Sum{}, x); }
/// x . y (same shapes). For two plain vectors the core `dot` applies.
template <detail::ArrayArg X, detail::ArrayArg Y>
  requires(detail::ActiveArg<X> || detail::ActiveArg<Y>)
auto dot(const X& x, const Y& y) {
  return detail::apply<detail::Kind::scalar>(detail::Dot{}, x, y);
}
/// ||x||_2. Its derivative at x = 0 is defined as 0.
template <detail::ArrayArg X> auto norm(const X& x) { return detail::apply<detail::Kind::scalar>(detail::Norm{}, x); }
/// log sum_i exp(x_i), evaluated stably (shifted by max x).
template <detail::VectorArg X> auto logsumexp(const X& x) {
  return detail::apply<detail::Kind::scalar>(detail::LogSumExp{}, x);
}
/// x^T A x.
template <detail::VectorArg X, detail::MatrixArg A> auto quad_form(const X& x, const A& a) {
  return detail::apply<detail::Kind::scalar>(detail::QuadForm{}, x, a);
}

// ---- linear algebra ---------------------------------------------------------------------------

/// A x, differentiable in A and x. For plain arguments the core `matvec` applies.
template <detail::MatrixArg A, detail::VectorArg X>
  requires(detail::ActiveArg<A> || detail::ActiveArg<X>)
auto matvec(const A& a, const X& x) {
  return detail::apply<detail::Kind::vector>(detail::Matvec{}, a, x);
}
/// op(A) op(B), differentiable in both. For plain arguments the core `matmul` applies.
template <detail::MatrixArg A, detail::MatrixArg B>
  requires(detail::ActiveArg<A> || detail::ActiveArg<B>)
auto matmul(const A& a, const B& b, Transpose op_a = Transpose::no, Transpose op_b = Transpose::no) {
  return detail::apply<detail::Kind::matrix>(detail::Matmul{op_a, op_b}, a, b);
}
/// A^{-1} b by LU; its pullback is one transposed solve: b_bar = A^{-T} x_bar, A_bar = -b_bar x^T.
template <detail::MatrixArg A, detail::VectorArg B> auto solve(const A& a, const B& b) {
  return detail::apply<detail::Kind::vector>(detail::Solve{}, a, b);
}
/// argmin_beta ||X beta - y||_2 by QR (X tall, full column rank); pullback through the normal equations
/// (one solve with X^T X by its R factor, never forming X^T X).
template <detail::MatrixArg X, detail::VectorArg Y> auto lstsq(const X& x, const Y& y) {
  return detail::apply<detail::Kind::vector>(detail::Lstsq{}, x, y);
}
/// A^T.
template <detail::MatrixArg A> auto transpose(const A& a) {
  return detail::apply<detail::Kind::matrix>(detail::TransposeRule{}, a);
}
/// Z + b added to every row (b has one entry per column), numpy's broadcasting of a bias.
template <detail::MatrixArg Z, detail::VectorArg B> auto broadcast_add(const Z& z, const B& b) {
  return detail::apply<detail::Kind::matrix>(detail::BroadcastAdd{}, z, b);
}

// ---- normalisations ---------------------------------------------------------------------------

/// softmax(x)_i = exp(x_i) / sum_j exp(x_j), stable. Jacobian diag(p) - p p^T.
template <detail::VectorArg X> auto softmax(const X& x) { return detail::apply<detail::Kind::vector>(detail::Softmax{}, x); }
/// x - logsumexp(x), stable.
template <detail::VectorArg X> auto log_softmax(const X& x) {
  return detail::apply<detail::Kind::vector>(detail::LogSoftmax{}, x);
}
/// (x - mean(x)) / sqrt(var(x) + epsilon), biased variance, no affine parameters. With epsilon = 0 its
/// Jacobian has rank d - 2 and null space {1, x_hat}.
template <detail::VectorArg X> auto layer_norm(const X& x, double epsilon = 0.0) {
  return detail::apply<detail::Kind::vector>(detail::LayerNorm{epsilon}, x);
}
/// x / ||x||; Jacobian (I - u u^T) / ||x||. NaN at x = 0.
template <detail::VectorArg X> auto normalize(const X& x) {
  return detail::apply<detail::Kind::vector>(detail::UnitNormalize{}, x);
}

// ---- elementwise maps -------------------------------------------------------------------------

#define FRECHET_ARRAY_MAP(FN, RULE)                                                         \
  template <detail::ArrayArg X> auto FN(const X& x) {                                       \
    return detail::apply_same_kind<X>(detail::Elementwise<detail::scalar::RULE>{{}, #FN}, x); \
  }
/// Entrywise exp.
FRECHET_ARRAY_MAP(exp, Exp)
/// Entrywise natural log.
FRECHET_ARRAY_MAP(log, Log)
/// Entrywise log(1 + x).
FRECHET_ARRAY_MAP(log1p, Log1p)
/// Entrywise sqrt.
FRECHET_ARRAY_MAP(sqrt, Sqrt)
/// Entrywise sin.
FRECHET_ARRAY_MAP(sin, Sin)
/// Entrywise cos.
FRECHET_ARRAY_MAP(cos, Cos)
/// Entrywise tanh.
FRECHET_ARRAY_MAP(tanh, Tanh)
/// Entrywise logistic sigmoid, stable for either sign.
FRECHET_ARRAY_MAP(sigmoid, Sigmoid)
/// Entrywise max(x, 0); derivative 0 at 0.
FRECHET_ARRAY_MAP(relu, Relu)
/// Entrywise log(1 + exp(x)).
FRECHET_ARRAY_MAP(softplus, Softplus)
/// Entrywise x^2.
FRECHET_ARRAY_MAP(square, Square)
/// Entrywise |x|; derivative 0 at 0.
FRECHET_ARRAY_MAP(abs, Abs)
#undef FRECHET_ARRAY_MAP

/// Entrywise f(x_i) for a user function f with derivative df, both generic over the scalar type
/// (a generic lambda); df at Dual arguments gives the second derivative used by hvp. `name` (for
/// messages) must outlive the tape: pass a string literal.
template <detail::ArrayArg X, class F, class Df> auto map(const X& x, F f, Df df, const char* name = "map") {
  return detail::apply_same_kind<X>(detail::Elementwise<detail::UserMap<F, Df>>{{std::move(f), std::move(df)}, name}, x);
}

// ---- arithmetic -------------------------------------------------------------------------------

/// x + y entrywise (same shapes).
template <detail::ArrayArg X, detail::ArrayArg Y> auto operator+(const X& x, const Y& y) {
  return detail::apply_same_kind<X>(detail::AddSub{1.0}, x, y);
}
/// x - y entrywise (same shapes).
template <detail::ArrayArg X, detail::ArrayArg Y> auto operator-(const X& x, const Y& y) {
  return detail::apply_same_kind<X>(detail::AddSub{-1.0}, x, y);
}
/// x .* y entrywise (same shapes), for any arrays: the named form of x * y.
template <detail::ArrayArg X, detail::ArrayArg Y> auto multiply(const X& x, const Y& y) {
  return detail::apply_same_kind<X>(detail::Multiply{}, x, y);
}
/// x ./ y entrywise (same shapes), for any arrays: the named form of x / y.
template <detail::ArrayArg X, detail::ArrayArg Y> auto divide(const X& x, const Y& y) {
  return detail::apply_same_kind<X>(detail::Divide{}, x, y);
}
/// x .* y entrywise, for two vectors (as numpy's *). With a matrix operand `*` would read as a
/// matrix product to some and as an entrywise one to others, so it does not compile: the message
/// names the call to make.
template <detail::ArrayArg X, detail::ArrayArg Y> auto operator*(const X& x, const Y& y) {
  static_assert(!(detail::MatrixArg<X> && detail::VectorArg<Y>),
                "frechet: A * x is not defined for a matrix A; call matvec(A, x) for the matrix-vector product");
  static_assert(!(detail::VectorArg<X> && detail::MatrixArg<Y>),
                "frechet: x * A is not defined for a matrix A; call matvec(transpose(A), x) for x^T A");
  static_assert(!(detail::MatrixArg<X> && detail::MatrixArg<Y>),
                "frechet: A * B is not defined for matrices; call matmul(A, B) for the matrix product, "
                "multiply(A, B) for the entrywise one");
  return multiply(x, y);
}
/// x ./ y entrywise, for two vectors.
template <detail::ArrayArg X, detail::ArrayArg Y> auto operator/(const X& x, const Y& y) {
  static_assert(!(detail::MatrixArg<X> || detail::MatrixArg<Y>),
                "frechet: / is not defined with a matrix operand; call solve(A, b) for A^{-1} b, "
                "divide(A, B) for the entrywise quotient");
  return divide(x, y);
}
/// -x
template <detail::ArrayArg X> auto operator-(const X& x) {
  return detail::apply_same_kind<X>(detail::Elementwise<detail::scalar::Negate>{{}, "negate"}, x);
}
/// a x
template <detail::ArrayArg X> auto operator*(detail::Constant<X> a, const X& x) { return detail::apply_same_kind<X>(detail::Scale{}, a, x); }
template <detail::ArrayArg X> auto operator*(const X& x, detail::Constant<X> a) { return detail::apply_same_kind<X>(detail::Scale{}, a, x); }
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator*(const A& a, const X& x) {
  return detail::apply_same_kind<X>(detail::Scale{}, detail::as_arg(a), x);
}
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator*(const X& x, const A& a) {
  return detail::apply_same_kind<X>(detail::Scale{}, detail::as_arg(a), x);
}
/// x / a
template <detail::ArrayArg X> auto operator/(const X& x, detail::Constant<X> a) { return detail::apply_same_kind<X>(detail::Scale{}, 1.0 / a, x); }
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator/(const X& x, const A& a) {
  return detail::apply_same_kind<X>(detail::Scale{}, detail::as_arg(1.0 / detail::as_arg(a)), x);
}
/// x + a with a scalar a added to every entry.
template <detail::ArrayArg X> auto operator+(const X& x, detail::Constant<X> a) { return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, a); }
template <detail::ArrayArg X> auto operator+(detail::Constant<X> a, const X& x) { return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, a); }
template <detail::ArrayArg X> auto operator-(const X& x, detail::Constant<X> a) { return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, -a); }
template <detail::ArrayArg X> auto operator-(detail::Constant<X> a, const X& x) { return detail::apply_same_kind<X>(detail::AddScalar{-1.0}, x, a); }
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator+(const X& x, const A& a) {
  return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, detail::as_arg(a));
}
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator+(const A& a, const X& x) {
  return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, detail::as_arg(a));
}
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator-(const X& x, const A& a) {
  return detail::apply_same_kind<X>(detail::AddScalar{1.0}, x, detail::as_arg(-detail::as_arg(a)));
}
template <detail::ActiveScalar A, detail::ArrayArg X> auto operator-(const A& a, const X& x) {
  return detail::apply_same_kind<X>(detail::AddScalar{-1.0}, x, detail::as_arg(a));
}

// ---- structure --------------------------------------------------------------------------------

/// Entries x[begin + k stride], k < count (a copy; its pullback scatters).
template <detail::VectorArg X> auto slice(const X& x, std::size_t begin, std::size_t count, std::size_t stride = 1) {
  return detail::apply<detail::Kind::vector>(detail::Slice{begin, count, stride}, x);
}
/// [a; b]
template <detail::VectorArg A, detail::VectorArg B> auto concat(const A& a, const B& b) {
  return detail::apply<detail::Kind::vector>(detail::Concat{}, a, b);
}
/// The entries of x (column-major) read as a rows x cols matrix.
template <detail::ArrayArg X> auto reshape(const X& x, std::size_t rows, std::size_t cols) {
  return detail::apply<detail::Kind::matrix>(detail::Reshape{rows, cols}, x);
}
/// The entries of a matrix (column-major) as a vector.
template <detail::ArrayArg X> auto flatten(const X& x) {
  const detail::Shape s = detail::shape_of(x);
  return detail::apply<detail::Kind::vector>(detail::Reshape{s.size(), 1}, x);
}

namespace detail {
/// The vector node of stack(): gathers scalar adjoints by index.
template <class S>
class StackNode final : public Node<S> {
public:
  StackNode(std::vector<std::uint32_t> indices, const Slot& out) : indices_(std::move(indices)), out_(out) {}
  void pullback(Tape<S>& tape) override {
    const View<S> ybar = detail::TapeAccess::adjoint_view(tape, out_);
    Slot one;
    one.rows = one.cols = 1;
    for (std::size_t i = 0; i < indices_.size(); ++i) {
      if (indices_[i] == no_index) continue;
      one.index = indices_[i];
      add_at(detail::TapeAccess::adjoint_view(tape, one), 0, at(ybar, i));
    }
    fill_zero(ybar);
  }
  void push_forward(const Tape<S>&, View<S> tangents) const override {
    for (std::size_t i = 0; i < indices_.size(); ++i)
      put(tangents, out_.index + i, indices_[i] == no_index ? S(0.0) : at(tangents, indices_[i]));
  }
  std::size_t bytes() const override { return sizeof(*this) + indices_.capacity() * sizeof(std::uint32_t); }
  const char* name() const override { return "stack"; }

private:
  std::vector<std::uint32_t> indices_;
  Slot out_;
};
}  // namespace detail

/// A vector from scalars (double, Dual or TapeScalar): the way a scalar-style function returns a
/// vector. On a tape it is one node holding the scalars' indices.
inline Vector stack(std::span<const double> xs) { return Vector(xs.begin(), xs.end()); }
template <class S> DualVector<S> stack(std::span<const Dual<S>> xs) {
  DualVector<S> y(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) detail::put(detail::view(y), i, xs[i]);
  return y;
}
template <class S> TapeVector<S> stack(std::span<const TapeScalar<S>> xs) {
  Tape<S>* tape = nullptr;
  for (const auto& x : xs)
    if (!x.is_constant()) {
      tape = x.tape();
      break;
    }
  if (tape == nullptr) throw ArgumentError("stack: no argument is a variable of a tape");
  std::vector<std::uint32_t> indices(xs.size(), detail::no_index);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (xs[i].is_constant()) continue;
    if (xs[i].tape() != tape) detail::throw_mixed_tapes("stack");
    detail::TapeAccess::check_generation(*tape, xs[i].generation(), "stack");
    indices[i] = detail::TapeAccess::materialize(*tape, xs[i], "stack").index();
  }
  const detail::Slot out = detail::TapeAccess::allocate(*tape, xs.size(), 1, "stack");
  const detail::View<S> v = detail::TapeAccess::value_view_mutable(*tape, out);
  for (std::size_t i = 0; i < xs.size(); ++i) detail::put(v, i, xs[i].value());
  detail::TapeAccess::push_node(*tape, std::make_unique<detail::StackNode<S>>(std::move(indices), out));
  return detail::TapeAccess::vector(tape, out);
}
template <class T> auto stack(const std::vector<T>& xs) { return stack(std::span<const T>(xs)); }

}  // namespace frechet
