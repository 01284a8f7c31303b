#include "optimize_support.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

bool uses(unsigned used, OptionField field) { return (used & static_cast<unsigned>(field)) != 0; }

void refuse(const char* method, const char* field, const char* users) {
  throw ArgumentError(std::string(method) + ": option " + field + " is not used by this method (only by " + users +
                      "); leave it at its default");
}

bool default_line_search(const OptimizeOptions& options) {
  const LineSearchOptions defaults{};
  const LineSearchOptions& o = options.line_search_options;
  return options.line_search == LineSearchKind::strong_wolfe && o.c1 == defaults.c1 && o.c2 == defaults.c2 &&
         o.max_evaluations == defaults.max_evaluations && o.shrink == defaults.shrink;
}

class HessianVectorOperator final : public LinearOperator {
public:
  HessianVectorOperator(const CountedObjective& objective, ConstVectorView x)
      : LinearOperator(x.size(), x.size(), {.symmetric = true}), objective_(objective), x_(x.begin(), x.end()) {}

private:
  void apply_impl(ConstVectorView v, VectorView y) const override { objective_.hessian_vector(x_, v, y); }
  void apply_adjoint_impl(ConstVectorView v, VectorView y) const override { apply_impl(v, y); }

  const CountedObjective& objective_;
  Vector x_;
};

}  // namespace

void check_optimize_options(const char* method, const OptimizeOptions& options, unsigned used) {
  const std::string m = method;
  if (!std::isfinite(options.rtol) || options.rtol < 0.0)
    throw ArgumentError(m + ": rtol must be finite and >= 0, got " + std::to_string(options.rtol));
  if (!std::isfinite(options.atol) || options.atol < 0.0)
    throw ArgumentError(m + ": atol must be finite and >= 0, got " + std::to_string(options.atol));
  if (options.rtol == 0.0 && options.atol == 0.0) throw ArgumentError(m + ": rtol and atol are both 0; set one > 0");
  if (options.max_iterations && *options.max_iterations < 0)
    throw ArgumentError(m + ": max_iterations must be >= 0, got " + std::to_string(*options.max_iterations));
  if (options.stopping_rule == StoppingRule::distance_to_solution && !options.solution)
    throw ArgumentError(m + ": stopping_rule = distance_to_solution needs solution (the known minimiser x*)");
  if (options.solution) {
    if (options.stopping_rule != StoppingRule::distance_to_solution)
      throw ArgumentError(m + ": option solution is used only by stopping_rule = distance_to_solution; leave it unset");
    check_finite((m + ": solution").c_str(), *options.solution);
  }
  if (options.step_size) {
    if (!uses(used, OptionField::step_size)) refuse(method, "step_size", "gradient_descent");
    if (!(*options.step_size > 0.0) || !std::isfinite(*options.step_size))
      throw ArgumentError(m + ": step_size must be finite and > 0, got " + std::to_string(*options.step_size));
  }
  if (options.line_search == LineSearchKind::fixed && !uses(used, OptionField::step_size))
    throw ArgumentError(m + ": line_search = fixed is for gradient_descent only");
  if (options.line_search == LineSearchKind::fixed && !options.step_size)
    throw ArgumentError(m + ": line_search = fixed needs step_size (> 0)");
  if (options.preconditioner && !uses(used, OptionField::preconditioner))
    refuse(method, "preconditioner", "gradient_descent");
  if (options.memory != OptimizeOptions{}.memory) {
    if (!uses(used, OptionField::memory)) refuse(method, "memory", "lbfgs");
    if (options.memory < 1) throw ArgumentError(m + ": memory must be >= 1, got " + std::to_string(options.memory));
  }
  if (options.newton_solve != NewtonSolve::cholesky && !uses(used, OptionField::newton_solve))
    refuse(method, "newton_solve", "newton");
  if (options.least_squares_solve != LeastSquaresSolve::dense && !uses(used, OptionField::least_squares_solve))
    refuse(method, "least_squares_solve", "gauss_newton, levenberg_marquardt");
  if (options.initial_radius) {
    if (!uses(used, OptionField::initial_radius)) refuse(method, "initial_radius", "newton_cg, levenberg_marquardt");
    if (!(*options.initial_radius > 0.0) || !std::isfinite(*options.initial_radius))
      throw ArgumentError(m + ": initial_radius must be finite and > 0, got " + std::to_string(*options.initial_radius));
  }
  if (!default_line_search(options) && !uses(used, OptionField::line_search))
    refuse(method, "line_search / line_search_options", "gradient_descent, bfgs, lbfgs, newton, gauss_newton");
}

