// frechet-solve: reads a Matrix Market matrix and reports what it is; with --method, solves A x = b
// (or min ||A x - b|| for lsqr/lsmr) with a Krylov method and reports how it went.
//
// --backend petsc solves across MPI ranks with PETSc's KSP. This executable does not link PETSc (its
// shared libraries would cost every start of the tool): it replaces itself by frechet-solve-petsc,
// the same source built with FRECHET_WITH_PETSC next to it, which runs under mpiexec.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "cli_main.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/krylov/bicgstab.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/krylov/lsmr.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "frechet/krylov/minres.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/amg.hpp"
#include "frechet/precond/block_jacobi.hpp"
#include "frechet/precond/chebyshev.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/nystrom.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "frechet/precond/ssor.hpp"
#ifdef FRECHET_WITH_PETSC
#include "frechet/petsc/petsc.hpp"
#endif

namespace {

using Clock = std::chrono::steady_clock;
using frechet::Vector;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Entries written with fewer digits than a double holds (ani4 is SPD but stored `general`) differ from
// their mirror by rounding; a relative 1e-12 accepts those and nothing structural.
constexpr double symmetry_tolerance = 1e-12;

struct Options {
  std::string matrix;
  std::string method;  // empty: only describe the matrix
  std::string precond = "none";
  std::string rhs = "ones";
  double rtol = 1e-8;
  std::optional<int> max_iterations;
  std::optional<int> restart;     // unset: the solver's default (GMRES(30))
  std::optional<double> damping;  // unset: no damping
  bool monitor = false;
  bool json = false;
  std::string out;
  std::string backend = "serial";
};

// Every solver takes the same SolverOptions; --restart and --damping pass through (check_applicable
// refuses them where a solver would ignore them).
using Method = frechet::SolveResult (*)(const frechet::LinearOperator&, frechet::ConstVectorView,
                                        const frechet::SolverOptions&);

const std::map<std::string, Method>& methods() {
  using namespace frechet;
  static const std::map<std::string, Method> table{
      {"cg", cg},       {"minres", minres}, {"gmres", gmres},
      {"bicgstab", bicgstab}, {"lsqr", lsqr},   {"lsmr", lsmr},
  };
  return table;
}

// The sparse direct solvers (SuiteSparse): no iteration, no options; they report iterations 0.
using DirectMethod = frechet::SolveResult (*)(const frechet::CsrMatrix&, frechet::ConstVectorView);

const std::map<std::string, DirectMethod>& direct_methods() {
  using namespace frechet;
  static const std::map<std::string, DirectMethod> table{
      {"cholmod", [](const CsrMatrix& a, ConstVectorView b) { return sparse_cholesky_solve(a, b); }},
      {"umfpack", [](const CsrMatrix& a, ConstVectorView b) { return sparse_lu_solve(a, b); }},
      {"spqr", [](const CsrMatrix& a, ConstVectorView b) { return sparse_qr_solve(a, b); }},
  };
  return table;
}

bool is_least_squares(const std::string& method) { return method == "lsqr" || method == "lsmr" || method == "spqr"; }

// --method names that --backend petsc takes, and their PETSc KSPType.
const std::map<std::string, std::string>& petsc_methods() {
  static const std::map<std::string, std::string> table{
      {"cg", "cg"}, {"minres", "minres"}, {"gmres", "gmres"}, {"bicgstab", "bcgs"}};
  return table;
}

// A preconditioner built from the matrix, with what it reports about itself (the JSON "precond_info").
struct Preconditioner {
  frechet::OperatorPtr m;
  nlohmann::json info = nlohmann::json::object();
};
using PreconditionerFactory = Preconditioner (*)(const frechet::CsrMatrix&);

// The library's preconditioners with their default options, by the name --precond takes.
const std::map<std::string, PreconditionerFactory>& preconditioners() {
  using namespace frechet;
  static const std::map<std::string, PreconditionerFactory> table{
      {"none", [](const CsrMatrix&) { return Preconditioner{}; }},
      {"jacobi", [](const CsrMatrix& a) { return Preconditioner{jacobi_preconditioner(a)}; }},
      {"amg",
       [](const CsrMatrix& a) {
         const auto m = amg_preconditioner(a);
         const AmgHierarchy& h = m->hierarchy();
         nlohmann::json rows = nlohmann::json::array();
         for (const auto& level : h.levels) rows.push_back(level.rows);
         return Preconditioner{m, {{"level_rows", rows},
                                   {"operator_complexity", h.operator_complexity},
                                   {"grid_complexity", h.grid_complexity},
                                   {"bytes", m->bytes()}}};
       }},
      {"block-jacobi",
       [](const CsrMatrix& a) {
         const auto m = block_jacobi_preconditioner(a);
         return Preconditioner{m, {{"block_size", m->block_size()}, {"bytes", m->bytes()}}};
       }},
      {"nystrom",
       [](const CsrMatrix& a) {
         // Nystrom needs A positive semidefinite, which a file cannot declare: asking for it is the
         // promise. A fixed rank: the adaptive one needs the shift mu > 0 of a regularised system.
         if (!a.is_numerically_symmetric(symmetry_tolerance))
           throw ArgumentError("--precond nystrom: the matrix must be symmetric positive semidefinite");
         const CsrMatrix psd = a.with_traits({.symmetric = true, .positive_semidefinite = true});
         const auto m = nystrom_preconditioner(psd, {.rank = std::min<std::size_t>(a.rows(), 64)});
         return Preconditioner{m, {{"rank", m->rank()}, {"operator_products", m->operator_products()}}};
       }},
      {"ssor",
       [](const CsrMatrix& a) {
         const auto m = ssor_preconditioner(a);
         return Preconditioner{m, {{"omega", m->omega()}, {"bytes", m->bytes()}}};
       }},
      {"chebyshev",
       [](const CsrMatrix& a) {
         const auto m = chebyshev_preconditioner(std::make_shared<const CsrMatrix>(a));
         return Preconditioner{m, {{"degree", m->degree()}, {"lambda_min", m->lambda_min()},
                                   {"lambda_max", m->lambda_max()}}};
       }},
      {"cholmod",
       [](const CsrMatrix& a) {
         const auto m = sparse_cholesky_preconditioner(a);
         return Preconditioner{m, {{"factor_nnz", m->factorization().factor_nnz()},
                                   {"supernodal", m->factorization().is_supernodal()}}};
       }},
      {"ic0",
       [](const CsrMatrix& a) {
         const auto m = ic0_preconditioner(a);
         return Preconditioner{m, {{"shift", m->shift()}, {"attempts", m->attempts()}, {"bytes", m->bytes()}}};
       }},
      {"ilu0",
       [](const CsrMatrix& a) {
         const auto m = ilu0_preconditioner(a);
         return Preconditioner{m, {{"factor_nnz", m->factor_nnz()}, {"bytes", m->bytes()}}};
       }},
      {"ilut",
       [](const CsrMatrix& a) {
         const auto m = ilut_preconditioner(a);
         return Preconditioner{m,
                               {{"factor_nnz", m->factor_nnz()},
                                {"permuted_columns", m->permuted_columns()},
                                {"replaced_pivots", m->replaced_pivots()},
                                {"bytes", m->bytes()}}};
       }},
  };
  return table;
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("MATRIX", o.matrix, "a Matrix Market file (.mtx)")->required();
  std::vector<std::string> names;
  for (const auto& [name, method] : methods()) names.push_back(name);
  for (const auto& [name, method] : direct_methods()) names.push_back(name);
  app.add_option("--method", o.method,
                 "Krylov method, or a sparse direct solver (cholmod, umfpack, spqr); without it the matrix is "
                 "only described")
      ->check(CLI::IsMember(names));
  std::vector<std::string> precond_names;
  for (const auto& [name, factory] : preconditioners()) precond_names.push_back(name);
  app.add_option("--precond", o.precond, "preconditioner, with the library's default options")
      ->check(CLI::IsMember(precond_names));
  app.add_option("--rhs", o.rhs, "right-hand side: 'ones' for b = A*1, or a Matrix Market vector file");
  app.add_option("--rtol", o.rtol, "relative tolerance of the stopping rule")->check(frechet::apps::positive());
  app.add_option("--max-iter", o.max_iterations, "iteration limit (default: the method's)");
  app.add_option("--restart", o.restart, "GMRES restart length m (gmres only; default 30)")
      ->check(frechet::apps::positive());
  app.add_option("--damping", o.damping, "Tikhonov damping lambda (lsqr and lsmr only; default 0)")
      ->check(frechet::apps::non_negative());
  app.add_flag("--monitor", o.monitor, "print the residual norm at every iteration");
  app.add_flag("--json", o.json, "print one JSON object instead of text");
  app.add_option("--out", o.out, "write the solution to this Matrix Market file");
  app.add_option("--backend", o.backend,
                 "serial: this process; petsc: PETSc's KSP across the MPI ranks (run it under mpiexec; "
                 "methods cg, minres, gmres, bicgstab; preconditioners none, jacobi, and amg: PETSc's GAMG)")
      ->check(CLI::IsMember({"serial", "petsc"}));
  frechet::apps::add_threads_option(app);
}

nlohmann::json describe(const frechet::SparseMatrixFile& file, const std::string& path, double read_seconds) {
  const auto& h = file.header;
  const auto& a = file.matrix;
  return {{"matrix", path},
          {"rows", a.rows()},
          {"cols", a.cols()},
          {"nnz", a.nnz()},
          {"entries", h.entries},
          {"format", frechet::to_string(h.format)},
          {"field", frechet::to_string(h.field)},
          {"symmetry", frechet::to_string(h.symmetry)},
          {"numerically_symmetric", a.is_numerically_symmetric(symmetry_tolerance)},
          {"read_seconds", read_seconds}};
}

Vector right_hand_side(const Options& o, const frechet::CsrMatrix& a) {
  if (o.rhs == "ones") return a.apply(Vector(a.cols(), 1.0));
  const frechet::DenseMatrix b = frechet::read_matrix_market_dense(o.rhs);
  if (b.size() != a.rows() || (b.cols() != 1 && b.rows() != 1)) {
    throw frechet::ShapeError("--rhs " + o.rhs + ": expected a vector of " + std::to_string(a.rows()) +
                              " entries, got a " + std::to_string(b.rows()) + "x" + std::to_string(b.cols()) +
                              " matrix");
  }
  return Vector(b.values().begin(), b.values().end());
}

// ||b - A x|| / ||b||, or for least squares ||A^T (b - A x)|| / ||A^T b||, computed afresh. A zero
// denominator (b = 0, solved by x = 0) leaves the absolute norm rather than 0/0.
double relative_residual(const frechet::CsrMatrix& a, frechet::ConstVectorView b, frechet::ConstVectorView x,
                         bool least_squares) {
  Vector r(b.begin(), b.end());
  frechet::axpy(-1.0, a.apply(x), r);
  const double num = least_squares ? frechet::norm2(a.apply_adjoint(r)) : frechet::norm2(r);
  const double den = least_squares ? frechet::norm2(a.apply_adjoint(b)) : frechet::norm2(b);
  return den == 0.0 ? num : num / den;
}

// An option that would change nothing is an error, not a silent no-op: the solve options without
// --method, the iteration options with a direct solver, --restart outside gmres, --damping outside the
// least-squares Krylov methods.
void check_applicable(const Options& o, const CLI::App& app) {
  const auto used = [&](const char* option) { return app.count(option) > 0; };
  if (o.method.empty()) {
    for (const char* option : {"--precond", "--rhs", "--rtol", "--max-iter", "--restart", "--damping", "--monitor", "--out"}) {
      if (used(option))
        throw frechet::ArgumentError(std::string(option) + " needs --method (without it the tool only describes the matrix)");
    }
    return;
  }
  const auto refuse = [&](const char* option, const char* applies_to) {
    throw frechet::ArgumentError(std::string(option) + " does not apply to --method " + o.method + " (it applies to " +
                                 applies_to + ")");
  };
  if (direct_methods().contains(o.method)) {
    for (const char* option : {"--precond", "--rtol", "--max-iter", "--monitor"})
      if (used(option)) refuse(option, "the Krylov methods");
  }
  if (o.restart && o.method != "gmres") refuse("--restart", "gmres");
  if (o.damping && o.method != "lsqr" && o.method != "lsmr") refuse("--damping", "lsqr and lsmr");
  if (o.backend == "petsc") {
    if (!petsc_methods().contains(o.method))
      throw frechet::ArgumentError("--method " + o.method + " does not apply to --backend petsc (it takes cg, minres, "
                                   "gmres, bicgstab)");
    if (o.precond != "none" && o.precond != "jacobi" && o.precond != "amg")
      throw frechet::ArgumentError("--precond " + o.precond + " does not apply to --backend petsc (it takes none, jacobi, amg)");
    if (used("--out")) throw frechet::ArgumentError("--out does not apply to --backend petsc (the solution is distributed)");
  }
}

void solve(const Options& o, const frechet::CsrMatrix& a, nlohmann::json& report) {
  const bool direct = direct_methods().contains(o.method);
  const auto setup_start = Clock::now();
  const Vector b = right_hand_side(o, a);
  const Preconditioner precond = preconditioners().at(o.precond)(a);
  frechet::SolverOptions settings{.rtol = o.rtol,
                                  .max_iterations = o.max_iterations,
                                  .preconditioner = precond.m,
                                  .restart = o.restart.value_or(frechet::SolverOptions{}.restart),
                                  .damping = o.damping.value_or(0.0)};
  // Every iterative solve records its residual history for the report; --monitor also prints it as it
  // goes, on stderr under --json so that stdout stays one JSON object.
  std::vector<double> history;
  FILE* monitor_stream = o.json ? stderr : stdout;
  settings.monitor = [&history, &o, monitor_stream](int k, double norm) {
    history.push_back(norm);
    if (o.monitor) std::fprintf(monitor_stream, "%5d KSP residual norm %.12e\n", k, norm);
  };
  const double setup_seconds = seconds_since(setup_start);

  const auto solve_start = Clock::now();
  const frechet::SolveResult result =
      direct ? direct_methods().at(o.method)(a, b) : methods().at(o.method)(a, b, settings);
  const double solve_seconds = seconds_since(solve_start);

  report["method"] = o.method;
  report["precond"] = o.precond;
  report["precond_info"] = precond.info;
  report["iterations"] = result.iterations;
  report["operator_products"] = result.operator_products;
  if (!direct) report["residual_history"] = history;
  report["converged"] = result.converged;
  report["reason"] = std::string(frechet::reason_name(result.reason));
  report["reason_detail"] = std::string(frechet::to_string(result.reason));
  report["relative_residual"] = relative_residual(a, b, result.x, is_least_squares(o.method));
  if (o.rhs == "ones") {
    Vector e = result.x;
    for (double& v : e) v -= 1.0;
    report["error_vs_ones"] = frechet::norm_inf(e);
  }
  report["setup_seconds"] = setup_seconds;
  report["solve_seconds"] = solve_seconds;
  if (!o.out.empty()) {
    frechet::DenseMatrix x(result.x.size(), 1);
    frechet::copy(result.x, x.values());
    frechet::write_matrix_market(o.out, x, "frechet-solve --method " + o.method + " " + o.matrix);
    report["out"] = o.out;
  }
}

void print_text(const nlohmann::json& r) {
  std::printf("matrix      %s\n", r["matrix"].get<std::string>().c_str());
  std::printf("shape       %zu x %zu\n", r["rows"].get<std::size_t>(), r["cols"].get<std::size_t>());
  std::printf("nonzeros    %zu (%zu entries stored in the file)\n", r["nnz"].get<std::size_t>(),
              r["entries"].get<std::size_t>());
  std::printf("storage     %s %s %s\n", r["format"].get<std::string>().c_str(),
              r["field"].get<std::string>().c_str(), r["symmetry"].get<std::string>().c_str());
  std::printf("symmetric   %s\n",
              r["numerically_symmetric"].get<bool>() ? "yes (every |A_ij - A_ji| <= 1e-12 max|A|)" : "no");
  std::printf("read in     %.3f s\n", r["read_seconds"].get<double>());
  if (!r.contains("method")) return;
  std::printf("method      %s, preconditioner %s\n", r["method"].get<std::string>().c_str(),
              r["precond"].get<std::string>().c_str());
  std::printf("result      %s after %d iterations\n", r["reason"].get<std::string>().c_str(),
              r["iterations"].get<int>());
  if (!r["converged"].get<bool>()) std::printf("            %s\n", r["reason_detail"].get<std::string>().c_str());
  std::printf("residual    %.3e (relative, recomputed from x)\n", r["relative_residual"].get<double>());
  if (r.contains("error_vs_ones")) std::printf("error       %.3e (max |x_i - 1|)\n", r["error_vs_ones"].get<double>());
  std::printf("time        %.3f s setup, %.3f s solve\n", r["setup_seconds"].get<double>(),
              r["solve_seconds"].get<double>());
  if (r.contains("out")) std::printf("wrote       %s\n", r["out"].get<std::string>().c_str());
}

#ifdef FRECHET_WITH_PETSC
// The solve across the ranks: every rank reads the file and keeps its rows (distribute_rows); the
// report holds the same fields as the serial one, and only rank 0 prints it.
int run_petsc(const Options& o, int& argc, char**& argv) {
  frechet::PetscSession session(argc, argv);  // declared first: every PETSc object goes before it
  const auto start = Clock::now();
  const frechet::SparseMatrixFile file = frechet::read_matrix_market(o.matrix);
  nlohmann::json report = describe(file, o.matrix, seconds_since(start));
  report["backend"] = "petsc";
  report["ranks"] = session.size();
  if (!o.method.empty()) {
    const auto setup_start = Clock::now();
    const auto a = std::make_shared<const frechet::DistributedCsrMatrix>(
        frechet::distribute_rows(session.comm(), file.matrix));
    Vector b;
    if (o.rhs == "ones") {
      b = a->apply(Vector(a->cols(), 1.0));
    } else {
      const Vector serial = right_hand_side(o, file.matrix);
      b = Vector(serial.begin() + static_cast<std::ptrdiff_t>(a->row_begin()),
                 serial.begin() + static_cast<std::ptrdiff_t>(a->row_begin() + a->rows()));
    }
    std::vector<double> history;
    FILE* monitor_stream = o.json ? stderr : stdout;
    const bool printer = session.rank() == 0;
    // amg is PETSc's smoothed-aggregation multigrid (GAMG), built from the rows copied into PETSc's
    // MPIAIJ format; the products with A stay frechet's.
    const bool amg = o.precond == "amg";
    frechet::PetscSolveOptions settings{.method = petsc_methods().at(o.method),
                                        .pc_type = amg ? "gamg" : o.precond,
                                        .preconditioner_matrix = amg ? std::optional(frechet::to_petsc_aij(*a)) : std::nullopt,
                                        .rtol = o.rtol,
                                        .max_iterations = o.max_iterations,
                                        .monitor = [&](int k, double norm) {
                                          history.push_back(norm);
                                          if (o.monitor && printer)
                                            std::fprintf(monitor_stream, "%5d KSP residual norm %.12e\n", k, norm);
                                        },
                                        .restart = o.restart.value_or(frechet::PetscSolveOptions{}.restart)};
    const frechet::PetscMatrix matrix = frechet::to_petsc_matrix(a);
    const double setup_seconds = seconds_since(setup_start);
    const auto solve_start = Clock::now();
    const frechet::SolveResult result = frechet::petsc_solve(matrix, b, settings);
    const double solve_seconds = seconds_since(solve_start);
    report["method"] = o.method;
    report["precond"] = o.precond;
    report["precond_info"] = nlohmann::json::object();
    report["iterations"] = result.iterations;
    report["operator_products"] = result.operator_products;
    report["residual_history"] = history;
    report["converged"] = result.converged;
    report["reason"] = std::string(frechet::reason_name(result.reason));
    report["reason_detail"] = std::string(frechet::to_string(result.reason));
    report["relative_residual"] = result.rhs_norm == 0.0 ? result.residual_norm : result.residual_norm / result.rhs_norm;
    if (o.rhs == "ones") {
      double local = 0.0, global = 0.0;
      for (const double v : result.x) local = std::max(local, std::abs(v - 1.0));
      MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, session.comm());
      report["error_vs_ones"] = global;
    }
    report["setup_seconds"] = setup_seconds;
    report["solve_seconds"] = solve_seconds;
  }
  if (session.rank() == 0) {
    if (o.json) {
      std::printf("%s\n", report.dump().c_str());
    } else {
      print_text(report);
    }
  }
  return report.contains("converged") && !report["converged"].get<bool>() ? 3 : 0;
}
#else
// Replaces this process by frechet-solve-petsc from the same folder, with the same arguments; returns
// only if that fails.
[[noreturn]] void exec_petsc_build(char** argv) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path petsc = self.parent_path() / "frechet-solve-petsc";
  execv(petsc.c_str(), argv);
  throw frechet::ArgumentError("--backend petsc: cannot run " + petsc.string() + " (" + std::strerror(errno) +
                               "); frechet was built without PETSc (configure with -Dpetsc=enabled; Debian "
                               "packages libpetsc-real-dev openmpi-bin)");
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Read a sparse matrix in Matrix Market format, report what it is, and solve with it.",
               "frechet-solve");
  frechet::apps::show_defaults(app);
  Options options;
  add_options(app, options);
  return frechet::apps::run_cli(app, argc, argv, [&] {
    check_applicable(options, app);
    if (options.backend == "petsc") {
#ifdef FRECHET_WITH_PETSC
      return run_petsc(options, argc, argv);
#else
      exec_petsc_build(argv);
#endif
    }
    const auto start = Clock::now();
    const frechet::SparseMatrixFile file = frechet::read_matrix_market(options.matrix);
    nlohmann::json report = describe(file, options.matrix, seconds_since(start));
    if (!options.method.empty()) solve(options, file.matrix, report);
    if (options.json) {
      std::printf("%s\n", report.dump().c_str());
    } else {
      print_text(report);
    }
    // A solve that ran but did not converge is not a success: exit status 3 (the report says why).
    return report.contains("converged") && !report["converged"].get<bool>() ? 3 : 0;
  });
}
