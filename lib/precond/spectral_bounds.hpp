#pragma once
// Internal: the eigenvalue bounds the polynomial preconditioner and the multigrid setup need, from a
// few steps of frechet's Lanczos.

#include <cstdint>

#include "frechet/core/vector.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet::detail {

/// An estimate of an extreme eigenvalue and the products it cost.
struct EigenvalueEstimate {
  double value = 0.0;
  int operator_products = 0;
};

/// The largest eigenvalue of S A S, S = diag(scale) (S = I when `scale` is empty), for symmetric A:
/// the largest Ritz value theta of `steps` Lanczos steps plus its residual norm ||A y - theta y||,
/// since some eigenvalue lies within that distance of theta and the Ritz value approaches
/// lambda_max from below. S A S has the eigenvalues of D^-1 A when scale = D^-1/2. Throws
/// NonFiniteError if a product is not finite. `what` names the caller in errors.
EigenvalueEstimate estimate_largest_eigenvalue(const char* what, const LinearOperator& a,
                                               ConstVectorView scale, int steps, std::uint64_t seed);

/// The smallest Ritz value of `steps` Lanczos steps on symmetric A: an upper bound of lambda_min that
/// approaches it from above.
EigenvalueEstimate estimate_smallest_eigenvalue(const char* what, const LinearOperator& a, int steps,
                                                std::uint64_t seed);

}  // namespace frechet::detail