void check_start(const char* method, ConstVectorView x0) {
  if (x0.empty()) throw ShapeError(std::string(method) + ": x0 must have at least one entry, got 0");
  check_finite((std::string(method) + ": x0").c_str(), x0);
}

double CountedObjective::value_and_gradient(ConstVectorView x, VectorView gradient) const {
  ++counts_.function_evaluations;
  ++counts_.gradient_evaluations;
  return objective_.value_and_gradient(x, gradient);
}

double CountedObjective::value(ConstVectorView x, VectorView scratch) const {
  if (!objective_.value) return value_and_gradient(x, scratch);
  ++counts_.function_evaluations;
  return objective_.value(x);
}

void CountedObjective::hessian_vector(ConstVectorView x, ConstVectorView v, VectorView product) const {
  ++counts_.hessian_vector_products;
  objective_.hessian_vector(x, v, product);
}

DenseMatrix CountedObjective::hessian(ConstVectorView x) const {
  ++counts_.hessian_evaluations;
  DenseMatrix h = objective_.hessian(x);
  if (h.rows() != x.size() || h.cols() != x.size())
    throw ShapeError("objective: the Hessian must be " + std::to_string(x.size()) + " x " + std::to_string(x.size()) +
                     ", got " + std::to_string(h.rows()) + " x " + std::to_string(h.cols()));
  return h;
}

CsrMatrix CountedObjective::sparse_hessian(ConstVectorView x) const {
  ++counts_.hessian_evaluations;
  CsrMatrix h = objective_.sparse_hessian(x);
  if (h.rows() != x.size() || h.cols() != x.size())
    throw ShapeError("objective: the sparse Hessian must be " + std::to_string(x.size()) + " x " +
                     std::to_string(x.size()) + ", got " + std::to_string(h.rows()) + " x " + std::to_string(h.cols()));
  return h;
}

OptimizeRun::OptimizeRun(const char* method, const OptimizeOptions& options, ConstVectorView x0,
                         int default_max_iterations)
    : method_(method), options_(options), max_iterations_(options.max_iterations.value_or(default_max_iterations)) {
  check_start(method, x0);
  if (options.solution) check_size((std::string(method) + ": size of solution (the size of x0)").c_str(), x0.size(),
                                   options.solution->size());
  result_.x.assign(x0.begin(), x0.end());
  result_.gradient.assign(x0.size(), 0.0);
}

void OptimizeRun::record(double step_norm) {
  if (options_.record_history) {
    result_.value_history.push_back(result_.value);
    result_.gradient_norm_history.push_back(result_.gradient_norm);
    result_.step_history.push_back(step_norm);
  }
  if (options_.record_path) result_.path.push_back(result_.x);
  if (options_.monitor)
    options_.monitor(IterationReport{result_.iterations, result_.value, result_.gradient_norm, step_norm});
}

bool OptimizeRun::gradient_small() const {
  return result_.gradient_norm == 0.0 ||
         (options_.stopping_rule == StoppingRule::gradient_norm &&
          result_.gradient_norm <= std::max(options_.rtol * gradient_scale_, options_.atol));
}

bool OptimizeRun::solution_reached() const {
  if (options_.stopping_rule != StoppingRule::distance_to_solution) return false;
  const Vector& solution = *options_.solution;
  double squares = 0.0;
  for (std::size_t i = 0; i < solution.size(); ++i) {
    const double e = result_.x[i] - solution[i];
    squares += e * e;
  }
  return std::sqrt(squares) <= std::max(options_.rtol * norm2(solution), options_.atol);
}

bool OptimizeRun::start() {
  result_.gradient_norm = norm2(result_.gradient);
  gradient_scale_ = result_.gradient_norm;
  record(0.0);
  return gradient_small() || solution_reached();
}

std::optional<OptimizeResult> OptimizeRun::start_at_x0(const CountedObjective& objective) {
  result_.value = objective.value_and_gradient(result_.x, result_.gradient);
  if (!std::isfinite(result_.value) || !all_finite(result_.gradient))
    return finish(Reason::non_finite,
                  failure_message(method_, Reason::non_finite, "f or its gradient is not finite at x0", 0));
  if (start()) return finish(Reason::converged);
  return std::nullopt;
}

