#pragma once
/// \file
/// What the stochastic trace estimators share: the probe distribution, and the result (the estimate
/// with its standard error).

#include "frechet/core/vector.hpp"

namespace frechet {

/// The distribution of the entries of a random probe vector z (E[z z^T] = I for both).
enum class ProbeDistribution {
  rademacher,  ///< +-1 with probability 1/2: the smallest variance for a fixed matrix (Hutchinson 1990)
  gaussian,    ///< N(0, 1): rotation invariant, so the variance depends only on the eigenvalues
};

/// The result of a trace estimator (hutchinson_trace, hutchpp_trace, lanczos_quadrature_trace,
/// lanczos_quadrature_log_determinant): the estimate and how uncertain it is.
struct TraceResult {
  double estimate = 0.0;        ///< the estimate of the trace
  double variance = 0.0;        ///< sample variance of `samples`; NaN for a single probe
  double standard_error = 0.0;  ///< sqrt(variance / probes): the standard deviation of `estimate`
  int probes = 0;               ///< random probe vectors in the stochastic part
  int operator_products = 0;    ///< products with the operator
  Vector samples;               ///< the per-probe values of the stochastic part, whose mean it estimates
};

}  // namespace frechet
