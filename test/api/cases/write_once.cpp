// expect: compiles
// A function written once, outside namespace frechet and with no using-directive, differentiates in
// every mode and also runs on plain frechet::Vector: argument-dependent lookup finds the operations.
#include <frechet/frechet.hpp>

namespace user {
const auto f = [](const auto& x) { return sum(exp(x)) + 0.5 * dot(x, x) + sum(x * x - 2.0 * x) + norm(x); };
const auto scalar_style = [](const auto& x) {
  using std::sin;
  frechet::scalar_t<decltype(x)> s = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) s += sin(x[i]) * x[i];
  return s;
};
}  // namespace user

int main() {
  const frechet::Vector x{0.1, -0.2, 0.3}, v{1.0, 0.0, 0.0};
  const double value = user::f(x) + user::scalar_style(x);
  const frechet::Vector g = frechet::grad(user::f, x);
  const frechet::Vector hv = frechet::hvp(user::f, x, v);
  const auto check = frechet::check_gradient(user::scalar_style, x);
  const frechet::DenseMatrix h = frechet::hessian(user::scalar_style, x);
  return value > 0.0 && g.size() == hv.size() && check.passed && h.rows() == 3 ? 0 : 1;
}
