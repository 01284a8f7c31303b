#include "frechet/krylov/cg.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "frechet/core/blas1.hpp"
#include "fused_kernels.hpp"
#include "solver_support.hpp"

namespace frechet {
namespace {

// r^T M^{-1} r must be positive for r != 0 when M is positive definite (without a preconditioner it is
// ||r||^2 > 0, since r = 0 has already stopped the iteration).
std::optional<Reason> check_rz(double rz) {
  if (!std::isfinite(rz)) return Reason::non_finite;
  if (rz <= 0.0) return Reason::indefinite;
  return std::nullopt;
}

}  // namespace

SolveResult cg(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  constexpr const char* name = "cg";
  auto [n, max_iterations, x] = detail::check_square_problem(name, a, b, options, detail::SolverFamily::plain);

  const double b_norm = norm2(b);
  if (b_norm == 0.0) return detail::zero_rhs_result(n, options.monitor);

  SolveResult result;
  result.rhs_norm = b_norm;
  detail::IterationLog log(result, options.monitor, max_iterations);
  detail::TrueResidualCheck check(std::max(options.rtol * b_norm, options.atol));
  const LinearOperator* m = options.preconditioner.get();

  // Work vectors, allocated once: without a preconditioner z aliases r.
  Vector r(n), p(n), q(n), z_storage(m != nullptr ? n : 0);
  const VectorView z = m != nullptr ? VectorView(z_storage) : VectorView(r);

  Reason reason = Reason::max_iterations;
  bool residual_is_current = false;  // whether result.residual_norm already holds ||b - A x||
  bool claimed = false;              // whether the recurrence met the tolerance before this restart
  for (bool first = true;; first = false) {
    // (Re)start from the true residual: the start, a residual replacement, or the final check.
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

    if (m != nullptr) m->apply(r, z);
    double rz = dot(r, z);
    if (const auto bad = check_rz(rz)) {
      reason = *bad;
      break;
    }
    bool failed = false;
    copy(z, p);

    for (;;) {
      a.apply(p, q);
      ++result.operator_products;
      const double pq = dot(p, q);
      if (!std::isfinite(pq)) {
        reason = Reason::non_finite;
        failed = true;
        break;
      }
      if (pq <= 0.0) {
        reason = Reason::indefinite;
        failed = true;
        break;
      }
      const double alpha = rz / pq;
      const double rr = detail::update_and_norm2(alpha, p, q, x, r);
      log.next();
      const double norm = std::sqrt(rr);
      residual_is_current = false;
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
      if (log.exhausted()) break;

      double rz_next = rr;
      if (m != nullptr) {
        m->apply(r, z);
        rz_next = dot(r, z);
        if (const auto bad = check_rz(rz_next)) {
          reason = *bad;
          failed = true;
          break;
        }
      }
      detail::update_direction(z, rz_next / rz, p);
      rz = rz_next;
    }
    if (failed) break;
  }

  if (!residual_is_current) detail::true_residual(a, b, x, false, r, result);
  result.x = std::move(x);
  detail::finish(result, reason);
  return result;
}

SolveResult cg(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return cg(detail::checked_operator("cg", a), b, options);
}

}  // namespace frechet
