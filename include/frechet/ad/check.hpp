#pragma once
/// \file
/// Derivative checking against central finite differences: the derivative in each direction v, by
/// AD and by (f(x + h v) - f(x - h v)) / 2h, compared over all directions at once with a test that
/// mixes absolute and relative error,
///     ||a - b||_2 <= atol + rtol max(||a||_2, ||b||_2),
/// so that a gradient of 1e-11 at an optimum, against finite-difference noise of 1e-10, passes; and
/// a wrong derivative fails. Non-finite values are reported, never compared: the errors are then NaN.
///
/// check_gradient and check_jvp check the AD layer's derivatives of a function; check_custom_rule
/// checks a user's own rule (custom_rule.hpp): its JVP against finite differences of its primal, and
/// its VJP against its JVP by the dot-product test <u, J v> = <J^T u, v>.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frechet/ad/custom_rule.hpp"
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
  /// Seed of the random directions (and of the cotangents u of check_custom_rule).
  std::uint64_t seed = 0;
  /// check_custom_rule only: the dot-product test passes when
  ///     |<u, J v> - <J^T u, v>| <= duality_rtol (||u|| ||J v|| + ||J^T u|| ||v||).
  /// Unset: 1e-10, far above the rounding of exact rules and far below the error of a wrong
  /// transpose; raise it for a rule whose JVP and VJP are iterative solves to a tolerance.
  std::optional<double> duality_rtol{};
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
/// Throws ArgumentError for bad options; `what` names the check, and `uses_duality` whether it
/// reads duality_rtol (the others throw if it is set).
void check_check_options(const DerivativeCheckOptions& options, const char* what,
                         bool uses_duality = false);
}  // namespace detail

/// Checks grad f (reverse mode) of a scalar f against central differences of f.
template <class F> DerivativeCheckResult check_gradient(F&& f, const Vector& x, const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options, "check_gradient");
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
  detail::check_check_options(options, "check_jvp");
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

/// The verdict of check_custom_rule, argument by argument.
struct RuleCheckResult {
  /// Per argument k: J_k v against central differences of the primal in x_k along v (the other
  /// arguments fixed). J_k v is the rule's JVP, or the JVP assembled from its VJP when it has none.
  std::vector<DerivativeCheckResult> jvp;
  /// Per argument k: the largest |<u, J_k v> - <J_k^T u, v>| / (||u|| ||J_k v|| + ||J_k^T u|| ||v||)
  /// over the directions (0 when both sides are 0). Empty unless the rule has both a JVP and a VJP:
  /// with one of them the other is derived from it and the test holds by construction.
  std::vector<double> duality_errors;
  /// Whether the VJP adds J_k^T u into x_bar_k, as apply_custom requires, instead of overwriting it
  /// (true when the rule has no VJP).
  bool vjp_accumulates = true;
  /// Every check passed.
  bool passed = false;
  /// Empty when passed; otherwise the first check that failed, with the rule's name, the argument
  /// and the error, e.g. "custom rule 'solve': the JVP in argument 1 disagrees with central
  /// differences of the primal (relative error 3.1e-02 > rtol 1e-06, worst direction 0)".
  std::string message;
};

namespace detail {
/// |<u, jv> - <ju, v>| / (||u|| ||jv|| + ||ju|| ||v||), 0 when the denominator is 0.
double duality_error(ConstVectorView u, ConstVectorView jv, ConstVectorView jtu, ConstVectorView v);
/// Fills passed and message from the per-argument results (the first failure named); has_jvp says
/// whether the JVP checked was the rule's own or assembled from its VJP.
void rule_check_verdict(const std::string& rule, bool has_jvp, RuleCheckResult& result,
                        const DerivativeCheckOptions& options);
}  // namespace detail

