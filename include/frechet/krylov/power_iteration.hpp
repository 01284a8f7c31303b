#pragma once
/// \file
/// Power iteration for the dominant eigenpair of a square operator (the eigenvalue of largest
/// magnitude), with the Rayleigh quotient as the estimate.
///
/// Reference: G. H. Golub and C. F. Van Loan, "Matrix Computations", 4th ed., section 8.2.1.

#include <cstdint>
#include <optional>

#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of power_iteration (rtol and atol finite, >= 0). rtol = atol = 0 with max_iterations
/// set is the fixed-iteration mode: exactly max_iterations products (fewer only if A v_k = theta_k v_k
/// holds exactly), the estimate after a prescribed number of steps; rtol = atol = 0 without
/// max_iterations throws.
struct PowerIterationOptions {
  double rtol = 1e-8;  ///< stop when ||A v - theta v||_2 <= max(rtol |theta|, atol)
  double atol = 0.0;   ///< absolute floor on ||A v - theta v||_2
  /// Products with A (>= 1: the estimate needs one); unset means 1000.
  std::optional<int> max_iterations{};
  std::uint64_t seed = 0;  ///< seeds the Gaussian start vector when x0 is empty
  Vector x0{};             ///< start vector (nonzero); empty means a seeded Gaussian vector
  Monitor monitor{};       ///< called after every iteration k >= 1 with ||A v_k - theta_k v_k||_2
};

/// The dominant eigenpair found by power_iteration.
struct PowerIterationResult {
  double eigenvalue = 0.0;  ///< theta = v^T A v, the Rayleigh quotient of the returned v
  Vector eigenvector;       ///< v, of unit 2-norm
  int operator_products = 0;  ///< products with A, one per iteration
  bool converged = false;   ///< reason == Reason::converged
  Reason reason = Reason::max_iterations;
  double residual_norm = 0.0;  ///< ||A v - theta v||_2 (NaN, like eigenvalue, only when non_finite)
  Vector residual_history;     ///< one entry per iteration (no entry 0: it needs a product)
  Vector eigenvalue_history;   ///< theta_k = v_k^T A v_k, k = 1, 2, ...: one entry per iteration
};

/// v_{k+1} = A v_k / ||A v_k||, theta_k = v_k^T A v_k. Converges linearly with ratio
/// |lambda_2 / lambda_1|; for symmetric A the Rayleigh quotient error is O(residual^2). When two
/// eigenvalues of largest magnitude differ (lambda and -lambda, or a complex pair) it does not
/// converge and ends with Reason::max_iterations; use lanczos for symmetric operators. Throws
/// ShapeError for a non-square A or a mismatched x0, ArgumentError for a zero x0 or bad options,
/// NonFiniteError for a non-finite x0.
PowerIterationResult power_iteration(const LinearOperator& a, const PowerIterationOptions& options = {});
/// power_iteration(*a, options); throws ArgumentError if `a` is null.
PowerIterationResult power_iteration(const OperatorPtr& a, const PowerIterationOptions& options = {});

}  // namespace frechet
