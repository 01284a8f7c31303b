#include "frechet/optim/least_squares.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/lsmr.hpp"
#include "optimize_support.hpp"

namespace frechet {
namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// Calls of a LeastSquaresObjective with their shapes checked: m fixed by the first call.
class Residuals {
public:
  Residuals(const char* method, const LeastSquaresObjective& objective, std::size_t n)
      : method_(method), objective_(objective), n_(n) {}

  void residuals(ConstVectorView x, Vector& r) {
    objective_.residuals(x, r);
    if (m_ == 0) {
      if (r.empty()) throw ShapeError(std::string(method_) + ": r(x) must have at least one entry, got 0");
      m_ = r.size();
    }
    if (r.size() != m_) check_size((std::string(method_) + ": size of r(x)").c_str(), m_, r.size());
  }
  DenseMatrix jacobian(ConstVectorView x) const {
    DenseMatrix j = objective_.jacobian(x);
    if (j.rows() != m_ || j.cols() != n_)
      throw ShapeError(std::string(method_) + ": the Jacobian must be " + std::to_string(m_) + " x " +
                       std::to_string(n_) + ", got " + std::to_string(j.rows()) + " x " + std::to_string(j.cols()));
    return j;
  }
  OperatorPtr jacobian_operator(ConstVectorView x) const {
    OperatorPtr j = objective_.jacobian_operator(x);
    if (!j || j->rows() != m_ || j->cols() != n_)
      throw ShapeError(std::string(method_) + ": the Jacobian operator must be " + std::to_string(m_) + " x " +
                       std::to_string(n_));
    return j;
  }
  std::size_t m() const { return m_; }

private:
  const char* method_;
  const LeastSquaresObjective& objective_;
  std::size_t n_;
  std::size_t m_ = 0;
};

/// g = J^T r for the dense J.
void transpose_product(const DenseMatrix& j, ConstVectorView r, VectorView g) {
  for (std::size_t c = 0; c < j.cols(); ++c) g[c] = dot(j.col(c), r);
}

/// y = J p for the dense J.
void product(const DenseMatrix& j, ConstVectorView p, VectorView y) {
  fill(y, 0.0);
  for (std::size_t c = 0; c < j.cols(); ++c) axpy(p[c], j.col(c), y);
}

double half_squared_norm(ConstVectorView r) { return 0.5 * dot(r, r); }

/// ||D v||_2 for the diagonal D = diag(d).
double scaled_norm(ConstVectorView d, ConstVectorView v) {
  double sum = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) sum += (d[i] * v[i]) * (d[i] * v[i]);
  return std::sqrt(sum);
}

void check_fields(const char* method, const LeastSquaresObjective& objective, bool dense) {
  if (!objective.residuals) throw ArgumentError(std::string(method) + ": the objective has no residuals");
  if (dense && !objective.jacobian)
    throw ArgumentError(std::string(method) + ": least_squares_solve = dense needs LeastSquaresObjective::jacobian");
  if (!dense && !objective.jacobian_operator)
    throw ArgumentError(std::string(method) +
                        ": least_squares_solve = lsmr needs LeastSquaresObjective::jacobian_operator");
}

}  // namespace

