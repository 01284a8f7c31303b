#include "frechet/optim/newton.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "optimize_support.hpp"

namespace frechet {
namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();

/// The positive tau with ||z + tau d||_2 = radius, for ||z||_2 <= radius.
double to_boundary(ConstVectorView z, ConstVectorView d, double radius) {
  const double dd = dot(d, d);
  const double zd = dot(z, d);
  const double zz = dot(z, z);
  const double c = std::min(zz - radius * radius, 0.0);
  const double root = std::sqrt(zd * zd - dd * c);
  // The root of dd tau^2 + 2 zd tau + c = 0 that is >= 0, in the form that does not cancel.
  return zd >= 0.0 ? -c / (zd + root) : (root - zd) / dd;
}

/// Steihaug's CG for min g^T p + 1/2 p^T H p, ||p|| <= radius; writes p and H p, returns whether p
/// lies on the boundary. r, d and hd are scratch vectors of size n.
struct SteihaugScratch {
  explicit SteihaugScratch(std::size_t n) : r(n), d(n), hd(n), z(n) {}
  Vector r, d, hd, z;
};

bool steihaug(const detail::CountedObjective& f, ConstVectorView x, ConstVectorView g, double radius,
              double tolerance, int max_iterations, VectorView p, VectorView hp, SteihaugScratch& w) {
  fill(w.z, 0.0);
  copy(g, w.r);  // r = g + H z
  copy(g, w.d);
  scale(-1.0, w.d);
  double rr = dot(w.r, w.r);
  const auto finish = [&](double tau, bool boundary) {
    // p = z + tau d, H p = (r - g) + tau H d.
    copy(w.z, p);
    axpy(tau, w.d, p);
    copy(w.r, hp);
    axpy(-1.0, g, hp);
    if (tau != 0.0) axpy(tau, w.hd, hp);
    return boundary;
  };
  for (int j = 0; j < max_iterations; ++j) {
    f.hessian_vector(x, w.d, w.hd);
    const double curvature = dot(w.d, w.hd);
    if (!(curvature > 0.0)) return finish(to_boundary(w.z, w.d, radius), true);
    const double alpha = rr / curvature;
    // Would z + alpha d leave the region? ||z + alpha d|| >= radius.
    const double zd = dot(w.z, w.d);
    const double reach = dot(w.z, w.z) + 2.0 * alpha * zd + alpha * alpha * dot(w.d, w.d);
    if (reach >= radius * radius) return finish(to_boundary(w.z, w.d, radius), true);
    axpy(alpha, w.d, w.z);
    axpy(alpha, w.hd, w.r);
    const double rr_next = dot(w.r, w.r);
    if (std::sqrt(rr_next) <= tolerance) return finish(0.0, false);
    axpby(-1.0, w.r, rr_next / rr, w.d);
    rr = rr_next;
  }
  return finish(0.0, false);
}

/// The CHOLMOD factorization of newton's sparse Hessians: analysed (fill-reducing ordering and
/// symbolic factorization) at the first Hessian, and again only when the pattern changes; otherwise
/// each iteration repeats the numeric factorization alone.
class SparseNewtonSolver {
public:
  /// p = -H^{-1} g. Throws SparseCholeskyFactorization's errors (NumericalError when H is not
  /// positive definite).
  void solve(const CsrMatrix& h, ConstVectorView minus_g, VectorView p) {
    if (factorization_ && same_pattern(h)) {
      factorization_->refactor(h);
    } else {
      factorization_.emplace(h);
      offsets_.assign(h.row_offsets().begin(), h.row_offsets().end());
      columns_.assign(h.col_indices().begin(), h.col_indices().end());
    }
    factorization_->solve(minus_g, p);
  }

private:
  bool same_pattern(const CsrMatrix& h) const {
    return std::equal(offsets_.begin(), offsets_.end(), h.row_offsets().begin(), h.row_offsets().end()) &&
           std::equal(columns_.begin(), columns_.end(), h.col_indices().begin(), h.col_indices().end());
  }

  std::optional<SparseCholeskyFactorization> factorization_;
  std::vector<SparseIndex> offsets_;
  std::vector<SparseIndex> columns_;
};

}  // namespace

