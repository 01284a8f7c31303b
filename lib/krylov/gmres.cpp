#include "frechet/krylov/gmres.hpp"

#include <algorithm>
#include <cmath>

#include "frechet/core/blas1.hpp"
#include "orthogonalize.hpp"
#include "solver_support.hpp"

namespace frechet {
namespace {

// One implementation for both methods: `flexible` keeps z_j = M^{-1} v_j (FGMRES) instead of applying
// M^{-1} once to V y at the end of the cycle (right-preconditioned GMRES).
SolveResult gmres_impl(const char* name, const LinearOperator& a, ConstVectorView b,
                       const SolverOptions& options, bool flexible) {
  detail::SquareRun run(name, a, b, options, detail::SolverFamily::restarted);
  const std::size_t n = run.size();
  const VectorView x = run.x();
  const LinearOperator* m_inv = options.preconditioner.get();
  const bool keep_z = flexible && m_inv != nullptr;

  // Work space, allocated once: the Arnoldi basis V (n x (m+1)), the preconditioned basis Z of
  // FGMRES (n x m), the Hessenberg matrix H ((m+1) x m, triangularised in place by Givens
  // rotations), the rotations, the rotated right-hand side g and the small solution y.
  const std::size_t m = std::min<std::size_t>(static_cast<std::size_t>(options.restart), n);
  Vector basis(n * (m + 1)), z_basis(keep_z ? n * m : 0), t(m_inv != nullptr && !keep_z ? n : 0);
  Vector h((m + 1) * m), cs(m), sn(m), g(m + 1), y(m), scratch(m + 1);
  auto column = [&](Vector& storage, std::size_t j) { return VectorView(storage).subspan(j * n, n); };
  auto hess = [&](std::size_t i, std::size_t j) -> double& { return h[i + j * (m + 1)]; };

  while (!run.finished()) {
    const VectorView r = column(basis, 0);
    const double beta = run.recompute(r);
    if (!run.judge(beta)) break;

    scale(1.0 / beta, r);
    fill(g, 0.0);
    g[0] = beta;
    std::size_t k = 0;  // columns of the cycle
    bool claimed = false;
    while (k < m) {
      const std::size_t j = k;
      const VectorView vj = column(basis, j);
      const VectorView w = column(basis, j + 1);
      ConstVectorView zj = vj;
      if (keep_z) {
        m_inv->apply(vj, column(z_basis, j));
        zj = column(z_basis, j);
      } else if (m_inv != nullptr) {
        m_inv->apply(vj, t);
        zj = t;
      }
      a.apply(zj, w);
      run.count_product();
      const double w_norm = detail::orthogonalize(basis.data(), n, j + 1, w,
                                                  VectorView(h).subspan(j * (m + 1), j + 1), scratch);
      hess(j + 1, j) = w_norm;

      // Apply the previous rotations to column j, then the one that annihilates H(j+1, j).
      for (std::size_t i = 0; i < j; ++i) {
        const double hi = hess(i, j), hi1 = hess(i + 1, j);
        hess(i, j) = cs[i] * hi + sn[i] * hi1;
        hess(i + 1, j) = -sn[i] * hi + cs[i] * hi1;
      }
      const double rho = std::hypot(hess(j, j), w_norm);
      cs[j] = rho == 0.0 ? 1.0 : hess(j, j) / rho;
      sn[j] = rho == 0.0 ? 0.0 : w_norm / rho;
      hess(j, j) = rho;
      hess(j + 1, j) = 0.0;
      g[j + 1] = -sn[j] * g[j];
      g[j] = cs[j] * g[j];

      const double estimate = std::abs(g[j + 1]);
      if (!std::isfinite(estimate) || !std::isfinite(rho)) {
        // Discard the cycle: x stays the iterate whose residual was last checked.
        run.fail(Reason::non_finite);
        break;
      }
      ++k;
      run.record_iteration(estimate);
      if (w_norm == 0.0 || estimate <= run.tolerance()) {
        run.claim();  // w = 0 is the "happy breakdown": x is exact in the subspace
        claimed = true;
        break;
      }
      scale(1.0 / w_norm, w);
      if (run.exhausted()) break;
    }
    if (run.finished()) break;
    if (k == m && !claimed) run.claim_full_cycle();

    // Solve the triangular system R y = g; a zero diagonal means A is singular on the subspace, so
    // only the leading nonsingular part is used and the iteration ends with Reason::breakdown.
    std::size_t used = k;
    for (std::size_t i = 0; i < k; ++i) {
      if (hess(i, i) == 0.0) {
        used = i;
        run.end_unless_converged(Reason::breakdown);
        break;
      }
    }
    for (std::size_t ii = used; ii-- > 0;) {
      double s = g[ii];
      for (std::size_t jj = ii + 1; jj < used; ++jj) s -= hess(ii, jj) * y[jj];
      y[ii] = s / hess(ii, ii);
    }
    if (used > 0) {
      if (keep_z) {
        detail::basis_axpy(1.0, z_basis.data(), n, used, y, x);
      } else if (m_inv != nullptr) {
        // x += M^{-1} (V y); the last basis column is free scratch for V y.
        const VectorView vy = column(basis, m);
        fill(vy, 0.0);
        detail::basis_axpy(1.0, basis.data(), n, used, y, vy);
        m_inv->apply(vy, t);
        axpy(1.0, t, x);
      } else {
        detail::basis_axpy(1.0, basis.data(), n, used, y, x);
      }
      run.x_changed();
    }
  }
  return run.take_result(column(basis, 0));
}

}  // namespace

SolveResult gmres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  return gmres_impl("gmres", a, b, options, false);
}

SolveResult fgmres(const LinearOperator& a, ConstVectorView b, const SolverOptions& options) {
  return gmres_impl("fgmres", a, b, options, true);
}

SolveResult gmres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return gmres(detail::checked_operator("gmres", a), b, options);
}

SolveResult fgmres(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options) {
  return fgmres(detail::checked_operator("fgmres", a), b, options);
}

}  // namespace frechet
