#pragma once
/// \file
/// The Chebyshev polynomial preconditioner: M^-1 = p_k(A), matrix-free, for symmetric positive
/// definite A.
///
/// p_k is the polynomial of degree k for which 1 - lambda p_k(lambda) is the Chebyshev polynomial
/// T_{k+1} scaled to [lambda_min, lambda_max], the polynomial of its degree closest to 1/lambda in
/// the max norm on that interval (Y. Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
/// SIAM 2003, sections 12.3 and 12.4):
///
///     1 - lambda p_k(lambda) = T_{k+1}((b + a - 2 lambda) / (b - a)) / T_{k+1}((b + a) / (b - a)),
///     a = lambda_min, b = lambda_max.
///
/// p_k(lambda) > 0 for every 0 < lambda <= b (and for lambda > b it may change sign), so M^-1 is
/// symmetric positive definite whenever b is at least the largest eigenvalue of A: that bound must
/// hold, the lower one need not (a lower bound that is too large only makes p_k a poorer
/// approximation near zero). Applying M^-1 costs k products with A and allocates nothing after the
/// first product.
///
/// As a smoother (for multigrid) the interval is [lambda_max / ratio, lambda_max]: the polynomial
/// then damps the upper part of the spectrum and leaves the lower part to the coarse grid (M. Adams,
/// M. Brezina, J. Hu, R. Tuminaro, "Parallel multigrid smoothing: polynomial versus Gauss-Seidel",
/// J. Comput. Phys. 188(2), 2003).

#include <cstdint>
#include <memory>
#include <optional>

#include "frechet/linop/linear_operator.hpp"

namespace frechet {

namespace detail {
class ScratchPool;  // work vectors reused across products (lib/linop/scratch_pool.hpp)
}

/// Options of chebyshev_preconditioner.
struct ChebyshevOptions {
  /// k, the degree of p_k (>= 0): an application costs k products with A; k = 0 is M^-1 = 2/(a + b) I.
  int degree = 10;
  /// a, the lower end of the interval (0 < a < b). Unset: estimated, from `eigenvalue_ratio` when that
  /// is set, else as the smallest Ritz value of `lanczos_steps` Lanczos steps (which is >= lambda_min).
  std::optional<double> lambda_min{};
  /// b, the upper end (> 0, finite), which must bound the spectrum of A. Unset: the largest Ritz value
  /// of `lanczos_steps` Lanczos steps plus its residual norm, times `safety_factor`.
  std::optional<double> lambda_max{};
  /// When set (> 1), a = b / ratio: the smoothing interval. lambda_min must then be unset.
  std::optional<double> eigenvalue_ratio{};
  /// Factor (>= 1) on the estimated lambda_max; a given lambda_max is used as given.
  double safety_factor = 1.1;
  /// Lanczos steps of each estimate (>= 2).
  int lanczos_steps = 20;
  std::uint64_t seed = 0;  ///< seeds the Lanczos start vector
};

/// M^-1 = p_k(A), the Chebyshev polynomial preconditioner of a symmetric positive definite operator.
/// Symmetric and positive definite (given a valid lambda_max); its adjoint is itself. Concurrent
/// products are safe (a product that finds the work vectors in use allocates its own).
class ChebyshevPreconditioner final : public LinearOperator {
public:
  /// See chebyshev_preconditioner.
  ChebyshevPreconditioner(OperatorPtr a, const ChebyshevOptions& options = {});
  ~ChebyshevPreconditioner() override;
  ChebyshevPreconditioner(const ChebyshevPreconditioner&) = delete;
  ChebyshevPreconditioner& operator=(const ChebyshevPreconditioner&) = delete;

  int degree() const noexcept { return degree_; }
  /// The interval [a, b] the polynomial is built on.
  double lambda_min() const noexcept { return lambda_min_; }
  double lambda_max() const noexcept { return lambda_max_; }
  /// Whether each end was estimated (true) or given (false).
  bool lambda_min_estimated() const noexcept { return lambda_min_estimated_; }
  bool lambda_max_estimated() const noexcept { return lambda_max_estimated_; }
  /// Products with A spent by the estimates at construction.
  int setup_products() const noexcept { return setup_products_; }
  /// The operator A.
  const OperatorPtr& matrix() const noexcept { return a_; }
  /// Bytes of the work vectors (3 n doubles); A is not counted.
  std::size_t bytes() const noexcept;

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  OperatorPtr a_;
  int degree_;
  double lambda_min_ = 0.0;
  double lambda_max_ = 0.0;
  bool lambda_min_estimated_ = false;
  bool lambda_max_estimated_ = false;
  int setup_products_ = 0;
  std::unique_ptr<detail::ScratchPool> scratch_;  // 3 n doubles: r, d and A d
};

/// The Chebyshev preconditioner of degree `options.degree` for the square symmetric positive definite
/// operator `a` (its symmetry is not checked beforehand; Lanczos rejects an operator it sees is not
/// symmetric). Throws ArgumentError for a null `a` or bad options (degree < 0, bounds not
/// 0 < lambda_min < lambda_max, both lambda_min and eigenvalue_ratio set, ratio <= 1,
/// safety_factor < 1), ShapeError for a non-square `a`, NonFiniteError if a product is not finite,
/// and NumericalError if the estimated largest eigenvalue is not positive (A is not positive definite).
std::shared_ptr<const ChebyshevPreconditioner> chebyshev_preconditioner(OperatorPtr a,
                                                                        const ChebyshevOptions& options = {});

}  // namespace frechet
