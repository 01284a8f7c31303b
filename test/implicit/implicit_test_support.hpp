#pragma once
// Helpers of the implicit test suite.

#include <cstddef>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "test_support.hpp"

namespace frechet {
// So that Boost.Test can print a Reason in a failed BOOST_TEST (found by argument-dependent lookup).
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << reason_name(reason); }
}  // namespace frechet

namespace frechet::testing {

/// Whether an exception's message contains `s`.
inline bool message_has(const std::exception& e, const std::string& s) {
  return std::string(e.what()).find(s) != std::string::npos;
}

/// Broyden tridiagonal (Moré, Garbow and Hillstrom's problem 30): f_i = (3 - 2 x_i) x_i - x_{i-1} -
/// 2 x_{i+1} + 1 with x_0 = x_{n+1} = 0, a nonsymmetric tridiagonal Jacobian; their start is x_i = -1.
inline const auto broyden_tridiagonal = [](const auto& x) {
  using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
  const std::size_t n = x.size();
  std::vector<T> f(n);
  for (std::size_t i = 0; i < n; ++i) {
    T fi = (3.0 - 2.0 * x[i]) * x[i] + 1.0;
    if (i > 0) fi = fi - x[i - 1];
    if (i + 1 < n) fi = fi - 2.0 * x[i + 1];
    f[i] = fi;
  }
  return f;
};

}  // namespace frechet::testing