OptimizeResult gauss_newton(const LeastSquaresObjective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  constexpr const char* method = "gauss_newton";
  detail::check_optimize_options(method, options,
                                 detail::OptionField::line_search | detail::OptionField::least_squares_solve);
  const bool dense = options.least_squares_solve == LeastSquaresSolve::dense;
  check_fields(method, objective, dense);
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, 200);
  OptimizeResult& result = run.result();
  Residuals calls(method, objective, n);

  // f = 1/2 ||r||^2 and grad f = J^T r as an Objective, so the line searches apply unchanged; it
  // keeps r and J (or the operator) of its last gradient evaluation for the next step.
  Vector r;
  Vector r_scratch;
  Vector r_at;  // where r and J were evaluated
  DenseMatrix j;
  OperatorPtr j_operator;
  int products = 0;
  Objective f_objective;
  f_objective.value_and_gradient = [&](ConstVectorView x, VectorView g) {
    calls.residuals(x, r);
    r_at.assign(x.begin(), x.end());
    if (!all_finite(r)) {
      fill(g, not_a_number);
      return not_a_number;
    }
    if (dense) {
      j = calls.jacobian(x);
      transpose_product(j, r, g);
    } else {
      j_operator = calls.jacobian_operator(x);
      j_operator->apply_adjoint(r, g);
      ++products;
    }
    return half_squared_norm(r);
  };
  f_objective.value = [&](ConstVectorView x) {
    calls.residuals(x, r_scratch);
    return all_finite(r_scratch) ? half_squared_norm(r_scratch) : not_a_number;
  };
  const detail::CountedObjective f(f_objective, result);
  const auto done = [&](Reason reason, const std::string& message = {}) {
    result.operator_products = products;
    return run.finish(reason, message);
  };

  result.value = f.value_and_gradient(result.x, result.gradient);
  if (dense && calls.m() < n)
    throw ShapeError("gauss_newton: the dense step needs m >= n residuals, got m = " + std::to_string(calls.m()) +
                     " < n = " + std::to_string(n) + "; use levenberg_marquardt");
  if (!std::isfinite(result.value) || !all_finite(result.gradient))
    return done(Reason::non_finite,
                detail::failure_message(method, Reason::non_finite, "r or its Jacobian is not finite at x0", 0));
  if (run.start()) return done(Reason::converged);

  detail::DirectionSearch search(run, f);
  Vector minus_r(calls.m());
  Vector p(n);
  while (result.iterations < run.max_iterations()) {
    if (!std::equal(r_at.begin(), r_at.end(), result.x.begin())) f.value_and_gradient(result.x, result.gradient);
    copy(r, minus_r);
    scale(-1.0, minus_r);
    if (dense) {
      try {
        const QrFactorization qr(j);
        p = qr.solve_least_squares(minus_r);
      } catch (const NumericalError& e) {
        return done(Reason::breakdown,
                    detail::failure_message(method, Reason::breakdown,
                                            std::string("the Jacobian is rank-deficient (") + e.what() +
                                                "); use levenberg_marquardt",
                                            result.iterations));
      }
    } else {
      SolveResult solve = lsmr(*j_operator, minus_r, {.rtol = 1e-10});
      products += solve.operator_products;
      if (solve.reason == Reason::non_finite)
        return done(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                "LSMR on the Jacobian met a non-finite product",
                                                                result.iterations));
      p = std::move(solve.x);
    }
    const double slope = dot(result.gradient, p);
    if (!(slope < 0.0))
      return done(Reason::not_descent, detail::failure_message(method, Reason::not_descent,
                                                               "the Gauss-Newton step is not a descent direction",
                                                               result.iterations));
    const double x_norm = norm2(result.x);
    const double value = result.value;
    const LineSearchResult ls = search.search(p, slope, 1.0);
    if (ls.point.step > 0.0) ++result.iterations;
    if (!ls.converged)
      return done(ls.reason, detail::failure_message(method, ls.reason,
                                                     "the line search along the Gauss-Newton step ended after " +
                                                         std::to_string(ls.evaluations) + " evaluations",
                                                     result.iterations));
    if (!std::isfinite(result.value) || !all_finite(result.gradient))
      return done(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                              "r or its Jacobian is not finite", result.iterations));
    if (run.accept(ls.point.step * norm2(p), x_norm, value)) return done(Reason::converged);
  }
  return done(Reason::max_iterations);
}

