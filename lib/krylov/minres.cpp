#include "frechet/krylov/minres.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "frechet/core/blas1.hpp"
#include "solver_support.hpp"

namespace frechet {

SolveResult minres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  detail::SquareRun run("minres", a, b, options, detail::SolverFamily::plain);
  const std::size_t n = run.size();
  const LinearOperator* m = options.preconditioner.get();
  const VectorView x = run.x();
  constexpr double eps = std::numeric_limits<double>::epsilon();

  // Work vectors, allocated once. r1, r2 are the last two Lanczos residuals, y = P r2, v the current
  // Lanczos vector, w, w1, w2 the last three search directions.
  Vector r1(n), r2(n), y(m != nullptr ? n : 0), v(n), w(n), w1(n), w2(n);

  // The rule tests P-norms, so its scale is ||b||_P, which needs one product with P; b / 2^k keeps
  // b^T P b from underflowing or overflowing.
  if (m != nullptr && !run.finished()) {
    const double b_scale = detail::power_of_two_scale(norm2(b));
    for (std::size_t i = 0; i < n; ++i) v[i] = b[i] / b_scale;
    m->apply(v, y);
    run.set_rule_scale(std::sqrt(std::max(dot(v, y), 0.0)) * b_scale);
  }

  while (!run.finished()) {
    // The recurrence runs on r / 2^k with ||r / 2^k|| about 1 (see SquareRun::normalize).
    const double r_norm = run.recompute(r1);
    run.normalize(r1, r_norm);
    double beta1 = r_norm / run.scale();
    if (m != nullptr) {
      m->apply(r1, y);
      const double beta1_sq = dot(r1, y);
      if (std::isfinite(beta1_sq) && beta1_sq < 0.0) {
        run.fail(Reason::indefinite);
        break;
      }
      beta1 = std::sqrt(beta1_sq);
    }
    if (!run.judge(beta1 * run.scale())) break;

    double oldb = 0.0, beta = beta1, dbar = 0.0, epsln = 0.0, phibar = beta1;
    double cs = -1.0, sn = 0.0;
    copy(r1, r2);
    fill(w, 0.0);
    fill(w2, 0.0);
    for (int k = 0;; ++k) {
      // Lanczos step: v = y / beta, y = A v - (beta/oldb) r1 - (alfa/beta) r2.
      const ConstVectorView y_current = m != nullptr ? ConstVectorView(y) : ConstVectorView(r2);
      const double s = 1.0 / beta;
      for (std::size_t i = 0; i < n; ++i) v[i] = s * y_current[i];
      // A v goes to a buffer whose content is dead: y (consumed into v) or, without a
      // preconditioner, w1 (w_{k-2}, no longer needed by the direction update below).
      const VectorView next = m != nullptr ? VectorView(y) : VectorView(w1);
      a.apply(v, next);
      run.count_product();
      if (k > 0) axpy(-beta / oldb, r1, next);
      const double alfa = dot(v, next);
      axpy(-alfa / beta, r2, next);
      // r1 <- r2, r2 <- next.
      std::swap(r1, r2);
      if (m != nullptr) {
        std::swap(r2, y);
        m->apply(r2, y);
      } else {
        std::swap(r2, w1);
      }
      oldb = beta;
      double beta_sq = m != nullptr ? dot(r2, y) : dot(r2, r2);
      if (!std::isfinite(alfa) || !std::isfinite(beta_sq) || beta_sq < 0.0) {
        run.fail(std::isfinite(alfa) && std::isfinite(beta_sq) ? Reason::indefinite : Reason::non_finite);
        break;
      }
      beta = std::sqrt(beta_sq);

      // Apply the previous rotation, then compute the next one.
      const double oldeps = epsln;
      const double delta = cs * dbar + sn * alfa;
      const double gbar = sn * dbar - cs * alfa;
      epsln = sn * beta;
      dbar = -cs * beta;
      const double gamma = std::max(std::hypot(gbar, beta), eps);
      cs = gbar / gamma;
      sn = beta / gamma;
      const double phi = cs * phibar;
      phibar = sn * phibar;

      // w1 <- w2, w2 <- w, w <- (v - oldeps w1 - delta w2) / gamma; x += phi w.
      std::swap(w1, w2);
      std::swap(w2, w);
      const double denom = 1.0 / gamma;
      for (std::size_t i = 0; i < n; ++i) {
        w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) * denom;
        x[i] += phi * w[i];
      }
      run.x_changed();
      run.record_iteration(phibar);
      if (phibar <= run.tolerance()) {
        run.claim();
        break;
      }
      if (run.exhausted()) break;
    }
  }
  return run.take_result(r1);
}

SolveResult minres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return minres(detail::checked_operator("minres", a), b, options);
}

}  // namespace frechet
