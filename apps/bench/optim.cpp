// Benchmark of the optimisation layer.
//   (a) The Moré-Garbow-Hillstrom problems (test/optim/mgh_problems.hpp) from their standard starting
//       points, each method to ||grad f||_2 <= 1e-6: evaluations (f + grad f), Hessian-vector
//       products, iterations, reason. With -Dscipy_peer, scipy_optim.py runs SciPy's minimize (BFGS,
//       L-BFGS-B, Newton-CG, trust-ncg) on the same problems, evaluating f, grad f and H v through
//       this program (--serve), so both sides minimise the very same functions; each pair of methods
//       gets ratio_scipy_to_frechet_evaluations, SciPy's median evaluations per problem over ours.
//   (b) L-BFGS on the extended Rosenbrock function written with scalar operations (n = 10^6 by
//       default): time per iteration over the time of one f + grad f, measured in the same run. With
//       -Dceres_peer, Ceres' GradientProblemSolver (L-BFGS, its own automatic differentiation) on
//       the same function to the same rule, in the same run: ratio_ceres_to_frechet, Ceres' seconds
//       over frechet's.
//   (c) With -Dceres_peer, Levenberg-Marquardt beside Ceres' (ceres::Solver, dense QR) on the
//       least-squares problems of the set, both with frechet's Jacobian and the same stopping rule:
//       iterations, evaluations and seconds side by side, one case per problem.
// Evaluation counts are deterministic; the seconds are not, on a loaded machine.
// --json prints one object {"benchmark": "optim", "cases": [...]} and nothing else.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/newton.hpp"
#include "mgh_problems.hpp"

#ifdef FRECHET_CERES_PEER
#include <ceres/ceres.h>
#endif

using namespace frechet;

namespace {

struct Run {
  std::string problem;
  std::string method;
  int evaluations = 0;  // f + grad f evaluations (residual + Jacobian for least squares)
  int hessian_vector_products = 0;
  int iterations = 0;
  double seconds = 0.0;
  std::string reason;
};

struct Method {
  std::string name;
  std::string scipy;  // the SciPy method it is compared with, empty for none
  std::function<OptimizeResult(const mgh::Problem&)> run;
};

std::vector<Method> methods() {
  const auto smooth = [](OptimizeResult (*minimise)(const Objective&, ConstVectorView, const OptimizeOptions&),
                         OptimizeOptions options) {
    return [minimise, options](const mgh::Problem& p) {
      return minimise(differentiable_objective(mgh::objective_function(p)), p.x0, options);
    };
  };
  return {
      {"bfgs", "BFGS", smooth(bfgs, {})},
      {"lbfgs", "L-BFGS-B", smooth(lbfgs, {})},
      {"newton_cg_solve", "Newton-CG", smooth(newton, {.newton_solve = NewtonSolve::cg})},
      {"newton_cg", "trust-ncg", smooth(newton_cg, {})},
      {"levenberg_marquardt", "",
       [](const mgh::Problem& p) {
         return levenberg_marquardt(differentiable_least_squares(mgh::residual_function(p)), p.x0);
       }},
  };
}

// ---- serving f, grad f and H v to the SciPy script --------------------------------------------------

// Reads commands from standard input, one per line: "f x...", "g x..." (value and gradient) or
// "p x... v..." (H v), and answers each with one line of numbers at full precision.
int serve(int number) {
  for (const mgh::Problem& problem : mgh::problems()) {
    if (problem.number != number) continue;
    const Objective f = differentiable_objective(mgh::objective_function(problem));
    const std::size_t n = problem.n;
    Vector x(n);
    Vector v(n);
    Vector out(n);
    std::string line;
    std::cout.precision(17);
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      char command = 0;
      in >> command;
      for (double& xi : x) in >> xi;
      if (command == 'f') {
        std::cout << f.value(x) << '\n';
      } else if (command == 'g') {
        std::cout << f.value_and_gradient(x, out);
        for (double gi : out) std::cout << ' ' << gi;
        std::cout << '\n';
      } else if (command == 'p') {
        for (double& vi : v) in >> vi;
        f.hessian_vector(x, v, out);
        for (std::size_t i = 0; i < n; ++i) std::cout << (i ? " " : "") << out[i];
        std::cout << '\n';
      }
      std::cout.flush();
    }
    return 0;
  }
  std::fprintf(stderr, "optim --serve: no problem %d\n", number);
  return 2;
}

