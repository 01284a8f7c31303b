#pragma once
/// \file
/// Normalisations: softmax, log-softmax, logsumexp, layer normalisation and unit normalisation.
/// Each rule is written once, for every scalar level, to the protocol of detail/rule.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/detail/rule.hpp"
#include "frechet/ad/detail/rules_reductions.hpp"  // norm_of
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

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
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> struct Saved {
    S s;  // sqrt(var + eps)
  };
  template <class S> Saved<S> primal(const Args<1, S>& x, const MatView<S>& y) const {
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
  template <class S> struct Saved {
    S norm;
  };
  template <class S> Saved<S> primal(const Args<1, S>& x, const MatView<S>& y) const {
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

}  // namespace frechet::detail
