#include "frechet/krylov/hutchinson.hpp"

#include <cmath>

#include "estimators.hpp"
#include "frechet/core/blas1.hpp"
#include "probes.hpp"
#include "solver_support.hpp"

namespace frechet {

namespace detail {

TraceResult hutchinson_trace(const char* function, const LinearOperator& a, const HutchinsonOptions& options,
                             const RowBlock& block) {
  check_square(function, a);
  check_at_least(function, "probes", options.probes, 1);
  const std::size_t n = a.rows();
  Random rng(options.seed);
  Vector z(n), az(n);
  // The block's parts of the samples z_k^T A z_k, summed over the blocks in one reduction after the
  // last probe rather than one per probe.
  Vector samples(static_cast<std::size_t>(options.probes));
  for (std::size_t k = 0; k < samples.size(); ++k) {
    fill_probe(rng, options.distribution, z, block);
    a.apply(z, az);
    samples[k] = dot(z, az);
  }
  block.reduce(samples);
  RunningMoments moments(options.probes);
  for (const double sample : samples) moments.add(sample);
  TraceResult result;
  result.estimate = moments.mean();
  result.operator_products = options.probes;
  moments.finish(result);
  return result;
}

DiagonalResult hutchinson_diagonal(const char* function, const LinearOperator& a, const HutchinsonOptions& options,
                                   const RowBlock& block) {
  check_square(function, a);
  check_at_least(function, "probes", options.probes, 1);
  const std::size_t n = a.rows();
  Random rng(options.seed);
  Vector z(n), az(n), numerator(n, 0.0), denominator(n, 0.0);
  for (int k = 0; k < options.probes; ++k) {
    fill_probe(rng, options.distribution, z, block);
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

}  // namespace detail

TraceResult hutchinson_trace(const LinearOperator& a, const HutchinsonOptions& options) {
  return detail::hutchinson_trace("hutchinson_trace", a, options, detail::RowBlock::whole(a.rows()));
}

TraceResult hutchinson_trace(const OperatorPtr& a, const HutchinsonOptions& options) {
  return hutchinson_trace(detail::checked_operator("hutchinson_trace", a), options);
}

DiagonalResult hutchinson_diagonal(const LinearOperator& a, const HutchinsonOptions& options) {
  return detail::hutchinson_diagonal("hutchinson_diagonal", a, options, detail::RowBlock::whole(a.rows()));
}

DiagonalResult hutchinson_diagonal(const OperatorPtr& a, const HutchinsonOptions& options) {
  return hutchinson_diagonal(detail::checked_operator("hutchinson_diagonal", a), options);
}

}  // namespace frechet
