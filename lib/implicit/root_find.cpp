#include "frechet/implicit/root_find.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "newton_step.hpp"

namespace frechet::detail {
namespace {

constexpr int default_max_iterations = 50;

void check_options(const NewtonOptions& o) {
  const auto nonnegative = [](const char* field, double v) {
    if (!std::isfinite(v) || v < 0)
      throw ArgumentError(std::string("root_find: ") + field + " must be finite and >= 0, got " + std::to_string(v));
  };
  nonnegative("rtol", o.rtol);
  nonnegative("atol", o.atol);
  if (o.rtol == 0 && o.atol == 0) throw ArgumentError("root_find: rtol and atol are both 0; at least one must be > 0");
  if (o.max_iterations && *o.max_iterations < 0)
    throw ArgumentError("root_find: max_iterations must be >= 0, got " + std::to_string(*o.max_iterations));
  if (!(o.sufficient_decrease > 0 && o.sufficient_decrease < 1))
    throw ArgumentError("root_find: sufficient_decrease must lie in (0, 1), got " + std::to_string(o.sufficient_decrease));
  if (o.max_backtracks < 0)
    throw ArgumentError("root_find: max_backtracks must be >= 0, got " + std::to_string(o.max_backtracks));
  if (!(o.divergence_limit > 1))
    throw ArgumentError("root_find: divergence_limit must be > 1, got " + std::to_string(o.divergence_limit));
  const NewtonOptions defaults;
  if (!o.line_search && (o.sufficient_decrease != defaults.sufficient_decrease || o.max_backtracks != defaults.max_backtracks))
    throw ArgumentError("root_find: sufficient_decrease and max_backtracks are used by the line search only, which is off");
  if (o.linear_solver == NewtonLinearSolver::gmres) {
    const ForcingOptions& f = o.forcing;
    const auto open_unit = [](const char* field, double v) {
      if (!(v > 0 && v < 1))
        throw ArgumentError(std::string("root_find: forcing.") + field + " must lie in (0, 1), got " + std::to_string(v));
    };
    open_unit("initial", f.initial);
    open_unit("max", f.max);
    if (!(f.gamma > 0 && f.gamma <= 1))
      throw ArgumentError("root_find: forcing.gamma must lie in (0, 1], got " + std::to_string(f.gamma));
    if (!(f.alpha > 1 && f.alpha <= 2))
      throw ArgumentError("root_find: forcing.alpha must lie in (1, 2], got " + std::to_string(f.alpha));
    if (o.restart < 1) throw ArgumentError("root_find: restart must be >= 1, got " + std::to_string(o.restart));
    if (o.max_linear_iterations && *o.max_linear_iterations < 1)
      throw ArgumentError("root_find: max_linear_iterations must be >= 1, got " + std::to_string(*o.max_linear_iterations));
    if (o.preconditioner && o.preconditioner_update)
      throw ArgumentError("root_find: set at most one of preconditioner and preconditioner_update");
  }
  const bool sparse = o.linear_solver == NewtonLinearSolver::sparse_lu || o.linear_solver == NewtonLinearSolver::sparse_cholesky;
  if (sparse && !o.jacobian_pattern)
    throw ArgumentError("root_find: linear_solver = sparse_lu or sparse_cholesky needs jacobian_pattern, the structure of J");
  if (!sparse && o.jacobian_pattern)
    throw ArgumentError("root_find: jacobian_pattern is used by linear_solver = sparse_lu and sparse_cholesky only");
  if (o.linear_solver != NewtonLinearSolver::gmres) {
    const char* unused = nullptr;
    if (o.preconditioner) unused = "preconditioner";
    if (o.preconditioner_update) unused = "preconditioner_update";
    if (!(o.forcing == defaults.forcing)) unused = "forcing";
    if (o.restart != defaults.restart) unused = "restart";
    if (o.max_linear_iterations) unused = "max_linear_iterations";
    if (unused != nullptr)
      throw ArgumentError(std::string("root_find: ") + unused +
                          " is used by linear_solver = gmres only; leave it at its default with a direct solver");
  }
}

}  // namespace

NewtonResult newton_iteration(const NonlinearSystem& system, const Vector& x0, const NewtonOptions& o) {
  check_options(o);
  const std::size_t n = system.size;
  frechet::check_finite("root_find: x0", x0);
  const int max_iterations = o.max_iterations.value_or(default_max_iterations);

  NewtonResult result;
  result.x = x0;
  Vector fx = system.evaluate(result.x);
  ++result.function_evaluations;
  if (fx.size() != n)
    throw ShapeError("root_find: F must map R^n to R^n: x0 has " + std::to_string(n) + " entries but F(x0) has " +
                     std::to_string(fx.size()));
  double f_norm = frechet::norm2(fx);
  result.initial_residual_norm = f_norm;
  result.residual_norm = f_norm;
  const auto record = [&](int k) {
    result.residual_history.push_back(f_norm);
    if (o.monitor) o.monitor(k, f_norm);
  };
  std::unique_ptr<NewtonStepSolver> step_solver;
  const auto finish = [&](Reason reason) {
    if (step_solver) result.preconditioner = step_solver->preconditioner();
    result.reason = reason;
    result.converged = reason == Reason::converged;
    result.residual_norm = f_norm;
    return result;
  };
  if (!std::isfinite(f_norm)) return finish(Reason::non_finite);
  record(0);
  const double threshold = std::max(o.rtol * f_norm, o.atol);
  const double x_limit = o.divergence_limit * std::max(frechet::norm2(x0), 1.0);
  const double f_limit = o.divergence_limit * f_norm;

  step_solver = make_step_solver(system, o);
  Vector s(n), x_trial(n);
  double f_norm_before = f_norm, eta = 0.0;
  for (int k = 0;; ++k) {
    if (f_norm <= threshold) return finish(Reason::converged);
    if (k == max_iterations) return finish(Reason::max_iterations);

    if (o.linear_solver == NewtonLinearSolver::gmres) eta = forcing_term(o.forcing, k, f_norm, f_norm_before, eta, threshold);
    const StepOutcome step = step_solver->solve(result.x, fx, eta, s);
    ++result.jacobian_evaluations;
    result.linear_iterations += step.linear_iterations;
    result.operator_products += step.operator_products;
    if (step.reason != Reason::converged) return finish(step.reason);

    // Backtracking on phi = ||F||^2 / 2 from the full step.
    const double phi = 0.5 * f_norm * f_norm;
    double lambda = 1.0;
    bool accepted = false, any_finite = false;
    Vector f_trial;
    for (int trial = 0; trial <= (o.line_search ? o.max_backtracks : 0); ++trial) {
      frechet::copy(result.x, x_trial);
      frechet::axpy(lambda, s, x_trial);
      f_trial = system.evaluate(x_trial);
      ++result.function_evaluations;
      const double fn = frechet::norm2(f_trial);
      if (!std::isfinite(fn)) {
        lambda *= 0.5;
        continue;
      }
      any_finite = true;
      const double phi_trial = 0.5 * fn * fn;
      if (!o.line_search || phi_trial <= phi + o.sufficient_decrease * lambda * step.slope) {
        accepted = true;
        break;
      }
      // The minimiser of the quadratic through phi(0), phi'(0) = slope and phi(lambda), kept within
      // [0.1, 0.5] lambda so that the search neither stalls nor jumps.
      const double denominator = 2.0 * (phi_trial - phi - step.slope * lambda);
      const double quadratic = denominator > 0 ? -step.slope * lambda * lambda / denominator : 0.5 * lambda;
      lambda = std::clamp(quadratic, 0.1 * lambda, 0.5 * lambda);
    }
    if (!accepted) return finish(any_finite ? Reason::line_search_failed : Reason::non_finite);

    std::swap(result.x, x_trial);
    fx = std::move(f_trial);
    f_norm_before = f_norm;
    f_norm = frechet::norm2(fx);
    ++result.iterations;
    record(result.iterations);
    if (frechet::norm2(result.x) > x_limit || (!o.line_search && f_norm > f_limit)) return finish(Reason::diverged);
  }
}

double forcing_term(const ForcingOptions& f, int k, double f_norm, double f_norm_before, double eta_before,
                    double threshold) {
  double eta = f.initial;
  if (k > 0) {
    eta = f.gamma * std::pow(f_norm / f_norm_before, f.alpha);
    const double floor = f.gamma * std::pow(eta_before, f.alpha);
    if (floor > 0.1) eta = std::max(eta, floor);
  }
  eta = std::max(eta, 0.5 * threshold / f_norm);
  return std::min(eta, f.max);
}

}  // namespace frechet::detail
