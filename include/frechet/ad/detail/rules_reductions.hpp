#pragma once
/// \file
/// Reductions to a scalar: the sum, the dot product and the 2-norm.
/// Each rule is written once, for every scalar level, to the protocol of detail/rule.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/detail/rule.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

/// sum_i x_i (over every entry of a vector or matrix).
struct Sum {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "sum"; }
  Shape shape(const std::array<Shape, 1>&) const { return {1, 1}; }
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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

}  // namespace frechet::detail