// Prints "number n x0..." per problem, for the SciPy script.
void list_problems() {
  std::cout.precision(17);
  for (const mgh::Problem& p : mgh::problems()) {
    std::cout << p.number << ' ' << p.name << ' ' << p.n;
    for (double xi : p.x0) std::cout << ' ' << xi;
    std::cout << '\n';
  }
}

#ifdef FRECHET_SCIPY_PYTHON
// Runs scipy_optim.py, which prints one JSON object {method: {problem: {"evaluations", "hvp",
// "success"}}}; nullopt when it cannot run.
std::optional<nlohmann::json> scipy_runs(const char* self) {
  const std::string command = std::string(FRECHET_SCIPY_PYTHON) + " " + FRECHET_SCIPY_OPTIM_SCRIPT + " " + self;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string text;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  if (pclose(pipe) != 0) return std::nullopt;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}
#endif

template <class V> scalar_t<V> extended_rosenbrock(const V& x) {
  using T = scalar_t<V>;
  T f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const T a = x[i + 1] - x[i] * x[i];
    const T b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}


#ifdef FRECHET_CERES_PEER
// ---- Ceres ------------------------------------------------------------------------------------------

/// Ends a Ceres run when ||grad f||_2 <= atol, frechet's rule: Ceres' own gradient_tolerance tests the
/// infinity norm of the gradient, a weaker test, so it is switched off and this callback stops the
/// run instead (Ceres reports the 2-norm of the gradient in every IterationSummary).
class GradientNormRule final : public ceres::IterationCallback {
public:
  explicit GradientNormRule(double atol) : atol_(atol) {}
  ceres::CallbackReturnType operator()(const ceres::IterationSummary& summary) override {
    met_ = summary.gradient_norm <= atol_;
    return met_ ? ceres::SOLVER_TERMINATE_SUCCESSFULLY : ceres::SOLVER_CONTINUE;
  }
  bool met() const { return met_; }

private:
  double atol_;
  bool met_ = false;
};

/// One term 100 (x_1 - x_0^2)^2 + (1 - x_0)^2 of the extended Rosenbrock function, for Ceres' Jets.
struct RosenbrockTerm {
  template <class T> bool operator()(const T* x, T* f) const {
    const T a = x[1] - x[0] * x[0];
    const T b = 1.0 - x[0];
    *f = 100.0 * a * a + b * b;
    return true;
  }
};

/// The extended Rosenbrock function for GradientProblemSolver, differentiated by Ceres' own
/// AutoDiffFirstOrderFunction term by term (a Jet of two derivatives per term): a Jet of 10^6
/// derivatives for the whole function is out of the question, so Ceres is handed the function's
/// separable structure, as a Ceres user would write it, where frechet records the whole function on
/// one tape.
class CeresRosenbrock final : public ceres::FirstOrderFunction {
public:
  explicit CeresRosenbrock(int n) : n_(n), term_(new RosenbrockTerm) {}
  bool Evaluate(const double* x, double* cost, double* gradient) const override {
    evaluations_ += gradient == nullptr ? 1 : 2;
    double f = 0.0;
    for (int i = 0; i + 1 < n_; i += 2) {
      double fi = 0.0;
      if (!term_.Evaluate(x + i, &fi, gradient == nullptr ? nullptr : gradient + i)) return false;
      f += fi;
    }
    *cost = f;
    return true;
  }
  int NumParameters() const override { return n_; }
  /// Evaluations of f plus evaluations of grad f, as frechet counts them.
  int evaluations() const { return evaluations_; }

private:
  int n_;
  ceres::AutoDiffFirstOrderFunction<RosenbrockTerm, 2> term_;
  mutable int evaluations_ = 0;
};

struct CeresRun {
  int iterations = 0;
  int evaluations = 0;  // cost + gradient (residual + Jacobian) evaluations, as frechet counts them
  double seconds = 0.0;
  std::string reason;  // "converged" when the gradient-norm rule ended the run, else Ceres' termination
};

