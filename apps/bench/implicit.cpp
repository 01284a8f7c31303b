// implicit: Bratu's problem -Laplace(u) = lambda e^u on an m x m grid (default 10^5 and 10^6
// unknowns), solved by Newton-Krylov (GMRES with ILU(0), or with smoothed-aggregation AMG, of the
// coloured Jacobian at every iterate) and by the sparse-direct Newton (UMFPACK and CHOLMOD, analysed
// once, refactored every step), and the gradient of the loss sum(u*(lambda)) / n by the implicit
// adjoint, whose GMRES solve is preconditioned by what the forward solve left (the kept factors, or
// the last ILU(0) or AMG hierarchy). Per case: the forward and gradient times and
// ratio_grad_to_forward; per size, ratio_colored_to_dense_jvps (JVPs per
// Jacobian by colouring over n), and up to --unrolled-max-n unknowns the same gradient by unrolling
// the sparse Cholesky Newton iterations on the tape (each step a differentiable sparse_solve):
// ratio_unrolled_to_implicit (its reverse pass over the implicit adjoint) and
// ratio_unrolled_to_implicit_bytes: the unrolled tape's Tape::memory_bytes, which counts every step's
// nodes and the Cholesky factor each step's sparse_solve keeps for the backward pass, over the
// implicit adjoint's two tapes (F's VJPs in u and in lambda) and the one factor it keeps (the forward
// solve's last, its preconditioner). Scalar roots:
// bracket_root (TOMS 748) against Boost.Math's toms748_solve and newton_root against its
// newton_raphson_iterate, called directly with the same stopping rule, ratio_frechet_to_boost. With
// -Dkinsol_peer, SUNDIALS KINSOL's Newton-GMRES with the same ILU(0) or AMG of the Jacobian at every
// iterate (KINSetPreconditioner) beside frechet's newton_krylov_ilu0 and newton_krylov_amg:
// ratio_kinsol_to_frechet. With -Dscipy_peer, SciPy's newton_krylov on the same residual and
// stopping rule (no preconditioner, LGMRES) beside frechet's unpreconditioned Newton-Krylov, up to
// --peer-max-n unknowns (unpreconditioned Newton-GMRES needs thousands of GMRES iterations per step
// at 10^5 and more): ratio_scipy_to_frechet.
// --output FILE rewrites the JSON report there after every case, so that a stopped run keeps what it
// measured.

#include <CLI/CLI.hpp>
#include <boost/math/tools/roots.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <nlohmann/json.hpp>

#ifdef FRECHET_KINSOL_PEER
#include <kinsol/kinsol.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "bratu.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/amg.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/sparse_cholesky.hpp"

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
  // The adjoint to a relative residual of 1e-8, which bounds the gradient's relative error near that:
  // at 1e-10, GMRES(30) with the last ILU(0) stagnated just above it at 10^5 unknowns (attainable
  // accuracy), after ~3000 iterations. A failed adjoint is reported in the case, not fatal.
  try {
    c.grad_seconds = bench::median_of_calls(
        [&] {
          const ImplicitLinearization lin = implicit_linearization(
              f, r.x, theta, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-8, .preconditioner = r.preconditioner});
          bench::keep(lin.vjp(u_bar)[0]);
          c.adjoint_iterations = lin.linear_iterations();
        },
        repeats);
  } catch (const NumericalError& e) {
    c.reason += std::string("; adjoint failed: ") + e.what();
  }
  return c;
}

// The gradient of sum(u*(lambda)) / n by unrolling: the sparse Cholesky Newton iteration recorded
// on a tape, each step s = J(u_k)^{-1} F(u_k) a differentiable sparse_solve whose matrix values
// (J's diagonal 4 - h^2 lambda e^{u_k}, the stencil's -1) are tape expressions of u_k and lambda,
// for as many full steps as the forward solve took; then one reverse pass.
struct Unrolled {
  double record_seconds = 0, backward_seconds = 0;
  std::size_t tape_bytes = 0;
  double gradient = 0, distance_to_root = 0;
};

