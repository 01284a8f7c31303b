#include "frechet/implicit/scalar_root.hpp"

#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "frechet/core/error.hpp"

namespace frechet {
namespace {

constexpr int default_max_iterations = 100;

// Thrown through Boost's TOMS 748 loop to end it at the first NaN or infinity f returns; caught in
// bracket_root, which has kept the last bracket.
struct NonFiniteValue {
  double x;
};

std::string number(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

int checked_options(const char* what, const ScalarRootOptions& o) {
  const auto bad = [&](const char* field, double v) {
    return std::string(what) + ": " + field + " must be finite and >= 0, got " + number(v);
  };
  if (!std::isfinite(o.rtol) || o.rtol < 0) throw ArgumentError(bad("rtol", o.rtol));
  if (!std::isfinite(o.atol) || o.atol < 0) throw ArgumentError(bad("atol", o.atol));
  if (!std::isfinite(o.f_atol) || o.f_atol < 0) throw ArgumentError(bad("f_atol", o.f_atol));
  if (o.rtol == 0 && o.atol == 0)
    throw ArgumentError(std::string(what) + ": rtol and atol are both 0; at least one must be > 0");
  const int max_iterations = o.max_iterations.value_or(default_max_iterations);
  if (max_iterations < 0)
    throw ArgumentError(std::string(what) + ": max_iterations must be >= 0, got " + std::to_string(max_iterations));
  return max_iterations;
}

// The two ends, checked, and the bracket state every method updates.
struct Bracket {
  double lower, upper, f_lower, f_upper;

  // Keeps the half of [lower, upper] on which f changes sign, given f(x) = fx at an interior x.
  void shrink(double x, double fx) {
    if (std::signbit(fx) == std::signbit(f_lower)) {
      lower = x;
      f_lower = fx;
    } else {
      upper = x;
      f_upper = fx;
    }
  }
  double width() const { return upper - lower; }
};

Bracket checked_bracket(const char* what, const std::function<double(double)>& f, double lower, double upper) {
  if (!std::isfinite(lower) || !std::isfinite(upper))
    throw NonFiniteError(std::string(what) + ": the bracket must be finite, got [" + number(lower) + ", " +
                         number(upper) + "]");
  if (!(lower < upper))
    throw ArgumentError(std::string(what) + ": expected lower < upper, got [" + number(lower) + ", " +
                        number(upper) + "]");
  const double fl = f(lower), fu = f(upper);
  if (!std::isfinite(fl))
    throw NonFiniteError(std::string(what) + ": f(lower) = f(" + number(lower) + ") is " + number(fl));
  if (!std::isfinite(fu))
    throw NonFiniteError(std::string(what) + ": f(upper) = f(" + number(upper) + ") is " + number(fu));
  if (fl != 0 && fu != 0 && std::signbit(fl) == std::signbit(fu))
    throw ArgumentError(std::string(what) + ": f has the same sign at both ends of the bracket: f(" +
                        number(lower) + ") = " + number(fl) + ", f(" + number(upper) + ") = " + number(fu) +
                        "; expected a sign change (widen or move the bracket)");
  return {lower, upper, fl, fu};
}

bool x_converged(double a, double b, const ScalarRootOptions& o) {
  return std::abs(b - a) <= std::max(o.rtol * std::min(std::abs(a), std::abs(b)), o.atol);
}

// Fills root and value with the better end of the bracket.
void take_better_end(const Bracket& br, ScalarRootResult& r) {
  const bool lower_better = std::abs(br.f_lower) <= std::abs(br.f_upper);
  r.root = lower_better ? br.lower : br.upper;
  r.value = lower_better ? br.f_lower : br.f_upper;
  r.lower = br.lower;
  r.upper = br.upper;
}

bool f_converged(double fx, const ScalarRootOptions& o) { return fx == 0 || std::abs(fx) <= o.f_atol; }

void finish(ScalarRootResult& r, Reason reason) {
  r.reason = reason;
  r.converged = reason == Reason::converged;
}

ScalarRootResult bisection(const std::function<double(double)>& f, Bracket br, int max_iterations,
                           const ScalarRootOptions& o) {
  ScalarRootResult r;
  r.function_evaluations = 2;
  take_better_end(br, r);
  if (o.monitor) o.monitor(0, std::abs(r.value));
  while (!f_converged(r.value, o) && !x_converged(br.lower, br.upper, o)) {
    if (r.iterations == max_iterations) {
      finish(r, Reason::max_iterations);
      return r;
    }
    const double mid = br.lower + 0.5 * br.width();
    if (mid <= br.lower || mid >= br.upper) break;  // adjacent doubles: the bracket cannot shrink further
    const double fm = f(mid);
    ++r.iterations;
    ++r.function_evaluations;
    if (!std::isfinite(fm)) {
      finish(r, Reason::non_finite);
      return r;
    }
    br.shrink(mid, fm);
    take_better_end(br, r);
    if (o.monitor) o.monitor(r.iterations, std::abs(r.value));
  }
  finish(r, Reason::converged);
  return r;
}

// The state of one TOMS 748 run between Boost's calls of f and of the tolerance functor, which
// Boost makes several times per iteration: both are kept to a few loads and compares.
struct Toms748Run {
  const std::function<double(double)>& f;
  const Monitor* monitor;  // null when the options have none
  double rtol, atol, f_atol;
  double lower, upper;  // the last bracket Boost made (it reports no values with it)
  double best_x, best_f;
  int evaluations = 0;
  bool small_f = false;  // |best_f| <= f_atol: the best value is also the smallest |f| evaluated

  double evaluate(double x) {
    const double fx = f(x);
    ++evaluations;
    if (!std::isfinite(fx)) throw NonFiniteValue{x};
    if (std::abs(fx) < std::abs(best_f)) {
      best_x = x;
      best_f = fx;
      small_f = std::abs(fx) <= f_atol;
    }
    if (monitor) (*monitor)(evaluations, std::abs(fx));
    return fx;
  }
  bool stops(double a, double b) {
    lower = a;
    upper = b;
    return small_f || std::abs(b - a) <= std::max(rtol * std::min(std::abs(a), std::abs(b)), atol);
  }
};

ScalarRootResult toms748(const std::function<double(double)>& f, Bracket br, int max_iterations,
                         const ScalarRootOptions& o) {
  ScalarRootResult r;
  r.function_evaluations = 2;
  take_better_end(br, r);
  if (o.monitor) o.monitor(0, std::abs(r.value));
  if (f_converged(r.value, o) || x_converged(br.lower, br.upper, o)) {
    finish(r, Reason::converged);
    return r;
  }
  if (max_iterations == 0) {
    finish(r, Reason::max_iterations);
    return r;
  }
  // Boost sees every value through `evaluate` and every bracket through `tolerance`, and Boost's
  // bracket() takes them by value at every step: each captures one pointer to the run's state, which
  // keeps the best point actually evaluated (a stop for any cause reports it) and the last bracket.
  Toms748Run run{f,       o.monitor ? &o.monitor : nullptr, o.rtol, o.atol, o.f_atol, br.lower, br.upper, r.root,
                 r.value};
  const auto evaluate = [&run](double x) { return run.evaluate(x); };
  const auto tolerance = [&run](double a, double b) { return run.stops(a, b); };
  std::uintmax_t limit = static_cast<std::uintmax_t>(max_iterations);
  bool non_finite = false;
  try {
    const auto [a, b] = boost::math::tools::toms748_solve(evaluate, br.lower, br.upper, br.f_lower, br.f_upper,
                                                          tolerance, limit);
    run.lower = a;
    run.upper = b;
  } catch (const NonFiniteValue&) {
    non_finite = true;
  }
  r.root = run.best_x;
  r.value = run.best_f;
  r.lower = run.lower;
  r.upper = run.upper;
  r.iterations = run.evaluations;
  r.function_evaluations = 2 + run.evaluations;
  if (non_finite) {
    finish(r, Reason::non_finite);
    return r;
  }
  // Boost returns when the limit is spent without saying so: the verdict is ours.
  finish(r, run.stops(run.lower, run.upper) ? Reason::converged : Reason::max_iterations);
  return r;
}

}  // namespace

ScalarRootResult bracket_root(const std::function<double(double)>& f, double lower, double upper,
                              const ScalarRootOptions& options) {
  const int max_iterations = checked_options("bracket_root", options);
  if (options.x0)
    throw ArgumentError("bracket_root: x0 is used by newton_root only; leave it unset");
  const Bracket br = checked_bracket("bracket_root", f, lower, upper);
  return options.method == BracketMethod::bisection ? bisection(f, br, max_iterations, options)
                                                    : toms748(f, br, max_iterations, options);
}

namespace detail {

ScalarRootResult safeguarded_newton(const std::function<std::pair<double, double>(double)>& f_and_derivative,
                                    double lower, double upper, const ScalarRootOptions& o) {
  const int max_iterations = checked_options("newton_root", o);
  if (o.method != BracketMethod::toms748)
    throw ArgumentError("newton_root: method is used by bracket_root only; leave it at toms748");
  Bracket br = checked_bracket("newton_root", [&](double x) { return f_and_derivative(x).first; }, lower, upper);
  const double x_start = o.x0.value_or(lower + 0.5 * (upper - lower));
  if (!(x_start >= lower && x_start <= upper))
    throw ArgumentError("newton_root: x0 = " + number(x_start) + " lies outside the bracket [" + number(lower) +
                        ", " + number(upper) + "]");

  ScalarRootResult r;
  r.function_evaluations = 2;
  take_better_end(br, r);
  if (o.monitor) o.monitor(0, std::abs(r.value));
  if (f_converged(r.value, o)) {
    finish(r, Reason::converged);
    return r;
  }
  double x = x_start;
  double step = br.width(), step_before = br.width();  // rtsafe's dx and dxold
  bool first = true;
  while (true) {
    if (r.iterations == max_iterations) {
      finish(r, Reason::max_iterations);
      return r;
    }
    const auto [fx, dfx] = f_and_derivative(x);
    ++r.iterations;
    ++r.function_evaluations;
    if (!std::isfinite(fx) || !std::isfinite(dfx)) {
      finish(r, Reason::non_finite);
      return r;
    }
    if (o.monitor) o.monitor(r.iterations, std::abs(fx));
    if (std::abs(fx) < std::abs(r.value)) {
      r.root = x;
      r.value = fx;
    }
    if (x > br.lower && x < br.upper) br.shrink(x, fx);
    r.lower = br.lower;
    r.upper = br.upper;
    if (f_converged(fx, o) || (!first && std::abs(step) <= std::max(o.rtol * std::abs(x), o.atol)) ||
        x_converged(br.lower, br.upper, o)) {
      finish(r, Reason::converged);
      return r;
    }
    first = false;
    // rtsafe's test: take the Newton step only if it lands strictly inside the bracket and if
    // |f| / |f'| is below half the step before last (otherwise Newton is not converging fast
    // enough, and bisection guarantees progress).
    const double newton = dfx != 0 ? x - fx / dfx : std::numeric_limits<double>::quiet_NaN();
    // A Newton correction below the tolerance ends the iteration at x, the point evaluated (rtsafe's
    // and Boost's newton_raphson_iterate's test). Without it, a correction that rounds x onto the end
    // of the bracket it has just become would be refused and bisection would crawl the last bracket.
    if (std::isfinite(newton) && std::abs(newton - x) <= std::max(o.rtol * std::abs(x), o.atol)) {
      finish(r, Reason::converged);
      return r;
    }
    step_before = step;
    double next;
    if (std::isfinite(newton) && newton > br.lower && newton < br.upper &&
        std::abs(2.0 * fx) <= std::abs(step_before * dfx)) {
      next = newton;
    } else {
      next = br.lower + 0.5 * br.width();
    }
    step = next - x;
    if (step == 0) {  // x is a fixed point of the iteration in floating point
      finish(r, Reason::converged);
      return r;
    }
    x = next;
  }
}

}  // namespace detail
}  // namespace frechet
