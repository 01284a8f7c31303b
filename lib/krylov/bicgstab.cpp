#include "frechet/krylov/bicgstab.hpp"

#include <algorithm>
#include <cmath>

#include "frechet/core/blas1.hpp"
#include "solver_support.hpp"

namespace frechet {

SolveResult bicgstab(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  constexpr const char* name = "bicgstab";
  auto [n, max_iterations, x] = detail::check_square_problem(name, a, b, options, detail::SolverFamily::plain);

  const double b_norm = norm2(b);
  if (b_norm == 0.0) return detail::zero_rhs_result(n, options.monitor);

  SolveResult result;
  result.rhs_norm = b_norm;
  detail::IterationLog log(result, options.monitor, max_iterations);
  detail::TrueResidualCheck check(std::max(options.rtol * b_norm, options.atol));
  const LinearOperator* m = options.preconditioner.get();

  // Work vectors, allocated once. s = r - alpha v overwrites r; without a preconditioner p_hat and
  // s_hat alias p and r.
  Vector r(n), shadow(n), p(n), v(n), t(n);
  Vector p_hat_storage(m != nullptr ? n : 0), s_hat_storage(m != nullptr ? n : 0);
  const VectorView p_hat = m != nullptr ? VectorView(p_hat_storage) : VectorView(p);
  const VectorView s_hat = m != nullptr ? VectorView(s_hat_storage) : VectorView(r);

  Reason reason = Reason::max_iterations;
  bool residual_is_current = false;
  bool claimed = false;
  for (bool first = true;; first = false) {
    const double r_norm = detail::true_residual(a, b, x, first && options.x0.empty(), r, result);
    residual_is_current = true;
    if (!std::isfinite(r_norm)) {
      reason = Reason::non_finite;
      break;
    }
    if (first) log.record(r_norm);
    if (const auto stop = detail::reason_to_stop(check.judge(r_norm, claimed))) {
      reason = *stop;
      break;
    }
    if (log.exhausted()) {
      reason = Reason::max_iterations;
      break;
    }
    claimed = false;

    copy(r, shadow);
    double rho_old = 1.0, alpha = 1.0, omega = 1.0;
    bool failed = false;
    for (bool start = true;; start = false) {
      const double rho = dot(shadow, r);
      if (!std::isfinite(rho)) {
        reason = Reason::non_finite;
        failed = true;
        break;
      }
      if (rho == 0.0) {
        reason = Reason::breakdown;
        failed = true;
        break;
      }
      if (start) {
        copy(r, p);
      } else {
        // p = r + beta (p - omega v)
        const double beta = (rho / rho_old) * (alpha / omega);
        for (std::size_t i = 0; i < n; ++i) p[i] = r[i] + beta * (p[i] - omega * v[i]);
      }
      if (m != nullptr) m->apply(p, p_hat);
      a.apply(p_hat, v);
      ++result.operator_products;
      const double shadow_v = dot(shadow, v);
      if (!std::isfinite(shadow_v)) {
        reason = Reason::non_finite;
        failed = true;
        break;
      }
      if (shadow_v == 0.0) {
        reason = Reason::breakdown;
        failed = true;
        break;
      }
      alpha = rho / shadow_v;
      axpy(-alpha, v, r);  // r now holds s
      const double s_norm = norm2(r);
      if (s_norm <= check.tolerance()) {
        axpy(alpha, p_hat, x);
        log.next();
        residual_is_current = false;
        log.record(s_norm);
        claimed = true;
        break;
      }
      if (m != nullptr) m->apply(r, s_hat);
      a.apply(s_hat, t);
      ++result.operator_products;
      const double tt = dot(t, t), ts = dot(t, r);
      if (!std::isfinite(tt) || !std::isfinite(ts)) {
        // Keep the half step, whose coefficients were finite.
        axpy(alpha, p_hat, x);
        residual_is_current = false;
        reason = Reason::non_finite;
        failed = true;
        break;
      }
      omega = tt == 0.0 ? 0.0 : ts / tt;
      for (std::size_t i = 0; i < n; ++i) x[i] += alpha * p_hat[i] + omega * s_hat[i];
      axpy(-omega, t, r);
      rho_old = rho;
      log.next();
      residual_is_current = false;
      const double norm = norm2(r);
      log.record(norm);
      if (!std::isfinite(norm)) {
        reason = Reason::non_finite;
        failed = true;
        break;
      }
      if (norm <= check.tolerance()) {
        claimed = true;
        break;
      }
      if (omega == 0.0) {  // the next beta would divide by omega
        reason = Reason::breakdown;
        failed = true;
        break;
      }
      if (log.exhausted()) break;
    }
    if (failed) break;
  }

  if (!residual_is_current) detail::true_residual(a, b, x, false, r, result);
  result.x = std::move(x);
  detail::finish(result, reason);
  return result;
}

SolveResult bicgstab(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return bicgstab(detail::checked_operator("bicgstab", a), b, options);
}

}  // namespace frechet