Unrolled unrolled_gradient(std::size_t m, const CsrMatrix& pattern, const NewtonResult& forward, int repeats) {
  const auto f = bratu(m);
  const std::size_t n = m * m;
  const double h2 = 1.0 / static_cast<double>((m + 1) * (m + 1));
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  Unrolled out;
  Tape<double> tape;
  std::vector<double> record, backward;
  for (int rep = 0; rep <= repeats; ++rep) {  // one warm-up round
    tape.clear();
    const auto start = bench::Clock::now();
    const TapeVector<double> theta = tape.variable(Vector{lambda});
    TapeVector<double> u = tape.variable(Vector(n, 0.0));
    for (int k = 0; k < forward.iterations; ++k) {
      const TapeVector<double> residual = stack(f(u, theta));
      std::vector<TapeScalar<double>> values(pattern.nnz(), TapeScalar<double>(-1.0));
      for (std::size_t i = 0; i < n; ++i)
        for (SparseIndex e = ro[i]; e < ro[i + 1]; ++e)
          if (static_cast<std::size_t>(ci[e]) == i) values[static_cast<std::size_t>(e)] = 4.0 - h2 * theta[0] * exp(u[i]);
      u = u - sparse_solve(pattern, stack(values), residual, {.method = SparseSolveMethod::cholesky});
    }
    const TapeScalar<double> loss = sum(u) / static_cast<double>(n);
    const auto recorded = bench::Clock::now();
    tape.seed(loss, 1.0);
    tape.backward();
    out.gradient = tape.adjoint(theta)[0];
    const auto done = bench::Clock::now();
    if (rep == 0) continue;
    record.push_back(bench::seconds_between(start, recorded));
    backward.push_back(bench::seconds_between(recorded, done));
    out.tape_bytes = tape.memory_bytes();
    Vector gap = u.value();
    axpy(-1.0, forward.x, gap);
    out.distance_to_root = norm2(gap) / norm2(forward.x);
  }
  out.record_seconds = bench::median(record);
  out.backward_seconds = bench::median(backward);
  return out;
}

// Bytes the implicit adjoint keeps: the tapes it records with GMRES, F in u at the root (the
// Jacobian operator's VJPs) and F in lambda (F_theta^T w), and the forward solve's last Cholesky
// factor, its preconditioner.
std::size_t implicit_adjoint_bytes(std::size_t m, const NewtonResult& forward) {
  const auto f = bratu(m);
  const Vector theta{lambda};
  const auto* kept = dynamic_cast<const SparseCholeskyPreconditioner*>(forward.preconditioner.get());
  return vjp([&](const auto& u) { return f(u, theta); }, forward.x).pullback.tape_bytes() +
         vjp([&](const auto& t) { return f(forward.x, t); }, theta).pullback.tape_bytes() +
         (kept != nullptr ? kept->factorization().memory_bytes() : 0);
}

