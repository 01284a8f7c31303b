// precond: CG to rtol 1e-8 with each preconditioner on the 3D Laplacian (10^6 unknowns by default)
// and on every SPD matrix of the shared folder: iterations, setup and solve seconds, their total, and
// the bytes the preconditioner holds next to the matrix's own; the fastest total per matrix is
// marked. Then CHOLMOD through frechet against CHOLMOD called directly (factor and one solve, the
// same defaults), and GMRES(50) with ILU(0) and ILUT against UMFPACK on the nonsymmetric matrices. With the hypre peer (-Dhypre_peer=enabled), BoomerAMG preconditions the same frechet CG
// (one V-cycle per application), so both AMGs are compared as preconditioners of one Krylov method;
// its bytes are reported as 0 (not measured).
//
// Preconditioners are a table of named factories: adding one is one line in `preconditioners()`.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/precond/amg.hpp"
#include "frechet/precond/chebyshev.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/ssor.hpp"

#include <suitesparse/cholmod.h>

#ifdef FRECHET_HYPRE_PEER
// hypre needs only MPI's C interface; OpenMPI's C++ bindings do not compile cleanly with -Wextra.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>
#endif

namespace {

using frechet::CsrMatrix;
using frechet::OperatorPtr;
using frechet::Vector;
using MatrixPtr = std::shared_ptr<const CsrMatrix>;
using namespace frechet::bench;

/// A preconditioner, the bytes it holds besides the matrix (null: no preconditioner), and what it
/// reports about itself (the Chebyshev interval, the AMG hierarchy).
struct Built {
  OperatorPtr m;
  std::size_t bytes = 0;
  nlohmann::json details = nlohmann::json::object();
};

#ifdef FRECHET_HYPRE_PEER
// One BoomerAMG V-cycle (MaxIter 1, Tol 0, zero initial guess) as a LinearOperator, so that it
// preconditions frechet's CG exactly as frechet's AMG does. The settings are hypre's recommendation
// for 3D diffusion: HMIS coarsening, extended+i interpolation with at most 4 entries per row, strong
// threshold 0.5, one sweep of symmetric hybrid Gauss-Seidel before and after (symmetric, so CG
// accepts the cycle). The matrix is copied into hypre's ParCSR form in the setup.
class BoomerAmgOperator final : public frechet::LinearOperator {
public:
  explicit BoomerAmgOperator(const CsrMatrix& a)
      : LinearOperator(a.rows(), a.cols(), {.symmetric = true, .positive_definite = true}),
        indices_(a.rows()),
        buffer_(a.rows()) {
    const auto n = static_cast<HYPRE_BigInt>(a.rows());
    for (std::size_t i = 0; i < a.rows(); ++i) indices_[i] = static_cast<HYPRE_BigInt>(i);
    HYPRE_IJMatrixCreate(MPI_COMM_WORLD, 0, n - 1, 0, n - 1, &ij_);
    HYPRE_IJMatrixSetObjectType(ij_, HYPRE_PARCSR);
    std::vector<HYPRE_Int> sizes(a.rows());
    for (std::size_t i = 0; i < a.rows(); ++i) sizes[i] = a.row_offsets()[i + 1] - a.row_offsets()[i];
    HYPRE_IJMatrixSetRowSizes(ij_, sizes.data());
    HYPRE_IJMatrixInitialize(ij_);
    const std::vector<HYPRE_BigInt> cols(a.col_indices().begin(), a.col_indices().end());
    HYPRE_IJMatrixSetValues(ij_, static_cast<HYPRE_Int>(n), sizes.data(), indices_.data(), cols.data(),
                            a.values().data());
    HYPRE_IJMatrixAssemble(ij_);
    HYPRE_IJMatrixGetObject(ij_, reinterpret_cast<void**>(&par_));
    for (HYPRE_IJVector* v : {&b_, &x_}) {
      HYPRE_IJVectorCreate(MPI_COMM_WORLD, 0, n - 1, v);
      HYPRE_IJVectorSetObjectType(*v, HYPRE_PARCSR);
      HYPRE_IJVectorInitialize(*v);
      HYPRE_IJVectorAssemble(*v);
    }
    HYPRE_IJVectorGetObject(b_, reinterpret_cast<void**>(&par_b_));
    HYPRE_IJVectorGetObject(x_, reinterpret_cast<void**>(&par_x_));
    HYPRE_BoomerAMGCreate(&solver_);
    HYPRE_BoomerAMGSetPrintLevel(solver_, 0);
    HYPRE_BoomerAMGSetCoarsenType(solver_, 10);
    HYPRE_BoomerAMGSetInterpType(solver_, 6);
    HYPRE_BoomerAMGSetPMaxElmts(solver_, 4);
    HYPRE_BoomerAMGSetStrongThreshold(solver_, 0.5);
    HYPRE_BoomerAMGSetRelaxType(solver_, 6);
    HYPRE_BoomerAMGSetNumSweeps(solver_, 1);
    HYPRE_BoomerAMGSetMaxIter(solver_, 1);
    HYPRE_BoomerAMGSetTol(solver_, 0.0);
    HYPRE_BoomerAMGSetup(solver_, par_, par_b_, par_x_);
  }
  ~BoomerAmgOperator() override {
    HYPRE_BoomerAMGDestroy(solver_);
    HYPRE_IJVectorDestroy(x_);
    HYPRE_IJVectorDestroy(b_);
    HYPRE_IJMatrixDestroy(ij_);
  }
  BoomerAmgOperator(const BoomerAmgOperator&) = delete;
  BoomerAmgOperator& operator=(const BoomerAmgOperator&) = delete;
  /// hypre does not report its hierarchy's memory through its public interface.
  std::size_t bytes() const { return 0; }

private:
  // Not safe for concurrent products (hypre's vectors are shared): CG calls it from one thread.
  void apply_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
    const auto n = static_cast<HYPRE_Int>(rows());
    HYPRE_IJVectorSetValues(b_, n, indices_.data(), x.data());
    std::fill(buffer_.begin(), buffer_.end(), 0.0);
    HYPRE_IJVectorSetValues(x_, n, indices_.data(), buffer_.data());
    HYPRE_BoomerAMGSolve(solver_, par_, par_b_, par_x_);
    HYPRE_IJVectorGetValues(x_, n, indices_.data(), y.data());
  }
  void apply_adjoint_impl(frechet::ConstVectorView x, frechet::VectorView y) const override { apply_impl(x, y); }

