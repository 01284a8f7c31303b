#pragma once
/// \file
/// The built-in vector rules, each written once (primal, JVP, VJP) for every scalar level; see
/// rule.hpp for the protocol. The public functions in ops.hpp apply them.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/rule.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

[[noreturn]] void throw_rule_shape(const char* rule, const std::string& what);

inline void check_same_shape(const char* rule, const Shape& a, const Shape& b) {
  if (!(a == b)) throw_rule_shape(rule, "arguments must have the same shape, got " + to_string(a) + " and " + to_string(b));
}
inline void check_vector(const char* rule, const char* arg, const Shape& a) {
  if (a.cols != 1) throw_rule_shape(rule, std::string(arg) + " must be a vector (n x 1), got " + to_string(a));
}
inline void check_scalar(const char* rule, const char* arg, const Shape& a) {
  if (a.rows != 1 || a.cols != 1) throw_rule_shape(rule, std::string(arg) + " must be a scalar, got " + to_string(a));
}

template <class S> std::size_t count(const CMatView<S>& m) { return m.rows * m.cols; }
template <class S> std::size_t count(const MatView<S>& m) { return m.rows * m.cols; }
template <class S> S scalar_of(const CMatView<S>& m) { return at(m.data, 0); }

/// Elementwise y_i = f(x_i) with a scalar rule object (value, derivative): exp, tanh, relu, a user map.
template <class F>
struct Elementwise {
  static constexpr std::size_t arity = 1;
  F f;
  const char* label;
  const char* name() const { return label; }
  Shape shape(const std::array<Shape, 1>& in) const { return in[0]; }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, f.value(at(x[0].data, i)));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>& x, const CMatView<S>& y, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    for (std::size_t i = 0; i < count(dy); ++i)
      put(dy.data, i, f.derivative(at(x[0].data, i), at(y.data, i)) * at(dx[0].data, i));
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>& y, const R&, const CMatView<S>& ybar,
           const Cotangents<1, S>& xbar) const {
    if (!present(xbar[0])) return;
    for (std::size_t i = 0; i < count(ybar); ++i)
      add_at(xbar[0].data, i, f.derivative(at(x[0].data, i), at(y.data, i)) * at(ybar.data, i));
  }
};

/// A user's elementwise function given with its derivative (both generic over the scalar type).
template <class Fn, class Df>
struct UserMap {
  Fn fn;
  Df df;
  template <class T> T value(const T& x) const { return fn(x); }
  template <class T> T derivative(const T& x, const T&) const { return df(x); }
};

/// x + y or x - y (sign = +-1), same shapes.
struct AddSub {
  static constexpr std::size_t arity = 2;
  double sign;
  const char* name() const { return sign > 0 ? "add" : "subtract"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_same_shape(name(), in[0], in[1]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, at(x[0].data, i) + sign * at(x[1].data, i));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>&, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);
    if (present(dx[0])) axpy(1.0, dx[0].data, dy.data);
    if (present(dx[1])) axpy(sign, dx[1].data, dy.data);
  }
  template <class S, class R>
  void vjp(const Args<2, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) axpy(1.0, ybar.data, xbar[0].data);
    if (present(xbar[1])) axpy(sign, ybar.data, xbar[1].data);
  }
};

/// sign x + a with a scalar a broadcast to every entry (sign = +-1): x + a, x - a, a - x in one node.
struct AddScalar {
  static constexpr std::size_t arity = 2;
  double sign = 1.0;
  const char* name() const { return "add scalar"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_scalar(name(), "second argument", in[1]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    const S a = scalar_of(x[1]);
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, sign * at(x[0].data, i) + a);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>&, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    const S da = present(dx[1]) ? scalar_of(dx[1]) : S(0.0);
    for (std::size_t i = 0; i < count(dy); ++i)
      put(dy.data, i, (present(dx[0]) ? sign * at(dx[0].data, i) : S(0.0)) + da);
  }
  template <class S, class R>
  void vjp(const Args<2, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) axpy(sign, ybar.data, xbar[0].data);
    if (present(xbar[1])) add_at(xbar[1].data, 0, sum(ybar.data));
  }
};

/// a x with a scalar a.
struct Scale {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "scale"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_scalar(name(), "first argument", in[0]);
    return in[1];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    const S a = scalar_of(x[0]);
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, a * at(x[1].data, i));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);
    if (present(dx[0])) axpy(scalar_of(dx[0]), x[1].data, dy.data);
    if (present(dx[1])) axpy(scalar_of(x[0]), dx[1].data, dy.data);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) add_at(xbar[0].data, 0, dot(ybar.data, x[1].data));
    if (present(xbar[1])) axpy(scalar_of(x[0]), ybar.data, xbar[1].data);
  }
};