// Scalar roots on three equations, each against Boost.Math called directly with the same stopping
// rule: bracket_root (TOMS 748) against boost::math::tools::toms748_solve (upper - lower <= 4 eps
// min(|lower|, |upper|), 100 evaluations at most), and newton_root against
// boost::math::tools::newton_raphson_iterate from the midpoint (|step| <= 2^-50 |x| = 4 eps |x|), both
// given f and f' by one evaluation of f on a Dual. Both frechet finders also evaluate f at the two
// ends (the bracket's check), which Boost's Newton does not.
template <class F>
void scalar_root_case(const char* name, const F& f, double lower, double upper, bool json, nlohmann::json& report) {
  // A plain function pointer for both TOMS 748 runs (f has no captures: F is default-constructible).
  double (*const f_double)(double) = [](double x) { return F{}(x); };
  const auto f_and_derivative = [&f](double x) {
    const Dual<double> y = f(Dual<double>(x, 1.0));
    return std::pair<double, double>(y.value(), y.tangent());
  };
  double frechet_root = 0.0, boost_root = 0.0, frechet_newton = 0.0, boost_newton = 0.0;
  const double frechet_seconds = bench::median_seconds([&] { frechet_root = bracket_root(f_double, lower, upper).root; bench::keep(frechet_root); }, 0.3);
  const double boost_seconds = bench::median_seconds(
      [&] {
        std::uintmax_t limit = 100;
        const auto tolerance = [](double a, double b) {
          return std::abs(b - a) <= 4.0 * std::numeric_limits<double>::epsilon() * std::min(std::abs(a), std::abs(b));
        };
        const auto [a, b] = boost::math::tools::toms748_solve(f_double, lower, upper, f_double(lower), f_double(upper), tolerance, limit);
        boost_root = std::abs(f_double(a)) < std::abs(f_double(b)) ? a : b;
        bench::keep(boost_root);
      },
      0.3);
  const double frechet_newton_seconds =
      bench::median_seconds([&] { frechet_newton = newton_root(f, lower, upper).root; bench::keep(frechet_newton); }, 0.3);
  const double boost_newton_seconds = bench::median_seconds(
      [&] {
        std::uintmax_t limit = 100;
        boost_newton = boost::math::tools::newton_raphson_iterate(f_and_derivative, lower + 0.5 * (upper - lower), lower, upper, 51, limit);
        bench::keep(boost_newton);
      },
      0.3);
  if (!json) std::printf("scalar root %-16s TOMS 748: frechet %.3e s, Boost.Math %.3e s, frechet/boost = %.2f (roots differ by %.1e)\n", name,
              frechet_seconds, boost_seconds, frechet_seconds / boost_seconds, std::abs(frechet_root - boost_root));
  if (!json) std::printf("scalar root %-16s Newton:   frechet %.3e s, Boost.Math %.3e s, frechet/boost = %.2f (roots differ by %.1e)\n", name,
              frechet_newton_seconds, boost_newton_seconds, frechet_newton_seconds / boost_newton_seconds,
              std::abs(frechet_newton - boost_newton));
  report["cases"].push_back({{"name", std::string("scalar_root/") + name},
                             {"frechet_seconds", frechet_seconds},
                             {"boost_seconds", boost_seconds},
                             {"root_difference", std::abs(frechet_root - boost_root)},
                             {"ratio_frechet_to_boost", frechet_seconds / boost_seconds}});
  report["cases"].push_back({{"name", std::string("scalar_newton/") + name},
                             {"frechet_seconds", frechet_newton_seconds},
                             {"boost_seconds", boost_newton_seconds},
                             {"root_difference", std::abs(frechet_newton - boost_newton)},
                             {"ratio_frechet_to_boost", frechet_newton_seconds / boost_newton_seconds}});
}

void scalar_roots(bool json, nlohmann::json& report) {
  using std::cos, std::pow, std::sqrt;
  scalar_root_case("cos(x) - x", [](const auto& x) { return cos(x) - x; }, 0.0, 1.0, json, report);
  scalar_root_case("x^3 - 2x - 5", [](const auto& x) { return x * x * x - 2.0 * x - 5.0; }, 2.0, 3.0, json, report);
  scalar_root_case("excess demand", [](const auto& p) { return 100.0 - 2.0 * sqrt(p) - 5.0 * pow(3.0, 0.15 * p); }, 0.0, 100.0,
                   json, report);
}

#ifdef FRECHET_KINSOL_PEER
// SUNDIALS KINSOL's inexact Newton with SPGMR(30), matrix-free (its difference-quotient J v), right-
// preconditioned by what frechet's Newton-Krylov case uses (ilu0_preconditioner or amg_preconditioner
// of the Jacobian, rebuilt at every Newton iterate: KINSetMaxSetupCalls 1), its line search and the
// Eisenstat-Walker choice 2 (gamma 0.9, alpha 2), on the same residual written as a plain loop, no
// step bound. Its Jacobian is assembled by hand (the stencil's -1 and the diagonal 4 - h^2 lambda
// e^u), as a KINSOL user would; frechet's is coloured (its JVPs are in frechet's forward time).
// KINSOL stops on the max norm, ||F||_inf <= fnormtol; fnormtol = rtol ||F(0)||_2 / sqrt(n) is the
// largest that guarantees frechet's rule ||F||_2 <= rtol ||F(0)||_2.
struct KinsolRun {
  double seconds = 0, relative_residual = 0;
  long iterations = 0, linear_iterations = 0, preconditioner_setups = 0;
  int flag = 0;
};

