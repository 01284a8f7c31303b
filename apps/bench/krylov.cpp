// krylov: (1) matrix-free scale: CG on the Hessian operator of a function of 10^6 variables, and
// Hutchinson's trace of that Hessian, with their peak memory; (2) the time of one CG iteration on sparse SPD matrices, against the ideal of the same run
// (one SpMV plus the textbook vector work: two dot products and three axpys, each timed alone) and
// against Eigen's ConjugateGradient and SciPy's cg on the same matrix and right-hand side, for one
// thread and for all cores. Every solver runs the same fixed number of iterations (the tolerance is
// out of reach), so the times per iteration compare like with like.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "bench_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/random.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"

#ifdef FRECHET_EIGEN_PEER
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#endif

namespace {

using frechet::CsrMatrix;
using frechet::Vector;
using namespace frechet::bench;

struct Case {
  std::string name;
  CsrMatrix matrix;
  std::filesystem::path file;  // where SciPy reads it from (written on demand for generated cases)
  int iterations;
};

struct Row {
  std::string name;
  std::size_t rows = 0, nnz = 0;
  int threads = 0, iterations = 0;
  double seconds_per_iteration = 0, ideal = 0;
  std::optional<double> eigen{}, scipy{}, speedup{};
};

// One SpMV, two dots and three axpys: the memory traffic CG cannot avoid without fusing.
double ideal_iteration_seconds(const CsrMatrix& a, double budget) {
  const std::size_t n = a.rows();
  Vector x(n, 1.0), y(n, 0.5), z(n, 0.25);
  const double spmv = median_seconds([&] { a.apply(x, y); }, budget);
  volatile double sink = 0;
  const double dot = median_seconds([&] { sink = sink + frechet::dot(x, y); }, budget);
  const double axpy = median_seconds([&] { frechet::axpy(1e-9, x, z); }, budget);
  return spmv + 2 * dot + 3 * axpy;
}

double frechet_cg_seconds_per_iteration(const CsrMatrix& a, const Vector& b, int iterations, int& done) {
  const frechet::SolverOptions options{.rtol = 1e-30, .atol = 0.0, .max_iterations = iterations};
  return median_seconds(
             [&] {
               const auto r = frechet::cg(a, b, options);
               done = r.iterations;
             },
             1.0) /
         iterations;
}

#ifdef FRECHET_EIGEN_PEER
double eigen_cg_seconds_per_iteration(const CsrMatrix& a, const Vector& b, int iterations, int& done) {
  using EigenCsr = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
  const EigenCsr ea = Eigen::Map<const EigenCsr>(static_cast<int>(a.rows()), static_cast<int>(a.cols()),
                                                 static_cast<int>(a.nnz()), a.row_offsets().data(),
                                                 a.col_indices().data(), a.values().data());
  const Eigen::Map<const Eigen::VectorXd> eb(b.data(), static_cast<Eigen::Index>(b.size()));
  // Lower|Upper with a row-major matrix is the combination Eigen multithreads.
  Eigen::ConjugateGradient<EigenCsr, Eigen::Lower | Eigen::Upper, Eigen::IdentityPreconditioner> solver;
  solver.setMaxIterations(iterations);
  solver.setTolerance(1e-30);
  solver.compute(ea);
  Eigen::VectorXd x;
  return median_seconds(
             [&] {
               x = solver.solve(eb);
               done = static_cast<int>(solver.iterations());
             },
             1.0) /
         iterations;
}
#endif

#ifdef FRECHET_SCIPY_PYTHON
// Runs scipy_cg.py in Debian's Python with SciPy; it prints the median seconds per iteration.
std::optional<double> scipy_cg_seconds_per_iteration(const std::filesystem::path& file, int iterations) {
  const std::string command = std::string(FRECHET_SCIPY_PYTHON) + " " + FRECHET_SCIPY_SCRIPT + " " +
                              file.string() + " " + std::to_string(iterations);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  double seconds = 0;
  const bool ok = std::fscanf(pipe, "%lf", &seconds) == 1;
  if (pclose(pipe) != 0 || !ok) return std::nullopt;
  return seconds;
}
#endif

double peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports kilobytes
}

// f(x) = 1/2 sum_i (x_{i+1} - x_i)^2 + sum_i (exp(x_i) - x_i): its Hessian is the 1D Laplacian plus
// diag(exp(x)), SPD, tridiagonal, and never formed here. Its trace is known exactly.
struct MatrixFreeFigures {
  std::size_t n = 0;
  double cg_seconds = 0, hutchinson_seconds = 0, trace_estimate = 0, trace_standard_error = 0;
  double trace_exact = 0, peak_bytes = 0, relative_residual = 0;
  int cg_iterations = 0, probes = 0;
  bool converged = false;
};