/// x .* y (elementwise product), same shapes.
struct Multiply {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "multiply"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_same_shape(name(), in[0], in[1]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, at(x[0].data, i) * at(x[1].data, i));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    for (std::size_t i = 0; i < count(dy); ++i) {
      S t = S(0.0);
      if (present(dx[0])) t = t + at(dx[0].data, i) * at(x[1].data, i);
      if (present(dx[1])) t = t + at(x[0].data, i) * at(dx[1].data, i);
      put(dy.data, i, t);
    }
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    for (std::size_t i = 0; i < count(ybar); ++i) {
      const S g = at(ybar.data, i);
      if (present(xbar[0])) add_at(xbar[0].data, i, g * at(x[1].data, i));
      if (present(xbar[1])) add_at(xbar[1].data, i, g * at(x[0].data, i));
    }
  }
};

/// x ./ y (elementwise quotient), same shapes.
struct Divide {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "divide"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_same_shape(name(), in[0], in[1]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, at(x[0].data, i) / at(x[1].data, i));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>& y, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    for (std::size_t i = 0; i < count(dy); ++i) {
      S t = S(0.0);
      if (present(dx[0])) t = t + at(dx[0].data, i);
      if (present(dx[1])) t = t - at(y.data, i) * at(dx[1].data, i);
      put(dy.data, i, t / at(x[1].data, i));
    }
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>& y, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    for (std::size_t i = 0; i < count(ybar); ++i) {
      const S g = at(ybar.data, i) / at(x[1].data, i);
      if (present(xbar[0])) add_at(xbar[0].data, i, g);
      if (present(xbar[1])) add_at(xbar[1].data, i, -(g * at(y.data, i)));
    }
  }
};

/// sum_i x_i (over every entry of a vector or matrix).
struct Sum {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "sum"; }
  Shape shape(const std::array<Shape, 1>&) const { return {1, 1}; }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    put(y.data, 0, sum(x[0].data));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    put(dy.data, 0, sum(dx[0].data));
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (!present(xbar[0])) return;
    const S g = scalar_of(ybar);
    for (std::size_t i = 0; i < count(x[0]); ++i) add_at(xbar[0].data, i, g);
  }
};

/// x . y, same shapes.
struct Dot {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "dot"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_same_shape(name(), in[0], in[1]);
    return {1, 1};
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    put(y.data, 0, dot(x[0].data, x[1].data));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    S t = S(0.0);
    if (present(dx[0])) t = t + dot(dx[0].data, x[1].data);
    if (present(dx[1])) t = t + dot(x[0].data, dx[1].data);
    put(dy.data, 0, t);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    const S g = scalar_of(ybar);
    if (present(xbar[0]) && present(xbar[1]) && same_array(CView<S>(xbar[0].data), CView<S>(xbar[1].data)) &&
        same_array(x[0].data, x[1].data)) {
      axpy(g + g, x[0].data, xbar[0].data);  // dot(x, x): one pass, 2 g x
      return;
    }
    if (present(xbar[0])) axpy(g, x[1].data, xbar[0].data);
    if (present(xbar[1])) axpy(g, x[0].data, xbar[1].data);
  }
};

/// The 2-norm at level S, overflow-safe at the double level; the tangent of ||x|| at x = 0 is 0.
inline double norm_of(std::span<const double> x) { return frechet::norm2(x); }
template <class T> Dual<T> norm_of(const DualCView<T>& x) {
  const T n = norm_of(x.value);
  if (x.tangent.empty() || n == 0.0) return Dual<T>(n, T(0.0));
  return Dual<T>(n, dot(x.value, x.tangent) / n);
}

/// ||x||_2. Its derivative at x = 0 is defined as 0 (the minimum-norm subgradient).
struct Norm {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "norm"; }
  Shape shape(const std::array<Shape, 1>&) const { return {1, 1}; }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    put(y.data, 0, norm_of(x[0].data));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>& x, const CMatView<S>& y, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    const S n = scalar_of(y);
    put(dy.data, 0, n == 0.0 ? S(0.0) : dot(x[0].data, dx[0].data) / n);
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>& y, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    const S n = scalar_of(y);
    if (!present(xbar[0]) || n == 0.0) return;
    axpy(S(scalar_of(ybar) / n), x[0].data, xbar[0].data);
  }
};