struct BratuData {
  std::size_t m;
  double h2;
  const CsrMatrix* pattern;                  // the Jacobian's structure, laplacian_2d(m, m)
  std::vector<SparseIndex> diagonal;         // the position of each row's diagonal entry in it
  std::function<OperatorPtr(const CsrMatrix&)> make_preconditioner;  // ILU(0) or AMG, as frechet's case
  OperatorPtr preconditioner;
  Vector work;
};

int kinsol_residual(N_Vector uv, N_Vector fv, void* data) {
  const auto& d = *static_cast<const BratuData*>(data);
  const double* u = N_VGetArrayPointer(uv);
  double* f = N_VGetArrayPointer(fv);
  const std::size_t m = d.m;
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t k = i + j * m;
      double s = 4.0 * u[k] - d.h2 * lambda * std::exp(u[k]);
      if (i > 0) s -= u[k - 1];
      if (i + 1 < m) s -= u[k + 1];
      if (j > 0) s -= u[k - m];
      if (j + 1 < m) s -= u[k + m];
      f[k] = s;
    }
  return 0;
}

// The Jacobian at u and its preconditioner. A failed setup (a zero pivot) is a recoverable failure
// (1): KINSOL then retries.
int kinsol_preconditioner_setup(N_Vector uv, N_Vector, N_Vector, N_Vector, void* data) {
  auto& d = *static_cast<BratuData*>(data);
  const double* u = N_VGetArrayPointer(uv);
  const CsrMatrix& p = *d.pattern;
  Vector values(p.values().begin(), p.values().end());
  for (std::size_t k = 0; k < p.rows(); ++k) values[d.diagonal[k]] = 4.0 - d.h2 * lambda * std::exp(u[k]);
  try {
    d.preconditioner = d.make_preconditioner(CsrMatrix(p.rows(), p.cols(), {p.row_offsets().begin(), p.row_offsets().end()},
                                                       {p.col_indices().begin(), p.col_indices().end()}, std::move(values)));
  } catch (const NumericalError&) {
    return 1;
  }
  return 0;
}

// v <- M^{-1} v.
int kinsol_preconditioner_solve(N_Vector, N_Vector, N_Vector, N_Vector, N_Vector vv, void* data) {
  auto& d = *static_cast<BratuData*>(data);
  const std::size_t n = d.work.size();
  double* v = N_VGetArrayPointer(vv);
  d.preconditioner->apply(ConstVectorView(v, n), d.work);
  std::copy(d.work.begin(), d.work.end(), v);
  return 0;
}

KinsolRun kinsol_newton_gmres(std::size_t m, const CsrMatrix& pattern, std::function<OperatorPtr(const CsrMatrix&)> make_preconditioner,
                              int repeats) {
  const std::size_t n = m * m;
  BratuData data{m, 1.0 / static_cast<double>((m + 1) * (m + 1)), &pattern, std::vector<SparseIndex>(n), std::move(make_preconditioner),
                 nullptr, Vector(n)};
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex e = ro[i]; e < ro[i + 1]; ++e)
      if (static_cast<std::size_t>(ci[e]) == i) data.diagonal[i] = e;
  SUNContext context = nullptr;
  SUNContext_Create(nullptr, &context);
  N_Vector u = N_VNew_Serial(static_cast<sunindextype>(n), context);
  N_Vector f0 = N_VClone(u);
  N_Vector scale = N_VClone(u);
  N_VConst(1.0, scale);
  N_VConst(0.0, u);
  kinsol_residual(u, f0, &data);
  const double f0_norm = std::sqrt(N_VDotProd(f0, f0));
  KinsolRun run;
  std::vector<double> samples;
  for (int rep = 0; rep <= repeats; ++rep) {  // one warm-up call
    N_VConst(0.0, u);
    const auto start = bench::Clock::now();
    void* kinsol = KINCreate(context);
    KINInit(kinsol, kinsol_residual, u);
    KINSetUserData(kinsol, &data);
    KINSetFuncNormTol(kinsol, rtol * f0_norm / std::sqrt(static_cast<double>(n)));
    KINSetScaledStepTol(kinsol, 1e-300);
    // Its default step bound, 1000 max(||u_0||, 1), stops the first steps from u = 0 (frechet's
    // Newton has none).
    KINSetMaxNewtonStep(kinsol, 1e300);
    KINSetNumMaxIters(kinsol, 50);
    KINSetEtaForm(kinsol, KIN_ETACHOICE2);
    KINSetEtaParams(kinsol, 0.9, 2.0);
    KINSetMaxSetupCalls(kinsol, 1);  // a new preconditioner at every iterate, as frechet's preconditioner_update
    SUNLinearSolver gmres = SUNLinSol_SPGMR(u, SUN_PREC_RIGHT, 30, context);
    SUNLinSol_SPGMRSetMaxRestarts(gmres, 1000);
    KINSetLinearSolver(kinsol, gmres, nullptr);
    KINSetPreconditioner(kinsol, kinsol_preconditioner_setup, kinsol_preconditioner_solve);
    run.flag = KINSol(kinsol, u, KIN_LINESEARCH, scale, scale);
    if (rep > 0) samples.push_back(bench::seconds_since(start));
    KINGetNumNonlinSolvIters(kinsol, &run.iterations);
    KINGetNumLinIters(kinsol, &run.linear_iterations);
    KINGetNumPrecEvals(kinsol, &run.preconditioner_setups);
    KINFree(&kinsol);
    SUNLinSolFree(gmres);
  }
  kinsol_residual(u, f0, &data);
  run.relative_residual = std::sqrt(N_VDotProd(f0, f0)) / f0_norm;
  run.seconds = bench::median(samples);
  N_VDestroy(u);
  N_VDestroy(f0);
  N_VDestroy(scale);
  SUNContext_Free(&context);
  return run;
}
#endif

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

