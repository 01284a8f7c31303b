// doc/guide.md, "Operators without a matrix": a user's matrix-free operator, and the Jacobian and
// Hessian of a function as operators.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "frechet/frechet.hpp"

// Upwind differences y_i = x_i - x_{i-1} (x_{-1} = 0), applied and transposed without storage.
class UpwindDifference final : public frechet::LinearOperator {
public:
  explicit UpwindDifference(std::size_t n) : LinearOperator(n, n) {}

private:
  void apply_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - (i > 0 ? x[i - 1] : 0.0);
  }
  void apply_adjoint_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - (i + 1 < x.size() ? x[i + 1] : 0.0);
  }
};

int main() {
  using namespace frechet;
  const std::size_t n = 50;
  const OperatorPtr d = std::make_shared<UpwindDifference>(n);
  Vector u(n), v(n);
  for (std::size_t i = 0; i < n; ++i) u[i] = std::cos(0.3 * i), v[i] = std::sin(0.7 * i);
  // The dot-product test: <u, D v> = <D^T u, v> holds when the adjoint is right.
  const double duality = std::abs(dot(u, d->apply(v)) - dot(d->apply_adjoint(u), v));
  std::printf("dot-product test of D: %s\n", duality < 1e-12 ? "passed" : "FAILED");

  // f(x) = sum_i exp(x_i) + ||x_{1:} - x_{:-1}||^2 / 2, its Hessian exp(x) + D^T D as an operator.
  auto f = [](const auto& x) {
    const auto dx = slice(x, 1, x.size() - 1) - slice(x, 0, x.size() - 1);
    return sum(exp(x)) + 0.5 * dot(dx, dx);
  };
  const Vector x0(n, 0.1);
  const OperatorPtr h = hessian_operator(f, x0);  // H v by forward over reverse, O(n) memory
  const Vector hv = h->apply(v);
  const Vector hv_dense = matvec(hessian(f, x0), v);  // the n x n matrix, for comparison only
  double error = 0.0;
  for (std::size_t i = 0; i < n; ++i) error = std::max(error, std::abs(hv[i] - hv_dense[i]));
  std::printf("hessian_operator: %zu x %zu, symmetric %d, H v = hessian(f) v: %s\n", h->rows(),
              h->cols(), h->is_symmetric(), error < 1e-12 ? "yes" : "NO");

  // r(x) = tanh(x_{1:} - x_{:-1}): its Jacobian, (n-1) x n, applied both ways by JVPs and VJPs.
  auto r = [](const auto& x) { return tanh(slice(x, 1, x.size() - 1) - slice(x, 0, x.size() - 1)); };
  const OperatorPtr j = jacobian_operator(r, x0);
  const Vector w(n - 1, 1.0);
  const double j_duality = std::abs(dot(w, j->apply(v)) - dot(j->apply_adjoint(w), v));
  std::printf("jacobian_operator: %zu x %zu, dot-product test %s\n", j->rows(), j->cols(),
              j_duality < 1e-12 ? "passed" : "FAILED");
  return duality < 1e-12 && error < 1e-12 && j_duality < 1e-12 ? 0 : 1;
}
