#pragma once
// The skeleton the batch optimisers share: option checks, counted evaluations of the objective,
// the stopping rule, the history/path/monitor, and the line search along a direction with its
// trial vectors allocated once per run.

#include <optional>
#include <string>

#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"

namespace frechet::detail {

/// The fields of OptimizeOptions that only some methods use.
enum class OptionField : unsigned {
  step_size = 1u << 0,
  preconditioner = 1u << 1,
  memory = 1u << 2,
  newton_solve = 1u << 3,
  least_squares_solve = 1u << 4,
  initial_radius = 1u << 5,
  line_search = 1u << 6,  // line_search and line_search_options
};
constexpr unsigned operator|(OptionField a, OptionField b) { return static_cast<unsigned>(a) | static_cast<unsigned>(b); }
constexpr unsigned operator|(unsigned a, OptionField b) { return a | static_cast<unsigned>(b); }

/// Throws ArgumentError for bad tolerances, a negative max_iterations, or a field outside `used`
/// (a mask of OptionField) that differs from its default.
void check_optimize_options(const char* method, const OptimizeOptions& options, unsigned used);

/// Throws ShapeError/NonFiniteError for an empty or non-finite x0.
void check_start(const char* method, ConstVectorView x0);

/// Counted calls of an Objective; every evaluation is checked for a non-finite value by the caller.
class CountedObjective {
public:
  CountedObjective(const Objective& objective, OptimizeResult& counts) : objective_(objective), counts_(counts) {}
  double value_and_gradient(ConstVectorView x, VectorView gradient) const;
  /// f alone (value_and_gradient into `scratch` when the objective has no value function).
  double value(ConstVectorView x, VectorView scratch) const;
  void hessian_vector(ConstVectorView x, ConstVectorView v, VectorView product) const;
  DenseMatrix hessian(ConstVectorView x) const;
  CsrMatrix sparse_hessian(ConstVectorView x) const;
  bool has_value() const { return static_cast<bool>(objective_.value); }

private:
  const Objective& objective_;
  OptimizeResult& counts_;
};

/// One run of a batch optimiser: owns the result (x, f, g, counts) and records the iterations.
class OptimizeRun {
public:
  OptimizeRun(const char* method, const OptimizeOptions& options, ConstVectorView x0, int default_max_iterations);

  OptimizeResult& result() { return result_; }
  const OptimizeOptions& options() const { return options_; }
  int max_iterations() const { return max_iterations_; }
  const char* method() const { return method_; }

  /// Records the starting point (result().value and gradient set): history, path, monitor, and the
  /// initial gradient norm that scales rtol. Returns true when x0 already satisfies the rule
  /// (a zero gradient satisfies every rule).
  bool start();
  /// Records an accepted step of length `step_norm` from a point with norm `previous_x_norm` and
  /// value `previous_value` (result().x, value, gradient already updated, iterations counted by the
  /// caller). Returns true when the stopping rule holds.
  bool accept(double step_norm, double previous_x_norm, double previous_value);
  /// The gradient-norm test alone (for trust-region methods after a rejected step, and for every
  /// rule a zero gradient).
  bool gradient_small() const;
  /// StoppingRule::distance_to_solution's test (false under the other rules).
  bool solution_reached() const;
  /// Sets reason, converged and message and returns the result.
  OptimizeResult finish(Reason reason, const std::string& message = {});
  /// Evaluates f and its gradient at x0 and records the start: the finished result when either is
  /// not finite (non_finite) or x0 already satisfies the rule (converged), nothing otherwise.
  std::optional<OptimizeResult> start_at_x0(const CountedObjective& objective);

private:
  void record(double step_norm);

  const char* method_;
  const OptimizeOptions& options_;
  int max_iterations_;
  double gradient_scale_ = 0.0;
  OptimizeResult result_;
};

/// The line search of a line-search method along d from result().x, with its trial point and
/// trial gradient allocated once. An accepted step that was the last trial is taken by exchanging
/// storage: x and the gradient swap with the trial's, which then hold the previous x and gradient.
class DirectionSearch {
public:
  DirectionSearch(OptimizeRun& run, const CountedObjective& objective);
  /// Searches along d (slope = g^T d < 0) from the run's x, starting at `initial_step`. On success
  /// moves x to x + alpha d and updates value and gradient; returns the line search's result (the
  /// step is point.step). On failure x is moved to the best point found, if any.
  LineSearchResult search(ConstVectorView d, double slope, double initial_step);
  /// After a search that moved x: the gradient at the x it moved from (valid until the next search).
  ConstVectorView previous_gradient() const { return trial_gradient_; }

private:
  OptimizeRun& run_;
  const CountedObjective& objective_;
  LineFunction phi_;
  ConstVectorView direction_;
  Vector trial_;
  Vector trial_gradient_;
  double gradient_step_ = -1.0;  // the step whose point and gradient trial_ and trial_gradient_ hold
  double gradient_squares_ = 0.0;  // ||trial_gradient_||_2^2
};

/// Wraps v = H(x) w products of an Objective at a fixed x as a symmetric operator, counting them.
OperatorPtr hessian_vector_operator(const CountedObjective& objective, ConstVectorView x);

/// "<method>: <reason name>: <detail> at iteration <k>".
std::string failure_message(const char* method, Reason reason, const std::string& detail, int iteration);

}  // namespace frechet::detail
