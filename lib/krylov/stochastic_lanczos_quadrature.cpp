#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "frechet/core/blas1.hpp"
#include "estimators.hpp"
#include "frechet/core/error.hpp"
#include "probes.hpp"
#include "small_eigen.hpp"
#include "solver_support.hpp"

namespace frechet {
namespace {

// Gauss quadrature nodes theta_i and weights tau_i of the spectral measure of A seen from a probe:
// u^T f(A) u ~ sum_i tau_i f(theta_i) for unit u. Runs k steps of the plain three-term Lanczos
// recurrence and stops early when beta ~ 0 (the Krylov subspace is invariant: the quadrature is
// exact). Work vectors are the caller's, so nothing is allocated per probe. On a block of rows the
// vectors are the block's parts and alpha and beta are reduced over the blocks: every process
// computes the same tridiagonal matrix, nodes and weights.
class LanczosQuadrature {
public:
  LanczosQuadrature(std::size_t n, std::size_t steps, const detail::RowBlock& block)
      : steps_(steps), block_(block), v_(n), v_prev_(n), w_(n), t_(steps * steps), eig_(steps) {}

  /// Runs from z (not necessarily unit); returns the number of nodes. Throws NumericalError for
  /// non-finite products.
  std::size_t run(const LinearOperator& a, ConstVectorView z, int& operator_products) {
    const std::size_t n = z.size();
    copy(z, v_);
    scale(1.0 / block_.norm2(z), v_);
    fill(v_prev_, 0.0);
    std::fill(t_.begin(), t_.end(), 0.0);
    double beta = 0.0;
    std::size_t k = 0;
    while (k < steps_) {
      a.apply(v_, w_);
      ++operator_products;
      // w = A v - beta v_prev - alpha v
      const double alpha = block_.dot(v_, w_);
      for (std::size_t i = 0; i < n; ++i) w_[i] -= alpha * v_[i] + beta * v_prev_[i];
      if (!std::isfinite(alpha)) {
        throw NumericalError("stochastic Lanczos quadrature: the operator returned a non-finite product");
      }
      t_[k + k * steps_] = alpha;
      ++k;
      const double beta_next = block_.norm2(w_);
      if (k == steps_ || beta_next <= 1e-12 * std::max(std::abs(alpha), beta)) break;
      t_[k + (k - 1) * steps_] = beta_next;
      std::swap(v_prev_, v_);
      for (std::size_t i = 0; i < n; ++i) v_[i] = w_[i] / beta_next;
      beta = beta_next;
    }
    eig_.compute(t_.data(), steps_, k);
    return k;
  }
  double node(std::size_t i) const { return eig_.values()[i]; }
  double weight(std::size_t i) const { return eig_.vector(0, i) * eig_.vector(0, i); }

private:
  std::size_t steps_;
  const detail::RowBlock& block_;
  Vector v_, v_prev_, w_, t_;
  detail::SmallSymmetricEigen eig_;
};

void check_common(const char* function, const LinearOperator& a, int probes, int least_probes, int steps) {
  detail::check_square(function, a);
  detail::check_at_least(function, "probes", probes, least_probes);
  detail::check_at_least(function, "lanczos_steps", steps, 1);
}

}  // namespace

namespace detail {

TraceResult lanczos_quadrature_trace(const char* name, const LinearOperator& a,
                                     const std::function<double(double)>& f, const LanczosQuadratureOptions& options,
                                     const RowBlock& block) {
  check_common(name, a, options.probes, 2, options.lanczos_steps);
  if (!f) throw ArgumentError(std::string(name) + ": f: expected a function, got an empty one");
  const std::size_t n = a.rows();
  const std::size_t steps =
      std::min(static_cast<std::size_t>(options.lanczos_steps), std::max<std::size_t>(block.global_size, 1));
  Random rng(options.seed);
  Vector z(n);
  LanczosQuadrature quadrature(n, steps, block);
  RunningMoments moments(options.probes);
  TraceResult result;
  for (int p = 0; p < options.probes; ++p) {
    fill_probe(rng, options.distribution, z, block);
    const double z_norm2 = block.dot(z, z);
    const std::size_t k = quadrature.run(a, z, result.operator_products);
    double sum = 0.0;
    for (std::size_t i = 0; i < k; ++i) sum += quadrature.weight(i) * f(quadrature.node(i));
    moments.add(z_norm2 * sum);
  }
  result.estimate = moments.mean();
  moments.finish(result);
  return result;
}

TraceResult lanczos_quadrature_log_determinant(const char* name, const LinearOperator& a,
                                               const LanczosQuadratureOptions& options, const RowBlock& block) {
  return lanczos_quadrature_trace(
      name, a,
      [name](double theta) {
        if (!(theta > 0.0)) {
          throw NumericalError(std::string(name) + ": operator: expected a positive definite operator, got a "
                               "Ritz value " + std::to_string(theta) + " <= 0");
        }
        return std::log(theta);
      },
      options, block);
}

SpectralDensityResult lanczos_quadrature_spectral_density(const char* name, const LinearOperator& a,
                                                          const SpectralDensityOptions& options,
                                                          const RowBlock& block) {
  check_common(name, a, options.probes, 1, options.lanczos_steps);
  check_at_least(name, "points", options.points, 2);
  if (!std::isfinite(options.sigma) || options.sigma < 0.0) {
    throw ArgumentError(std::string(name) + ": options.sigma: expected a finite value >= 0, got " +
                        std::to_string(options.sigma));
  }
  if (options.lower && options.upper && !(*options.lower < *options.upper)) {
    throw ArgumentError(std::string(name) + ": options.lower, options.upper: expected lower < upper, got " +
                        std::to_string(*options.lower) + " and " + std::to_string(*options.upper));
  }
  const std::size_t n = a.rows();
  const std::size_t steps =
      std::min(static_cast<std::size_t>(options.lanczos_steps), std::max<std::size_t>(block.global_size, 1));
  Random rng(options.seed);
  Vector z(n);
  LanczosQuadrature quadrature(n, steps, block);

  // All nodes and scaled weights first: the grid depends on the extreme nodes.
  Vector nodes, weights;
  nodes.reserve(static_cast<std::size_t>(options.probes) * steps);
  weights.reserve(nodes.capacity());
  SpectralDensityResult result;
  for (int p = 0; p < options.probes; ++p) {
    fill_probe(rng, options.distribution, z, block);
    const double scale_z = block.dot(z, z) / static_cast<double>(block.global_size) / options.probes;
    const std::size_t k = quadrature.run(a, z, result.operator_products);
    for (std::size_t i = 0; i < k; ++i) {
      nodes.push_back(quadrature.node(i));
      weights.push_back(scale_z * quadrature.weight(i));
    }
  }
  const auto [lo_it, hi_it] = std::minmax_element(nodes.begin(), nodes.end());
  const double span = std::max(*hi_it - *lo_it, 1e-12 * std::max(std::abs(*hi_it), 1.0));
  result.sigma = options.sigma > 0.0 ? options.sigma : span / 100.0;
  const double lower = options.lower.value_or(*lo_it - 3.0 * result.sigma);
  const double upper = options.upper.value_or(*hi_it + 3.0 * result.sigma);
  const auto points = static_cast<std::size_t>(options.points);
  result.points.resize(points);
  result.density.assign(points, 0.0);
  const double norm = 1.0 / (result.sigma * std::sqrt(2.0 * std::numbers::pi));
  for (std::size_t j = 0; j < points; ++j) {
    const double t = lower + (upper - lower) * static_cast<double>(j) / static_cast<double>(points - 1);
    result.points[j] = t;
    double phi = 0.0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const double d = (t - nodes[i]) / result.sigma;
      phi += weights[i] * std::exp(-0.5 * d * d);
    }
    result.density[j] = norm * phi;
  }
  return result;
}

}  // namespace detail

