#include "frechet/krylov/lsmr.hpp"

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "least_squares_support.hpp"
#include "solver_support.hpp"

namespace frechet {

SolveResult lsmr(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  detail::LeastSquaresRun run("lsmr", a, b, options);
  const std::size_t m = a.rows(), n = a.cols();
  const double damping = options.damping;
  // Work vectors, allocated once: v, the two direction vectors h and hbar of Fong and Saunders, the
  // correction y, and the products A N v and (A N)^T u.
  Vector v(n), h(n), hbar(n), y(n), av(m), atu(n);

  while (run.restart()) {
    const VectorView u = run.u();
    double beta = run.beta();
    scale(1.0 / beta, u);
    copy(run.atr(), v);
    scale(1.0 / beta, v);
    double alpha = norm2(v);
    if (alpha == 0.0) {
      run.claim();
      continue;
    }
    scale(1.0 / alpha, v);

    // The recurrence runs on r / 2^k with ||r / 2^k|| about 1, so that the squares of the ||r||
    // estimate and the correction neither underflow nor overflow whatever the scale of b; the
    // estimates and y are scaled back.
    const double r_scale = detail::power_of_two_scale(beta);
    const double beta_scaled = beta / r_scale;
    double zetabar = alpha * beta_scaled, alphabar = alpha, rho = 1.0, rhobar = 1.0, cbar = 1.0, sbar = 0.0;
    copy(v, h);
    fill(hbar, 0.0);
    fill(y, 0.0);
    // Quantities of the ||r|| estimate (section 3.4 of the paper).
    double betadd = beta_scaled, betad = 0.0, rhodold = 1.0, tautildeold = 0.0, thetatilde = 0.0, zeta = 0.0;
    double d = 0.0;

    bool failed = false;
    for (;;) {
      run.bidiagonalize(u, v, av, atu, alpha, beta);

      // Rotations: Qhat eliminates the damping, Q turns B into R, Qbar turns R^T into Rbar.
      const detail::Rotation qhat = detail::sym_ortho(alphabar, damping);
      const double rhoold = rho;
      const detail::Rotation q = detail::sym_ortho(qhat.r, beta);
      rho = q.r;
      const double thetanew = q.s * alpha;
      alphabar = q.c * alpha;
      const double rhobarold = rhobar, zetaold = zeta;
      const double thetabar = sbar * rho;
      const detail::Rotation qbar = detail::sym_ortho(cbar * rho, thetanew);
      cbar = qbar.c;
      sbar = qbar.s;
      rhobar = qbar.r;
      zeta = cbar * zetabar;
      zetabar = -sbar * zetabar;

      run.log().next();
      const double normal_estimate = std::abs(zetabar) * r_scale;
      if (!std::isfinite(normal_estimate) || !std::isfinite(zeta) || rho == 0.0 || rhobar == 0.0) {
        run.log().record(normal_estimate);
        if (std::isfinite(normal_estimate) && std::isfinite(zeta)) {
          run.claim();  // a zero pivot: the bidiagonalisation ended, the subspace holds the solution
          break;
        }
        run.fail(Reason::non_finite);
        failed = true;
        break;
      }

      // hbar = h - (thetabar rho / (rhoold rhobarold)) hbar; y += (zeta / (rho rhobar)) hbar;
      // h = v - (thetanew / rho) h.
      const double c1 = -thetabar * rho / (rhoold * rhobarold);
      const double c2 = zeta / (rho * rhobar);
      const double c3 = -thetanew / rho;
      for (std::size_t i = 0; i < n; ++i) {
        hbar[i] = h[i] + c1 * hbar[i];
        y[i] += c2 * hbar[i];
        h[i] = v[i] + c3 * h[i];
      }

      // Estimate ||r|| by applying the same rotations to the right-hand side.
      const double betaacute = qhat.c * betadd, betacheck = -qhat.s * betadd;
      const double betahat = q.c * betaacute;
      betadd = -q.s * betaacute;
      const double thetatildeold = thetatilde;
      const detail::Rotation qtilde = detail::sym_ortho(rhodold, thetabar);
      thetatilde = qtilde.s * rhobar;
      rhodold = qtilde.c * rhobar;
      betad = -qtilde.s * betad + qtilde.c * betahat;
      tautildeold = (zetaold - thetatildeold * tautildeold) / qtilde.r;
      const double taud = (zeta - thetatilde * tautildeold) / rhodold;
      d += betacheck * betacheck;
      const double residual_estimate =
          std::sqrt(d + (betad - taud) * (betad - taud) + betadd * betadd) * r_scale;

      run.log().record(normal_estimate);
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

SolveResult lsmr(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return lsmr(detail::checked_operator("lsmr", a), b, options);
}

}  // namespace frechet
