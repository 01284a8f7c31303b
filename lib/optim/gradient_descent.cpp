#include "frechet/optim/gradient_descent.hpp"

#include <algorithm>
#include <cmath>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "optimize_support.hpp"

namespace frechet {

OptimizeResult gradient_descent(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  constexpr const char* method = "gradient_descent";
  detail::check_optimize_options(method, options,
                                 detail::OptionField::step_size | detail::OptionField::preconditioner |
                                     detail::OptionField::line_search);
  if (!objective.value_and_gradient) throw ArgumentError("gradient_descent: the objective has no value_and_gradient");
  const std::size_t n = x0.size();
  if (options.preconditioner) {
    check_size("gradient_descent: rows of the preconditioner", n, options.preconditioner->rows());
    check_size("gradient_descent: columns of the preconditioner", n, options.preconditioner->cols());
  }
  detail::OptimizeRun run(method, options, x0, 10000);
  OptimizeResult& r = run.result();
  const detail::CountedObjective f(objective, r);
  if (auto done = run.start_at_x0(f)) return *std::move(done);

  detail::DirectionSearch search(run, f);
  Vector d(n);
  double previous_step = 0.0;
  double previous_slope = 0.0;
  while (r.iterations < run.max_iterations()) {
    if (options.preconditioner) {
      options.preconditioner->apply(r.gradient, d);
    } else {
      copy(r.gradient, d);
    }
    scale(-1.0, d);
    const double slope = dot(r.gradient, d);
    if (!(slope < 0.0))
      return run.finish(Reason::not_descent,
                        detail::failure_message(method, Reason::not_descent,
                                                "g^T D^{-1} g = " + std::to_string(-slope) +
                                                    " is not positive (is the preconditioner positive definite?)",
                                                r.iterations));
    double initial = 0.0;
    if (options.line_search == LineSearchKind::fixed) {
      initial = *options.step_size;
    } else if (r.iterations == 0) {
      initial = options.step_size.value_or(std::min(1.0, 1.0 / norm_inf(d)));
    } else {
      initial = previous_step * previous_slope / slope;
    }
    const double x_norm = norm2(r.x);
    const double value = r.value;
    const LineSearchResult ls = search.search(d, slope, initial);
    if (!ls.converged) {
      if (ls.point.step > 0.0) ++r.iterations;
      return run.finish(ls.reason, detail::failure_message(method, ls.reason,
                                                           ls.reason == Reason::non_finite
                                                               ? "f or its gradient is not finite at every trial step"
                                                               : "the line search along -D^{-1} g ended after " +
                                                                     std::to_string(ls.evaluations) + " evaluations",
                                                           r.iterations));
    }
    ++r.iterations;
    if (!std::isfinite(r.value) || !all_finite(r.gradient))
      return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                    "f or its gradient is not finite", r.iterations));
    previous_step = ls.point.step;
    previous_slope = slope;
    if (run.accept(ls.point.step * norm2(d), x_norm, value)) return run.finish(Reason::converged);
  }
  return run.finish(Reason::max_iterations);
}

}  // namespace frechet
