#include "frechet/krylov/hutchinson.hpp"

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "probes.hpp"
#include "solver_support.hpp"

namespace frechet {

TraceResult hutchinson_trace(const LinearOperator& a, const HutchinsonOptions& options) {
  detail::check_square("hutchinson_trace", a);
  detail::check_at_least("hutchinson_trace", "probes", options.probes, 1);
  const std::size_t n = a.rows();
  Random rng(options.seed);
  Vector z(n), az(n);
  detail::RunningMoments moments(options.probes);
  for (int k = 0; k < options.probes; ++k) {
    detail::fill_probe(rng, options.distribution, z);
    a.apply(z, az);
    moments.add(dot(z, az));
  }
  TraceResult result;
  result.estimate = moments.mean();
  result.operator_products = options.probes;
  moments.finish(result);
  return result;
}

TraceResult hutchinson_trace(const OperatorPtr& a, const HutchinsonOptions& options) {
  return hutchinson_trace(detail::checked_operator("hutchinson_trace", a), options);
}

DiagonalResult hutchinson_diagonal(const LinearOperator& a, const HutchinsonOptions& options) {
  detail::check_square("hutchinson_diagonal", a);
  detail::check_at_least("hutchinson_diagonal", "probes", options.probes, 1);
  const std::size_t n = a.rows();
  Random rng(options.seed);
  Vector z(n), az(n), numerator(n, 0.0), denominator(n, 0.0);
  for (int k = 0; k < options.probes; ++k) {
    detail::fill_probe(rng, options.distribution, z);
    a.apply(z, az);
    for (std::size_t i = 0; i < n; ++i) {
      numerator[i] += z[i] * az[i];
      denominator[i] += z[i] * z[i];
    }
  }
  DiagonalResult result;
  result.diagonal.resize(n);
  // A Rademacher entry is never zero, a Gaussian one with probability zero: denominators are > 0.
  for (std::size_t i = 0; i < n; ++i) result.diagonal[i] = numerator[i] / denominator[i];
  result.probes = options.probes;
  result.operator_products = options.probes;
  return result;
}

DiagonalResult hutchinson_diagonal(const OperatorPtr& a, const HutchinsonOptions& options) {
  return hutchinson_diagonal(detail::checked_operator("hutchinson_diagonal", a), options);
}

}  // namespace frechet
