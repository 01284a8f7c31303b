#include "solver_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string shape(const LinearOperator& a) {
  return std::to_string(a.rows()) + "x" + std::to_string(a.cols());
}

}  // namespace

const LinearOperator& checked_operator(const char* function, const OperatorPtr& a) {
  if (!a) throw ArgumentError(std::string(function) + ": operator: expected a non-null OperatorPtr");
  return *a;
}

void check_solver_options(const char* solver, const SolverOptions& options, SolverFamily family) {
  const std::string s(solver);
  check_tolerances(solver, options.rtol, options.atol);
  static const SolverOptions defaults;
  if (family == SolverFamily::restarted) {
    if (options.restart < 1) {
      throw ArgumentError(s + ": options.restart: expected >= 1, got " + std::to_string(options.restart));
    }
  } else if (options.restart != defaults.restart) {
    throw ArgumentError(s + ": options.restart: used only by gmres and fgmres; expected the default " +
                        std::to_string(defaults.restart) + ", got " + std::to_string(options.restart));
  }
  if (family == SolverFamily::least_squares) {
    if (!std::isfinite(options.damping) || options.damping < 0.0) {
      throw ArgumentError(s + ": options.damping: expected a finite value >= 0, got " +
                          number(options.damping));
    }
  } else if (options.damping != defaults.damping) {
    throw ArgumentError(s + ": options.damping: used only by lsqr and lsmr; expected the default 0, got " +
                        number(options.damping));
  }
}

void check_tolerances(const char* solver, double rtol, double atol) {
  const std::string s(solver);
  if (!std::isfinite(rtol) || rtol < 0.0) {
    throw ArgumentError(s + ": options.rtol: expected a finite value >= 0, got " + number(rtol));
  }
  if (!std::isfinite(atol) || atol < 0.0) {
    throw ArgumentError(s + ": options.atol: expected a finite value >= 0, got " + number(atol));
  }
  if (rtol == 0.0 && atol == 0.0) {
    throw ArgumentError(s + ": options.rtol and options.atol: expected at least one > 0, got both 0");
  }
}

int resolve_max_iterations(const char* solver, const std::optional<int>& requested, std::size_t n) {
  if (requested) {
    if (*requested < 0) {
      throw ArgumentError(std::string(solver) + ": options.max_iterations: expected >= 0, got " +
                          std::to_string(*requested));
    }
    return *requested;
  }
  constexpr std::size_t limit = 1u << 30;
  return static_cast<int>(std::clamp<std::size_t>(2 * n, 10, limit));
}

void check_square(const char* solver, const LinearOperator& a) {
  if (!a.is_square()) {
    throw ShapeError(std::string(solver) + ": operator: expected a square operator, got " + shape(a));
  }
}

void check_rhs(const char* solver, const LinearOperator& a, ConstVectorView b) {
  check_size((std::string(solver) + ": size of b (operator rows)").c_str(), a.rows(), b.size());
  check_finite((std::string(solver) + ": b").c_str(), b);
}

Vector initial_guess(const char* solver, ConstVectorView x0, std::size_t n) {
  if (x0.empty()) return Vector(n, 0.0);
  check_size((std::string(solver) + ": size of options.x0 (operator cols)").c_str(), n, x0.size());
  check_finite((std::string(solver) + ": options.x0").c_str(), x0);
  return Vector(x0.begin(), x0.end());
}

void check_preconditioner(const char* solver, const OperatorPtr& preconditioner, std::size_t n) {
  if (!preconditioner) return;
  if (preconditioner->rows() != n || preconditioner->cols() != n) {
    throw ShapeError(std::string(solver) + ": options.preconditioner: expected " + std::to_string(n) +
                     "x" + std::to_string(n) + ", got " + shape(*preconditioner));
  }
}

double norm_of_difference(ConstVectorView u, double c, ConstVectorView v) {
  double s = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double e = u[i] - c * v[i];
    s += e * e;
  }
  return std::sqrt(s);
}

double power_of_two_scale(double norm) {
  if (!(norm > 0.0) || !std::isfinite(norm)) return 1.0;
  // Both 2^k and 2^-k stay normal numbers, so that multiplying by either is exact.
  return std::ldexp(1.0, std::clamp(std::ilogb(norm), -1022, 1022));
}

void residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x, VectorView r) {
  a.apply(x, r);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
}

double true_residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x, bool x_is_zero, VectorView r,
                     SolveResult& result) {
  if (x_is_zero) {
    copy(b, r);
  } else {
    residual(a, b, x, r);
    ++result.operator_products;
  }
  result.residual_norm = norm2(r);
  return result.residual_norm;
}

IterationLog::IterationLog(SolveResult& result, const Monitor& monitor, int max_iterations)
    : result_(result), monitor_(monitor), max_iterations_(max_iterations) {
  result_.residual_history.reserve(static_cast<std::size_t>(std::min(max_iterations, reserve_limit)) + 1);
}

void IterationLog::record(double norm) {
  result_.residual_history.push_back(norm);
  if (monitor_) monitor_(result_.iterations, norm);
}