  std::vector<HYPRE_BigInt> indices_;
  mutable std::vector<double> buffer_;
  HYPRE_IJMatrix ij_{};
  HYPRE_ParCSRMatrix par_{};
  HYPRE_IJVector b_{}, x_{};
  HYPRE_ParVector par_b_{}, par_x_{};
  HYPRE_Solver solver_{};
};
#endif

struct Factory {
  std::string name;
  std::function<Built(const MatrixPtr&)> build;
};

// A sparse Cholesky factor of the 3D Laplacian grows like n^(4/3) (nested dissection): at 10^6
// unknowns some 10^8 entries and 10^12 flops, minutes of a benchmark for one number. Above this size
// the exact factorization is left out, and the output says so.
constexpr std::size_t cholmod_max_rows = 300000;

std::vector<Factory> preconditioners() {
  std::vector<Factory> table = {
      {"none", [](const MatrixPtr&) { return Built{}; }},
      {"jacobi",
       [](const MatrixPtr& a) {
         auto m = frechet::jacobi_preconditioner(*a);
         return Built{m, 2 * m->rows() * sizeof(double)};
       }},
      {"ssor",
       [](const MatrixPtr& a) {
         auto m = frechet::ssor_preconditioner(*a, {.omega = 1.2});
         return Built{m, m->bytes(), {{"omega", m->omega()}}};
       }},
      {"ic0",
       [](const MatrixPtr& a) {
         auto m = frechet::ic0_preconditioner(*a);
         return Built{m, m->bytes(), {{"shift", m->shift()}}};
       }},
      {"chebyshev",
       [](const MatrixPtr& a) {
         auto m = frechet::chebyshev_preconditioner(a);
         return Built{m, m->bytes(), {{"degree", m->degree()}, {"lambda_min", m->lambda_min()}, {"lambda_max", m->lambda_max()}}};
       }},
      {"amg",
       [](const MatrixPtr& a) {
         auto m = frechet::amg_preconditioner(a);
         const frechet::AmgHierarchy& h = m->hierarchy();
         nlohmann::json rows = nlohmann::json::array();
         for (const auto& level : h.levels) rows.push_back(level.rows);
         return Built{m, m->bytes(), {{"level_rows", rows}, {"operator_complexity", h.operator_complexity},
                                      {"grid_complexity", h.grid_complexity}}};
       }},
      {"cholmod",
       [](const MatrixPtr& a) {
         auto m = frechet::sparse_cholesky_preconditioner(*a);
         const std::size_t factor_nnz = m->factorization().factor_nnz();
         return Built{m, factor_nnz * (sizeof(double) + sizeof(int)), {{"factor_nnz", factor_nnz}}};
       }},
  };
#ifdef FRECHET_HYPRE_PEER
  table.push_back({"boomeramg", [](const MatrixPtr& a) {
                     auto m = std::make_shared<const BoomerAmgOperator>(*a);
                     return Built{m, m->bytes()};
                   }});
#endif
  return table;
}

