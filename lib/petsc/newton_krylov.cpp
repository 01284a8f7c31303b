#include "frechet/petsc/newton_krylov.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/petsc/distributed_operator.hpp"
#include "frechet/petsc/petsc_matrix.hpp"

namespace frechet {
namespace {

constexpr int default_max_iterations = 50;  // root_find's

void check_options(const NewtonOptions& o, const PetscSolveOptions& linear) {
  const char* who = "petsc_root_find: ";
  const auto nonnegative = [&](const char* field, double v) {
    if (!std::isfinite(v) || v < 0)
      throw ArgumentError(std::string(who) + field + " must be finite and >= 0, got " + std::to_string(v));
  };
  nonnegative("rtol", o.rtol);
  nonnegative("atol", o.atol);
  if (o.rtol == 0 && o.atol == 0) throw ArgumentError(std::string(who) + "rtol and atol are both 0; at least one must be > 0");
  if (o.max_iterations && *o.max_iterations < 0)
    throw ArgumentError(std::string(who) + "max_iterations must be >= 0, got " + std::to_string(*o.max_iterations));
  if (!(o.sufficient_decrease > 0 && o.sufficient_decrease < 1))
    throw ArgumentError(std::string(who) + "sufficient_decrease must lie in (0, 1), got " +
                        std::to_string(o.sufficient_decrease));
  if (o.max_backtracks < 0)
    throw ArgumentError(std::string(who) + "max_backtracks must be >= 0, got " + std::to_string(o.max_backtracks));
  if (!(o.divergence_limit > 1))
    throw ArgumentError(std::string(who) + "divergence_limit must be > 1, got " + std::to_string(o.divergence_limit));
  const ForcingOptions& f = o.forcing;
  if (!(f.initial > 0 && f.initial < 1) || !(f.max > 0 && f.max < 1) || !(f.gamma > 0 && f.gamma <= 1) ||
      !(f.alpha > 1 && f.alpha <= 2))
    throw ArgumentError(std::string(who) + "forcing must have initial and max in (0, 1), gamma in (0, 1], alpha in (1, 2]");
  const NewtonOptions defaults;
  const char* unused = nullptr;
  if (o.linear_solver != NewtonLinearSolver::dense_lu && o.linear_solver != NewtonLinearSolver::gmres)
    unused = "linear_solver (sparse_lu, sparse_cholesky)";
  if (o.jacobian_pattern) unused = "jacobian_pattern";
  if (o.preconditioner) unused = "preconditioner";
  if (o.preconditioner_update) unused = "preconditioner_update";
  if (o.restart != defaults.restart) unused = "restart";
  if (o.max_linear_iterations) unused = "max_linear_iterations";
  if (unused != nullptr)
    throw ArgumentError(std::string(who) + unused +
                        " belongs to root_find's own linear solvers; the linear solve here is KSP's: set it in the "
                        "PetscSolveOptions (pc_type, preconditioner, restart, max_iterations)");
  if (linear.rtol != PetscSolveOptions{}.rtol)
    throw ArgumentError(std::string(who) + "linear.rtol is set by the forcing terms; leave it at its default");
  if (!linear.x0.empty()) throw ArgumentError(std::string(who) + "linear.x0 is not used (every step starts from 0)");
}

bool everywhere(MPI_Comm comm, bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
  return all == 1;
}

}  // namespace

NewtonResult petsc_root_find(const DistributedRootProblem& p, ConstVectorView x0, ConstVectorView theta,
                             const NewtonOptions& o, const PetscSolveOptions& linear) {
  check_options(o, linear);
  if (!p.residual || !p.jacobian_x) throw ArgumentError("petsc_root_find: problem.residual and problem.jacobian_x must be set");
  if (!everywhere(p.comm, all_finite(x0))) throw NonFiniteError("petsc_root_find: x0 is not finite on some rank");
  const std::size_t n = x0.size();
  const int max_iterations = o.max_iterations.value_or(default_max_iterations);
  const auto evaluate = [&](ConstVectorView x, Vector& f) {
    f.assign(n, 0.0);
    p.residual(x, theta, f);
  };

  NewtonResult result;
  result.x = Vector(x0.begin(), x0.end());
  Vector fx;
  evaluate(result.x, fx);
  ++result.function_evaluations;
  double f_norm = global_norm2(p.comm, fx);
  result.initial_residual_norm = f_norm;
  const auto record = [&](int k) {
    result.residual_history.push_back(f_norm);
    if (o.monitor) o.monitor(k, f_norm);
  };
  std::optional<PetscLinearSolver> solver;
  const auto finish = [&](Reason reason) {
    if (solver) result.preconditioner = petsc_preconditioner(*solver);
    result.reason = reason;
    result.converged = reason == Reason::converged;
    result.residual_norm = f_norm;
    return result;
  };
  if (!std::isfinite(f_norm)) return finish(Reason::non_finite);
  record(0);
  const double threshold = std::max(o.rtol * f_norm, o.atol);
  const double x_limit = o.divergence_limit * std::max(global_norm2(p.comm, x0), 1.0);
  const double f_limit = o.divergence_limit * f_norm;

  Vector rhs(n), x_trial(n), f_trial;
  double f_norm_before = f_norm, eta = 0.0;
  for (int k = 0;; ++k) {
    if (f_norm <= threshold) return finish(Reason::converged);
    if (k == max_iterations) return finish(Reason::max_iterations);
    eta = detail::forcing_term(o.forcing, k, f_norm, f_norm_before, eta, threshold);
    PetscMatrix j = to_petsc_matrix(p.jacobian_x(result.x, theta), p.comm);
    ++result.jacobian_evaluations;
    if (solver) {
      solver->update_operator(std::move(j), false);
    } else {
      solver.emplace(std::move(j), linear);
    }
    solver->set_tolerances(eta, 0.0);
    for (std::size_t i = 0; i < n; ++i) rhs[i] = -fx[i];
    const SolveResult step = solver->solve(rhs);
    result.linear_iterations += step.iterations;
    result.operator_products += step.operator_products;
    if (step.reason == Reason::non_finite) return finish(Reason::non_finite);
    if (step.reason == Reason::breakdown) return finish(Reason::singular_jacobian);
    // F^T J s <= -||F|| (||F|| - ||F + J s||): a descent direction for ||F||^2 / 2 exactly when the
    // linear residual went down, converged or not (root_find's rule).
    const double slope = -f_norm * (f_norm - step.residual_norm);
    if (!(slope < 0)) return finish(Reason::not_descent);

    const double phi = 0.5 * f_norm * f_norm;
    double lambda = 1.0;
    bool accepted = false, any_finite = false;
    for (int trial = 0; trial <= (o.line_search ? o.max_backtracks : 0); ++trial) {
      for (std::size_t i = 0; i < n; ++i) x_trial[i] = result.x[i] + lambda * step.x[i];
      evaluate(x_trial, f_trial);
      ++result.function_evaluations;
      const double fn = global_norm2(p.comm, f_trial);
      if (!std::isfinite(fn)) {
        lambda *= 0.5;
        continue;
      }
      any_finite = true;
      const double phi_trial = 0.5 * fn * fn;
      if (!o.line_search || phi_trial <= phi + o.sufficient_decrease * lambda * slope) {
        accepted = true;
        break;
      }
      const double denominator = 2.0 * (phi_trial - phi - slope * lambda);
      const double quadratic = denominator > 0 ? -slope * lambda * lambda / denominator : 0.5 * lambda;
      lambda = std::clamp(quadratic, 0.1 * lambda, 0.5 * lambda);
    }
    if (!accepted) return finish(any_finite ? Reason::line_search_failed : Reason::non_finite);

    std::swap(result.x, x_trial);
    std::swap(fx, f_trial);
    f_norm_before = f_norm;
    f_norm = global_norm2(p.comm, fx);
    ++result.iterations;
    record(result.iterations);
    if (global_norm2(p.comm, result.x) > x_limit || (!o.line_search && f_norm > f_limit))
      return finish(Reason::diverged);
  }
}

Vector petsc_implicit_vjp(const DistributedRootProblem& p, const NewtonResult& root, ConstVectorView theta,
                          ConstVectorView x_bar, const PetscSolveOptions& linear) {
  if (!root.converged) {
    std::ostringstream s;
    s << "petsc_implicit_vjp: the Newton iteration did not converge (" << reason_name(root.reason) << " at iteration "
      << root.iterations << ", ||F(x)|| = " << root.residual_norm << "); the derivative would be that of a wrong point";
    throw NumericalError(s.str());
  }
  if (!p.jacobian_x || !p.theta_vjp)
    throw ArgumentError("petsc_implicit_vjp: problem.jacobian_x and problem.theta_vjp must be set");
  PetscMatrix j = to_petsc_matrix(p.jacobian_x(root.x, theta), p.comm);
  std::optional<PetscLinearSolver> solver;
  if (const auto kept = std::dynamic_pointer_cast<const PetscPreconditioner>(root.preconditioner)) {
    solver.emplace(kept->solver());  // shares the KSP and its set-up preconditioner
    solver->update_operator(std::move(j), true);
    solver->set_tolerances(linear.rtol, linear.atol);
  } else {
    solver.emplace(std::move(j), linear);
  }
  Vector rhs(x_bar.begin(), x_bar.end());
  for (double& v : rhs) v = -v;
  const SolveResult r = solver->solve_transpose(rhs);
  if (!r.converged) {
    std::ostringstream s;
    s << "petsc_implicit_vjp: the transposed solve F_x^T w = -x_bar did not converge (" << reason_name(r.reason)
      << " after " << r.iterations << " iterations, relative residual "
      << (r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm)
      << "); raise linear.max_iterations, loosen linear.rtol, or choose a stronger preconditioner";
    throw NumericalError(s.str());
  }
  return p.theta_vjp(root.x, theta, r.x);
}

}  // namespace frechet
