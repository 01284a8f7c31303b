#pragma once
/// \file
/// Hutch++: Hutchinson's estimator with the dominant part of the spectrum computed exactly.
///
/// Reference: R. A. Meyer, C. Musco, C. Musco and D. P. Woodruff, "Hutch++: Optimal stochastic trace
/// estimation", Symposium on Simplicity in Algorithms (SOSA), 2021.

#include <cstdint>

#include "frechet/krylov/trace_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of hutchpp_trace.
struct HutchppOptions {
  /// Total products with A (>= 6): a third sketch A S, a third for Q^T A Q, the rest for
  /// Hutchinson on the deflated remainder (at least two probes).
  int operator_products = 102;
  ProbeDistribution distribution = ProbeDistribution::rademacher;
  std::uint64_t seed = 0;  ///< the same seed gives the same estimate
};

/// tr(A) ~ tr(Q^T A Q) + (1/l) sum_k g_k^T (I - Q Q^T) A (I - Q Q^T) g_k, with Q an orthonormal basis
/// of A S for a random S of m/3 columns. Unbiased for any square A; for symmetric positive
/// semidefinite A it reaches relative error eps with O(1/eps) products instead of Hutchinson's
/// O(1/eps^2), and the gain is largest when the spectrum decays. `variance`, `standard_error` and
/// `probes` describe the Hutchinson part (given Q). Memory: (m/3) n. Throws ShapeError for a
/// non-square A and ArgumentError for operator_products < 6.
TraceResult hutchpp_trace(const LinearOperator& a, const HutchppOptions& options = {});
/// hutchpp_trace(*a, options); throws ArgumentError if `a` is null.
TraceResult hutchpp_trace(const OperatorPtr& a, const HutchppOptions& options = {});

}  // namespace frechet
