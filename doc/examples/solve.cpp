// doc/guide.md, "Solve": CG with a monitor, what a result says, MINRES where CG must stop, GMRES for a
// nonsymmetric system.
#include <cstdio>
#include <vector>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  const CsrMatrix a = laplacian_2d(32, 32);  // 1024 unknowns, symmetric positive definite
  const Vector b(a.rows(), 1.0);

  // Print every 20th residual, as PETSc's -ksp_monitor would print every one.
  const Monitor monitor = [](int k, double residual) {
    if (k % 20 == 0) std::printf("  %3d  %.3e\n", k, residual);
  };
  const SolveResult r = cg(a, b, {.rtol = 1e-8, .monitor = monitor});
  std::printf("cg: %s, %d iterations, %d products, ||b - A x|| / ||b|| = %.1e\n",
              reason_name(r.reason).c_str(), r.iterations, r.operator_products, r.residual_norm / r.rhs_norm);

  // A - I is symmetric but indefinite: CG says so and stops, MINRES solves it.
  const OperatorPtr indefinite = shifted(sparse_operator(a), -1.0);
  const SolveResult stopped = cg(indefinite, b);
  std::printf("cg on A - I: %s\n", to_string(stopped.reason).c_str());
  const SolveResult m = minres(indefinite, b, {.rtol = 1e-8});
  std::printf("minres on A - I: %s, %d iterations\n", reason_name(m.reason).c_str(), m.iterations);

  // Convection-diffusion -u'' + 20 u' on 200 points: nonsymmetric, so GMRES.
  const std::size_t n = 200;
  const double h = 1.0 / (n + 1), c = 20.0 * h / 2.0;
  std::vector<SparseIndex> rows, cols;
  std::vector<double> values;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<SparseIndex>(i);
    rows.push_back(k), cols.push_back(k), values.push_back(2.0);
    if (i > 0) rows.push_back(k), cols.push_back(k - 1), values.push_back(-1.0 - c);
    if (i + 1 < n) rows.push_back(k), cols.push_back(k + 1), values.push_back(-1.0 + c);
  }
  const CsrMatrix convection = CsrMatrix::from_triplets(n, n, rows, cols, values);
  const Vector f(n, h * h);
  const SolveResult g30 = gmres(convection, f, {.rtol = 1e-10});  // restarts every 30 iterations
  std::printf("gmres(30): %s after %d iterations, relative residual %.1e\n", reason_name(g30.reason).c_str(),
              g30.iterations, g30.residual_norm / g30.rhs_norm);
  const SolveResult g = gmres(convection, f, {.rtol = 1e-10, .restart = static_cast<int>(n)});  // full GMRES
  std::printf("gmres(%zu): %s after %d iterations, relative residual below rtol: %s\n", n,
              reason_name(g.reason).c_str(), g.iterations,
              g.residual_norm <= 1e-10 * g.rhs_norm ? "yes" : "NO");
  return r.converged && stopped.reason == Reason::indefinite && m.converged && g.converged ? 0 : 1;
}