TrueResidualCheck::Verdict TrueResidualCheck::judge(double true_norm, bool after_claim,
                                                    bool after_full_cycle) {
  if (true_norm <= tolerance_) return Verdict::converged;
  // A restart whose residual estimate had met the tolerance must at least halve the true residual;
  // otherwise rounding errors, not iterations, bound the attainable accuracy.
  if (after_claim && true_norm > 0.5 * previous_) return Verdict::stagnated;
  // GMRES(m) can make exactly no progress in a cycle (e.g. a cyclic shift with m < n); a cycle that
  // does not reduce the residual by a relative 1e-12 will not do better the next time.
  if (after_full_cycle && true_norm > (1.0 - 1e-12) * previous_) return Verdict::stagnated;
  previous_ = true_norm;
  return Verdict::go_on;
}

SolveResult zero_rhs_result(std::size_t n, const Monitor& monitor) {
  SolveResult result;
  result.x.assign(n, 0.0);
  result.residual_history.push_back(0.0);
  finish(result, Reason::converged);
  if (monitor) monitor(0, 0.0);
  return result;
}

namespace {

// The checks of SquareRun's constructor that must precede its members' initialisation; returns the
// iteration limit.
int checked_max_iterations(const char* solver, const LinearOperator& a, ConstVectorView b,
                           const SolverOptions& options, SolverFamily family) {
  check_square(solver, a);
  check_rhs(solver, a, b);
  check_solver_options(solver, options, family);
  check_preconditioner(solver, options.preconditioner, a.cols());
  return resolve_max_iterations(solver, options.max_iterations, a.cols());
}

}  // namespace

SquareRun::SquareRun(const char* solver, const LinearOperator& a, ConstVectorView b,
                     const SolverOptions& options, SolverFamily family)
    : a_(a),
      b_(b),
      rtol_(options.rtol),
      atol_(options.atol),
      n_(a.cols()),
      x0_given_(!options.x0.empty()),
      log_(result_, options.monitor, checked_max_iterations(solver, a, b, options, family)),
      x_(initial_guess(solver, options.x0, a.cols())),
      check_(0.0) {
  const double b_norm = norm2(b);
  if (b_norm == 0.0) {
    result_ = zero_rhs_result(n_, options.monitor);
    finished_ = zero_rhs_ = true;
    return;
  }
  result_.rhs_norm = b_norm;
  set_rule_scale(b_norm);
}

void SquareRun::set_rule_scale(double scale) { check_ = TrueResidualCheck(std::max(rtol_ * scale, atol_)); }

void SquareRun::unscale() {
  if (scale_ == 1.0) return;
  frechet::scale(scale_, x_);
  scale_ = 1.0;
}

void SquareRun::normalize(VectorView r, double norm) {
  scale_ = power_of_two_scale(norm);
  if (scale_ == 1.0) return;
  const double inverse = 1.0 / scale_;  // a power of two in the normal range: both products are exact
  frechet::scale(inverse, r);
  frechet::scale(inverse, x_);
}

bool SquareRun::restart(VectorView r) {
  if (finished_) return false;
  const double norm = recompute(r);
  if (!judge(norm)) return false;
  normalize(r, norm);
  return true;
}

double SquareRun::recompute(VectorView r) {
  unscale();
  current_ = true;
  return true_residual(a_, b_, x_, first_ && !x0_given_, r, result_);
}

bool SquareRun::judge(double norm) {
  finished_ = true;  // until shown otherwise below
  if (!std::isfinite(norm)) {
    reason_ = Reason::non_finite;
    return false;
  }
  if (first_) log_.record(norm);
  first_ = false;
  const TrueResidualCheck::Verdict verdict = check_.judge(norm, claimed_, full_cycle_);
  if (verdict == TrueResidualCheck::Verdict::converged) {
    reason_ = Reason::converged;
  } else if (pending_) {
    reason_ = *pending_;
  } else if (verdict == TrueResidualCheck::Verdict::stagnated) {
    reason_ = Reason::stagnation;
  } else if (log_.exhausted()) {
    reason_ = Reason::max_iterations;
  } else {
    claimed_ = full_cycle_ = false;
    finished_ = false;
  }
  return !finished_;
}

void SquareRun::record_iteration(double norm) {
  log_.next();
  log_.record(norm * scale_);
}

bool SquareRun::continues_after(double norm) {
  record_iteration(norm);
  if (!std::isfinite(norm)) {
    fail(Reason::non_finite);
    return false;
  }
  if (norm <= tolerance()) {
    claim();
    return false;
  }
  return true;
}

void SquareRun::fail(Reason reason) {
  reason_ = reason;
  finished_ = true;
}

SolveResult SquareRun::take_result(VectorView r) {
  if (zero_rhs_) return std::move(result_);
  if (current_) {
    unscale();  // exact: x is the one whose residual was last computed
  } else {
    recompute(r);
  }
  result_.x = std::move(x_);
  finish(result_, reason_);
  return std::move(result_);
}

}  // namespace frechet::detail