/// Checks a user's custom rule at the inputs x (one vector per argument): for each argument k,
///  1. J_k v against central differences of rule.primal in x_k along v (check_jvp's test and
///     options: step, rtol, atol, directions, seed);
///  2. with both a JVP and a VJP, the dot-product test <u, J_k v> = <J_k^T u, v> for every direction
///     v and a seeded Gaussian cotangent u (duality_rtol);
///  3. with a VJP, that it accumulates: x_bar_k prefilled with w comes back as w + J_k^T u.
/// The rule is called with the other arguments' tangents and cotangents empty, as apply_custom calls
/// it when they are constants. A rule that returns a JVP of the wrong size fails (it does not throw).
/// x holds one vector per argument, as apply_custom passes them (a matrix as its entries, column by
/// column). Throws ArgumentError if the rule has no primal, or neither a JVP nor a VJP, or for bad
/// options; whatever the rule itself throws propagates.
template <class R>
RuleCheckResult check_custom_rule(const CustomRule<R>& rule, const std::vector<Vector>& x,
                                  const DerivativeCheckOptions& options = {}) {
  detail::check_check_options(options, "check_custom_rule", true);
  if (!rule.primal) throw ArgumentError("check_custom_rule: rule '" + rule.name + "' has no primal function");
  if (!rule.jvp && !rule.vjp)
    throw ArgumentError("check_custom_rule: rule '" + rule.name + "' has neither a JVP nor a VJP");
  const std::size_t k_args = x.size();
  std::vector<ConstVectorView> inputs(x.begin(), x.end());
  R saved{};
  const Vector y = rule.primal(inputs, saved);
  const std::size_t m = y.size();
  RuleCheckResult result;
  std::vector<ConstVectorView> tangents(k_args);
  std::vector<VectorView> cotangents(k_args);
  const auto apply_jvp = [&](std::size_t k, ConstVectorView v) {
    tangents[k] = v;
    Vector jv = rule.jvp ? rule.jvp(inputs, y, saved, tangents) : detail::jvp_by_vjp(rule, inputs, y, saved, tangents);
    tangents[k] = ConstVectorView();
    return jv;
  };
  Random cotangent_source(options.seed + 1);
  for (std::size_t k = 0; k < k_args; ++k) {
    const std::vector<Vector> directions = detail::check_directions(x[k].size(), options);
    // 1. The JVP against central differences of the primal in argument k.
    std::vector<Vector> jvs, fd;
    double f_scale = detail::magnitude(y);
    Vector moved = x[k];
    for (const Vector& v : directions) {
      Vector jv = apply_jvp(k, v);
      if (jv.size() != m) {
        result.message = "custom rule '" + rule.name + "': the JVP in argument " + std::to_string(k) + " has " +
                         std::to_string(jv.size()) + " entries, the primal's output " + std::to_string(m);
        return result;
      }
      Vector ends[2];
      for (int side = 0; side < 2; ++side) {
        for (std::size_t i = 0; i < moved.size(); ++i) moved[i] = x[k][i] + (side == 0 ? 1.0 : -1.0) * options.step * v[i];
        std::vector<ConstVectorView> at = inputs;
        at[k] = moved;
        R scratch{};
        ends[side] = rule.primal(at, scratch);
        check_size("check_custom_rule: size of the primal at x + h v", m, ends[side].size());
        f_scale = std::max(f_scale, detail::magnitude(ends[side]));
      }
      Vector d(m);
      for (std::size_t i = 0; i < m; ++i) d[i] = (ends[0][i] - ends[1][i]) / (2.0 * options.step);
      jvs.push_back(std::move(jv));
      fd.push_back(std::move(d));
    }
    result.jvp.push_back(detail::compare_derivatives(jvs, fd, options, f_scale));
    if (!rule.vjp) continue;
    // 2 and 3. The VJP from zero and from a prefilled w, against the JVP.
    const Vector u = cotangent_source.gaussian_vector(m);
    Vector from_zero(x[k].size(), 0.0), from_w = cotangent_source.gaussian_vector(x[k].size());
    const Vector w = from_w;
    cotangents[k] = from_zero;
    rule.vjp(inputs, y, saved, u, cotangents);
    cotangents[k] = from_w;
    rule.vjp(inputs, y, saved, u, cotangents);
    cotangents[k] = VectorView();
    axpy(-1.0, w, from_w);
    Vector gap = from_w;
    axpy(-1.0, from_zero, gap);
    if (norm_inf(gap) > 1e-12 * (norm_inf(from_zero) + norm_inf(w))) result.vjp_accumulates = false;
    if (!rule.jvp) continue;
    double worst = 0.0;
    for (std::size_t d = 0; d < directions.size(); ++d)
      worst = std::max(worst, detail::duality_error(u, jvs[d], from_zero, directions[d]));
    result.duality_errors.push_back(worst);
  }
  detail::rule_check_verdict(rule.name, static_cast<bool>(rule.jvp), result, options);
  return result;
}

}  // namespace frechet
