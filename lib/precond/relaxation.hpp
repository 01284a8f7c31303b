#pragma once
// Internal: the two relaxations of the precond layer, shared by the Chebyshev preconditioner and the
// multigrid smoothers. Both run on B = D^-1 A (D^-1 given as `inv_diag`; empty means D = I) and take
// their work vectors from the caller, so a product allocates nothing.
//
// Either relaxation maps an initial guess x to x + q(B) D^-1 (b - A x) for a polynomial q, so its
// error propagation E = I - q(B) B satisfies A E = E^T A: it is self-adjoint in the A inner product.
// That is what makes a V-cycle with the same relaxation before and after the coarse correction a
// symmetric operator.

#include <cstddef>

#include "core/parallel.hpp"
#include "frechet/core/vector.hpp"

namespace frechet::detail {

/// Work vectors of chebyshev_relaxation, each of the size of b.
struct ChebyshevWork {
  VectorView r;  ///< the residual b - A x
  VectorView d;  ///< the update direction
  VectorView t;  ///< A d
};

/// `degree` + 1 steps of the Chebyshev iteration for B x = D^-1 b whose residual polynomial is the
/// Chebyshev polynomial scaled to [lower, upper] (Y. Saad, "Iterative Methods for Sparse Linear
/// Systems", 2nd ed., SIAM 2003, Algorithm 12.1): x <- x + p(B) D^-1 (b - A x) with p of degree
/// `degree` and 1 - lambda p(lambda) = T_{degree+1}((upper + lower - 2 lambda) / (upper - lower)) /
/// T_{degree+1}((upper + lower) / (upper - lower)). With `zero_guess` x is not read (taken as 0) and
/// the products with A are `degree`; otherwise `degree` + 1. Requires 0 < lower < upper.
template <bool Scaled, class ApplyA>
void chebyshev_relaxation(const ApplyA& apply_a, ConstVectorView inv_diag, double lower, double upper,
                          int degree, ConstVectorView b, VectorView x, bool zero_guess,
                          const ChebyshevWork& work) {
  const auto n = static_cast<std::ptrdiff_t>(b.size());
  const double theta = 0.5 * (upper + lower);
  const double delta = 0.5 * (upper - lower);
  const double sigma = theta / delta;
  double rho = 1.0 / sigma;
  const double* bp = b.data();
  const double* sp = inv_diag.data();
  double* xp = x.data();
  double* rp = work.r.data();
  double* dp = work.d.data();
  double* tp = work.t.data();
  if (zero_guess) {
#pragma omp parallel for simd schedule(static) num_threads(loop_threads(b.size(), parallel_min_entries))
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      rp[i] = bp[i];
      dp[i] = (Scaled ? sp[i] : 1.0) * bp[i] / theta;
      xp[i] = dp[i];
    }
  } else {
    apply_a(ConstVectorView(x), work.t);
#pragma omp parallel for simd schedule(static) num_threads(loop_threads(b.size(), parallel_min_entries))
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      rp[i] = bp[i] - tp[i];
      dp[i] = (Scaled ? sp[i] : 1.0) * rp[i] / theta;
      xp[i] += dp[i];
    }
  }
  for (int step = 0; step < degree; ++step) {
    apply_a(ConstVectorView(work.d), work.t);
    const double rho_next = 1.0 / (2.0 * sigma - rho);
    const double c_d = rho_next * rho;
    const double c_r = 2.0 * rho_next / delta;
#pragma omp parallel for simd schedule(static) num_threads(loop_threads(b.size(), parallel_min_entries))
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      rp[i] -= tp[i];
      dp[i] = c_d * dp[i] + c_r * (Scaled ? sp[i] : 1.0) * rp[i];
      xp[i] += dp[i];
    }
    rho = rho_next;
  }
}

/// `sweeps` damped Jacobi steps x <- x + weight D^-1 (b - A x); `t` is a work vector of the size of
/// b. With `zero_guess` x is not read and the first step costs no product.
template <class ApplyA>
void jacobi_relaxation(const ApplyA& apply_a, ConstVectorView inv_diag, double weight, int sweeps,
                       ConstVectorView b, VectorView x, bool zero_guess, VectorView t) {
  const auto n = static_cast<std::ptrdiff_t>(b.size());
  const double* bp = b.data();
  const double* sp = inv_diag.data();
  double* xp = x.data();
  double* tp = t.data();
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    if (sweep == 0 && zero_guess) {
#pragma omp parallel for simd schedule(static) num_threads(loop_threads(b.size(), parallel_min_entries))
      for (std::ptrdiff_t i = 0; i < n; ++i) xp[i] = weight * sp[i] * bp[i];
      continue;
    }
    apply_a(ConstVectorView(x), t);
#pragma omp parallel for simd schedule(static) num_threads(loop_threads(b.size(), parallel_min_entries))
    for (std::ptrdiff_t i = 0; i < n; ++i) xp[i] += weight * sp[i] * (bp[i] - tp[i]);
  }
}

}  // namespace frechet::detail
