// doc/guide.md, "Find a root": Newton's method with a dense Jacobian, then Newton-Krylov with a
// preconditioner built from the sparse Jacobian.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "frechet/frechet.hpp"

// Bratu's problem -u'' = 3 e^u on (0, 1), u(0) = u(1) = 0, by central differences on n points.
auto bratu = [](const auto& u) {
  using std::exp;
  using T = frechet::scalar_t<decltype(u)>;
  const std::size_t n = u.size();
  const double h2 = 1.0 / static_cast<double>((n + 1) * (n + 1));
  std::vector<T> f(n);
  for (std::size_t i = 0; i < n; ++i) {
    T s = 2.0 * u[i] - 3.0 * h2 * exp(u[i]);
    if (i > 0) s = s - u[i - 1];
    if (i + 1 < n) s = s - u[i + 1];
    f[i] = s;
  }
  return f;
};

int main() {
  using namespace frechet;
  const Vector u0(400, 0.0);
  const NewtonResult dense = root_find(bratu, u0, {.monitor = [](int k, double norm) {
    if (norm > 1e-12) std::printf("  %d  ||F|| = %.3e\n", k, norm);
    else std::printf("  %d  ||F|| < 1e-12\n", k);  // the rounding floor: its digits are noise
  }});
  std::printf("dense LU: %s after %d iterations, %d Jacobians\n", reason_name(dense.reason).c_str(),
              dense.iterations, dense.jacobian_evaluations);

  // Newton-Krylov: J v by JVPs, GMRES preconditioned by the LU of J(u0), assembled by colouring its
  // tridiagonal pattern: one JVP per colour (three) and one that verifies the pattern.
  const CsrMatrix pattern = laplacian_2d(u0.size(), 1);  // the structure of J: tridiagonal
  const auto j0 = sparse_lu_preconditioner(sparse_jacobian(bratu, u0, pattern));
  const NewtonResult krylov = root_find(bratu, u0, {.linear_solver = NewtonLinearSolver::gmres,
                                                    .preconditioner = j0});
  std::printf("Newton-Krylov: %s after %d iterations, %d GMRES iterations, %d JVPs\n",
              reason_name(krylov.reason).c_str(), krylov.iterations, krylov.linear_iterations,
              krylov.operator_products);
  Vector difference = dense.x;
  axpy(-1.0, krylov.x, difference);
  const double u_max = *std::max_element(dense.x.begin(), dense.x.end());
  std::printf("max u = %.6f; the two roots agree to %s\n", u_max,
              norm2(difference) < 1e-9 * norm2(dense.x) ? "1e-9" : "LESS THAN 1e-9");
  return dense.converged && krylov.converged && norm2(difference) < 1e-9 * norm2(dense.x) ? 0 : 1;
}