inline Transpose flip(Transpose t) { return t == Transpose::yes ? Transpose::no : Transpose::yes; }

/// y = A x.
struct Matvec {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "matvec"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "x", in[1]);
    if (in[0].cols != in[1].rows)
      throw_rule_shape(name(), "A is " + to_string(in[0]) + " but x has " + std::to_string(in[1].rows) + " entries");
    return {in[0].rows, 1};
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    gemv(1.0, x[0], Transpose::no, x[1].data, 0.0, y.data);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);  // dA x + A dx
    if (present(dx[0])) gemv(1.0, dx[0], Transpose::no, x[1].data, 1.0, dy.data);
    if (present(dx[1])) gemv(1.0, x[0], Transpose::no, dx[1].data, 1.0, dy.data);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) ger(1.0, ybar.data, x[1].data, xbar[0]);              // A_bar += y_bar x^T
    if (present(xbar[1])) gemv(1.0, x[0], Transpose::yes, ybar.data, 1.0, xbar[1].data);  // x_bar += A^T y_bar
  }
};

/// C = op(A) op(B).
struct Matmul {
  static constexpr std::size_t arity = 2;
  Transpose op_a = Transpose::no;
  Transpose op_b = Transpose::no;
  const char* name() const { return "matmul"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    const Shape a = op_a == Transpose::yes ? Shape{in[0].cols, in[0].rows} : in[0];
    const Shape b = op_b == Transpose::yes ? Shape{in[1].cols, in[1].rows} : in[1];
    if (a.cols != b.rows)
      throw_rule_shape(name(), "op(A) is " + to_string(a) + " and op(B) is " + to_string(b));
    return {a.rows, b.cols};
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    gemm(1.0, x[0], op_a, x[1], op_b, 0.0, y);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);
    if (present(dx[0])) gemm(1.0, dx[0], op_a, x[1], op_b, 1.0, dy);
    if (present(dx[1])) gemm(1.0, x[0], op_a, dx[1], op_b, 1.0, dy);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) {
      if (op_a == Transpose::no) {
        gemm(1.0, ybar, Transpose::no, x[1], flip(op_b), 1.0, xbar[0]);  // A_bar += C_bar op(B)^T
      } else {
        gemm(1.0, x[1], op_b, ybar, Transpose::yes, 1.0, xbar[0]);       // A_bar += op(B) C_bar^T
      }
    }
    if (present(xbar[1])) {
      if (op_b == Transpose::no) {
        gemm(1.0, x[0], flip(op_a), ybar, Transpose::no, 1.0, xbar[1]);  // B_bar += op(A)^T C_bar
      } else {
        gemm(1.0, ybar, Transpose::yes, x[0], op_a, 1.0, xbar[1]);       // B_bar += C_bar^T op(A)
      }
    }
  }
};

/// x^T A x.
struct QuadForm {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "quad_form"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "x", in[0]);
    if (in[1].rows != in[0].rows || in[1].cols != in[0].rows)
      throw_rule_shape(name(), "A must be " + shape_string(in[0].rows, in[0].rows) + " for x of " +
                                   std::to_string(in[0].rows) + " entries, got " + to_string(in[1]));
    return {1, 1};
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    VectorOf<S> ax = zeros<S>(x[0].rows);
    gemv(1.0, x[1], Transpose::no, x[0].data, 0.0, view(ax));
    put(y.data, 0, dot(x[0].data, CView<S>(cview(ax))));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    // dx^T (A + A^T) x + x^T dA x
    const std::size_t n = x[0].rows;
    VectorOf<S> w = zeros<S>(n);
    S t = S(0.0);
    if (present(dx[0])) {
      gemv(1.0, x[1], Transpose::no, x[0].data, 0.0, view(w));
      gemv(1.0, x[1], Transpose::yes, x[0].data, 1.0, view(w));
      t = t + dot(dx[0].data, CView<S>(cview(w)));
    }
    if (present(dx[1])) {
      gemv(1.0, dx[1], Transpose::no, x[0].data, 0.0, view(w));
      t = t + dot(x[0].data, CView<S>(cview(w)));
    }
    put(dy.data, 0, t);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    const S g = scalar_of(ybar);
    if (present(xbar[0])) {
      VectorOf<S> w = zeros<S>(x[0].rows);
      gemv(1.0, x[1], Transpose::no, x[0].data, 0.0, view(w));
      gemv(1.0, x[1], Transpose::yes, x[0].data, 1.0, view(w));
      axpy(g, CView<S>(cview(w)), xbar[0].data);
    }
    if (present(xbar[1])) {
      VectorOf<S> gx = zeros<S>(x[0].rows);
      axpy(g, x[0].data, view(gx));
      ger(1.0, CView<S>(cview(gx)), x[0].data, xbar[1]);
    }
  }
};

