#pragma once
/// \file
/// The RealNVP affine coupling layer, a model the demo apps use, built from the library's
/// primitives (slice, concat, exp, sum): with x = (x1, x2) split after `split` entries,
///     y1 = x1,   y2 = x2 .* exp(s(x1)) + t(x1),   log|det dy/dx| = sum s(x1),
/// exact because the Jacobian is block lower-triangular with diagonal exp(s(x1)).
///
/// Reference: L. Dinh, J. Sohl-Dickstein and S. Bengio, "Density estimation using Real NVP", ICLR 2017.

#include <string>
#include <utility>

#include "frechet/frechet.hpp"

namespace frechet::demo {

/// The output of an affine coupling layer and log|det J|.
template <class Y, class L>
struct CouplingResult {
  Y y;
  L log_det;
};

/// The layer applied to x in any mode (plain, dual or tape vectors); s and t are the user's
/// functions of x1 (generic lambdas). Throws ShapeError if split exceeds the size of x.
template <class X, class SFn, class TFn>
auto affine_coupling(const X& x, std::size_t split, const SFn& s, const TFn& t) {
  const std::size_t n = x.size();
  if (split > n) {
    throw ShapeError("affine_coupling: split " + std::to_string(split) + " exceeds the " + std::to_string(n) +
                     " entries of x");
  }
  const auto x1 = slice(x, 0, split);
  const auto x2 = slice(x, split, n - split);
  const auto sv = s(x1);
  auto y = concat(x1, x2 * exp(sv) + t(x1));
  auto log_det = sum(sv);
  return CouplingResult<decltype(y), decltype(log_det)>{std::move(y), std::move(log_det)};
}

}  // namespace frechet::demo
