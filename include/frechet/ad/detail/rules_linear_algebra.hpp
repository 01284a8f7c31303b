#pragma once
/// \file
/// Linear algebra: matrix-vector and matrix-matrix products, quadratic forms, linear solves by LU and least squares by QR.
/// Each rule is written once, for every scalar level, to the protocol of detail/rule.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/detail/rule.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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

/// beta = argmin_b ||X b - y||_2. VJP (differentiating the normal equations X^T X beta = X^T y) with g = (X^T X)^{-1} beta_bar and r = y - X beta:
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

}  // namespace frechet::detail
