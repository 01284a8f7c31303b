// doc/guide.md, "Differentiate through a root": x*(theta) solves A x + x^3 = theta; its derivatives
// by the implicit function theorem, and grad of a loss through root_find without unrolling Newton.
#include <cmath>
#include <cstdio>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  const std::size_t n = 20;
  DenseMatrix a(n, n);  // tridiag(-1, 2, -1)
  for (std::size_t i = 0; i < n; ++i) {
    a(i, i) = 2.0;
    if (i + 1 < n) a(i, i + 1) = a(i + 1, i) = -1.0;
  }
  // F(x, theta) = A x + x^3 - theta, written once: either argument may be the active one.
  auto f = [&a](const auto& x, const auto& theta) { return matvec(a, x) + x * x * x - theta; };

  Vector theta(n), theta_dot(n), x_bar(n);
  for (std::size_t i = 0; i < n; ++i) {
    theta[i] = std::sin(0.5 * i), theta_dot[i] = std::cos(0.3 * i), x_bar[i] = 1.0 / (1.0 + i);
  }
  const Vector x0(n, 0.0);
  const Vector x_star = root_find(f, x0, theta);  // Newton; throws NumericalError if it fails
  // dx*/dtheta applied to theta_dot (one solve with F_x), and its transpose applied to x_bar.
  const Vector x_dot = implicit_jvp(f, x_star, theta, theta_dot);
  const Vector theta_bar = implicit_vjp(f, x_star, theta, x_bar);
  std::printf("x*_0 = %.6f, (dx*/dtheta theta_dot)_0 = %.6f\n", x_star[0], x_dot[0]);

  // Checks: central differences of the whole solve, and <x_bar, J theta_dot> = <J^T x_bar, theta_dot>.
  const double h = 1e-6;
  Vector plus = theta, minus = theta;
  axpy(h, theta_dot, plus);
  axpy(-h, theta_dot, minus);
  Vector fd = root_find(f, x0, plus);
  axpy(-1.0, root_find(f, x0, minus), fd);
  scale(1.0 / (2 * h), fd);
  axpy(-1.0, x_dot, fd);
  const double fd_error = norm2(fd) / norm2(x_dot);
  const double duality = std::abs(dot(x_bar, x_dot) - dot(theta_bar, theta_dot));
  std::printf("implicit_jvp against differences of the solve: %s\n", fd_error < 1e-7 ? "agree" : "DISAGREE");
  std::printf("implicit_vjp is its transpose: %s\n", duality < 1e-12 ? "yes" : "NO");

  // A loss of the root: grad records root_find as one node, and its backward pass is one
  // transposed solve, whatever the number of Newton iterations.
  auto loss = [&](const auto& t) { return sum(square(root_find(f, x0, t))) / 2.0; };
  const Vector g = grad(loss, theta);
  Vector g_error = implicit_vjp(f, x_star, theta, x_star);  // d/dtheta (||x*||^2 / 2)
  axpy(-1.0, g, g_error);
  std::printf("grad through root_find = implicit_vjp(x*): %s\n",
              norm2(g_error) < 1e-12 * norm2(g) ? "yes" : "NO");
  return fd_error < 1e-7 && duality < 1e-12 && norm2(g_error) < 1e-12 * norm2(g) ? 0 : 1;
}
