// doc/guide.md, "A derivative of your own": a legacy solver as a primitive with its own JVP and VJP,
// checked by check_custom_rule, then differentiated through by grad.
#include <cstdio>
#include <memory>

#include "frechet/frechet.hpp"

using frechet::ConstVectorView;
using frechet::Vector;

// The user's own solver: x = T^{-1} b for T = tridiag(-1, 2.5, -1), by the Thomas algorithm.
Vector thomas(ConstVectorView b) {
  const std::size_t n = b.size();
  Vector c(n), x(n);
  double pivot = 2.5;
  x[0] = b[0] / pivot;
  for (std::size_t i = 1; i < n; ++i) {
    c[i - 1] = -1.0 / pivot;
    pivot = 2.5 + c[i - 1];
    x[i] = (b[i] + x[i - 1]) / pivot;
  }
  for (std::size_t i = n - 1; i-- > 0;) x[i] -= c[i] * x[i + 1];
  return x;
}

int main() {
  using namespace frechet;
  // x = T^{-1} b is linear in b: its JVP is T^{-1} db, its VJP T^{-T} x_bar = T^{-1} x_bar (T = T^T).
  CustomRule<> rule;  // <> : the primal saves nothing for the derivatives
  rule.name = "thomas";
  rule.primal = [](CustomInputs in, std::monostate&) { return thomas(in[0]); };
  rule.jvp = [](CustomInputs, ConstVectorView, const std::monostate&, CustomInputs dx) {
    return thomas(dx[0]);
  };
  rule.vjp = [](CustomInputs, ConstVectorView, const std::monostate&, ConstVectorView x_bar,
                 CustomCotangents b_bar) { axpy(1.0, thomas(x_bar), b_bar[0]); };  // add, never overwrite

  const Vector b{1.0, 2.0, 0.0, -1.0, 3.0};
  const RuleCheckResult ok = check_custom_rule(rule, {b});
  std::printf("check_custom_rule(thomas): %s\n", ok.passed ? "passed" : ok.message.c_str());

  // A loss through the solver: grad costs one extra solve, whatever the solver does inside.
  const auto shared = std::make_shared<const CustomRule<>>(rule);  // what apply_custom takes
  auto loss = [&](const auto& v) { return 0.5 * sum(square(apply_custom(shared, v))); };
  const Vector g = grad(loss, b);  // T^{-1} x, x = T^{-1} b
  std::printf("grad = %.6f %.6f %.6f %.6f %.6f\n", g[0], g[1], g[2], g[3], g[4]);

  // A wrong VJP (the forgotten transpose of a nonsymmetric T would look the same) is caught.
  CustomRule<> wrong = rule;
  wrong.vjp = [](CustomInputs, ConstVectorView, const std::monostate&, ConstVectorView x_bar,
                  CustomCotangents b_bar) { axpy(1.0, x_bar, b_bar[0]); };
  const RuleCheckResult bad = check_custom_rule(wrong, {b});
  std::printf("check_custom_rule(wrong vjp): %s\n", bad.passed ? "passed" : bad.message.c_str());
  const DerivativeCheckResult fd = check_gradient(loss, b);
  return ok.passed && !bad.passed && fd.passed ? 0 : 1;
}