// Writes the report to `path` through a temporary file and a rename, so that the file always holds
// a whole JSON object.
void save_report(const nlohmann::json& report, const std::string& path) {
  const std::string partial = path + ".partial";
  std::ofstream(partial) << report.dump(2) << '\n';
  std::filesystem::rename(partial, path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Newton-Krylov and sparse-direct Newton on Bratu's problem, and the implicit adjoint", "implicit"};
  bool json = false;
  std::vector<std::size_t> sides{316, 1000};
  int repeats = 3;
  std::size_t unrolled_max_n = 100000;
  std::size_t krylov_max_n = 4000000;
  [[maybe_unused]] std::size_t peer_max_n = 40000;
  std::string output;
  app.add_flag("--json", json, "print one JSON object and nothing else (without it, the table)");
  app.add_option("--output", output, "also write the JSON report to this file, rewritten after every case");
  app.add_option("--krylov-max-n", krylov_max_n,
                 "largest n for Newton-Krylov with ILU(0) and KINSOL beside it (ILU(0)'s GMRES iterations grow with the grid)");
  app.add_option("--unrolled-max-n", unrolled_max_n,
                 "largest n for the unrolled gradient (its tape and kept factorizations grow with the iterations)");
#ifdef FRECHET_SCIPY_PYTHON
  app.add_option("--peer-max-n", peer_max_n,
                 "largest n for SciPy's unpreconditioned newton_krylov and frechet's unpreconditioned Newton-Krylov beside it");
#endif
  app.add_option("--sides", sides, "grid sides m (m^2 unknowns)")->delimiter(',')->check(CLI::Range(std::size_t{3}, std::size_t{4000}));
  app.add_option("--repeats", repeats, "timed calls of each solve (the median is reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file

  nlohmann::json report = bench::json_report("implicit");
  const auto add_case = [&](nlohmann::json c) {
    report["cases"].push_back(std::move(c));
    if (!output.empty()) save_report(report, output);
  };
  const auto add_row = [&](const Case& c) {
    const double ratio = c.grad_seconds > 0 ? c.grad_seconds / c.forward_seconds : 0.0;
    if (!json) std::printf("%-30s %9zu %6d %6d %8d %8d %10.4f %10.4f %8.3f  %s\n", c.name.c_str(), c.n, c.iterations, c.jvps,
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
    add_case(std::move(j));
  };
#ifdef FRECHET_KINSOL_PEER
  // KINSOL's Newton-GMRES beside a frechet Newton-Krylov case, with the same preconditioner of the
  // Jacobian rebuilt at every iterate.
  const auto kinsol_beside = [&](std::size_t m, const CsrMatrix& pattern, const Case& frechet_case, const std::string& preconditioner,
                                 const std::function<OperatorPtr(const CsrMatrix&)>& make_preconditioner) {
    const KinsolRun kinsol = kinsol_newton_gmres(m, pattern, make_preconditioner, repeats);
    add_case({{"name", "kinsol_newton_gmres_" + preconditioner + "/" + std::to_string(frechet_case.n)},
              {"n", frechet_case.n},
              {"kinsol_seconds", kinsol.seconds},
              {"kinsol_iterations", kinsol.iterations},
              {"kinsol_linear_iterations", kinsol.linear_iterations},
              {"kinsol_preconditioner_setups", kinsol.preconditioner_setups},
              {"kinsol_flag", kinsol.flag},
              {"kinsol_relative_residual", kinsol.relative_residual},
              {"frechet_seconds", frechet_case.forward_seconds},
              {"frechet_iterations", frechet_case.iterations},
              {"frechet_linear_iterations", frechet_case.linear_iterations},
              {"ratio_kinsol_to_frechet", kinsol.seconds / frechet_case.forward_seconds}});
    if (!json) std::printf("%-30s %9zu %6ld %6s %8ld %8s %10.4f %10s %8s  kinsol/frechet = %.2f (flag %d, relative residual %.1e)\n",
                           ("kinsol newton-gmres " + preconditioner).c_str(), frechet_case.n, kinsol.iterations, "",
                           kinsol.linear_iterations, "", kinsol.seconds, "", "", kinsol.seconds / frechet_case.forward_seconds, kinsol.flag,
                           kinsol.relative_residual);
  };
#endif
  if (!json) std::printf("%-30s %9s %6s %6s %8s %8s %10s %10s %8s  %s\n", "case", "n", "iters", "JVPs", "lin.it", "adj.it", "forward s",
                         "grad s", "grad/fwd", "reason");
  for (const std::size_t m : sides) {
    const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
    const ColumnColoring colors = column_coloring(*pattern);
    const Vector theta{lambda};
    const auto f = bratu(m);
    const auto ilu_at = [&](ConstVectorView u) {
      return ilu0_preconditioner(sparse_jacobian([&](const auto& v) { return f(v, theta); }, Vector(u.begin(), u.end()), *pattern, colors));
    };
    // Below the turning point the Jacobian -Laplace - h^2 lambda e^u is symmetric positive definite
    // (the stable lower branch), so smoothed-aggregation AMG applies: a preconditioner whose GMRES
    // iteration counts do not grow with the grid, unlike ILU(0)'s.
    const auto amg_at = [&](ConstVectorView u) {
      return amg_preconditioner(sparse_jacobian([&](const auto& v) { return f(v, theta); }, Vector(u.begin(), u.end()), *pattern, colors));
    };
    const double colored = static_cast<double>(colors.color_count + 1) / static_cast<double>(m * m);
    add_case({{"name", "coloring/" + std::to_string(m * m)},
              {"n", m * m},
              {"colors", colors.color_count},
              {"ratio_colored_to_dense_jvps", colored}});
    if (!json) std::printf("colouring, n = %zu: %d colours + 1 check = %.2e of n JVPs\n", m * m, colors.color_count, colored);

    if (m * m > krylov_max_n) {
      if (!json) std::printf("Newton-Krylov with ILU(0) and KINSOL: skipped at n = %zu > --krylov-max-n %zu\n", m * m, krylov_max_n);
      add_case({{"name", "newton_krylov_ilu0/" + std::to_string(m * m)}, {"n", m * m}, {"skipped", "n > --krylov-max-n"}});
    } else {
      const Case ilu0 =
          run("newton_krylov_ilu0", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::gmres, .preconditioner_update = ilu_at}, repeats, true);
      add_row(ilu0);
#ifdef FRECHET_KINSOL_PEER
      kinsol_beside(m, *pattern, ilu0, "ilu0", [](const CsrMatrix& j) -> OperatorPtr { return ilu0_preconditioner(j); });
#endif
    }
    const Case amg = run("newton_krylov_amg", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::gmres, .preconditioner_update = amg_at},
                         repeats, true);
    add_row(amg);
#ifdef FRECHET_KINSOL_PEER
    kinsol_beside(m, *pattern, amg, "amg", [](const CsrMatrix& j) -> OperatorPtr { return amg_preconditioner(j); });
#endif
    add_row(run("sparse_lu", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern}, repeats, true));
    const Case cholesky =
        run("sparse_cholesky", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::sparse_cholesky, .jacobian_pattern = pattern},
            repeats, true);
    add_row(cholesky);
    if (m * m <= unrolled_max_n) {
      const NewtonResult forward = root_find([&](const auto& u) { return f(u, theta); }, Vector(m * m, 0.0),
                                             {.rtol = rtol, .linear_solver = NewtonLinearSolver::sparse_cholesky,
                                              .jacobian_pattern = pattern});
      const Unrolled unrolled = unrolled_gradient(m, *pattern, forward, repeats);
      const std::size_t implicit_bytes = implicit_adjoint_bytes(m, forward);
      const double time_ratio = unrolled.backward_seconds / cholesky.grad_seconds;
      const double byte_ratio = static_cast<double>(unrolled.tape_bytes) / static_cast<double>(implicit_bytes);
      if (!json) std::printf("unrolled, n = %zu: %d steps recorded in %.4f s, reverse pass %.4f s (implicit adjoint %.4f s: %.1fx), "
                  "tape %.1f MB (implicit %.1f MB: %.1fx); |u_K - u*| / |u*| = %.1e\n",
                  m * m, forward.iterations, unrolled.record_seconds, unrolled.backward_seconds, cholesky.grad_seconds, time_ratio,
                  static_cast<double>(unrolled.tape_bytes) / 1e6, static_cast<double>(implicit_bytes) / 1e6, byte_ratio,
                  unrolled.distance_to_root);
      add_case({{"name", "unrolled_sparse_cholesky/" + std::to_string(m * m)},
                {"n", m * m},
                {"newton_steps", forward.iterations},
                {"unrolled_record_seconds", unrolled.record_seconds},
                {"unrolled_backward_seconds", unrolled.backward_seconds},
                {"implicit_grad_seconds", cholesky.grad_seconds},
                {"unrolled_tape_bytes", unrolled.tape_bytes},
                {"implicit_tape_bytes", implicit_bytes},
                {"unrolled_gradient", unrolled.gradient},
                {"ratio_unrolled_to_implicit", time_ratio},
                {"ratio_unrolled_to_implicit_bytes", byte_ratio}});
    }
#ifdef FRECHET_SCIPY_PYTHON
    if (m * m > peer_max_n) {
      if (!json) std::printf("scipy newton_krylov and frechet's unpreconditioned Newton-Krylov: skipped at n = %zu > --peer-max-n %zu\n",
                             m * m, peer_max_n);
      add_case({{"name", "scipy_newton_krylov/" + std::to_string(m * m)}, {"n", m * m}, {"skipped", "n > --peer-max-n"}});
    } else {
      const Case plain = run("newton_krylov_unpreconditioned", m, {.rtol = rtol, .linear_solver = NewtonLinearSolver::gmres}, repeats, false);
      add_row(plain);
      if (const auto scipy = scipy_newton_krylov(m); scipy && !scipy->is_discarded()) {
        const double seconds = (*scipy)["seconds"];
        add_case({{"name", "scipy_newton_krylov/" + std::to_string(m * m)},
                  {"n", m * m},
                  {"scipy_seconds", seconds},
                  {"scipy_iterations", (*scipy)["iterations"]},
                  {"frechet_seconds", plain.forward_seconds},
                  {"ratio_scipy_to_frechet", seconds / plain.forward_seconds}});
        if (!json) std::printf("%-30s %9zu %6d %6s %8s %8s %10.4f %10s %8s  scipy/frechet = %.2f\n", "scipy newton_krylov", m * m,
                               static_cast<int>((*scipy)["iterations"]), "", "", "", seconds, "", "", seconds / plain.forward_seconds);
      } else {
        std::fprintf(stderr, "implicit: scipy_newton_krylov.py did not run; no SciPy figures\n");
      }
    }
#endif
  }
  scalar_roots(json, report);
  if (!output.empty()) save_report(report, output);
  if (json) bench::print_json(report);
  return 0;
}