OptimizeResult newton(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  constexpr const char* method = "newton";
  detail::check_optimize_options(method, options, detail::OptionField::line_search | detail::OptionField::newton_solve);
  if (!objective.value_and_gradient) throw ArgumentError("newton: the objective has no value_and_gradient");
  const NewtonSolve solve_kind = options.newton_solve;
  if (solve_kind == NewtonSolve::cholesky && !objective.hessian)
    throw ArgumentError("newton: newton_solve = cholesky needs Objective::hessian");
  if (solve_kind == NewtonSolve::sparse_cholesky && !objective.sparse_hessian)
    throw ArgumentError("newton: newton_solve = sparse_cholesky needs Objective::sparse_hessian");
  if (solve_kind == NewtonSolve::cg && !objective.hessian_vector)
    throw ArgumentError("newton: newton_solve = cg needs Objective::hessian_vector");
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, 200);
  OptimizeResult& r = run.result();
  const detail::CountedObjective f(objective, r);
  if (auto done = run.start_at_x0(f)) return *std::move(done);

  detail::DirectionSearch search(run, f);
  Vector minus_g(n);
  Vector p(n);
  SparseNewtonSolver sparse;
  // The dense and the sparse Cholesky step end the run alike on a non-finite or indefinite Hessian.
  const auto non_finite_hessian = [&] {
    return run.finish(Reason::non_finite,
                      detail::failure_message(method, Reason::non_finite, "the Hessian is not finite", r.iterations));
  };
  const auto indefinite_hessian = [&](const NumericalError& e) {
    return run.finish(Reason::indefinite,
                      detail::failure_message(method, Reason::indefinite,
                                              std::string("the Hessian is not positive definite (") + e.what() +
                                                  "); use newton_cg or bfgs",
                                              r.iterations));
  };
  while (r.iterations < run.max_iterations()) {
    copy(r.gradient, minus_g);
    scale(-1.0, minus_g);
    if (solve_kind == NewtonSolve::cholesky) {
      DenseMatrix h = f.hessian(r.x);
      if (!all_finite(h.values())) return non_finite_hessian();
      try {
        const CholeskyFactorization cholesky(std::move(h));
        p = cholesky.solve(minus_g);
      } catch (const NumericalError& e) {
        return indefinite_hessian(e);
      }
    } else if (solve_kind == NewtonSolve::sparse_cholesky) {
      const CsrMatrix h = f.sparse_hessian(r.x);
      if (!all_finite(h.values())) return non_finite_hessian();
      try {
        sparse.solve(h, minus_g, p);
      } catch (const NumericalError& e) {
        return indefinite_hessian(e);
      }
    } else {
      const OperatorPtr h = detail::hessian_vector_operator(f, r.x);
      const double eta = std::min(0.5, std::sqrt(r.gradient_norm));
      SolveResult solve = cg(*h, minus_g, {.rtol = eta, .max_iterations = std::max<int>(2 * static_cast<int>(n), 10)});
      if (solve.reason == Reason::indefinite || solve.reason == Reason::non_finite)
        return run.finish(solve.reason, detail::failure_message(method, solve.reason,
                                                                "CG on the Hessian ended with " +
                                                                    reason_name(solve.reason) +
                                                                    "; use newton_cg or bfgs",
                                                                r.iterations));
      p = std::move(solve.x);
    }
    const double slope = dot(r.gradient, p);
    r.newton_decrement_squared = -slope;
    if (!(slope < 0.0))
      return run.finish(Reason::not_descent, detail::failure_message(method, Reason::not_descent,
                                                                     "the Newton step is not a descent direction",
                                                                     r.iterations));
    const double x_norm = norm2(r.x);
    const double value = r.value;
    const LineSearchResult ls = search.search(p, slope, 1.0);
    if (ls.point.step > 0.0) ++r.iterations;
    if (!ls.converged)
      return run.finish(ls.reason, detail::failure_message(method, ls.reason,
                                                           "the line search along the Newton step ended after " +
                                                               std::to_string(ls.evaluations) + " evaluations",
                                                           r.iterations));
    if (!std::isfinite(r.value) || !all_finite(r.gradient))
      return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                    "f or its gradient is not finite", r.iterations));
    if (run.accept(ls.point.step * norm2(p), x_norm, value)) return run.finish(Reason::converged);
  }
  return run.finish(Reason::max_iterations);
}

OptimizeResult newton_cg(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  constexpr const char* method = "newton_cg";
  detail::check_optimize_options(method, options, static_cast<unsigned>(detail::OptionField::initial_radius));
  if (!objective.value_and_gradient) throw ArgumentError("newton_cg: the objective has no value_and_gradient");
  if (!objective.hessian_vector) throw ArgumentError("newton_cg: the objective has no hessian_vector");
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, 500);
  OptimizeResult& r = run.result();
  const detail::CountedObjective f(objective, r);
  if (auto done = run.start_at_x0(f)) return *std::move(done);

  double radius = options.initial_radius.value_or(std::max(1.0, norm2(r.x)));
  const double max_radius = 1e10 * radius;
  SteihaugScratch scratch(n);
  Vector p(n);
  Vector hp(n);
  Vector trial(n);
  Vector trial_gradient(n);
  const int cg_iterations = std::max(2 * static_cast<int>(n), 10);
  while (r.iterations < run.max_iterations()) {
    const double tolerance = std::min(0.5, std::sqrt(r.gradient_norm)) * r.gradient_norm;
    const bool boundary = steihaug(f, r.x, r.gradient, radius, tolerance, cg_iterations, p, hp, scratch);
    ++r.iterations;
    const double predicted = -(dot(r.gradient, p) + 0.5 * dot(p, hp));
    copy(r.x, trial);
    axpy(1.0, p, trial);
    // f and grad f together: the gradient is needed when the step is accepted, which is the common case.
    const double trial_value = f.value_and_gradient(trial, trial_gradient);
    const double actual = r.value - trial_value;
    const double rho = std::isfinite(trial_value) && predicted > 0.0 ? actual / predicted : -1.0;
    const double step_norm = norm2(p);
    if (rho < 0.25) {
      radius = 0.25 * std::min(radius, step_norm);
    } else if (rho > 0.75 && boundary) {
      radius = std::min(2.0 * radius, max_radius);
    }
    if (rho > 0.1) {
      const double x_norm = norm2(r.x);
      const double value = r.value;
      copy(trial, r.x);
      copy(trial_gradient, r.gradient);
      r.value = trial_value;
      r.gradient_norm = norm2(r.gradient);
      if (!std::isfinite(r.value) || !all_finite(r.gradient))
        return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                      "the gradient is not finite", r.iterations));
      if (run.accept(step_norm, x_norm, value)) return run.finish(Reason::converged);
    } else if (radius <= epsilon * std::max(1.0, norm2(r.x))) {
      return run.finish(Reason::step_too_small,
                        detail::failure_message(method, Reason::step_too_small,
                                                "the trust radius fell to " + std::to_string(radius) +
                                                    " with ||grad f|| = " + std::to_string(r.gradient_norm),
                                                r.iterations));
    }
  }
  return run.finish(Reason::max_iterations);
}

}  // namespace frechet
