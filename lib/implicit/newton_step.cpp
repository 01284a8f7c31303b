#include "newton_step.hpp"

#include <cmath>
#include <optional>

#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/gmres.hpp"

namespace frechet::detail {
namespace {

class DenseLuStep final : public NewtonStepSolver {
public:
  explicit DenseLuStep(const NonlinearSystem& system) : system_(system) {}

  StepOutcome solve(const Vector& x, const Vector& fx, double, Vector& s) override {
    const DenseMatrix j = system_.jacobian(x);
    std::optional<LuFactorization> lu;
    try {
      lu.emplace(j);
    } catch (const NumericalError&) {  // an exactly zero pivot
      return {.reason = Reason::singular_jacobian};
    }
    s = lu->solve(fx);
    frechet::scale(-1.0, s);
    if (!frechet::all_finite(s)) return {.reason = Reason::singular_jacobian};
    // r = F + J s should be rounding noise; a solve that leaves half of F behind met a Jacobian
    // singular to working precision (the step is then dominated by the rounding errors).
    Vector r = fx;
    gemv(1.0, j, Transpose::no, s, 1.0, r);
    const double f2 = frechet::dot(fx, fx);
    if (!(frechet::norm2(r) <= 0.5 * std::sqrt(f2))) return {.reason = Reason::singular_jacobian};
    return {.reason = Reason::converged, .slope = -f2 + frechet::dot(fx, r)};
  }

private:
  const NonlinearSystem& system_;
};

class GmresStep final : public NewtonStepSolver {
public:
  GmresStep(const NonlinearSystem& system, const NewtonOptions& options) : system_(system), options_(options) {}

  StepOutcome solve(const Vector& x, const Vector& fx, double eta, Vector& s) override {
    const OperatorPtr j = system_.jacobian_operator(x);
    OperatorPtr m = options_.preconditioner;
    if (options_.preconditioner_update) m = options_.preconditioner_update(x);
    Vector b = fx;
    frechet::scale(-1.0, b);
    const SolveResult r = gmres(j, b, {.rtol = eta,
                                       .max_iterations = options_.max_linear_iterations,
                                       .preconditioner = m,
                                       .restart = options_.restart});
    StepOutcome out{.linear_iterations = r.iterations, .operator_products = r.operator_products};
    if (r.reason == Reason::non_finite) {
      out.reason = Reason::non_finite;
      return out;
    }
    if (r.reason == Reason::breakdown) {
      out.reason = Reason::singular_jacobian;
      return out;
    }
    s = r.x;
    // F^T J s = -||F||^2 + F^T (F + J s) <= -||F|| (||F|| - ||F + J s||): a descent direction for
    // ||F||^2 / 2 exactly when GMRES reduced the linear residual, converged or not.
    const double fn = frechet::norm2(fx);
    out.slope = -fn * (fn - r.residual_norm);
    out.reason = out.slope < 0 ? Reason::converged : Reason::not_descent;
    return out;
  }

private:
  const NonlinearSystem& system_;
  const NewtonOptions& options_;
};

}  // namespace

std::unique_ptr<NewtonStepSolver> make_dense_lu_step(const NonlinearSystem& system) {
  return std::make_unique<DenseLuStep>(system);
}

std::unique_ptr<NewtonStepSolver> make_gmres_step(const NonlinearSystem& system, const NewtonOptions& options) {
  return std::make_unique<GmresStep>(system, options);
}

}  // namespace frechet::detail