// ---- factorizations at any level ----------------------------------------------------------------
template <class S> struct LuOf;
template <> struct LuOf<double> {
  LuFactorization lu;
  explicit LuOf(const CMatView<double>& a) : lu(to_matrix(a)) {}
  static DenseMatrix to_matrix(const CMatView<double>& a) {
    DenseMatrix m(a.rows, a.cols);
    std::copy(a.data.begin(), a.data.end(), m.data());
    return m;
  }
  /// x = A^{-1} b (transpose: A^{-T} b)
  void solve(std::span<const double> b, std::span<double> x, bool transpose) const {
    const Vector r = transpose ? lu.solve_transpose(b) : lu.solve(b);
    std::copy(r.begin(), r.end(), x.begin());
  }
  std::size_t bytes() const { return sizeof(*this) + lu.size() * lu.size() * sizeof(double); }
};
template <class T> struct LuOf<Dual<T>> {
  LuOf<T> value;
  MatrixOf<T> a_value;
  MatrixOf<T> a_tangent;  // empty when A is constant
  explicit LuOf(const CMatView<Dual<T>>& a)
      : value(value_part(a)), a_value(copy_matrix(value_part(a))),
        a_tangent(a.data.tangent.empty() ? MatrixOf<T>() : copy_matrix(tangent_part(a))) {}
  static MatrixOf<T> copy_matrix(const CMatView<T>& m) {
    MatrixOf<T> out = zero_matrix<T>(m.rows, m.cols);
    copy(m.data, view(out));
    return out;
  }
  // (A + eps A')^{-1} (b + eps b') = x + eps A^{-1} (b' - A' x), and likewise with transposes.
  void solve(const DualCView<T>& b, const DualView<T>& x, bool transpose) const {
    value.solve(b.value, x.value, transpose);
    const std::size_t n = b.size();
    VectorOf<T> r = zeros<T>(n);
    if (!b.tangent.empty()) copy(b.tangent, view(r));
    if (a_tangent.rows() > 0) {
      const CMatView<T> at_view(cview(a_tangent), n, n);
      gemv(-1.0, at_view, transpose ? Transpose::yes : Transpose::no, CView<T>(x.value), 1.0, view(r));
    }
    value.solve(cview(r), x.tangent, transpose);
  }
  std::size_t bytes() const { return value.bytes() + 2 * a_value.rows() * a_value.cols() * sizeof(T); }
};

/// x = A^{-1} b. VJP: g = A^{-T} x_bar, b_bar += g, A_bar -= g x^T (one transposed solve).
struct Solve {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "solve"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    if (in[0].rows != in[0].cols) throw_rule_shape(name(), "A must be square, got " + to_string(in[0]));
    check_vector(name(), "b", in[1]);
    if (in[1].rows != in[0].rows)
      throw_rule_shape(name(), "A is " + to_string(in[0]) + " but b has " + std::to_string(in[1].rows) + " entries");
    return in[1];
  }
  template <class S> LuOf<S> primal(const Args<2, S>& x, const MatView<S>& y) const {
    LuOf<S> lu(x[0]);
    lu.solve(x[1].data, y.data, false);
    return lu;
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>& y, const R& lu, const Args<2, S>& dx, const MatView<S>& dy) const {
    const std::size_t n = x[1].rows;  // dx = A^{-1} (db - dA x)
    VectorOf<S> r = zeros<S>(n);
    if (present(dx[1])) copy(dx[1].data, view(r));
    if (present(dx[0])) gemv(-1.0, dx[0], Transpose::no, y.data, 1.0, view(r));
    lu.solve(cview(r), dy.data, false);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>& y, const R& lu, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    VectorOf<S> g = zeros<S>(x[1].rows);
    lu.solve(ybar.data, view(g), true);
    if (present(xbar[1])) axpy(1.0, CView<S>(cview(g)), xbar[1].data);
    if (present(xbar[0])) ger(-1.0, CView<S>(cview(g)), y.data, xbar[0]);
  }
};

