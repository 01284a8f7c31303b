#include "frechet/krylov/lsqr.hpp"

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "least_squares_support.hpp"
#include "solver_support.hpp"

namespace frechet {

SolveResult lsqr(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  detail::LeastSquaresRun run("lsqr", a, b, options);
  const std::size_t m = a.rows(), n = a.cols();
  const double damping = options.damping;
  // Work vectors, allocated once: the bidiagonalisation pair (u in run, v), the search direction w,
  // the correction y, and the products A N v and (A N)^T u.
  Vector v(n), w(n), y(n), av(m), atu(n);

  while (run.restart()) {
    const VectorView u = run.u();
    double beta = run.beta();
    scale(1.0 / beta, u);
    copy(run.atr(), v);  // (A N)^T u = (A N)^T r / beta
    scale(1.0 / beta, v);
    double alpha = norm2(v);
    if (alpha == 0.0) {  // (A N)^T r = 0 with damping: x = 0 is optimal; let the check decide
      run.claim();
      continue;
    }
    scale(1.0 / alpha, v);
    copy(v, w);
    fill(y, 0.0);
    // The recurrence runs on r / 2^k with ||r / 2^k|| about 1, so that phibar^2 and the correction
    // neither underflow nor overflow whatever the scale of b; the estimates and y are scaled back.
    const double r_scale = detail::power_of_two_scale(beta);
    double phibar = beta / r_scale, rhobar = alpha, damped_residual_sq = 0.0;

    bool failed = false;
    for (;;) {
      run.bidiagonalize(u, v, av, atu, alpha, beta);

      // Eliminate the damping, then the subdiagonal beta, by plane rotations.
      double rhobar1 = rhobar;
      if (damping > 0.0) {
        rhobar1 = std::hypot(rhobar, damping);
        const double psi = damping / rhobar1 * phibar;
        phibar = rhobar / rhobar1 * phibar;
        damped_residual_sq += psi * psi;
      }
      const detail::Rotation rot = detail::sym_ortho(rhobar1, beta);
      const double theta = rot.s * alpha;
      rhobar = -rot.c * alpha;
      const double phi = rot.c * phibar;
      phibar = rot.s * phibar;
      const double tau = rot.s * phi;

      run.log().next();
      const double residual_estimate = std::sqrt(phibar * phibar + damped_residual_sq) * r_scale;
      const double normal_estimate = alpha * std::abs(tau) * r_scale;
      run.log().record(normal_estimate);
      if (!std::isfinite(rot.r) || !std::isfinite(normal_estimate) || !std::isfinite(phi)) {
        run.fail(Reason::non_finite);
        failed = true;
        break;
      }
      if (rot.r == 0.0) {  // no further direction: the problem is solved in the subspace
        run.claim();
        break;
      }
      // y += (phi / rho) w; w = v - (theta / rho) w
      const double t1 = phi / rot.r, t2 = -theta / rot.r;
      for (std::size_t i = 0; i < n; ++i) {
        y[i] += t1 * w[i];
        w[i] = v[i] + t2 * w[i];
      }
      if (run.estimates_converged(residual_estimate, normal_estimate) || beta == 0.0 || alpha == 0.0) {
        run.claim();
        break;
      }
      if (run.log().exhausted()) break;
    }
    if (failed) break;
    scale(r_scale, y);
    run.add_correction(y);
  }
  return run.take_result();
}

SolveResult lsqr(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return lsqr(detail::checked_operator("lsqr", a), b, options);
}

}  // namespace frechet
