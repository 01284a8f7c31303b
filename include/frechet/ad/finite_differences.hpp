#pragma once
/// \file
/// Derivatives by central finite differences, for checking AD and hand-written derivatives and for
/// functions that are only available as values: the gradient, the Jacobian, the Hessian-vector
/// product from a gradient, and the Hessian.
///
/// Step rules. A central difference of a smooth f has truncation error (h^2 / 6) |f'''| and
/// rounding error about eps |f| / h, balanced near h = eps^(1/3) ~ 6e-6 for f and its derivatives of
/// order 1: hence the default 1e-6 for first derivatives of f. A second difference of f divides
/// rounding by h^2 (error eps |f| / h^2), balanced near h = eps^(1/4) ~ 1e-4, and the Hessian
/// default is 1e-5 (rounding error ~1e-6 relative to |f|, truncation ~1e-10). The HVP differences
/// a gradient, a first derivative: its default is 1e-5, the step of the Hessian, since the gradient
/// is often itself a finite difference. Every step is absolute (the entries of x are assumed of
/// order 1) and may be given.
///
/// f is a callable of a plain Vector returning a double (gradient, Hessian) or a vector
/// (Jacobian); a function written once for the AD layer (a generic lambda) is such a callable.

#include <cmath>
#include <string>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/vector.hpp"

namespace frechet {

namespace detail {
inline void check_step(const char* what, double step) {
  if (!std::isfinite(step) || step <= 0.0) {
    throw ArgumentError(std::string(what) + ": step: expected a finite value > 0, got " + std::to_string(step));
  }
}
}  // namespace detail

/// grad f(x) by central differences, g_j = (f(x + h e_j) - f(x - h e_j)) / 2h: 2n evaluations of f.
/// Throws ArgumentError for a step that is not finite and > 0.
template <class F> Vector finite_difference_gradient(F&& f, ConstVectorView x, double step = 1e-6) {
  detail::check_step("finite_difference_gradient", step);
  Vector g(x.size());
  Vector xh(x.begin(), x.end());
  for (std::size_t j = 0; j < x.size(); ++j) {
    xh[j] = x[j] + step;
    const double fp = detail::plain_output(f(xh));
    xh[j] = x[j] - step;
    const double fm = detail::plain_output(f(xh));
    xh[j] = x[j];
    g[j] = (fp - fm) / (2.0 * step);
  }
  return g;
}

/// The Jacobian of a vector-valued f by central differences, column j = (f(x + h e_j) - f(x - h e_j)) / 2h:
/// 2n evaluations of f. A scalar f gives a 1 x n matrix. Throws ArgumentError for a bad step and
/// ShapeError if f's output changes size.
template <class F> DenseMatrix finite_difference_jacobian(F&& f, ConstVectorView x, double step = 1e-6) {
  detail::check_step("finite_difference_jacobian", step);
  Vector xh(x.begin(), x.end());
  const auto as_vector = [&](const Vector& at) {
    const auto y = detail::plain_output(f(at));
    if constexpr (std::is_arithmetic_v<decltype(y)>) {
      return Vector{y};
    } else {
      return y;
    }
  };
  DenseMatrix j;
  for (std::size_t c = 0; c < x.size(); ++c) {
    xh[c] = x[c] + step;
    const Vector fp = as_vector(xh);
    xh[c] = x[c] - step;
    const Vector fm = as_vector(xh);
    xh[c] = x[c];
    if (c == 0) j = DenseMatrix(fp.size(), x.size());
    check_size("finite_difference_jacobian: size of f(x + h e_j)", j.rows(), fp.size());
    check_size("finite_difference_jacobian: size of f(x - h e_j)", j.rows(), fm.size());
    for (std::size_t i = 0; i < fp.size(); ++i) j(i, c) = (fp[i] - fm[i]) / (2.0 * step);
  }
  return j;
}

/// The Hessian-vector product H(x) v by central differences of a gradient,
/// (grad f(x + h v) - grad f(x - h v)) / 2h: two gradient evaluations, whatever n, and no Hessian.
/// `gradient` is a callable of a Vector returning grad f (the user's, the AD layer's `grad`, or
/// finite_difference_gradient of f). The step multiplies v: scale v to norm about 1. Throws
/// ArgumentError for a bad step and ShapeError for mismatched sizes.
template <class G>
Vector finite_difference_hvp(G&& gradient, ConstVectorView x, ConstVectorView v, double step = 1e-5) {
  detail::check_step("finite_difference_hvp", step);
  check_size("finite_difference_hvp: size of v", x.size(), v.size());
  Vector xp(x.begin(), x.end()), xm(x.begin(), x.end());
  for (std::size_t i = 0; i < x.size(); ++i) {
    xp[i] += step * v[i];
    xm[i] -= step * v[i];
  }
  const Vector gp(gradient(xp)), gm(gradient(xm));
  check_size("finite_difference_hvp: size of grad f(x + h v)", x.size(), gp.size());
  check_size("finite_difference_hvp: size of grad f(x - h v)", x.size(), gm.size());
  Vector hv(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) hv[i] = (gp[i] - gm[i]) / (2.0 * step);
  return hv;
}

/// The Hessian of a scalar f by the four-point central rule
///     H_ij = [f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j) + f(x - h e_i - h e_j)] / 4h^2,
/// which is the central difference of the central-difference gradient (the same step in both), and
/// symmetric by construction: 2n(n + 1) evaluations of f. Throws ArgumentError for a bad step.
template <class F> DenseMatrix finite_difference_hessian(F&& f, ConstVectorView x, double step = 1e-5) {
  detail::check_step("finite_difference_hessian", step);
  const std::size_t n = x.size();
  DenseMatrix h(n, n);
  Vector xh(x.begin(), x.end());
  const auto at = [&](std::size_t i, double si, std::size_t j, double sj) {
    xh[i] += si * step;
    xh[j] += sj * step;
    const double value = detail::plain_output(f(xh));
    xh[i] = x[i];
    xh[j] = x[j];
    return value;
  };
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = j; i < n; ++i) {
      const double hij = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4.0 * step * step);
      h(i, j) = hij;
      h(j, i) = hij;
    }
  }
  return h;
}

}  // namespace frechet
