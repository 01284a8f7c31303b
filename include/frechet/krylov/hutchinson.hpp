#pragma once
/// \file
/// Hutchinson's stochastic estimators of the trace and of the diagonal of an implicit matrix: both
/// average products z_k^T A z_k (entrywise, z_k .* A z_k) over random probes z_k.
///
/// References: M. F. Hutchinson, "A stochastic estimator of the trace of the influence matrix for
/// Laplacian smoothing splines", Comm. Statist. Simul. Comput. 19(2), 1990; H. Avron and S. Toledo,
/// "Randomized algorithms for estimating the trace of an implicit symmetric positive semi-definite
/// matrix", J. ACM 58(2), 2011; C. Bekas, E. Kokiopoulou and Y. Saad, "An estimator for the diagonal
/// of a matrix", Appl. Numer. Math. 57(11-12), 2007.

#include <cstdint>

#include "frechet/krylov/trace_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of hutchinson_trace and hutchinson_diagonal.
struct HutchinsonOptions {
  /// Number of probe vectors, one product each, >= 1 (with one probe the trace's variance and
  /// standard error are NaN: one sample says nothing about the spread).
  int probes = 100;
  ProbeDistribution distribution = ProbeDistribution::rademacher;
  std::uint64_t seed = 0;  ///< the same seed gives the same probes and the same estimate
};

/// tr(A) ~ (1/s) sum_k z_k^T A z_k for any square A. Unbiased; with Rademacher probes the variance
/// of one sample is 2 (||A||_F^2 - sum_i A_ii^2) for symmetric A, so the relative error falls like
/// 1/sqrt(s). `samples` holds the s values z_k^T A z_k; `variance` and `standard_error` are their
/// sample estimates (NaN for s = 1). Throws ShapeError for a non-square A and ArgumentError for
/// probes < 1.
TraceResult hutchinson_trace(const LinearOperator& a, const HutchinsonOptions& options = {});
/// hutchinson_trace(*a, options); throws ArgumentError if `a` is null.
TraceResult hutchinson_trace(const OperatorPtr& a, const HutchinsonOptions& options = {});

/// The result of hutchinson_diagonal.
struct DiagonalResult {
  Vector diagonal;             ///< d_i ~ A_ii
  int probes = 0;              ///< random probe vectors used
  int operator_products = 0;   ///< products with the operator (one per probe)
};

/// d = (sum_k z_k .* A z_k) ./ (sum_k z_k .* z_k), entrywise. With Rademacher probes the error of
/// d_i has variance sum_{j != i} A_ij^2 / s, so a diagonal matrix is recovered exactly and a
/// diagonally dominant one quickly. Throws ShapeError for a non-square A, ArgumentError for probes < 1.
DiagonalResult hutchinson_diagonal(const LinearOperator& a, const HutchinsonOptions& options = {});
/// hutchinson_diagonal(*a, options); throws ArgumentError if `a` is null.
DiagonalResult hutchinson_diagonal(const OperatorPtr& a, const HutchinsonOptions& options = {});

}  // namespace frechet