std::size_t csr_bytes(const CsrMatrix& a) {
  return a.nnz() * (sizeof(double) + sizeof(frechet::SparseIndex)) + (a.rows() + 1) * sizeof(frechet::SparseIndex);
}

struct Result {
  std::string matrix, preconditioner;
  std::size_t rows = 0, nnz = 0, matrix_bytes = 0, bytes = 0;
  int iterations = 0;
  bool converged = false;
  double setup_seconds = 0.0, solve_seconds = 0.0;
  nlohmann::json details = nlohmann::json::object();
  double total() const { return setup_seconds + solve_seconds; }
};

// Setup and solve, `repeats` times; the median of each.
Result run(const std::string& name, const MatrixPtr& a, const Factory& factory, int repeats) {
  const Vector b = a->apply(Vector(a->cols(), 1.0));
  Result r{.matrix = name, .preconditioner = factory.name, .rows = a->rows(), .nnz = a->nnz(), .matrix_bytes = csr_bytes(*a)};
  std::vector<double> setups, solves;
  for (int k = 0; k < repeats; ++k) {
    auto t0 = Clock::now();
    const Built built = factory.build(a);
    setups.push_back(seconds_since(t0));
    t0 = Clock::now();
    const frechet::SolveResult s = frechet::cg(*a, b, {.rtol = 1e-8, .preconditioner = built.m});
    solves.push_back(seconds_since(t0));
    r.iterations = s.iterations;
    r.converged = s.converged;
    r.bytes = built.bytes;
    r.details = built.details;
  }
  r.setup_seconds = median(setups);
  r.solve_seconds = median(solves);
  return r;
}

/// Seconds of one CHOLMOD factorization and solve, (through frechet, called directly), medians of
/// `repeats` interleaved runs. Direct: the CSR arrays of the symmetric A are CHOLMOD's CSC arrays of
/// A^T = A, handed over without a copy (stype 1: the upper triangle of that CSC is read), with
/// CHOLMOD's default ordering and supernodal choice, as frechet's wrapper uses.
std::pair<double, double> cholmod_wrapper_and_direct(const CsrMatrix& a, int repeats) {
  const Vector b = a.apply(Vector(a.cols(), 1.0));
  std::vector<double> wrapper, direct;
  for (int k = 0; k < repeats; ++k) {
    auto t0 = Clock::now();
    {
      const frechet::SparseCholeskyFactorization f(a);
      keep(f.solve(b)[0]);
    }
    wrapper.push_back(seconds_since(t0));

    t0 = Clock::now();
    cholmod_common c;
    cholmod_start(&c);
    c.print = 0;
    cholmod_sparse s{};
    s.nrow = s.ncol = a.rows();
    s.nzmax = a.nnz();
    s.p = const_cast<frechet::SparseIndex*>(a.row_offsets().data());
    s.i = const_cast<frechet::SparseIndex*>(a.col_indices().data());
    s.x = const_cast<double*>(a.values().data());
    s.stype = 1;
    s.itype = CHOLMOD_INT;
    s.xtype = CHOLMOD_REAL;
    s.dtype = CHOLMOD_DOUBLE;
    s.sorted = 1;
    s.packed = 1;
    cholmod_factor* l = cholmod_analyze(&s, &c);
    cholmod_factorize(&s, l, &c);
    cholmod_dense bd{};
    bd.nrow = bd.d = bd.nzmax = a.rows();
    bd.ncol = 1;
    bd.x = const_cast<double*>(b.data());
    bd.xtype = CHOLMOD_REAL;
    bd.dtype = CHOLMOD_DOUBLE;
    cholmod_dense* x = cholmod_solve(CHOLMOD_A, l, &bd, &c);
    if (c.status != CHOLMOD_OK || x == nullptr) throw std::runtime_error("CHOLMOD called directly failed");
    keep(static_cast<const double*>(x->x)[0]);
    cholmod_free_dense(&x, &c);
    cholmod_free_factor(&l, &c);
    cholmod_finish(&c);
    direct.push_back(seconds_since(t0));
  }
  return {median(wrapper), median(direct)};
}

