#include "frechet/ad/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace frechet::detail {

void check_check_options(const DerivativeCheckOptions& options, const char* what, bool uses_duality) {
  const std::string w(what);
  if (!(options.step > 0.0) || !std::isfinite(options.step))
    throw ArgumentError(w + ": step must be positive and finite, got " + std::to_string(options.step));
  if (!(options.rtol > 0.0) || !std::isfinite(options.rtol))
    throw ArgumentError(w + ": rtol must be positive and finite, got " + std::to_string(options.rtol));
  if (options.atol && (!(*options.atol >= 0.0) || !std::isfinite(*options.atol)))
    throw ArgumentError(w + ": atol must be >= 0 and finite, got " + std::to_string(*options.atol));
  if (options.duality_rtol && !uses_duality)
    throw ArgumentError(w + ": duality_rtol is an option of check_custom_rule only; leave it unset");
  if (options.duality_rtol && (!(*options.duality_rtol > 0.0) || !std::isfinite(*options.duality_rtol)))
    throw ArgumentError(w + ": duality_rtol must be positive and finite, got " + std::to_string(*options.duality_rtol));
}

double duality_error(ConstVectorView u, ConstVectorView jv, ConstVectorView jtu, ConstVectorView v) {
  const double scale = norm2(u) * norm2(jv) + norm2(jtu) * norm2(v);
  return scale > 0.0 ? std::abs(dot(u, jv) - dot(jtu, v)) / scale : 0.0;
}

namespace {
std::string scientific(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1e", x);
  return buffer;
}
}  // namespace

void rule_check_verdict(const std::string& rule, bool has_jvp, RuleCheckResult& result,
                        const DerivativeCheckOptions& options) {
  const std::string prefix = "custom rule '" + rule + "': ";
  const double duality_rtol = options.duality_rtol.value_or(1e-10);
  result.passed = false;
  for (std::size_t k = 0; k < result.jvp.size(); ++k) {
    const DerivativeCheckResult& c = result.jvp[k];
    if (c.passed) continue;
    result.message = prefix + (has_jvp ? "the JVP" : "the JVP assembled from the VJP") + " in argument " + std::to_string(k) +
                     (c.non_finite > 0 ? " or the primal near x is not finite in " + std::to_string(c.non_finite) + " directions"
                                       : " disagrees with central differences of the primal (relative error " +
                                             scientific(c.relative_error) + " > rtol " + scientific(options.rtol) +
                                             ", worst direction " + std::to_string(c.worst_direction) + ")");
    return;
  }
  if (!result.vjp_accumulates) {
    result.message = prefix + "the VJP overwrites x_bar instead of adding J^T y_bar to it (write x_bar += ..., as apply_custom requires)";
    return;
  }
  for (std::size_t k = 0; k < result.duality_errors.size(); ++k) {
    if (result.duality_errors[k] <= duality_rtol) continue;
    result.message = prefix + "the VJP in argument " + std::to_string(k) +
                     " is not the transpose of the JVP: |<u, J v> - <J^T u, v>| / scale = " +
                     scientific(result.duality_errors[k]) + " > duality_rtol " + scientific(duality_rtol);
    return;
  }
  result.passed = true;
}

std::vector<Vector> check_directions(std::size_t n, const DerivativeCheckOptions& options) {
  std::vector<Vector> dirs;
  if (options.directions == 0) {
    for (std::size_t j = 0; j < n; ++j) {
      Vector e(n, 0.0);
      e[j] = 1.0;
      dirs.push_back(std::move(e));
    }
  } else {
    Random rng(options.seed);
    for (std::size_t k = 0; k < options.directions; ++k) dirs.push_back(rng.gaussian_vector(n));
  }
  return dirs;
}

DerivativeCheckResult compare_derivatives(const std::vector<Vector>& ad, const std::vector<Vector>& fd,
                                          const DerivativeCheckOptions& options, double f_scale) {
  DerivativeCheckResult out;
  // Central differences lose about eps |f| / h to rounding in each value of f; a factor 100 covers
  // the rounding inside f itself.
  const double eps = std::numeric_limits<double>::epsilon();
  out.atol = options.atol ? *options.atol : 100.0 * eps * (f_scale + 1.0) / options.step;
  double diff2 = 0.0, a2 = 0.0, b2 = 0.0;
  for (std::size_t k = 0; k < ad.size(); ++k) {
    if (!all_finite(ad[k]) || !all_finite(fd[k])) {
      ++out.non_finite;
      out.errors.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    double d = 0.0, a = 0.0, b = 0.0;
    for (std::size_t i = 0; i < ad[k].size(); ++i) {
      d += (ad[k][i] - fd[k][i]) * (ad[k][i] - fd[k][i]);
      a += ad[k][i] * ad[k][i];
      b += fd[k][i] * fd[k][i];
    }
    const double e = std::sqrt(d) / (std::sqrt(a) + std::sqrt(b) + 1e-300);
    out.errors.push_back(e);
    if (e >= out.max_error) {
      out.max_error = e;
      out.worst_direction = k;
    }
    diff2 += d;
    a2 += a;
    b2 += b;
  }
  if (out.non_finite > 0) {
    // Not comparable: a report of 0 could be read as a perfect match.
    out.absolute_error = out.relative_error = std::numeric_limits<double>::quiet_NaN();
    out.passed = false;
    return out;
  }
  const double scale = std::max(std::sqrt(a2), std::sqrt(b2));
  out.absolute_error = std::sqrt(diff2);
  out.relative_error = scale > 0.0 ? out.absolute_error / scale : 0.0;
  out.passed = out.absolute_error <= out.atol + options.rtol * scale;
  return out;
}

}  // namespace frechet::detail
