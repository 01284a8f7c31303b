// doc/guide.md, "Differentiate your own code": value, gradient, Hessian-vector product, JVP, VJP and
// Jacobian of functions written once as templates.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "frechet/frechet.hpp"

// f(x) = x_0 x_1 + sum_i log(1 + x_i^2), written once for doubles, dual numbers and tape variables.
template <class V> frechet::scalar_t<V> energy(const V& x) {
  using std::log;
  using T = frechet::scalar_t<V>;
  T f = x[0] * x[1];
  for (std::size_t i = 0; i < x.size(); ++i) f += log(1.0 + x[i] * x[i]);
  return f;
}

int main() {
  using namespace frechet;
  const Vector x{0.5, -1.0, 2.0};
  const auto f = [](const auto& v) { return energy(v); };
  const auto [value, gradient] = value_and_grad(f, x);   // reverse mode: one recording, one pass
  const Vector h0 = hvp(f, x, Vector{1.0, 0.0, 0.0});    // H e_0 by forward over reverse, no H
  std::printf("f(x)    = %.6f\n", value);
  std::printf("grad f  = %9.6f %9.6f %9.6f\n", gradient[0], gradient[1], gradient[2]);
  std::printf("H e_0   = %9.6f %9.6f %9.6f\n", h0[0], h0[1], h0[2]);

  // A vector-valued map, softmax: its Jacobian is diag(p) - p p^T.
  const auto s = [](const auto& v) { return softmax(v); };
  const auto [p, j0] = jvp(s, x, Vector{1.0, 0.0, 0.0});  // J e_0, forward mode
  const auto [p_again, pullback] = vjp(s, x);             // u -> J^T u, reverse mode
  const Vector j1 = pullback(Vector{0.0, 1.0, 0.0});      // J^T e_1, the second row of J
  const DenseMatrix jac = jacobian(s, x);                 // all of J (forward: n <= m)
  std::printf("J e_0   = %9.6f %9.6f %9.6f\n", j0[0], j0[1], j0[2]);
  std::printf("J^T e_1 = %9.6f %9.6f %9.6f\n", j1[0], j1[1], j1[2]);

  // Checks: the gradient against central differences, J against its closed form.
  const DerivativeCheckResult check = check_gradient(f, x);
  double worst = 0.0;
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      const double exact = (i == j ? p[i] : 0.0) - p[i] * p[j];
      worst = std::max({worst, std::abs(jac(i, j) - exact), std::abs(j0[i] - jac(i, 0)),
                        std::abs(j1[j] - jac(1, j))});
    }
  std::printf("check_gradient: %s; J = diag(p) - p p^T: %s\n", check.passed ? "passed" : "FAILED",
              worst < 1e-15 ? "yes" : "NO");
  return check.passed && worst < 1e-15 ? 0 : 1;
}