MatrixFreeFigures matrix_free(std::size_t n) {
  const auto f = [n](const auto& x) {
    const auto dx = frechet::slice(x, 1, n - 1) - frechet::slice(x, 0, n - 1);
    return 0.5 * frechet::sum(frechet::square(dx)) + frechet::sum(frechet::exp(x) - x);
  };
  frechet::Random rng(7);
  Vector x = rng.gaussian_vector(n);
  frechet::scale(0.1, x);
  MatrixFreeFigures out{.n = n};
  const auto h = frechet::hessian_operator(f, x);
  const Vector b = h->apply(Vector(n, 1.0));
  auto start = Clock::now();
  const auto solve = frechet::cg(*h, b, {.rtol = 1e-8});
  out.cg_seconds = seconds_since(start);
  out.cg_iterations = solve.iterations;
  out.converged = solve.converged;
  out.relative_residual = solve.residual_norm / solve.rhs_norm;
  start = Clock::now();
  const auto trace = frechet::hutchinson_trace(*h, {.probes = 100, .seed = 1});
  out.hutchinson_seconds = seconds_since(start);
  out.trace_estimate = trace.estimate;
  out.trace_standard_error = trace.standard_error;
  out.probes = trace.probes;
  for (std::size_t i = 0; i < n; ++i) out.trace_exact += std::exp(x[i]) + ((i == 0 || i + 1 == n) ? 1.0 : 2.0);
  out.peak_bytes = peak_resident_bytes();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CG per-iteration time against the ideal SpMV + vector work, Eigen and SciPy", "krylov"};
  std::string matrix_dir = FRECHET_DEFAULT_MATRIX_DIR;
  bool json = false;
  int grid = 100;
  app.add_option("--matrix-dir", matrix_dir, "folder with bcsstk16.mtx (the largest shared SPD matrix)");
  app.add_option("--grid", grid, "edge of the 3D Laplacian grid (100: 10^6 unknowns)");
  app.add_flag("--json", json, "print one JSON object");
  std::size_t matrix_free_n = 1000000;
  app.add_option("--matrix-free-n", matrix_free_n, "variables of the matrix-free Hessian case");
  CLI11_PARSE(app, argc, argv);

  // First, so that the peak memory it reports is its own.
  set_threads(all_cores());
  const MatrixFreeFigures mf = matrix_free(matrix_free_n);

  const auto scratch = std::filesystem::temp_directory_path() / ("frechet-bench-krylov-" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch);
  std::vector<Case> cases;
  {
    CsrMatrix lap = frechet::laplacian_3d(grid, grid, grid);
    const auto file = scratch / "laplacian_3d.mtx";
#ifdef FRECHET_SCIPY_PYTHON
    frechet::write_matrix_market(file, lap, frechet::MatrixMarketSymmetry::symmetric);
#endif
    cases.push_back({"laplacian_3d_" + std::to_string(grid) + "^3", std::move(lap), file, 100});
  }
  const auto bcsstk16 = std::filesystem::path(matrix_dir) / "bcsstk16.mtx";
  if (!matrix_dir.empty() && std::filesystem::exists(bcsstk16)) {
    cases.push_back({"bcsstk16", frechet::read_matrix_market(bcsstk16).matrix, bcsstk16, 300});
  }

  std::vector<Row> rows;
  for (const Case& c : cases) {
    const Vector b = c.matrix.apply(Vector(c.matrix.cols(), 1.0));
    std::optional<double> one_thread;
    std::vector<int> thread_counts{1};
    if (all_cores() > 1) thread_counts.push_back(all_cores());
    for (int threads : thread_counts) {
      set_threads(threads);
      Row row{.name = c.name, .rows = c.matrix.rows(), .nnz = c.matrix.nnz(), .threads = threads};
      row.seconds_per_iteration = frechet_cg_seconds_per_iteration(c.matrix, b, c.iterations, row.iterations);
      row.ideal = ideal_iteration_seconds(c.matrix, 0.5);
#ifdef FRECHET_EIGEN_PEER
      int eigen_iterations = 0;
      row.eigen = eigen_cg_seconds_per_iteration(c.matrix, b, c.iterations, eigen_iterations);
      if (eigen_iterations != row.iterations) {
        std::fprintf(stderr, "krylov: Eigen ran %d iterations, frechet %d\n", eigen_iterations, row.iterations);
      }
#endif
#ifdef FRECHET_SCIPY_PYTHON
      if (threads == 1) row.scipy = scipy_cg_seconds_per_iteration(c.file, c.iterations);
#endif
      if (threads == 1) one_thread = row.seconds_per_iteration;
      else if (one_thread) row.speedup = *one_thread / row.seconds_per_iteration;
      rows.push_back(row);
    }
  }
  std::filesystem::remove_all(scratch);

  nlohmann::json out = frechet::bench::json_report("krylov");
  out["cases"].push_back({{"name", "matrix_free_hessian_cg"},
                          {"n", mf.n},
                          {"iterations", mf.cg_iterations},
                          {"converged", mf.converged},
                          {"relative_residual", mf.relative_residual},
                          {"seconds", mf.cg_seconds},
                          {"peak_bytes", mf.peak_bytes},
                          {"ratio_peak_bytes_to_n_doubles", mf.peak_bytes / (8.0 * static_cast<double>(mf.n))}});
  out["cases"].push_back({{"name", "matrix_free_hessian_hutchinson"},
                          {"n", mf.n},
                          {"probes", mf.probes},
                          {"seconds", mf.hutchinson_seconds},
                          {"estimate", mf.trace_estimate},
                          {"standard_error", mf.trace_standard_error},
                          {"exact", mf.trace_exact},
                          {"ratio_error_to_standard_error",
                           std::abs(mf.trace_estimate - mf.trace_exact) / mf.trace_standard_error}});
  std::printf("Matrix-free Hessian of f(x) = sum (x_{i+1} - x_i)^2 / 2 + sum (exp(x_i) - x_i), n = %zu\n", mf.n);
  std::printf("  CG to rtol 1e-8: %d iterations (%s, relative residual %.2e) in %.2f s\n", mf.cg_iterations,
              mf.converged ? "converged" : "NOT converged", mf.relative_residual, mf.cg_seconds);
  std::printf("  Hutchinson, %d probes: %.6g +- %.3g (exact %.6g) in %.2f s\n", mf.probes, mf.trace_estimate,
              mf.trace_standard_error, mf.trace_exact, mf.hutchinson_seconds);
  std::printf("  peak resident memory %.0f MB = %.1f vectors of n doubles\n\n", mf.peak_bytes / 1e6,
              mf.peak_bytes / (8.0 * static_cast<double>(mf.n)));
  std::printf("CG seconds per iteration (median), ideal = SpMV + 2 dot + 3 axpy timed alone, same run\n");
  std::printf("%-22s %9s %9s %3s %5s %10s %10s %7s %9s %9s %8s\n", "case", "rows", "nnz", "thr", "iters",
              "ms/iter", "ideal ms", "/ideal", "eigen/us", "scipy/us", "speedup");
  for (const Row& r : rows) {
    nlohmann::json j{{"name", r.name},
                     {"rows", r.rows},
                     {"nnz", r.nnz},
                     {"threads", r.threads},
                     {"iterations", r.iterations},
                     {"seconds_per_iteration", r.seconds_per_iteration},
                     {"ideal_seconds_per_iteration", r.ideal},
                     {"ratio_cg_iteration_to_ideal", r.seconds_per_iteration / r.ideal}};
    if (r.eigen) j["ratio_eigen_to_frechet"] = *r.eigen / r.seconds_per_iteration;
    if (r.scipy) j["ratio_scipy_to_frechet"] = *r.scipy / r.seconds_per_iteration;
    if (r.speedup) j["ratio_1_thread_to_all_cores"] = *r.speedup;
    out["cases"].push_back(j);
    auto opt = [](const std::optional<double>& v, double scale) { return v ? *v * scale : 0.0; };
    std::printf("%-22s %9zu %9zu %3d %5d %10.4f %10.4f %7.2f %9.2f %9.2f %8.2f\n", r.name.c_str(), r.rows, r.nnz,
                r.threads, r.iterations, r.seconds_per_iteration * 1e3, r.ideal * 1e3,
                r.seconds_per_iteration / r.ideal, r.eigen ? *r.eigen / r.seconds_per_iteration : 0.0,
                r.scipy ? *r.scipy / r.seconds_per_iteration : 0.0, opt(r.speedup, 1.0));
  }
  std::printf("(eigen/us and scipy/us: the peer's time per iteration over ours; 0 = not measured)\n");
  if (json) frechet::bench::print_json(out);
}