/// Least squares with X (m x n, m >= n, full rank) at any level: argmin ||X b - y|| and (X^T X)^{-1} g.
template <class S> struct NormalOf;
template <> struct NormalOf<double> {
  QrFactorization qr;
  explicit NormalOf(const CMatView<double>& x) : qr(LuOf<double>::to_matrix(x)) {}
  void least_squares(std::span<const double> y, std::span<double> b) const {
    const Vector r = qr.solve_least_squares(y);
    std::copy(r.begin(), r.end(), b.begin());
  }
  void normal(std::span<const double> g, std::span<double> z) const {
    const Vector r = qr.solve_normal(g);
    std::copy(r.begin(), r.end(), z.begin());
  }
  std::size_t bytes() const { return sizeof(*this) + qr.rows() * qr.cols() * sizeof(double); }
};
template <class T> struct NormalOf<Dual<T>> {
  NormalOf<T> value;
  MatrixOf<T> x_value;
  MatrixOf<T> x_tangent;  // empty when X is constant
  explicit NormalOf(const CMatView<Dual<T>>& x)
      : value(value_part(x)), x_value(LuOf<Dual<T>>::copy_matrix(value_part(x))),
        x_tangent(x.data.tangent.empty() ? MatrixOf<T>() : LuOf<Dual<T>>::copy_matrix(tangent_part(x))) {}
  CMatView<T> xv() const { return {cview(x_value), x_value.rows(), x_value.cols()}; }
  CMatView<T> xt() const { return {cview(x_tangent), x_tangent.rows(), x_tangent.cols()}; }
  // b' = (X^T X)^{-1} (X'^T r + X^T (y' - X' b)),  r = y - X b
  void least_squares(const DualCView<T>& y, const DualView<T>& b) const {
    value.least_squares(y.value, b.value);
    const std::size_t m = x_value.rows(), n = x_value.cols();
    VectorOf<T> rhs = zeros<T>(n);
    VectorOf<T> u = zeros<T>(m);  // y' - X' b
    if (!y.tangent.empty()) copy(y.tangent, view(u));
    if (x_tangent.rows() > 0) {
      VectorOf<T> r = zeros<T>(m);
      copy(y.value, view(r));
      gemv(-1.0, xv(), Transpose::no, CView<T>(b.value), 1.0, view(r));
      gemv(1.0, xt(), Transpose::yes, CView<T>(cview(r)), 1.0, view(rhs));
      gemv(-1.0, xt(), Transpose::no, CView<T>(b.value), 1.0, view(u));
    }
    gemv(1.0, xv(), Transpose::yes, CView<T>(cview(u)), 1.0, view(rhs));
    value.normal(cview(rhs), b.tangent);
  }
  // z' = (X^T X)^{-1} (g' - X'^T X z - X^T X' z)
  void normal(const DualCView<T>& g, const DualView<T>& z) const {
    value.normal(g.value, z.value);
    const std::size_t m = x_value.rows(), n = x_value.cols();
    VectorOf<T> rhs = zeros<T>(n);
    if (!g.tangent.empty()) copy(g.tangent, view(rhs));
    if (x_tangent.rows() > 0) {
      VectorOf<T> w = zeros<T>(m);
      gemv(1.0, xv(), Transpose::no, CView<T>(z.value), 0.0, view(w));
      gemv(-1.0, xt(), Transpose::yes, CView<T>(cview(w)), 1.0, view(rhs));
      gemv(1.0, xt(), Transpose::no, CView<T>(z.value), 0.0, view(w));
      gemv(-1.0, xv(), Transpose::yes, CView<T>(cview(w)), 1.0, view(rhs));
    }
    value.normal(cview(rhs), z.tangent);
  }
  std::size_t bytes() const { return value.bytes() + 2 * x_value.rows() * x_value.cols() * sizeof(T); }
};