OptimizeResult levenberg_marquardt(const LeastSquaresObjective& objective, ConstVectorView x0,
                                   const OptimizeOptions& options) {
  constexpr const char* method = "levenberg_marquardt";
  detail::check_optimize_options(method, options,
                                 detail::OptionField::least_squares_solve | detail::OptionField::initial_radius);
  const bool dense = options.least_squares_solve == LeastSquaresSolve::dense;
  check_fields(method, objective, dense);
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, 500);
  OptimizeResult& result = run.result();
  Residuals calls(method, objective, n);
  Vector r;
  Vector trial_r;
  DenseMatrix j;
  OperatorPtr j_operator;
  // Moré's scaling (MINPACK's lmder, mode 1): d_c is the largest norm of column c of J met so far
  // (1 for a column that starts at zero), and the trust region bounds ||D p||, so that the steps
  // do not depend on the units of the variables.
  Vector d(dense ? n : 0, 0.0);
  // The residuals and the Jacobian at x, counted as function and gradient evaluations.
  const auto evaluate_jacobian = [&] {
    ++result.gradient_evaluations;
    if (dense) {
      j = calls.jacobian(result.x);
      transpose_product(j, r, result.gradient);
      for (std::size_t c = 0; c < n; ++c) {
        const double column = norm2(j.col(c));
        d[c] = d[c] == 0.0 ? (column == 0.0 ? 1.0 : column) : std::max(d[c], column);
      }
    } else {
      j_operator = calls.jacobian_operator(result.x);
      j_operator->apply_adjoint(r, result.gradient);
      ++result.operator_products;
    }
    result.gradient_norm = norm2(result.gradient);
  };
  ++result.function_evaluations;
  calls.residuals(result.x, r);
  result.value = all_finite(r) ? half_squared_norm(r) : not_a_number;
  if (std::isfinite(result.value)) evaluate_jacobian();
  if (!std::isfinite(result.value) || !all_finite(result.gradient))
    return run.finish(Reason::non_finite,
                      detail::failure_message(method, Reason::non_finite, "r or its Jacobian is not finite at x0", 0));
  if (run.start()) return run.finish(Reason::converged);

  const std::size_t m = calls.m();
  Vector p(n);
  Vector jp(m);
  Vector trial(n);
  Vector minus_r(m);
  const double dx0_norm = dense ? scaled_norm(d, result.x) : 0.0;
  double radius = options.initial_radius.value_or(dense ? (dx0_norm > 0.0 ? 100.0 * dx0_norm : 100.0) : 1e3);
  double lambda = dense ? 0.0 : 1.0 / radius;
  double nu = 2.0;
  DenseMatrix normal(n, n);
  Vector ddp(dense ? n : 0);  // D^2 p
  while (result.iterations < run.max_iterations()) {
    const ConstVectorView g = result.gradient;
    if (dense) {
      // Moré's step (MINPACK's lmpar, with Cholesky of J^T J + lambda D^2 in place of QR): lambda = 0
      // if the Gauss-Newton step fits in the region, else the lambda with ||D p(lambda)|| = radius
      // within 10 percent, by Newton's method on 1/||D p(lambda)|| - 1/radius, whose step is
      // (phi / radius) ||D p||^2 / (D^2 p)^T (J^T J + lambda D^2)^{-1} D^2 p with phi = ||D p|| -
      // radius, kept inside the bracket [low, high] that contains it.
      for (std::size_t c = 0; c < n; ++c)
        for (std::size_t i = 0; i <= c; ++i) normal(i, c) = normal(c, i) = dot(j.col(i), j.col(c));
      const auto newton_step = [&](const CholeskyFactorization& cholesky, double dp_norm, double phi) {
        for (std::size_t i = 0; i < n; ++i) ddp[i] = d[i] * d[i] * p[i];
        const Vector w = cholesky.solve(ddp);
        return (phi / radius) * dp_norm * dp_norm / dot(ddp, w);
      };
      double low = 0.0;
      double high = 0.0;  // ||D^{-1} g|| / radius
      for (std::size_t i = 0; i < n; ++i) high += (g[i] / d[i]) * (g[i] / d[i]);
      high = std::sqrt(high) / radius;
      bool fits = false;
      try {
        const CholeskyFactorization cholesky(normal);
        p = cholesky.solve(g);
        scale(-1.0, p);
        const double dp_norm = scaled_norm(d, p);
        if (all_finite(p) && dp_norm <= 1.1 * radius) {
          fits = true;
          lambda = 0.0;
        } else if (all_finite(p)) {
          low = newton_step(cholesky, dp_norm, dp_norm - radius);  // a lower bound when J has full rank
        }
      } catch (const NumericalError&) {
        // J^T J is singular: lambda > 0 is needed.
      }
      for (int k = 0; !fits && k < 10; ++k) {
        if (lambda <= low || lambda >= high) lambda = std::max(1e-3 * high, std::sqrt(low * high));
        DenseMatrix shifted = normal;
        for (std::size_t i = 0; i < n; ++i) shifted(i, i) += lambda * d[i] * d[i];
        try {
          const CholeskyFactorization cholesky(std::move(shifted));
          p = cholesky.solve(g);
          scale(-1.0, p);
          const double dp_norm = scaled_norm(d, p);
          const double phi = dp_norm - radius;
          if (std::abs(phi) <= 0.1 * radius) break;
          if (phi > 0.0) low = std::max(low, lambda);
          if (phi < 0.0) high = std::min(high, lambda);
          lambda = std::max(low, lambda + newton_step(cholesky, dp_norm, phi));
        } catch (const NumericalError&) {
          low = lambda;  // rounding made J^T J + lambda D^2 indefinite: lambda was too small
        }
      }
      product(j, p, jp);
    } else {
      copy(r, minus_r);
      scale(-1.0, minus_r);
      SolveResult solve = lsmr(*j_operator, minus_r, {.rtol = 1e-10, .damping = std::sqrt(lambda)});
      result.operator_products += solve.operator_products;
      p = std::move(solve.x);
      j_operator->apply(p, jp);
      ++result.operator_products;
    }
    ++result.iterations;
    // Predicted reduction of the Gauss-Newton model, 1/2 ||r||^2 - 1/2 ||r + J p||^2.
    const double predicted = -(dot(g, p) + 0.5 * dot(jp, jp));
    copy(result.x, trial);
    axpy(1.0, p, trial);
    ++result.function_evaluations;
    calls.residuals(trial, trial_r);
    const double trial_value = all_finite(trial_r) ? half_squared_norm(trial_r) : not_a_number;
    const double actual = result.value - trial_value;
    const double rho = std::isfinite(trial_value) && predicted > 0.0 ? actual / predicted : -1.0;
    const double p_norm = norm2(p);
    if (dense) {
      // MINPACK's lmdif/lmder update of the radius, on the scaled step: the first radius shrinks to
      // the first step; on a poor step the factor mu = 1/2, or when f increased the minimiser of the
      // quadratic through f, its slope g^T p and the trial value (at most 1/2, at least 1/10).
      const double dp_norm = scaled_norm(d, p);
      if (result.iterations == 1) radius = std::min(radius, dp_norm);
      if (rho < 0.25) {
        const double slope = dot(g, p);
        double mu = std::isfinite(actual) && actual >= 0.0 ? 0.5 : 0.5 * slope / (slope + actual);
        if (!std::isfinite(trial_value) || trial_value >= 100.0 * result.value || !(mu >= 0.1)) mu = 0.1;
        radius = mu * std::min(radius, 10.0 * dp_norm);
        lambda /= mu;
      } else if (lambda == 0.0 || rho >= 0.75) {
        radius = 2.0 * dp_norm;
        lambda *= 0.5;
      }
    }
    if (rho > 1e-4) {
      const double x_norm = norm2(result.x);
      const double value = result.value;
      copy(trial, result.x);
      std::swap(r, trial_r);
      result.value = trial_value;
      evaluate_jacobian();
      if (!all_finite(result.gradient))
        return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                      "the Jacobian is not finite", result.iterations));
      if (!dense) {
        lambda *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
        nu = 2.0;
      }
      if (run.accept(p_norm, x_norm, value)) return run.finish(Reason::converged);
    } else if (!dense) {
      lambda *= nu;
      nu *= 2.0;
      if (lambda > 1.0 / epsilon)
        return run.finish(Reason::step_too_small,
                          detail::failure_message(method, Reason::step_too_small,
                                                  "the damping grew to " + std::to_string(lambda), result.iterations));
    } else if (radius <= epsilon * scaled_norm(d, result.x)) {
      return run.finish(Reason::step_too_small,
                        detail::failure_message(method, Reason::step_too_small,
                                                "the trust radius fell to " + std::to_string(radius),
                                                result.iterations));
    }
  }
  return run.finish(Reason::max_iterations);
}

}  // namespace frechet
