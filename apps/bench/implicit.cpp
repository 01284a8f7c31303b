// implicit: Bratu's problem -Laplace(u) = lambda e^u on an m x m grid (default 10^5 and 10^6
// unknowns), solved by Newton-Krylov (GMRES with ILU(0) of the coloured Jacobian at every iterate)
// and by the sparse-direct Newton (UMFPACK and CHOLMOD, analysed once, refactored every step), and the
// gradient of the loss sum(u*(lambda)) / n by the implicit adjoint, whose GMRES solve is preconditioned
// by what the forward solve left (the kept factors, or the last ILU(0)). Per case: the forward and
// gradient times and ratio_grad_to_forward; per size, ratio_colored_to_dense_jvps (JVPs per
// Jacobian by colouring over n). With -Dscipy_peer, SciPy's newton_krylov on the same residual and
// stopping rule (no preconditioner, LGMRES) beside frechet's unpreconditioned Newton-Krylov:
// ratio_scipy_to_frechet.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "bratu.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/incomplete_lu.hpp"

namespace {

using namespace frechet;

constexpr double lambda = 6.0;  // below the turning point ~6.81: the lower solution is found from u = 0
constexpr double rtol = 1e-10;

// The residual of the tests, test/implicit/bratu.hpp (and of scipy_newton_krylov.py).
auto bratu(std::size_t m) { return frechet::testing::bratu_residual(m); }

struct Case {
  std::string name;
  std::size_t n = 0;
  double forward_seconds = 0, grad_seconds = 0;
  int iterations = 0, jvps = 0, linear_iterations = 0, adjoint_iterations = 0;
  std::string reason;
};

// Times the forward solve with `options` and the gradient of sum(u*) / n through the implicit adjoint
// (GMRES on F_x^T at the root, preconditioned by the forward solve's NewtonResult::preconditioner).
Case run(const std::string& name, std::size_t m, const NewtonOptions& options, int repeats, bool with_gradient) {
  const auto f = bratu(m);
  const Vector theta{lambda};
  const auto f_theta = [&](const auto& u) { return f(u, theta); };
  const Vector u0(m * m, 0.0);
  Case c;
  c.name = name;
  c.n = m * m;
  NewtonResult r;
  c.forward_seconds = bench::median_of_calls([&] { r = root_find(f_theta, u0, options); }, repeats);
  c.iterations = r.iterations;
  c.jvps = r.operator_products;
  c.linear_iterations = r.linear_iterations;
  c.reason = reason_name(r.reason);
  if (!with_gradient || !r.converged) return c;
  const Vector u_bar(m * m, 1.0 / static_cast<double>(m * m));
  c.grad_seconds = bench::median_of_calls(
      [&] {
        const ImplicitLinearization lin = implicit_linearization(
            f, r.x, theta, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-10, .preconditioner = r.preconditioner});
        bench::keep(lin.vjp(u_bar)[0]);
        c.adjoint_iterations = lin.linear_iterations();
      },
      repeats);
  return c;
}