/// beta = argmin_b ||X b - y||_2 (PS3 Q3). VJP with g = (X^T X)^{-1} beta_bar and r = y - X beta:
/// y_bar += X g,  X_bar += r g^T - (X g) beta^T.
struct Lstsq {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "lstsq"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    if (in[0].rows < in[0].cols) throw_rule_shape(name(), "X must have at least as many rows as columns, got " + to_string(in[0]));
    check_vector(name(), "y", in[1]);
    if (in[1].rows != in[0].rows)
      throw_rule_shape(name(), "X is " + to_string(in[0]) + " but y has " + std::to_string(in[1].rows) + " entries");
    return {in[0].cols, 1};
  }
  template <class S> NormalOf<S> primal(const Args<2, S>& x, const MatView<S>& y) const {
    NormalOf<S> qr(x[0]);
    qr.least_squares(x[1].data, y.data);
    return qr;
  }
  template <class S> static VectorOf<S> residual(const Args<2, S>& x, const CMatView<S>& beta) {
    VectorOf<S> r = zeros<S>(x[0].rows);
    copy(x[1].data, view(r));
    gemv(-1.0, x[0], Transpose::no, beta.data, 1.0, view(r));
    return r;
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>& y, const R& qr, const Args<2, S>& dx, const MatView<S>& dy) const {
    // d beta = (X^T X)^{-1} (dX^T r + X^T (dy - dX beta))
    const std::size_t m = x[0].rows, n = x[0].cols;
    VectorOf<S> rhs = zeros<S>(n);
    VectorOf<S> u = zeros<S>(m);
    if (present(dx[1])) copy(dx[1].data, view(u));
    if (present(dx[0])) {
      const VectorOf<S> r = residual(x, y);
      gemv(1.0, dx[0], Transpose::yes, cview(r), 1.0, view(rhs));
      gemv(-1.0, dx[0], Transpose::no, y.data, 1.0, view(u));
    }
    gemv(1.0, x[0], Transpose::yes, cview(u), 1.0, view(rhs));
    qr.normal(cview(rhs), dy.data);
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>& y, const R& qr, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    VectorOf<S> g = zeros<S>(x[0].cols);
    qr.normal(ybar.data, view(g));
    VectorOf<S> xg = zeros<S>(x[0].rows);
    gemv(1.0, x[0], Transpose::no, cview(g), 0.0, view(xg));
    if (present(xbar[1])) axpy(1.0, CView<S>(cview(xg)), xbar[1].data);
    if (present(xbar[0])) {
      const VectorOf<S> r = residual(x, y);
      ger(1.0, cview(r), cview(g), xbar[0]);
      ger(-1.0, cview(xg), y.data, xbar[0]);
    }
  }
};

/// The largest entry's double value: a shift that keeps exp() from overflowing. Any constant shift
/// is exact for softmax, so it need not carry derivatives.
template <class S> double max_primal(const CView<S>& x) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < x.size(); ++i) m = std::max(m, primal_value(at(x, i)));
  return std::isfinite(m) ? m : 0.0;
}

/// log sum_i exp(x_i), computed after subtracting max x.
template <class S> S logsumexp_of(const CView<S>& x) {
  using std::exp, std::log;
  const double m = max_primal<S>(x);
  S s = S(0.0);
  for (std::size_t i = 0; i < x.size(); ++i) s = s + exp(at(x, i) - m);
  return log(s) + m;
}

/// p = softmax(x) = exp(x - lse(x)). JVP dp = p .* dx - p (p . dx) = (diag(p) - p p^T) dx.
struct Softmax {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "softmax"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    using std::exp;
    const S lse = logsumexp_of<S>(x[0].data);
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, exp(at(x[0].data, i) - lse));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>& p, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    const S pd = dot(p.data, dx[0].data);
    for (std::size_t i = 0; i < count(dy); ++i) put(dy.data, i, at(p.data, i) * (at(dx[0].data, i) - pd));
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>& p, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (!present(xbar[0])) return;
    const S pg = dot(p.data, ybar.data);
    for (std::size_t i = 0; i < count(ybar); ++i) add_at(xbar[0].data, i, at(p.data, i) * (at(ybar.data, i) - pg));
  }
};

/// x - logsumexp(x). JVP dy = dx - (p . dx) 1; VJP x_bar += y_bar - p sum(y_bar).
struct LogSoftmax {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "log_softmax"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    return in[0];
  }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    const S lse = logsumexp_of<S>(x[0].data);
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, at(x[0].data, i) - lse);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>& y, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    using std::exp;
    S pd = S(0.0);
    for (std::size_t i = 0; i < count(dy); ++i) pd = pd + exp(at(y.data, i)) * at(dx[0].data, i);
    for (std::size_t i = 0; i < count(dy); ++i) put(dy.data, i, at(dx[0].data, i) - pd);
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>& y, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    using std::exp;
    if (!present(xbar[0])) return;
    const S total = sum(ybar.data);
    for (std::size_t i = 0; i < count(ybar); ++i) add_at(xbar[0].data, i, at(ybar.data, i) - exp(at(y.data, i)) * total);
  }
};

