// doc/guide.md, "Optimise": fit y = exp(m t + c) to data, by Levenberg-Marquardt on the residuals
// and by L-BFGS on the sum of squares.
#include <cmath>
#include <cstdio>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  // Data from m = 0.3, c = 0.1, with a deterministic perturbation standing in for noise.
  Vector t(60), y(60);
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i] = 5.0 * static_cast<double>(i) / 60.0;
    y[i] = std::exp(0.3 * t[i] + 0.1) + 0.05 * std::sin(12.9898 * static_cast<double>(i));
  }
  // The residuals r_i(m, c) = y_i - exp(m t_i + c), written once. The objectives keep the lambda,
  // so it captures the data by value.
  auto residuals = [t, y](const auto& x) { return y - exp(x[0] * t + x[1]); };
  const Vector x0{0.0, 0.0};

  const LeastSquaresObjective least_squares = differentiable_least_squares(residuals);
  const OptimizeResult lm = levenberg_marquardt(least_squares, x0, {.atol = 1e-10});
  std::printf("levenberg_marquardt: %s after %d iterations: m = %.6f, c = %.6f, 1/2 ||r||^2 = %.6f\n",
              reason_name(lm.reason).c_str(), lm.iterations, lm.x[0], lm.x[1], lm.value);

  const Objective sum_of_squares = differentiable_objective([residuals](const auto& x) {
    const auto r = residuals(x);
    return 0.5 * dot(r, r);
  });
  const OptimizeResult bfgs = lbfgs(sum_of_squares, x0, {.atol = 1e-10});
  std::printf("lbfgs:               %s after %d iterations: m = %.6f, c = %.6f, 1/2 ||r||^2 = %.6f\n",
              reason_name(bfgs.reason).c_str(), bfgs.iterations, bfgs.x[0], bfgs.x[1], bfgs.value);
  if (!bfgs.converged) std::printf("%s\n", bfgs.message.c_str());  // says why, and where

  Vector difference = lm.x;
  axpy(-1.0, bfgs.x, difference);
  return lm.converged && bfgs.converged && norm2(difference) < 1e-8 ? 0 : 1;
}
