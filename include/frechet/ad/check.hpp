#pragma once
/// \file
/// Derivative checking against central finite differences: the derivative in each direction v, by
/// AD and by (f(x + h v) - f(x - h v)) / 2h, compared over all directions at once with a test that
/// mixes absolute and relative error,
///     ||a - b||_2 <= atol + rtol max(||a||_2, ||b||_2),
/// so that a gradient of 1e-11 at an optimum, against finite-difference noise of 1e-10, passes; and
/// a wrong derivative fails. Non-finite values are reported, never compared: the errors are then NaN.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/random.hpp"

namespace frechet {

struct DerivativeCheckOptions {
  /// Finite-difference step h (> 0, finite).
  double step = 1e-6;
  /// Relative tolerance (> 0): the truncation error of central differences is O(h^2) relative.
  double rtol = 1e-6;
  /// Absolute tolerance (>= 0). Unset: the rounding floor of central differences,
  /// 100 eps (max |f| + 1) / h, with max |f| over x and the points evaluated, so the check does not
  /// fail at a stationary point where AD and finite differences are both noise around zero.
  std::optional<double> atol{};
  /// 0: every coordinate direction e_j; k > 0: k random Gaussian directions.
  std::size_t directions = 0;
  /// Seed of the random directions.
  std::uint64_t seed = 0;
};

/// The comparison of AD derivatives with finite differences, direction by direction.
struct DerivativeCheckResult {
  /// Per direction: ||a - b|| / (||a|| + ||b|| + 1e-300), NaN where a value is not finite.
  std::vector<double> errors;
  /// Over all directions stacked: ||a - b|| and ||a - b|| / max(||a||, ||b||) (0 when both are 0);
  /// NaN when any value is not finite.
  double absolute_error = 0.0;
  double relative_error = 0.0;
  /// The absolute tolerance the test used (options.atol or the rounding floor).
  double atol = 0.0;
  /// The largest per-direction error among the finite ones, and its direction.
  double max_error = 0.0;
  std::size_t worst_direction = 0;
  /// Directions whose AD or finite-difference value has a NaN or an infinity.
  std::size_t non_finite = 0;
  /// Every value finite and absolute_error <= atol + rtol max(||a||, ||b||).
  bool passed = false;
};

namespace detail {
/// Builds the report from AD and finite-difference values, one vector per direction; f_scale is the
/// largest |f| seen, for the default atol.
DerivativeCheckResult compare_derivatives(const std::vector<Vector>& ad, const std::vector<Vector>& fd,
                                          const DerivativeCheckOptions& options, double f_scale);
/// The largest |entry| of a value of f (a scalar or a vector).
inline double magnitude(double y) { return std::abs(y); }
inline double magnitude(const Vector& y) { return norm_inf(y); }
/// The directions of a check: coordinates or seeded Gaussian vectors.
std::vector<Vector> check_directions(std::size_t n, const DerivativeCheckOptions& options);
void check_check_options(const DerivativeCheckOptions& options);
}  // namespace detail

/// Checks grad f (reverse mode) of a scalar f against central differences of f.
template <class F> DerivativeCheckResult check_gradient(F&& f, const Vector& x, const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options);
  const auto [fx, g] = value_and_grad(f, x);
  double f_scale = std::abs(fx);
  std::vector<Vector> ad, fd;
  Vector xp(x.size()), xm(x.size());
  const std::vector<Vector> directions = detail::check_directions(x.size(), options);
  for (std::size_t k = 0; k < directions.size(); ++k) {
    const Vector& v = directions[k];
    for (std::size_t i = 0; i < x.size(); ++i) {
      xp[i] = x[i] + options.step * v[i];
      xm[i] = x[i] - options.step * v[i];
    }
    const double fp = detail::plain_output(f(xp)), fm = detail::plain_output(f(xm));
    f_scale = std::max({f_scale, std::abs(fp), std::abs(fm)});
    // Coordinate directions read the entry, so an infinite entry elsewhere does not spoil this one.
    ad.push_back(Vector{options.directions == 0 ? g[k] : frechet::dot(g, v)});
    fd.push_back(Vector{(fp - fm) / (2.0 * options.step)});
  }
  return detail::compare_derivatives(ad, fd, options, f_scale);
}

/// Checks J v (forward mode) of a scalar- or vector-valued f against central differences of f.
template <class F> DerivativeCheckResult check_jvp(F&& f, const Vector& x, const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options);
  double f_scale = detail::magnitude(detail::plain_output(f(x)));
  std::vector<Vector> ad, fd;
  Vector xp(x.size()), xm(x.size());
  for (const Vector& v : detail::check_directions(x.size(), options)) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      xp[i] = x[i] + options.step * v[i];
      xm[i] = x[i] - options.step * v[i];
    }
    const auto t = jvp(f, x, v).tangent;
    const auto fp = detail::plain_output(f(xp));
    const auto fm = detail::plain_output(f(xm));
    f_scale = std::max({f_scale, detail::magnitude(fp), detail::magnitude(fm)});
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(t)>>) {
      ad.push_back(Vector{t});
      fd.push_back(Vector{(fp - fm) / (2.0 * options.step)});
    } else {
      check_size("check_jvp: size of f(x + h v)", t.size(), fp.size());
      Vector d(t.size());
      for (std::size_t i = 0; i < d.size(); ++i) d[i] = (fp[i] - fm[i]) / (2.0 * options.step);
      ad.push_back(t);
      fd.push_back(std::move(d));
    }
  }
  return detail::compare_derivatives(ad, fd, options, f_scale);
}

}  // namespace frechet
