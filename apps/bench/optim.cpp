// Benchmark of the optimisation layer.
//   (a) The Moré-Garbow-Hillstrom problems (test/optim/mgh_problems.hpp) from their standard starting
//       points, each method to ||grad f||_2 <= 1e-6: evaluations (f + grad f), Hessian-vector
//       products, iterations, reason. With -Dscipy_peer, scipy_optim.py runs SciPy's minimize (BFGS,
//       L-BFGS-B, Newton-CG, trust-ncg) on the same problems, evaluating f, grad f and H v through
//       this program (--serve), so both sides minimise the very same functions; each pair of methods
//       gets ratio_scipy_to_frechet_evaluations, SciPy's median evaluations per problem over ours.
//   (b) L-BFGS on the extended Rosenbrock function written with scalar operations (n = 10^6 by
//       default): time per iteration over the time of one f + grad f, measured in the same run.
// Evaluation counts are deterministic; the seconds are not, on a loaded machine.
// --json prints one object {"benchmark": "optim", "cases": [...]} and nothing else.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/newton.hpp"
#include "mgh_problems.hpp"

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
  report["cases"].push_back({{"name", "lbfgs/extended_rosenbrock"},
                             {"n", n},
                             {"iterations", large.iterations},
                             {"evaluations", large.function_evaluations + large.gradient_evaluations},
                             {"reason", reason_name(large.reason)},
                             {"seconds", run_seconds},
                             {"fg_seconds", fg_seconds},
                             {"ratio_iteration_to_fg", per_iteration / fg_seconds}});

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
  return 0;
}