bool OptimizeRun::accept(double step_norm, double previous_x_norm, double previous_value) {
  record(step_norm);
  switch (options_.stopping_rule) {
    case StoppingRule::gradient_norm:
      return gradient_small();
    case StoppingRule::step_norm:
      return result_.gradient_norm == 0.0 || step_norm <= std::max(options_.rtol * previous_x_norm, options_.atol);
    case StoppingRule::value_change:
      return result_.gradient_norm == 0.0 ||
             std::abs(previous_value - result_.value) <= std::max(options_.rtol * std::abs(previous_value), options_.atol);
    case StoppingRule::distance_to_solution:
      return result_.gradient_norm == 0.0 || solution_reached();
  }
  return false;
}

OptimizeResult OptimizeRun::finish(Reason reason, const std::string& message) {
  result_.reason = reason;
  result_.converged = reason == Reason::converged;
  result_.message = message;
  if (reason == Reason::max_iterations && message.empty())
    result_.message = failure_message(method_, reason, "the stopping rule still did not hold", result_.iterations);
  return std::move(result_);
}

DirectionSearch::DirectionSearch(OptimizeRun& run, const CountedObjective& objective)
    : run_(run), objective_(objective), trial_(run.result().x.size()), trial_gradient_(run.result().x.size()) {
  // Built once: a lambda capturing only `this` fits std::function's small buffer, so the searches
  // of later iterations allocate nothing.
  phi_ = [this](double step, bool with_slope) {
    const Vector& x = run_.result().x;
    for (std::size_t i = 0; i < x.size(); ++i) trial_[i] = x[i] + step * direction_[i];
    LinePoint p{step, 0.0, std::numeric_limits<double>::quiet_NaN()};
    if (with_slope || !objective_.has_value()) {
      p.value = objective_.value_and_gradient(trial_, trial_gradient_);
      // phi' and ||g||^2 (the next iterate's gradient norm, if this step is accepted) in one pass.
      double slope = 0.0;
      double squares = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        slope += trial_gradient_[i] * direction_[i];
        squares += trial_gradient_[i] * trial_gradient_[i];
      }
      p.slope = slope;
      gradient_squares_ = squares;
      gradient_step_ = step;
    } else {
      p.value = objective_.value(trial_, trial_gradient_);
      gradient_step_ = std::numeric_limits<double>::quiet_NaN();
    }
    return p;
  };
}

LineSearchResult DirectionSearch::search(ConstVectorView d, double slope, double initial_step) {
  OptimizeResult& r = run_.result();
  direction_ = d;
  gradient_step_ = std::numeric_limits<double>::quiet_NaN();
  const LinePoint start{0.0, r.value, slope};
  const OptimizeOptions& options = run_.options();
  LineSearchResult ls;
  switch (options.line_search) {
    case LineSearchKind::strong_wolfe:
      ls = strong_wolfe_line_search(phi_, start, initial_step, options.line_search_options);
      break;
    case LineSearchKind::backtracking:
      ls = backtracking_line_search(phi_, start, initial_step, options.line_search_options);
      break;
    case LineSearchKind::fixed: {
      if (slope >= 0.0) {
        ls.point = start;
        ls.reason = Reason::not_descent;
        break;
      }
      const LinePoint p = phi_(initial_step, true);
      ls.evaluations = 1;
      const bool ok = std::isfinite(p.value) && std::isfinite(p.slope);
      ls.point = ok ? p : start;
      ls.reason = ok ? Reason::converged : Reason::non_finite;
      ls.converged = ok;
      break;
    }
  }
  const double step = ls.point.step;
  if (step > 0.0) {
    if (gradient_step_ == step) {
      // The last trial: its point and gradient become the iterate's.
      std::swap(r.x, trial_);
      std::swap(r.gradient, trial_gradient_);
      r.value = ls.point.value;
      // The plain sum of squares unless it may have over- or underflowed (norm2 scales then).
      r.gradient_norm = gradient_squares_ > 1e-280 && gradient_squares_ < 1e280 ? std::sqrt(gradient_squares_)
                                                                                 : norm2(r.gradient);
    } else {
      axpy(step, d, VectorView(r.x));
      std::swap(r.gradient, trial_gradient_);
      r.value = objective_.value_and_gradient(r.x, r.gradient);
      r.gradient_norm = norm2(r.gradient);
    }
    gradient_step_ = std::numeric_limits<double>::quiet_NaN();
  }
  return ls;
}

OperatorPtr hessian_vector_operator(const CountedObjective& objective, ConstVectorView x) {
  return std::make_shared<HessianVectorOperator>(objective, x);
}

std::string failure_message(const char* method, Reason reason, const std::string& detail, int iteration) {
  return std::string(method) + ": " + reason_name(reason) + ": " + detail + " at iteration " + std::to_string(iteration);
}

}  // namespace frechet::detail
