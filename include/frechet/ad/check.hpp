#pragma once
/// \file
/// Derivative checking against central finite differences : the
/// derivative in each direction, by AD and by (f(x + h v) - f(x - h v)) / 2h, compared with the
/// relative error ||a - b|| / (||a|| + ||b|| + 1e-12). Non-finite values are reported, not compared.

#include <cstdint>
#include <vector>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/random.hpp"

namespace frechet {

struct DerivativeCheckOptions {
  /// Finite-difference step h.
  double step = 1e-6;
  /// The check passes when the overall relative error is at most this and every value is finite.
  double tolerance = 1e-6;
  /// 0: every coordinate direction e_j; k > 0: k random Gaussian directions.
  std::size_t directions = 0;
  /// Seed of the random directions.
  std::uint64_t seed = 0;
};

/// The comparison of AD derivatives with finite differences, direction by direction.
struct DerivativeCheck {
  /// Per direction: ||a - b|| / (||a|| + ||b|| + 1e-12), NaN where a value is not finite.
  std::vector<double> errors;
  /// The same over all directions stacked: the figure the check is passed on.
  double relative_error = 0.0;
  /// The largest per-direction error among the finite ones, and its direction.
  double max_error = 0.0;
  std::size_t worst_direction = 0;
  /// Directions whose AD or finite-difference value has a NaN or an infinity.
  std::size_t non_finite = 0;
  bool passed = false;
};

namespace detail {
/// Builds the report from AD and finite-difference values, one vector per direction.
DerivativeCheck compare_derivatives(const std::vector<Vector>& ad, const std::vector<Vector>& fd, double tolerance);
/// The directions of a check: coordinates or seeded Gaussian vectors.
std::vector<Vector> check_directions(std::size_t n, const DerivativeCheckOptions& options);
void check_check_options(const DerivativeCheckOptions& options);
}  // namespace detail

/// Checks grad f (reverse mode) of a scalar f against central differences of f.
template <class F> DerivativeCheck check_gradient(F&& f, const Vector& x, const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options);
  const Vector g = grad(f, x);
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
    // Coordinate directions read the entry, so an infinite entry elsewhere does not spoil this one.
    ad.push_back(Vector{options.directions == 0 ? g[k] : frechet::dot(g, v)});
    fd.push_back(Vector{(fp - fm) / (2.0 * options.step)});
  }
  return detail::compare_derivatives(ad, fd, options.tolerance);
}

/// Checks J v (forward mode) of a scalar- or vector-valued f against central differences of f.
template <class F> DerivativeCheck check_jvp(F&& f, const Vector& x, const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options);
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
  return detail::compare_derivatives(ad, fd, options.tolerance);
}

}  // namespace frechet