/// L-BFGS by GradientProblemSolver, made comparable with frechet's lbfgs: the same memory m, the
/// same initial inverse Hessian (y^T s / y^T y) I (Ceres' use_approximate_eigenvalue_bfgs_scaling,
/// off by default), the same strong Wolfe constants c1 and c2, the same iteration limit and the same
/// stopping rule ||grad f||_2 <= atol (GradientNormRule; Ceres' function and parameter tolerances
/// off).
CeresRun ceres_lbfgs(ConstVectorView x0, const OptimizeOptions& frechet_options, double atol) {
  const LineSearchOptions line_search{};
  ceres::GradientProblemSolver::Options options;
  options.line_search_direction_type = ceres::LBFGS;
  options.line_search_type = ceres::WOLFE;
  options.max_lbfgs_rank = frechet_options.memory;
  options.use_approximate_eigenvalue_bfgs_scaling = true;
  options.line_search_sufficient_function_decrease = line_search.c1;
  options.line_search_sufficient_curvature_decrease = line_search.c2;
  options.max_num_iterations = std::max(200, 20 * static_cast<int>(x0.size()));
  options.function_tolerance = 0.0;
  options.parameter_tolerance = 0.0;
  options.gradient_tolerance = 0.0;
  options.logging_type = ceres::SILENT;
  GradientNormRule rule(atol);
  options.callbacks.push_back(&rule);
  auto* function = new CeresRosenbrock(static_cast<int>(x0.size()));  // owned by the problem
  const ceres::GradientProblem problem(function);
  std::vector<double> x(x0.begin(), x0.end());
  ceres::GradientProblemSolver::Summary summary;
  const auto t0 = bench::Clock::now();
  ceres::Solve(options, problem, x.data(), &summary);
  const double seconds = bench::seconds_since(t0);
  return {static_cast<int>(summary.iterations.size()) - 1, function->evaluations(), seconds, rule.met() ? "converged" : ceres::TerminationTypeToString(summary.termination_type)};
}

/// The residuals of a least-squares problem as one Ceres residual block, with frechet's Jacobian,
/// so that both Levenberg-Marquardt runs see the very same derivatives.
class CeresResiduals final : public ceres::CostFunction {
public:
  CeresResiduals(LeastSquaresObjective objective, int m, int n) : objective_(std::move(objective)), n_(n) {
    set_num_residuals(m);
    mutable_parameter_block_sizes()->push_back(n);
  }
  bool Evaluate(double const* const* parameters, double* residuals, double** jacobians) const override {
    const ConstVectorView x(parameters[0], static_cast<std::size_t>(n_));
    ++evaluations_;
    objective_.residuals(x, r_);
    std::copy(r_.begin(), r_.end(), residuals);
    if (jacobians != nullptr && jacobians[0] != nullptr) {
      ++evaluations_;
      const DenseMatrix j = objective_.jacobian(x);
      for (std::size_t i = 0; i < j.rows(); ++i)
        for (std::size_t c = 0; c < j.cols(); ++c) jacobians[0][i * j.cols() + c] = j(i, c);
    }
    return std::all_of(r_.begin(), r_.end(), [](double v) { return std::isfinite(v); });
  }

  /// Evaluations of r plus evaluations of J, as frechet counts them.
  int evaluations() const { return evaluations_; }

private:
  LeastSquaresObjective objective_;
  int n_;
  mutable Vector r_;
  mutable int evaluations_ = 0;
};

