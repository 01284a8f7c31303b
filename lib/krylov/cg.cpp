#include "frechet/krylov/cg.hpp"

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
  detail::SquareRun run("cg", a, b, options, detail::SolverFamily::plain);
  const std::size_t n = run.size();
  const LinearOperator* m = options.preconditioner.get();
  const VectorView x = run.x();

  // Work vectors, allocated once: without a preconditioner z aliases r.
  Vector r(n), p(n), q(n), z_storage(m != nullptr ? n : 0);
  const VectorView z = m != nullptr ? VectorView(z_storage) : VectorView(r);

  while (run.restart(r)) {
    if (m != nullptr) m->apply(r, z);
    double rz = dot(r, z);
    if (const auto bad = check_rz(rz)) {
      run.fail(*bad);
      break;
    }
    copy(z, p);

    for (;;) {
      a.apply(p, q);
      run.count_product();
      const double pq = dot(p, q);
      if (!std::isfinite(pq) || pq <= 0.0) {
        run.fail(std::isfinite(pq) ? Reason::indefinite : Reason::non_finite);
        break;
      }
      const double alpha = rz / pq;
      const double rr = detail::update_and_norm2(alpha, p, q, x, r);
      const double norm = std::sqrt(rr);
      run.x_changed();
      if (!run.continues_after(norm) || run.exhausted()) break;

      double rz_next = rr;
      if (m != nullptr) {
        m->apply(r, z);
        rz_next = dot(r, z);
        if (const auto bad = check_rz(rz_next)) {
          run.fail(*bad);
          break;
        }
      }
      detail::update_direction(z, rz_next / rz, p);
      rz = rz_next;
    }
  }
  return run.take_result(r);
}

SolveResult cg(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return cg(detail::checked_operator("cg", a), b, options);
}

}  // namespace frechet
