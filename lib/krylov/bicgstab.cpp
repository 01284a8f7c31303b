#include "frechet/krylov/bicgstab.hpp"

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "solver_support.hpp"

namespace frechet {

SolveResult bicgstab(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  detail::SquareRun run("bicgstab", a, b, options, detail::SolverFamily::plain);
  const std::size_t n = run.size();
  const LinearOperator* m = options.preconditioner.get();
  const VectorView x = run.x();

  // Work vectors, allocated once. s = r - alpha v overwrites r; without a preconditioner p_hat and
  // s_hat alias p and r.
  Vector r(n), shadow(n), p(n), v(n), t(n);
  Vector p_hat_storage(m != nullptr ? n : 0), s_hat_storage(m != nullptr ? n : 0);
  const VectorView p_hat = m != nullptr ? VectorView(p_hat_storage) : VectorView(p);
  const VectorView s_hat = m != nullptr ? VectorView(s_hat_storage) : VectorView(r);

  // A coefficient the recurrence divides by: non_finite or breakdown (zero) ends the iteration.
  auto unusable = [&](double divisor) {
    if (std::isfinite(divisor) && divisor != 0.0) return false;
    run.fail(std::isfinite(divisor) ? Reason::breakdown : Reason::non_finite);
    return true;
  };

  while (run.restart(r)) {
    copy(r, shadow);
    double rho_old = 1.0, alpha = 1.0, omega = 1.0;
    for (bool start = true;; start = false) {
      const double rho = dot(shadow, r);
      if (unusable(rho)) break;
      if (start) {
        copy(r, p);
      } else {
        // p = r + beta (p - omega v)
        const double beta = (rho / rho_old) * (alpha / omega);
        for (std::size_t i = 0; i < n; ++i) p[i] = r[i] + beta * (p[i] - omega * v[i]);
      }
      if (m != nullptr) m->apply(p, p_hat);
      a.apply(p_hat, v);
      run.count_product();
      const double shadow_v = dot(shadow, v);
      if (unusable(shadow_v)) break;
      alpha = rho / shadow_v;
      axpy(-alpha, v, r);  // r now holds s
      const double s_norm = norm2(r);
      if (s_norm <= run.tolerance()) {
        axpy(alpha, p_hat, x);
        run.x_changed();
        run.record_iteration(s_norm);
        run.claim();
        break;
      }
      if (m != nullptr) m->apply(r, s_hat);
      a.apply(s_hat, t);
      run.count_product();
      const double tt = dot(t, t), ts = dot(t, r);
      if (!std::isfinite(tt) || !std::isfinite(ts)) {
        // Keep the half step, whose coefficients were finite.
        axpy(alpha, p_hat, x);
        run.x_changed();
        run.fail(Reason::non_finite);
        break;
      }
      omega = tt == 0.0 ? 0.0 : ts / tt;
      for (std::size_t i = 0; i < n; ++i) x[i] += alpha * p_hat[i] + omega * s_hat[i];
      axpy(-omega, t, r);
      rho_old = rho;
      run.x_changed();
      const double norm = norm2(r);
      if (!run.continues_after(norm)) break;
      if (omega == 0.0) {  // the next beta would divide by omega
        run.fail(Reason::breakdown);
        break;
      }
      if (run.exhausted()) break;
    }
  }
  return run.take_result(r);
}

SolveResult bicgstab(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return bicgstab(detail::checked_operator("bicgstab", a), b, options);
}

}  // namespace frechet
