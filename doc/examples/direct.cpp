// doc/guide.md, "Direct solvers": CHOLMOD factors once and solves many times, refactor reuses the
// analysis, UMFPACK solves a nonsymmetric matrix.
#include <cstdio>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  const CsrMatrix l = laplacian_2d(100, 100);  // 10^4 unknowns
  // I + dt L + wind U on L's pattern (U: the entries right of the diagonal), for a time step dt.
  const auto step_matrix = [&l](double dt, double wind) {
    Vector v(l.values().begin(), l.values().end());
    for (std::size_t i = 0; i < l.rows(); ++i)
      for (SparseIndex k = l.row_offsets()[i]; k < l.row_offsets()[i + 1]; ++k) {
        const auto j = static_cast<std::size_t>(l.col_indices()[k]);
        v[k] = dt * v[k] + (j == i ? 1.0 : 0.0) + (j > i ? wind : 0.0);
      }
    return CsrMatrix(l.rows(), l.cols(), {l.row_offsets().begin(), l.row_offsets().end()},
                     {l.col_indices().begin(), l.col_indices().end()}, std::move(v),
                     wind == 0.0 ? l.traits() : OperatorTraits{});
  };

  // Implicit Euler for the heat equation: one factorization, then one solve per time step.
  SparseCholeskyFactorization chol(step_matrix(0.1, 0.0));
  std::printf("CHOLMOD: nnz(L) = %zu, %s\n", chol.factor_nnz(),
              chol.is_supernodal() ? "supernodal" : "simplicial");
  Vector u(l.rows(), 1.0);
  for (int step = 0; step < 10; ++step) u = chol.solve(u);
  // A smaller step: same pattern, new values, so only the numeric factorization is repeated.
  const CsrMatrix smaller = step_matrix(0.05, 0.0);
  chol.refactor(smaller);
  Vector previous = u;
  for (int step = 0; step < 10; ++step) previous = u, u = chol.solve(u);
  Vector residual = smaller.apply(u);
  axpy(-1.0, previous, residual);
  std::printf("after 20 steps: u = %.6f at a corner, %.6f at the centre; last residual %s\n", u[0],
              u[50 + 50 * 100], norm2(residual) < 1e-12 * norm2(previous) ? "below 1e-12" : "LARGE");

  // With wind the matrix is nonsymmetric: UMFPACK's LU, in one call returning a SolveResult.
  const CsrMatrix windy = step_matrix(0.1, 0.3);
  const SolveResult r = sparse_lu_solve(windy, Vector(l.rows(), 1.0));
  std::printf("UMFPACK: %s, %d iterations, relative residual %s\n", reason_name(r.reason).c_str(),
              r.iterations, r.residual_norm < 1e-12 * r.rhs_norm ? "below 1e-12" : "LARGE");
  return norm2(residual) < 1e-12 * norm2(previous) && r.converged ? 0 : 1;
}