/// log sum_i exp(x_i), stable. JVP p . dx, VJP x_bar += y_bar p, with p = softmax(x).
struct LogSumExp {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "logsumexp"; }
  Shape shape(const std::array<Shape, 1>&) const { return {1, 1}; }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    put(y.data, 0, logsumexp_of<S>(x[0].data));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>& x, const CMatView<S>& y, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    using std::exp;
    const S lse = scalar_of(y);
    S t = S(0.0);
    for (std::size_t i = 0; i < count(x[0]); ++i) t = t + exp(at(x[0].data, i) - lse) * at(dx[0].data, i);
    put(dy.data, 0, t);
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>& y, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    using std::exp;
    if (!present(xbar[0])) return;
    const S lse = scalar_of(y), g = scalar_of(ybar);
    for (std::size_t i = 0; i < count(x[0]); ++i) add_at(xbar[0].data, i, g * exp(at(x[0].data, i) - lse));
  }
};

/// y = (x - mean(x)) / sqrt(var(x) + eps) (biased variance, no affine parameters). Its Jacobian
/// (1/s) (I - 1 1^T / d - y y^T / d) is symmetric, so the JVP and the VJP share one formula.
struct LayerNorm {
  static constexpr std::size_t arity = 1;
  double epsilon = 0.0;
  const char* name() const { return "layer_norm"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    return in[0];
  }
  template <class S> struct Residual {
    S s;  // sqrt(var + eps)
  };
  template <class S> Residual<S> primal(const Args<1, S>& x, const MatView<S>& y) const {
    using std::sqrt;
    const std::size_t d = count(x[0]);
    const S mu = sum(x[0].data) / static_cast<double>(d);
    S var = S(0.0);
    for (std::size_t i = 0; i < d; ++i) {
      const S c = at(x[0].data, i) - mu;
      var = var + c * c;
    }
    const S s = sqrt(var / static_cast<double>(d) + epsilon);
    for (std::size_t i = 0; i < d; ++i) put(y.data, i, (at(x[0].data, i) - mu) / s);
    return {s};
  }
  template <class S, class V>
  static void apply_jacobian(const CMatView<S>& y, const S& s, const CView<S>& v, const V& out, bool accumulate) {
    const std::size_t d = count(y);
    const S mean_v = sum(v) / static_cast<double>(d);
    const S mean_yv = dot(y.data, v) / static_cast<double>(d);
    for (std::size_t i = 0; i < d; ++i) {
      const S t = (at(v, i) - mean_v - at(y.data, i) * mean_yv) / s;
      if (accumulate) {
        add_at(out, i, t);
      } else {
        put(out, i, t);
      }
    }
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>& y, const R& r, const Args<1, S>& dx, const MatView<S>& dy) const {
    apply_jacobian<S>(y, r.s, dx[0].data, dy.data, false);
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>& y, const R& r, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) apply_jacobian<S>(y, r.s, ybar.data, xbar[0].data, true);
  }
};

/// u = x / ||x||. Jacobian (I - u u^T) / ||x||: symmetric, one formula for JVP and VJP. NaN at x = 0.
struct UnitNormalize {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "normalize"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    return in[0];
  }
  template <class S> struct Residual {
    S norm;
  };
  template <class S> Residual<S> primal(const Args<1, S>& x, const MatView<S>& y) const {
    const S n = norm_of(x[0].data);
    for (std::size_t i = 0; i < count(y); ++i) put(y.data, i, at(x[0].data, i) / n);
    return {n};
  }
  template <class S, class V>
  static void apply_jacobian(const CMatView<S>& u, const S& n, const CView<S>& v, const V& out, bool accumulate) {
    const S uv = dot(u.data, v);
    for (std::size_t i = 0; i < count(u); ++i) {
      const S t = (at(v, i) - at(u.data, i) * uv) / n;
      if (accumulate) {
        add_at(out, i, t);
      } else {
        put(out, i, t);
      }
    }
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>& u, const R& r, const Args<1, S>& dx, const MatView<S>& dy) const {
    apply_jacobian<S>(u, r.norm, dx[0].data, dy.data, false);
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>& u, const R& r, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) apply_jacobian<S>(u, r.norm, ybar.data, xbar[0].data, true);
  }
};

