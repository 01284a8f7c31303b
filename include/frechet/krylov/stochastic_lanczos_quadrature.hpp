#pragma once
/// \file
/// Stochastic Lanczos quadrature: tr f(A) for symmetric A (log-determinants, spectral sums) and the
/// spectral density, from Lanczos runs on random probes.
///
/// References: S. Ubaru, J. Chen and Y. Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos
/// quadrature", SIAM J. Matrix Anal. Appl. 38(4), 2017; L. Lin, Y. Saad and C. Yang, "Approximating
/// spectral densities of large matrices", SIAM Review 58(1), 2016.

#include <cstdint>
#include <functional>
#include <optional>

#include "frechet/krylov/trace_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of the stochastic Lanczos quadrature estimators.
struct LanczosQuadratureOptions {
  int probes = 30;         ///< random probes (>= 2)
  int lanczos_steps = 30;  ///< Lanczos steps per probe, k (>= 1): one product each
  ProbeDistribution distribution = ProbeDistribution::rademacher;
  std::uint64_t seed = 0;  ///< the same seed gives the same estimate
};

/// tr f(A) ~ (1/s) sum_probes ||z||^2 sum_i tau_i f(theta_i), where theta_i are the eigenvalues of
/// the k x k Lanczos matrix of A from z/||z|| and tau_i the squared first components of its
/// eigenvectors: the k-point Gauss quadrature of z^T f(A) z, exact for polynomials of degree 2k-1.
/// The Lanczos recurrence runs without reorthogonalisation (memory 3n; Gauss quadrature stays
/// accurate, Musco, Musco and Sidford, SODA 2018). `standard_error` is the statistical error over the
/// probes; the quadrature error falls exponentially with k for analytic f. A must be symmetric (not
/// checked); f must be defined on its spectrum. Throws ShapeError for a non-square A, ArgumentError
/// for bad options.
TraceResult lanczos_quadrature_trace(const LinearOperator& a, const std::function<double(double)>& f,
                                     const LanczosQuadratureOptions& options = {});
/// lanczos_quadrature_trace(*a, f, options); throws ArgumentError if `a` is null.
TraceResult lanczos_quadrature_trace(const OperatorPtr& a, const std::function<double(double)>& f,
                                     const LanczosQuadratureOptions& options = {});

/// log det A = tr log A for symmetric positive definite A, by lanczos_quadrature_trace. Throws
/// NumericalError if a Ritz value is <= 0 (A is not positive definite).
TraceResult lanczos_quadrature_log_determinant(const LinearOperator& a,
                                               const LanczosQuadratureOptions& options = {});
/// lanczos_quadrature_log_determinant(*a, options); throws ArgumentError if `a` is null.
TraceResult lanczos_quadrature_log_determinant(const OperatorPtr& a,
                                               const LanczosQuadratureOptions& options = {});

/// Options of lanczos_quadrature_spectral_density.
struct SpectralDensityOptions {
  int probes = 30;         ///< random probes (>= 1)
  int lanczos_steps = 50;  ///< Lanczos steps per probe (>= 1)
  /// Standard deviation of the Gaussian kernel; 0 means (upper - lower) / 100 of the Ritz range.
  double sigma = 0.0;
  int points = 200;  ///< grid points (>= 2)
  /// Grid interval; unset means the extreme Ritz values widened by 3 sigma.
  std::optional<double> lower{}, upper{};
  ProbeDistribution distribution = ProbeDistribution::rademacher;
  std::uint64_t seed = 0;
};

/// The result of lanczos_quadrature_spectral_density: a spectral density on a grid.
struct SpectralDensityResult {
  Vector points;               ///< t_j, equally spaced
  Vector density;              ///< phi(t_j): integrates to about 1 over the grid when it covers the spectrum
  double sigma = 0.0;          ///< the kernel width used (options.sigma, or the default it chose)
  int operator_products = 0;   ///< products with the operator
};

/// phi(t) ~ (1/n) sum_i g_sigma(t - lambda_i), the eigenvalue density of symmetric A smoothed by a
/// Gaussian g_sigma, estimated as (1/s) sum_probes (||z||^2 / n) sum_i tau_i g_sigma(t - theta_i)
/// (Lin, Saad, Yang 2016, section 3.2). Throws ShapeError for a non-square A, ArgumentError for bad
/// options.
SpectralDensityResult lanczos_quadrature_spectral_density(const LinearOperator& a,
                                                          const SpectralDensityOptions& options = {});
/// lanczos_quadrature_spectral_density(*a, options); throws ArgumentError if `a` is null.
SpectralDensityResult lanczos_quadrature_spectral_density(const OperatorPtr& a,
                                                          const SpectralDensityOptions& options = {});

}  // namespace frechet