#ifdef FRECHET_SCIPY_PYTHON
// Runs scipy_newton_krylov.py in Debian's Python with SciPy; it prints {"seconds", "iterations", ...}.
std::optional<nlohmann::json> scipy_newton_krylov(std::size_t m) {
  char numbers[64];  // std::to_string would print rtol as 0.000000
  std::snprintf(numbers, sizeof numbers, " %zu %.17g %.17g", m, lambda, rtol);
  const std::string command = std::string(FRECHET_SCIPY_PYTHON) + " " + FRECHET_SCIPY_NK_SCRIPT + numbers;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pclose(pipe) != 0) return std::nullopt;
  return nlohmann::json::parse(out, nullptr, false);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Newton-Krylov and sparse-direct Newton on Bratu's problem, and the implicit adjoint", "implicit"};
  bool json = false;
  std::vector<std::size_t> sides{316, 1000};
  int repeats = 3;
  app.add_flag("--json", json, "print one JSON object");
  app.add_option("--sides", sides, "grid sides m (m^2 unknowns)")->delimiter(',')->check(CLI::Range(std::size_t{3}, std::size_t{4000}));
  app.add_option("--repeats", repeats, "timed calls of each solve (the median is reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  nlohmann::json report = bench::json_report("implicit");
  std::printf("%-30s %9s %6s %6s %8s %8s %10s %10s %8s  %s\n", "case", "n", "iters", "JVPs", "lin.it", "adj.it", "forward s",
              "grad s", "grad/fwd", "reason");
  for (const std::size_t m : sides) {
    const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
    const ColumnColoring colors = column_coloring(*pattern);
    const Vector theta{lambda};
    const auto f = bratu(m);
    const auto ilu_at = [&](ConstVectorView u) {
      return ilu0_preconditioner(sparse_jacobian([&](const auto& v) { return f(v, theta); }, Vector(u.begin(), u.end()), *pattern, colors));
    };
    std::vector<Case> cases{
        run("newton_krylov_ilu0", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::gmres, .preconditioner_update = ilu_at}, repeats, true),
        run("sparse_lu", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern}, repeats, true),
        run("sparse_cholesky", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::sparse_cholesky, .jacobian_pattern = pattern},
            repeats, true)};
#ifdef FRECHET_SCIPY_PYTHON
    const Case plain = run("newton_krylov_unpreconditioned", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::gmres}, 1, false);
    cases.push_back(plain);
    if (const auto scipy = scipy_newton_krylov(m); scipy && !scipy->is_discarded()) {
      const double seconds = (*scipy)["seconds"];
      report["cases"].push_back({{"name", "scipy_newton_krylov/" + std::to_string(m * m)},
                                 {"n", m * m},
                                 {"scipy_seconds", seconds},
                                 {"scipy_iterations", (*scipy)["iterations"]},
                                 {"frechet_seconds", plain.forward_seconds},
                                 {"ratio_scipy_to_frechet", seconds / plain.forward_seconds}});
      std::printf("%-30s %9zu %6d %6s %8s %8s %10.4f %10s %8s  scipy/frechet = %.2f\n", "scipy newton_krylov", m * m,
                  static_cast<int>((*scipy)["iterations"]), "", "", "", seconds, "", "", seconds / plain.forward_seconds);
    } else {
      std::fprintf(stderr, "implicit: scipy_newton_krylov.py did not run; no SciPy figures\n");
    }
#endif
    for (const Case& c : cases) {
      const double ratio = c.grad_seconds > 0 ? c.grad_seconds / c.forward_seconds : 0.0;
      std::printf("%-30s %9zu %6d %6d %8d %8d %10.4f %10.4f %8.3f  %s\n", c.name.c_str(), c.n, c.iterations, c.jvps,
                  c.linear_iterations, c.adjoint_iterations, c.forward_seconds, c.grad_seconds, ratio, c.reason.c_str());
      nlohmann::json j{{"name", c.name + "/" + std::to_string(c.n)},
                       {"n", c.n},
                       {"iterations", c.iterations},
                       {"jvps", c.jvps},
                       {"linear_iterations", c.linear_iterations},
                       {"adjoint_iterations", c.adjoint_iterations},
                       {"forward_seconds", c.forward_seconds},
                       {"reason", c.reason}};
      if (c.grad_seconds > 0) {
        j["grad_seconds"] = c.grad_seconds;
        j["ratio_grad_to_forward"] = ratio;
      }
      report["cases"].push_back(j);
    }
    const double colored = static_cast<double>(colors.color_count + 1) / static_cast<double>(m * m);
    report["cases"].push_back({{"name", "coloring/" + std::to_string(m * m)},
                               {"n", m * m},
                               {"colors", colors.color_count},
                               {"ratio_colored_to_dense_jvps", colored}});
    std::printf("colouring, n = %zu: %d colours + 1 check = %.2e of n JVPs\n", m * m, colors.color_count, colored);
  }
  if (json) bench::print_json(report);
  return 0;
}
