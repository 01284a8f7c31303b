#pragma once
// Bratu's problem on an m x m grid, the nonlinear system of the implicit suite and of
// apps/bench/implicit (and of apps/bench/scipy_newton_krylov.py, written again in Python).

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "frechet/ad/ad.hpp"

namespace frechet::testing {

/// F(u, theta) = (4 u_k - neighbours) - h^2 theta_0 e^{u_k}, zero boundary, 5-point stencil, h =
/// 1/(m+1): a generic residual, differentiable in u and in theta.
inline auto bratu_residual(std::size_t m) {
  return [m](const auto& u, const auto& theta) {
    using std::exp;
    using U = scalar_t<std::remove_cvref_t<decltype(u)>>;
    using L = scalar_t<std::remove_cvref_t<decltype(theta)>>;
    using T = std::conditional_t<std::is_same_v<U, double>, L, U>;
    const double h2 = 1.0 / static_cast<double>((m + 1) * (m + 1));
    const T lambda = theta[0];
    std::vector<T> f(m * m);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t k = i + j * m;
        T s = 4.0 * u[k] - h2 * lambda * exp(u[k]);
        if (i > 0) s = s - u[k - 1];
        if (i + 1 < m) s = s - u[k + 1];
        if (j > 0) s = s - u[k - m];
        if (j + 1 < m) s = s - u[k + m];
        f[k] = s;
      }
    return f;
  };
}

}  // namespace frechet::testing