/// GMRES(50) to rtol 1e-8 on A x = A 1 with a preconditioner built by `build` (timed as setup), or
/// UMFPACK when `build` is empty.
Result run_nonsymmetric(const std::string& name, const MatrixPtr& a, const std::string& method,
                        const std::function<OperatorPtr(const CsrMatrix&)>& build) {
  const Vector b = a->apply(Vector(a->cols(), 1.0));
  Result r{.matrix = name, .preconditioner = method, .rows = a->rows(), .nnz = a->nnz(), .matrix_bytes = csr_bytes(*a)};
  auto t0 = Clock::now();
  if (!build) {
    const frechet::SolveResult s = frechet::sparse_lu_solve(*a, b);
    r.solve_seconds = seconds_since(t0);
    r.converged = s.converged;
    return r;
  }
  try {
    const OperatorPtr m = build(*a);
    r.setup_seconds = seconds_since(t0);
    t0 = Clock::now();
    const frechet::SolveResult s = frechet::gmres(
        *a, b, {.rtol = 1e-8, .max_iterations = 20 * static_cast<int>(a->rows()), .preconditioner = m, .restart = 50});
    r.solve_seconds = seconds_since(t0);
    r.iterations = s.iterations;
    r.converged = s.converged;
    r.details = {{"reason", frechet::reason_name(s.reason)}};
  } catch (const frechet::Error& e) {
    r.details = {{"error", e.what()}};
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CG with each preconditioner: iterations, setup, solve and memory", "precond"};
  std::string matrix_dir = FRECHET_DEFAULT_MATRIX_DIR;
  int grid = 100;
  int repeats = 1;
  bool json = false;
  app.add_option("--matrix-dir", matrix_dir, "folder of the shared SPD matrices (empty: the Laplacian only)");
  app.add_option("--grid", grid, "edge of the 3D Laplacian grid (100: 10^6 unknowns)")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "setups and solves per case; the median is reported")->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "print one JSON object and nothing else");
  CLI11_PARSE(app, argc, argv);
  set_threads(all_cores());
#ifdef FRECHET_HYPRE_PEER
  MPI_Init(&argc, &argv);
  HYPRE_Init();
