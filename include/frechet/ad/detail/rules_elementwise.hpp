#pragma once
/// \file
/// Elementwise rules: maps of one scalar function, sums, differences, products and quotients of arrays, scaling and shifting by a scalar.
/// Each rule is written once, for every scalar level, to the protocol of detail/rule.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/detail/rule.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

/// Elementwise y_i = f(x_i) with a scalar rule object (value, derivative): exp, tanh, relu, a user map.
template <class F>
struct Elementwise {
  static constexpr std::size_t arity = 1;
  F f;
  const char* label;
  const char* name() const { return label; }
  Shape shape(const std::array<Shape, 1>& in) const { return in[0]; }
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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

}  // namespace frechet::detail