/// Ceres' Levenberg-Marquardt (ceres::Solver, trust region, dense QR) on a problem of the set from
/// its standard start: frechet's iteration limit (500) and stopping rule ||J^T r||_2 <= 1e-6; the
/// rest are Ceres' defaults. Iterations count accepted and rejected steps, as frechet's do.
CeresRun ceres_levenberg_marquardt(const mgh::Problem& p) {
  ceres::Problem problem;
  std::vector<double> x(p.x0.begin(), p.x0.end());
  auto* residuals = new CeresResiduals(differentiable_least_squares(mgh::residual_function(p)),
                                       static_cast<int>(p.m), static_cast<int>(p.n));  // owned by the problem
  problem.AddResidualBlock(residuals, nullptr, x.data());
  ceres::Solver::Options options;
  options.minimizer_type = ceres::TRUST_REGION;
  options.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  options.linear_solver_type = ceres::DENSE_QR;
  options.max_num_iterations = 500;
  options.function_tolerance = 0.0;
  options.parameter_tolerance = 0.0;
  options.gradient_tolerance = 0.0;
  options.logging_type = ceres::SILENT;
  GradientNormRule rule(1e-6);
  options.callbacks.push_back(&rule);
  ceres::Solver::Summary summary;
  const auto t0 = bench::Clock::now();
  ceres::Solve(options, &problem, &summary);
  const double seconds = bench::seconds_since(t0);
  return {summary.num_successful_steps + summary.num_unsuccessful_steps, residuals->evaluations(), seconds,
          rule.met() ? "converged" : ceres::TerminationTypeToString(summary.termination_type)};
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Optimisers on the Moré-Garbow-Hillstrom problems, beside SciPy, and L-BFGS at n = 10^6", "optim"};
  bool json = false;
  std::size_t n = 1000000;
  int repeats = 5;
  std::optional<int> serve_problem;
  bool list = false;
  app.add_flag("--json", json, "print one JSON object");
  app.add_option("--n", n, "extended Rosenbrock dimension (even)")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timings of one f + grad f (the median is reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--serve", serve_problem, "evaluate problem N for scipy_optim.py on stdin/stdout");
  app.add_flag("--list", list, "list the problems for scipy_optim.py");
  CLI11_PARSE(app, argc, argv);
  if (serve_problem) return serve(*serve_problem);
  if (list) {
    list_problems();
    return 0;
  }
  n += n % 2;

  // (a) the test set.
  std::vector<Run> runs;
  std::map<std::string, std::vector<double>> evaluations_by_method;
  for (const Method& method : methods()) {
    for (const mgh::Problem& problem : mgh::problems()) {
      const auto t0 = bench::Clock::now();
      const OptimizeResult r = method.run(problem);
      const double seconds = bench::seconds_since(t0);
      Run run{problem.name, method.name, r.function_evaluations + r.gradient_evaluations,
              r.hessian_vector_products, r.iterations, seconds, reason_name(r.reason)};
      evaluations_by_method[method.name].push_back(run.evaluations);
      runs.push_back(run);
    }
  }
  nlohmann::json report = bench::json_report("optim");
  for (const Run& r : runs)
    report["cases"].push_back({{"name", r.method + "/" + r.problem},
                               {"evaluations", r.evaluations},
                               {"hessian_vector_products", r.hessian_vector_products},
                               {"iterations", r.iterations},
                               {"seconds", r.seconds},
                               {"reason", r.reason}});
  std::vector<std::pair<std::string, double>> ratios;
#ifdef FRECHET_SCIPY_PYTHON
  if (const auto scipy = scipy_runs(argv[0])) {
    for (const Method& method : methods()) {
      if (method.scipy.empty() || !scipy->contains(method.scipy)) continue;
      std::vector<double> theirs;
      for (const auto& [problem, figures] : (*scipy)[method.scipy].items()) theirs.push_back(figures["evaluations"]);
      const double ratio = bench::median(theirs) / bench::median(evaluations_by_method[method.name]);
      ratios.emplace_back(method.name + "/" + method.scipy, ratio);
      report["cases"].push_back({{"name", "scipy_pair/" + method.name + "/" + method.scipy},
                                 {"scipy_median_evaluations", bench::median(theirs)},
                                 {"frechet_median_evaluations", bench::median(evaluations_by_method[method.name])},
                                 {"ratio_scipy_to_frechet_evaluations", ratio}});
    }
  } else {
    std::fprintf(stderr, "optim: scipy_optim.py did not run; no SciPy figures\n");
  }
#endif

  // (b) L-BFGS at scale: one f + grad f timed alone, then a run to ||grad f|| <= 1e-6.
  const Objective rosenbrock = differentiable_objective([](const auto& x) { return extended_rosenbrock(x); });
  Vector x0(n);
  for (std::size_t i = 0; i < n; i += 2) {
    x0[i] = -1.2;
    x0[i + 1] = 1.0;
  }
  Vector g(n);
  const double fg_seconds = bench::median_of_calls([&] { bench::keep(rosenbrock.value_and_gradient(x0, g)); }, repeats);
  const auto t0 = bench::Clock::now();
  const OptimizeResult large = lbfgs(rosenbrock, x0);
  const double run_seconds = bench::seconds_since(t0);
  const double per_iteration = run_seconds / std::max(1, large.iterations);
  nlohmann::json large_case = {{"name", "lbfgs/extended_rosenbrock"},
                               {"n", n},
                               {"iterations", large.iterations},
                               {"evaluations", large.function_evaluations + large.gradient_evaluations},
                               {"reason", reason_name(large.reason)},
                               {"seconds", run_seconds},
                               {"fg_seconds", fg_seconds},
                               {"ratio_iteration_to_fg", per_iteration / fg_seconds}};
#ifdef FRECHET_CERES_PEER
  // The same start, memory, line-search constants and rule ||grad f||_2 <= 1e-6 (ceres_lbfgs).
  const CeresRun ceres_large = ceres_lbfgs(x0, OptimizeOptions{}, OptimizeOptions{}.atol);
  large_case["ceres_iterations"] = ceres_large.iterations;
  large_case["ceres_evaluations"] = ceres_large.evaluations;
  large_case["ceres_reason"] = ceres_large.reason;
  large_case["ceres_seconds"] = ceres_large.seconds;
  large_case["ratio_ceres_to_frechet"] = ceres_large.seconds / run_seconds;
#endif
  report["cases"].push_back(large_case);

#ifdef FRECHET_CERES_PEER
  // (c) Levenberg-Marquardt beside Ceres', each timed as the median of `repeats` runs.
  struct LmPair {
    std::string problem;
    OptimizeResult ours;
    double seconds = 0.0;
    CeresRun theirs;
  };
  std::vector<LmPair> lm_pairs;
  for (const mgh::Problem& problem : mgh::problems()) {
    LmPair pair{problem.name, {}, 0.0, {}};
    const LeastSquaresObjective residuals = differentiable_least_squares(mgh::residual_function(problem));
    pair.seconds = bench::median_of_calls([&] { pair.ours = levenberg_marquardt(residuals, problem.x0); }, repeats);
    std::vector<double> ceres_seconds;
    for (int k = 0; k < repeats; ++k) {
      pair.theirs = ceres_levenberg_marquardt(problem);
      ceres_seconds.push_back(pair.theirs.seconds);
    }
    pair.theirs.seconds = bench::median(ceres_seconds);
    report["cases"].push_back({{"name", "levenberg_marquardt_ceres/" + problem.name},
                               {"iterations", pair.ours.iterations},
                               {"evaluations", pair.ours.function_evaluations + pair.ours.gradient_evaluations},
                               {"reason", reason_name(pair.ours.reason)},
                               {"seconds", pair.seconds},
                               {"ceres_iterations", pair.theirs.iterations},
                               {"ceres_evaluations", pair.theirs.evaluations},
                               {"ceres_reason", pair.theirs.reason},
                               {"ceres_seconds", pair.theirs.seconds},
                               {"ratio_ceres_to_frechet", pair.theirs.seconds / pair.seconds}});
    lm_pairs.push_back(std::move(pair));
  }
#endif

  if (json) {
    bench::print_json(report);
    return 0;
  }
  std::printf("Moré-Garbow-Hillstrom problems, to ||grad f||_2 <= 1e-6 (evaluations = f + grad f)\n");
  std::printf("%-22s %-28s %6s %6s %6s %-20s\n", "method", "problem", "evals", "hvp", "iters", "reason");
  for (const Run& r : runs)
    std::printf("%-22s %-28s %6d %6d %6d %-20s\n", r.method.c_str(), r.problem.c_str(), r.evaluations,
                r.hessian_vector_products, r.iterations, r.reason.c_str());
  for (const auto& [pair, ratio] : ratios)
    std::printf("SciPy's median evaluations over frechet's, %s: %.2f\n", pair.c_str(), ratio);
  std::printf("L-BFGS, extended Rosenbrock n = %zu: %d iterations, %d evaluations, %s; "
              "time per iteration / time of one f + grad f = %.2f\n",
              n, large.iterations, large.function_evaluations + large.gradient_evaluations,
              reason_name(large.reason).c_str(), per_iteration / fg_seconds);
#ifdef FRECHET_CERES_PEER
  std::printf("Ceres' L-BFGS, same start and rule: %d iterations, %d evaluations, %s; "
              "Ceres' seconds / frechet's = %.2f\n",
              ceres_large.iterations, ceres_large.evaluations, ceres_large.reason.c_str(),
              ceres_large.seconds / run_seconds);
  std::printf("\nLevenberg-Marquardt beside Ceres' (frechet's Jacobian for both, ||J^T r||_2 <= 1e-6)\n");
  std::printf("%-28s %6s %6s %10s %-16s | %6s %6s %10s %-16s\n", "problem", "iters", "evals", "seconds", "reason",
              "iters", "evals", "seconds", "Ceres' reason");
  for (const LmPair& pair : lm_pairs)
    std::printf("%-28s %6d %6d %10.2e %-16s | %6d %6d %10.2e %-16s\n", pair.problem.c_str(), pair.ours.iterations,
                pair.ours.function_evaluations + pair.ours.gradient_evaluations, pair.seconds,
                reason_name(pair.ours.reason).c_str(), pair.theirs.iterations, pair.theirs.evaluations,
                pair.theirs.seconds, pair.theirs.reason.c_str());
#endif
  return 0;
}