#endif

  std::vector<std::pair<std::string, MatrixPtr>> matrices;
  const auto g = static_cast<std::size_t>(grid);
  matrices.emplace_back("laplacian_3d_" + std::to_string(grid) + "^3",
                        std::make_shared<const CsrMatrix>(frechet::laplacian_3d(g, g, g)));
  for (const char* name : {"LUNDA", "494_bus", "nos6", "gr_900_900_crg", "1138_bus", "bcsstk13", "ani4", "bcsstk16"}) {
    const auto file = std::filesystem::path(matrix_dir) / (std::string(name) + ".mtx");
    if (matrix_dir.empty() || !std::filesystem::exists(file)) continue;
    matrices.emplace_back(name, std::make_shared<const CsrMatrix>(frechet::read_matrix_market(file).matrix));
  }

  const std::vector<Factory> table = preconditioners();
  nlohmann::json out = json_report("precond");
  if (!json) {
    std::printf("CG to rtol 1e-8, b = A 1, %d thread(s); * marks the fastest total per matrix\n", all_cores());
    std::printf("%-22s %-10s %6s %5s %10s %10s %10s %12s %12s\n", "matrix", "precond", "iters", "conv", "setup s",
                "solve s", "total s", "bytes", "matrix bytes");
  }
  for (const auto& [name, a] : matrices) {
    std::vector<Result> results;
    for (const Factory& f : table) {
      if (f.name == "cholmod" && a->rows() > cholmod_max_rows) {
        if (!json) std::printf("%-22s %-10s skipped: more than %zu unknowns\n", name.c_str(), "cholmod", cholmod_max_rows);
        continue;
      }
      results.push_back(run(name, a, f, repeats));
    }
    std::optional<std::size_t> fastest;
    std::map<std::string, const Result*> by_name;
    for (std::size_t k = 0; k < results.size(); ++k) {
      by_name[results[k].preconditioner] = &results[k];
      if (results[k].converged && (!fastest || results[k].total() < results[*fastest].total())) fastest = k;
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
      const Result& r = results[k];
      nlohmann::json j{{"name", r.matrix + "/" + r.preconditioner},
                       {"matrix", r.matrix},
                       {"preconditioner", r.preconditioner},
                       {"rows", r.rows},
                       {"nnz", r.nnz},
                       {"iterations", r.iterations},
                       {"converged", r.converged},
                       {"setup_seconds", r.setup_seconds},
                       {"solve_seconds", r.solve_seconds},
                       {"total_seconds", r.total()},
                       {"bytes", r.bytes},
                       {"matrix_bytes", r.matrix_bytes},
                       {"fastest", fastest == k}};
      j.update(r.details);
      if (r.preconditioner == "amg") {
        j["ratio_none_to_amg"] = by_name.at("none")->total() / r.total();
        if (by_name.contains("boomeramg")) j["ratio_boomeramg_to_frechet"] = by_name.at("boomeramg")->total() / r.total();
      }
      out["cases"].push_back(j);
      if (!json) {
        std::printf("%-22s %-10s %6d %5s %10.4f %10.4f %10.4f %12zu %12zu %s\n", r.matrix.c_str(),
                    r.preconditioner.c_str(), r.iterations, r.converged ? "yes" : "NO", r.setup_seconds,
                    r.solve_seconds, r.total(), r.bytes, r.matrix_bytes, fastest == k ? "*" : "");
      }
    }
  }

  if (!json) std::printf("\nCHOLMOD factor + solve: through frechet against CHOLMOD called directly\n");
  for (const auto& [name, a] : matrices) {
    if (a->rows() > cholmod_max_rows) continue;
    const auto [wrapper, direct] = cholmod_wrapper_and_direct(*a, std::max(repeats, 3));
    out["cases"].push_back({{"name", name + "/cholmod-wrapper-vs-direct"},
                            {"matrix", name},
                            {"wrapper_seconds", wrapper},
                            {"direct_seconds", direct},
                            {"ratio_cholmod_wrapper_to_direct", wrapper / direct}});
    if (!json) std::printf("%-22s wrapper %10.4f s, direct %10.4f s, ratio %.3f\n", name.c_str(), wrapper, direct, wrapper / direct);
  }

  if (!json) std::printf("\nGMRES(50) to rtol 1e-8 with ILU(0) and ILUT(1e-4, 20), and UMFPACK, on the nonsymmetric matrices\n");
  const std::vector<std::pair<std::string, std::function<OperatorPtr(const CsrMatrix&)>>> nonsymmetric_methods{
      {"gmres", [](const CsrMatrix&) { return OperatorPtr{}; }},
      {"gmres+ilu0", [](const CsrMatrix& a) { return OperatorPtr(frechet::ilu0_preconditioner(a)); }},
      {"gmres+ilut",
       [](const CsrMatrix& a) { return OperatorPtr(frechet::ilut_preconditioner(a, {.drop_tolerance = 1e-4, .fill = 20})); }},
      {"umfpack", {}},
  };
  for (const char* name : {"west0479", "pde900", "olm1000", "watt_2", "bayer10"}) {
    const auto file = std::filesystem::path(matrix_dir) / (std::string(name) + ".mtx");
    if (matrix_dir.empty() || !std::filesystem::exists(file)) continue;
    const auto a = std::make_shared<const CsrMatrix>(frechet::read_matrix_market(file).matrix);
    for (const auto& [method, build] : nonsymmetric_methods) {
      const Result r = run_nonsymmetric(name, a, method, build);
      nlohmann::json j{{"name", r.matrix + "/" + r.preconditioner}, {"matrix", r.matrix}, {"method", method},
                       {"iterations", r.iterations}, {"converged", r.converged}, {"setup_seconds", r.setup_seconds},
                       {"solve_seconds", r.solve_seconds}, {"total_seconds", r.total()}};
      j.update(r.details);
      out["cases"].push_back(j);
      if (!json)
        std::printf("%-22s %-11s %6d %5s %10.4f %10.4f %10.4f\n", r.matrix.c_str(), method.c_str(), r.iterations,
                    r.converged ? "yes" : "NO", r.setup_seconds, r.solve_seconds, r.total());
    }
  }
  if (json) print_json(out);
#ifdef FRECHET_HYPRE_PEER
  HYPRE_Finalize();
  MPI_Finalize();
#endif
}