TraceResult lanczos_quadrature_trace(const LinearOperator& a, const std::function<double(double)>& f,
                                     const LanczosQuadratureOptions& options) {
  return detail::lanczos_quadrature_trace("lanczos_quadrature_trace", a, f, options,
                                          detail::RowBlock::whole(a.rows()));
}

TraceResult lanczos_quadrature_log_determinant(const LinearOperator& a, const LanczosQuadratureOptions& options) {
  return detail::lanczos_quadrature_log_determinant("lanczos_quadrature_log_determinant", a, options,
                                                    detail::RowBlock::whole(a.rows()));
}

SpectralDensityResult lanczos_quadrature_spectral_density(const LinearOperator& a,
                                                          const SpectralDensityOptions& options) {
  return detail::lanczos_quadrature_spectral_density("lanczos_quadrature_spectral_density", a, options,
                                                     detail::RowBlock::whole(a.rows()));
}

TraceResult lanczos_quadrature_trace(const OperatorPtr& a, const std::function<double(double)>& f,
                                     const LanczosQuadratureOptions& options) {
  return lanczos_quadrature_trace(detail::checked_operator("lanczos_quadrature_trace", a), f, options);
}

TraceResult lanczos_quadrature_log_determinant(const OperatorPtr& a, const LanczosQuadratureOptions& options) {
  constexpr const char* name = "lanczos_quadrature_log_determinant";
  return lanczos_quadrature_log_determinant(detail::checked_operator(name, a), options);
}

SpectralDensityResult lanczos_quadrature_spectral_density(const OperatorPtr& a,
                                                          const SpectralDensityOptions& options) {
  constexpr const char* name = "lanczos_quadrature_spectral_density";
  return lanczos_quadrature_spectral_density(detail::checked_operator(name, a), options);
}

}  // namespace frechet
