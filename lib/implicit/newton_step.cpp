#include "newton_step.hpp"

#include <cmath>
#include <optional>

#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"

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
    last_preconditioner_ = m;
    s = r.x;
    // F^T J s = -||F||^2 + F^T (F + J s) <= -||F|| (||F|| - ||F + J s||): a descent direction for
    // ||F||^2 / 2 exactly when GMRES reduced the linear residual, converged or not.
    const double fn = frechet::norm2(fx);
    out.slope = -fn * (fn - r.residual_norm);
    out.reason = out.slope < 0 ? Reason::converged : Reason::not_descent;
    return out;
  }

  OperatorPtr preconditioner() const override { return last_preconditioner_; }

private:
  const NonlinearSystem& system_;
  const NewtonOptions& options_;
  OperatorPtr last_preconditioner_;
};

// What the sparse direct step needs of a factorization type, so that UMFPACK and CHOLMOD share one
// step: the reason a failed numeric factorization means, and the operator form of the kept factors.
template <class Factorization> struct SparseFactorizationTraits;
template <> struct SparseFactorizationTraits<SparseLuFactorization> {
  static constexpr Reason failure = Reason::singular_jacobian;
  static OperatorPtr inverse(std::shared_ptr<const SparseLuFactorization> f) { return sparse_lu_preconditioner(std::move(f)); }
};
template <> struct SparseFactorizationTraits<SparseCholeskyFactorization> {
  static constexpr Reason failure = Reason::indefinite;
  static OperatorPtr inverse(std::shared_ptr<const SparseCholeskyFactorization> f) {
    return sparse_cholesky_preconditioner(std::move(f));
  }
};

// The Jacobian by colouring (one JVP per colour and one to verify the pattern), factored with the
// analysis of the first iterate: a Newton iteration's Jacobians share their pattern, so every later
// step pays only the numeric factorization.
template <class Factorization> class SparseDirectStep final : public NewtonStepSolver {
public:
  SparseDirectStep(const NonlinearSystem& system, const CsrMatrix& pattern)
      : system_(system), pattern_(pattern), coloring_(column_coloring(pattern)) {}

  StepOutcome solve(const Vector& x, const Vector& fx, double, Vector& s) override {
    const CsrMatrix j = system_.sparse_jacobian(x, pattern_, coloring_);
    StepOutcome out{.operator_products = coloring_.color_count + 1};
    usable_ = false;
    try {
      if (factorization_) {
        factorization_->refactor(j);
      } else {
        factorization_ = std::make_shared<Factorization>(j);
      }
    } catch (const NumericalError&) {  // a zero pivot (LU) or a non-positive one (Cholesky)
      out.reason = SparseFactorizationTraits<Factorization>::failure;
      return out;
    }
    usable_ = true;
    factorization_->solve(fx, s);
    frechet::scale(-1.0, s);
    if (!frechet::all_finite(s)) {
      out.reason = Reason::singular_jacobian;
      return out;
    }
    // As for the dense LU: F + J s is rounding noise unless J is singular to working precision.
    Vector r = fx;
    j.apply_add(s, r);
    const double f2 = frechet::dot(fx, fx);
    if (!(frechet::norm2(r) <= 0.5 * std::sqrt(f2))) {
      out.reason = Reason::singular_jacobian;
      return out;
    }
    out.slope = -f2 + frechet::dot(fx, r);
    return out;
  }

  OperatorPtr preconditioner() const override {
    return usable_ ? SparseFactorizationTraits<Factorization>::inverse(factorization_) : nullptr;
  }

private:
  const NonlinearSystem& system_;
  const CsrMatrix& pattern_;
  const ColumnColoring coloring_;
  std::shared_ptr<Factorization> factorization_;
  bool usable_ = false;
};

}  // namespace

std::unique_ptr<NewtonStepSolver> make_step_solver(const NonlinearSystem& system, const NewtonOptions& options) {
  switch (options.linear_solver) {
    case NewtonLinearSolver::dense_lu:
      return std::make_unique<DenseLuStep>(system);
    case NewtonLinearSolver::gmres:
      return std::make_unique<GmresStep>(system, options);
    case NewtonLinearSolver::sparse_lu:
    case NewtonLinearSolver::sparse_cholesky:
      break;
  }
  const CsrMatrix& pattern = *options.jacobian_pattern;
  check_size("root_find: rows of jacobian_pattern (the size of x0)", system.size, pattern.rows());
  check_size("root_find: columns of jacobian_pattern (the size of x0)", system.size, pattern.cols());
  if (options.linear_solver == NewtonLinearSolver::sparse_lu)
    return std::make_unique<SparseDirectStep<SparseLuFactorization>>(system, pattern);
  return std::make_unique<SparseDirectStep<SparseCholeskyFactorization>>(system, pattern);
}

}  // namespace frechet::detail
