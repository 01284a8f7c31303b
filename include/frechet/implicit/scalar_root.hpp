#pragma once
/// \file
/// Roots of a scalar equation f(x) = 0 on a bracket [lower, upper] with f(lower) f(upper) < 0: by
/// TOMS 748 (Boost.Math) or bisection, and by Newton's method with the derivative from the AD layer,
/// safeguarded by bisection. Unlike Boost.Math's own finders, every outcome is reported: an exhausted
/// iteration limit or a NaN from f is a Reason in the result, a bracket without a sign change throws.
///
/// References: G. E. Alefeld, F. A. Potra and Y. Shi, "Algorithm 748: enclosing zeros of continuous
/// functions", ACM TOMS 21(3), 1995; the safeguarded Newton iteration is rtsafe of W. H. Press et al.,
/// "Numerical Recipes", 3rd ed., section 9.4.

#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "frechet/ad/dual.hpp"
#include "frechet/krylov/solve_result.hpp"

namespace frechet {

/// How bracket_root narrows the bracket.
enum class BracketMethod {
  toms748,    ///< Alefeld-Potra-Shi: inverse cubic and quadratic interpolation with double-length
              ///< secant and bisection steps; superlinear, and never slower than about 3x bisection
  bisection,  ///< halves the bracket at every evaluation: slow, and safe whatever f does in between
};

/// Options of bracket_root and newton_root.
struct ScalarRootOptions {
  /// Stop when the bracket, the last Newton step or the next Newton correction is small:
  ///     upper - lower <= max(rtol min(|lower|, |upper|), atol),   |x_k - x_{k-1}| <= max(rtol |x_k|, atol)
  ///     or |f(x_k) / f'(x_k)| <= max(rtol |x_k|, atol)   (the root is then x_k, the point evaluated).
  /// rtol, atol finite and >= 0, and at least one of them > 0. A root at exactly 0 is reached only
  /// through atol > 0, f_atol > 0 or an exact f(x) = 0.
  double rtol = 4 * std::numeric_limits<double>::epsilon();
  double atol = 0.0;  ///< absolute tolerance on x (finite, >= 0)
  double f_atol = 0.0;  ///< also stop when |f(x)| <= f_atol (finite, >= 0); f(x) = 0 always stops
  /// Iteration limit (evaluations of f after the two ends). Unset means 100; 0 returns the better end
  /// of the bracket, converged only if it already satisfies the rule; negative throws ArgumentError.
  std::optional<int> max_iterations{};
  BracketMethod method = BracketMethod::toms748;  ///< bracket_root only; newton_root rejects bisection
  std::optional<double> x0{};  ///< newton_root only: the first iterate (inside the bracket); unset: the midpoint
  Monitor monitor{};  ///< called with (iteration, |f(x_k)|), iteration 0 for the better end of the bracket
};

/// The root of a scalar equation and what it cost.
struct ScalarRootResult {
  double root = 0.0;   ///< the evaluated point with the smallest |f| (an end of the final bracket, or the last Newton iterate)
  double value = 0.0;  ///< f(root), as evaluated
  double lower = 0.0;  ///< the final bracket [lower, upper]: f changes sign on it (or f is 0 at an end)
  double upper = 0.0;
  int iterations = 0;            ///< evaluations of f after the two ends (TOMS 748, bisection) or Newton/bisection steps
  int function_evaluations = 0;  ///< every evaluation of f, the ends included (a Newton evaluation gives f and f')
  bool converged = false;        ///< reason == Reason::converged
  /// converged, max_iterations, or non_finite (f returned NaN or infinity inside the bracket: root
  /// and the bracket are the last finite ones).
  Reason reason = Reason::max_iterations;
};

/// A root of f on [lower, upper] by TOMS 748 (default) or bisection. f is any callable double ->
/// double. Throws ArgumentError if lower >= upper, if f(lower) and f(upper) have the same sign (the
/// message gives both values), for bad tolerances or a negative max_iterations, or if x0 is set;
/// NonFiniteError if lower, upper, f(lower) or f(upper) is not finite.
ScalarRootResult bracket_root(const std::function<double(double)>& f, double lower, double upper,
                              const ScalarRootOptions& options = {});

namespace detail {
/// The safeguarded Newton iteration on a callable returning (f(x), f'(x)).
ScalarRootResult safeguarded_newton(const std::function<std::pair<double, double>(double)>& f_and_derivative,
                                    double lower, double upper, const ScalarRootOptions& options);
}  // namespace detail

/// A root of f on [lower, upper] by Newton's method, f' from one forward-mode evaluation of f on a
/// Dual<double> per iteration (so write f generically: `[](const auto& x) { return x * x - 2.0; }`).
/// Safeguards (rtsafe): the bracket shrinks to the side where f changes sign after every evaluation,
/// and a Newton step that leaves the bracket, meets f' = 0, or does not at least halve the step
/// before last is replaced by bisection, so the iteration converges whenever bisection does, and
/// quadratically near a simple root. Throws as bracket_root, and ArgumentError if method is
/// bisection or x0 lies outside [lower, upper].
template <class F>
ScalarRootResult newton_root(F&& f, double lower, double upper, const ScalarRootOptions& options = {}) {
  return detail::safeguarded_newton(
      [&f](double x) {
        const Dual<double> y = f(Dual<double>(x, 1.0));
        return std::pair<double, double>(y.value(), y.tangent());
      },
      lower, upper, options);
}

}  // namespace frechet