/// y_i = x[begin + i * stride], i < count: a gather; its VJP scatters.
struct Slice {
  static constexpr std::size_t arity = 1;
  std::size_t begin = 0;
  std::size_t length = 0;
  std::size_t stride = 1;
  const char* name() const { return "slice"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    if (stride == 0) throw_rule_shape(name(), "stride must be positive");
    if (length > 0 && begin + (length - 1) * stride >= in[0].rows)
      throw_rule_shape(name(), "entries " + std::to_string(begin) + " + " + std::to_string(stride) + " k, k < " +
                                   std::to_string(length) + ", exceed the " + std::to_string(in[0].rows) +
                                   " entries of x");
    return {length, 1};
  }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < length; ++i) put(y.data, i, at(x[0].data, begin + i * stride));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    for (std::size_t i = 0; i < length; ++i) put(dy.data, i, at(dx[0].data, begin + i * stride));
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (!present(xbar[0])) return;
    for (std::size_t i = 0; i < length; ++i) add_at(xbar[0].data, begin + i * stride, at(ybar.data, i));
  }
};

/// [a; b]: two vectors one after the other.
struct Concat {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "concat"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "a", in[0]);
    check_vector(name(), "b", in[1]);
    return {in[0].rows + in[1].rows, 1};
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    copy(x[0].data, sub(y.data, 0, x[0].rows));
    copy(x[1].data, sub(y.data, x[0].rows, x[1].rows));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);
    if (present(dx[0])) copy(dx[0].data, sub(dy.data, 0, x[0].rows));
    if (present(dx[1])) copy(dx[1].data, sub(dy.data, x[0].rows, x[1].rows));
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) axpy(1.0, sub(ybar.data, 0, x[0].rows), xbar[0].data);
    if (present(xbar[1])) axpy(1.0, sub(ybar.data, x[0].rows, x[1].rows), xbar[1].data);
  }
};

/// The same entries read as another shape (column-major order kept).
struct Reshape {
  static constexpr std::size_t arity = 1;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const char* name() const { return "reshape"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    if (in[0].size() != rows * cols)
      throw_rule_shape(name(), "cannot read " + to_string(in[0]) + " as " + shape_string(rows, cols));
    return {rows, cols};
  }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    copy(x[0].data, y.data);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    copy(dx[0].data, dy.data);
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) axpy(1.0, ybar.data, xbar[0].data);
  }
};

/// A^T.
struct TransposeRule {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "transpose"; }
  Shape shape(const std::array<Shape, 1>& in) const { return {in[0].cols, in[0].rows}; }
  template <class S, class In, class Out> static void transpose_into(const In& a, const Out& b, std::size_t rows, std::size_t cols, bool accumulate) {
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        if (accumulate) {
          add_at(b, j + i * cols, at(a, i + j * rows));
        } else {
          put(b, j + i * cols, at(a, i + j * rows));
        }
      }
  }
  template <class S> NoResidual primal(const Args<1, S>& x, const MatView<S>& y) const {
    transpose_into<S>(x[0].data, y.data, x[0].rows, x[0].cols, false);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>& x, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    transpose_into<S>(dx[0].data, dy.data, x[0].rows, x[0].cols, false);
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) transpose_into<S>(ybar.data, xbar[0].data, x[0].cols, x[0].rows, true);
  }
};

/// Z + b broadcast along the rows: y(i, j) = Z(i, j) + b(j), as numpy's Z + b for a bias b.
struct BroadcastAdd {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "broadcast_add"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "b", in[1]);
    if (in[1].rows != in[0].cols)
      throw_rule_shape(name(), "Z is " + to_string(in[0]) + " but b has " + std::to_string(in[1].rows) +
                                   " entries (one per column expected)");
    return in[0];
  }
  template <class S> NoResidual primal(const Args<2, S>& x, const MatView<S>& y) const {
    const std::size_t m = x[0].rows;
    for (std::size_t j = 0; j < x[0].cols; ++j) {
      const S bj = at(x[1].data, j);
      for (std::size_t i = 0; i < m; ++i) put(y.data, i + j * m, at(x[0].data, i + j * m) + bj);
    }
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    const std::size_t m = x[0].rows;
    for (std::size_t j = 0; j < x[0].cols; ++j) {
      const S bj = present(dx[1]) ? at(dx[1].data, j) : S(0.0);
      for (std::size_t i = 0; i < m; ++i)
        put(dy.data, i + j * m, (present(dx[0]) ? at(dx[0].data, i + j * m) : S(0.0)) + bj);
    }
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    const std::size_t m = x[0].rows;
    if (present(xbar[0])) axpy(1.0, ybar.data, xbar[0].data);
    if (present(xbar[1]))
      for (std::size_t j = 0; j < x[0].cols; ++j) add_at(xbar[1].data, j, sum(sub(ybar.data, j * m, m)));
  }
};

}  // namespace frechet::detail
