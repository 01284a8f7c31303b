#include "frechet/petsc/petsc_solve.hpp"

#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "petsc_check.hpp"
#include "shell_context.hpp"

namespace frechet {

struct PetscLinearSolver::State {
  KSP ksp = nullptr;
  PetscMatrix a;
  std::optional<PetscMatrix> p;
  PetscSolveOptions options;
  detail::CallbackErrors errors;  // the PCSHELL's and the monitor's
  Vector history;                 // of the solve under way
  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { KSPDestroy(&ksp); }
};

namespace {

void check_tolerances(const char* who, double rtol, double atol) {
  if (!std::isfinite(rtol) || rtol < 0)
    throw ArgumentError(std::string(who) + ": rtol must be finite and >= 0, got " + std::to_string(rtol));
  if (!std::isfinite(atol) || atol < 0)
    throw ArgumentError(std::string(who) + ": atol must be finite and >= 0, got " + std::to_string(atol));
  if (rtol == 0 && atol == 0) throw ArgumentError(std::string(who) + ": rtol and atol are both 0; at least one must be > 0");
}

void check_options(const PetscSolveOptions& o) {
  const char* who = "PetscLinearSolver";
  check_tolerances(who, o.rtol, o.atol);
  if (o.max_iterations && *o.max_iterations < 0)
    throw ArgumentError(std::string(who) + ": max_iterations must be >= 0, got " + std::to_string(*o.max_iterations));
  if (o.preconditioner && o.pc_type != "none")
    throw ArgumentError(std::string(who) + ": set preconditioner (a frechet operator) or pc_type (\"" + o.pc_type +
                        "\"), not both");
  if (o.preconditioner_matrix && (o.preconditioner || o.pc_type == "none"))
    throw ArgumentError(std::string(who) + ": preconditioner_matrix is used by a PETSc pc_type only, and pc_type is none");
  const bool restarted = o.method == "gmres" || o.method == "fgmres" || o.method == "lgmres";
  if (o.restart != PetscSolveOptions{}.restart && !restarted)
    throw ArgumentError(std::string(who) + ": restart is used by method gmres, fgmres and lgmres only, not \"" +
                        o.method + "\"");
  if (o.restart < 1) throw ArgumentError(std::string(who) + ": restart must be >= 1, got " + std::to_string(o.restart));
}

// True on every rank when ok holds on every rank: bad input on one rank becomes an exception on all,
// never a rank that throws while the others wait in a collective call.
bool everywhere(MPI_Comm comm, bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
  return all == 1;
}

Reason reason_of(KSPConvergedReason r) {
  switch (r) {
    case KSP_CONVERGED_RTOL_NORMAL:
    case KSP_CONVERGED_ATOL_NORMAL:
    case KSP_CONVERGED_RTOL:
    case KSP_CONVERGED_ATOL:
    case KSP_CONVERGED_ITS:  // a method without a test (preonly, richardson with -ksp_norm_type none)
    case KSP_CONVERGED_CG_CONSTRAINED:
    case KSP_CONVERGED_STEP_LENGTH:
    case KSP_CONVERGED_HAPPY_BREAKDOWN:
      return Reason::converged;
    case KSP_CONVERGED_CG_NEG_CURVE:
    case KSP_DIVERGED_INDEFINITE_PC:
    case KSP_DIVERGED_INDEFINITE_MAT:
      return Reason::indefinite;
    case KSP_DIVERGED_ITS:
      return Reason::max_iterations;
    case KSP_DIVERGED_NANORINF:
      return Reason::non_finite;
    case KSP_DIVERGED_DTOL:
      return Reason::diverged;
    default:  // _NULL, _BREAKDOWN, _BREAKDOWN_BICG, _NONSYMMETRIC, _PC_FAILED
      return Reason::breakdown;
  }
}

PetscErrorCode monitor(KSP, PetscInt iteration, PetscReal norm, void* context) {
  auto* s = static_cast<PetscLinearSolver::State*>(context);
  return s->errors.guard([&] {
    s->history.push_back(norm);
    if (s->options.monitor) s->options.monitor(static_cast<int>(iteration), norm);
  });
}

template <bool Transpose> PetscErrorCode shell_preconditioner(PC pc, Vec x, Vec y) {
  void* context = nullptr;
  PetscCall(PCShellGetContext(pc, &context));
  auto* s = static_cast<PetscLinearSolver::State*>(context);
  return detail::apply_on_petsc_vectors<Transpose>(*s->options.preconditioner, s->errors, x, y);
}

MPI_Comm comm_of(const PetscMatrix& a) { return PetscObjectComm(reinterpret_cast<PetscObject>(a.get())); }

struct Sizes {
  PetscInt rows = 0, cols = 0, global_rows = 0, global_cols = 0;
};
Sizes sizes_of(const PetscMatrix& a) {
  Sizes s;
  detail::check(MatGetLocalSize(a.get(), &s.rows, &s.cols), "MatGetLocalSize");
  detail::check(MatGetSize(a.get(), &s.global_rows, &s.global_cols), "MatGetSize");
  return s;
}

// A PETSc vector on this rank's array (no copy); PETSc only reads b, so the const_cast is safe.
struct WrappedVec {
  Vec v = nullptr;
  WrappedVec(MPI_Comm comm, std::size_t n, PetscInt global, const double* data) {
    detail::check(VecCreateMPIWithArray(comm, 1, static_cast<PetscInt>(n), global, const_cast<double*>(data), &v),
                  "VecCreateMPIWithArray");
  }
  WrappedVec(const WrappedVec&) = delete;
  WrappedVec& operator=(const WrappedVec&) = delete;
  ~WrappedVec() { VecDestroy(&v); }
};

// Rethrows what a callback of a, p or the solver caught, else checks the code.
void rethrow_or_check(PetscLinearSolver::State& s, PetscErrorCode code, const char* call) {
  const PetscMatrix* const matrices[] = {&s.a, s.p ? &*s.p : nullptr};
  for (const PetscMatrix* m : matrices)
    if (m != nullptr)
      if (detail::ShellContext* shell = detail::shell_context(*m); shell != nullptr && shell->errors.error)
        shell->errors.rethrow_or_check(code, call);
  s.errors.rethrow_or_check(code, call);
}

void set_operators(PetscLinearSolver::State& s) {
  detail::check(KSPSetOperators(s.ksp, s.a.get(), s.p ? s.p->get() : s.a.get()), "KSPSetOperators");
}

SolveResult run(PetscLinearSolver::State& s, ConstVectorView b, ConstVectorView x0, bool transpose) {
  const char* who = transpose ? "PetscLinearSolver::solve_transpose" : "PetscLinearSolver::solve";
  const MPI_Comm comm = comm_of(s.a);
  const Sizes size = sizes_of(s.a);
  // A x = b: b has A's rows, x its columns; A^T x = b the other way round.
  const auto b_size = static_cast<std::size_t>(transpose ? size.cols : size.rows);
  const auto x_size = static_cast<std::size_t>(transpose ? size.rows : size.cols);
  const PetscInt b_global = transpose ? size.global_cols : size.global_rows;
  const PetscInt x_global = transpose ? size.global_rows : size.global_cols;
  const bool b_fits = b.size() == b_size, x0_fits = x0.empty() || x0.size() == x_size;
  if (!everywhere(comm, b_fits && x0_fits)) {
    throw ShapeError(std::string(who) + ": on some rank " + (b_fits ? "x0" : "b") +
                     " does not have that rank's size of the matrix (this rank: b " + std::to_string(b.size()) +
                     " for " + std::to_string(b_size) + ", x0 " + std::to_string(x0.size()) + " for " +
                     std::to_string(x_size) + ")");
  }
  const bool finite = all_finite(b) && all_finite(x0);
  if (!everywhere(comm, finite)) throw NonFiniteError(std::string(who) + ": b or x0 is not finite on some rank");

  if (transpose) {
    rethrow_or_check(s, KSPSetUp(s.ksp), "KSPSetUp");
    PC pc = nullptr;
    PetscBool exists = PETSC_FALSE;
    detail::check(KSPGetPC(s.ksp, &pc), "KSPGetPC");
    detail::check(PCApplyTransposeExists(pc, &exists), "PCApplyTransposeExists");
    if (!exists) {
      PCType type = nullptr;
      PCGetType(pc, &type);
      throw ArgumentError(std::string(who) + ": pc_type \"" + (type != nullptr ? type : "?") +
                          "\" has no transpose (PCApplyTranspose) in PETSc; choose none, jacobi, bjacobi, asm, sor "
                          "or a frechet preconditioner");
    }
  }

  SolveResult result;
  result.x = x0.empty() ? Vector(x_size, 0.0) : Vector(x0.begin(), x0.end());
  const WrappedVec bv(comm, b_size, b_global, b.data());
  const WrappedVec xv(comm, x_size, x_global, result.x.data());
  const PetscInt n_global = std::max(size.global_rows, size.global_cols);
  const int max_iterations = s.options.max_iterations.value_or(std::max<int>(2 * n_global, 10));
  detail::check(KSPSetTolerances(s.ksp, s.options.rtol, s.options.atol, PETSC_DEFAULT, max_iterations),
                "KSPSetTolerances");
  detail::check(KSPSetInitialGuessNonzero(s.ksp, x0.empty() ? PETSC_FALSE : PETSC_TRUE), "KSPSetInitialGuessNonzero");
  detail::ShellContext* shell = detail::shell_context(s.a);
  const long products_before = shell != nullptr ? shell->products : 0;
  s.history.clear();
  const PetscErrorCode code = transpose ? KSPSolveTranspose(s.ksp, bv.v, xv.v) : KSPSolve(s.ksp, bv.v, xv.v);
  rethrow_or_check(s, code, transpose ? "KSPSolveTranspose" : "KSPSolve");

  PetscInt iterations = 0;
  KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
  detail::check(KSPGetIterationNumber(s.ksp, &iterations), "KSPGetIterationNumber");
  detail::check(KSPGetConvergedReason(s.ksp, &reason), "KSPGetConvergedReason");
  // ||b - A x|| recomputed from the returned x, never KSP's recurrence.
  Vector residual(b_size);
  const WrappedVec rv(comm, b_size, b_global, residual.data());
  const PetscErrorCode product = transpose ? MatMultTranspose(s.a.get(), xv.v, rv.v) : MatMult(s.a.get(), xv.v, rv.v);
  rethrow_or_check(s, product, transpose ? "MatMultTranspose" : "MatMult");
  for (std::size_t i = 0; i < b_size; ++i) residual[i] = b[i] - residual[i];
  result.residual_norm = global_norm2(comm, residual);
  result.rhs_norm = global_norm2(comm, b);
  result.iterations = static_cast<int>(iterations);
  result.reason = reason_of(reason);
  result.converged = result.reason == Reason::converged;
  result.residual_history = std::move(s.history);
  result.operator_products = static_cast<int>((shell != nullptr ? shell->products : 0) - products_before);
  return result;
}

}  // namespace

PetscLinearSolver::PetscLinearSolver(PetscMatrix a, const PetscSolveOptions& options)
    : state_(std::make_shared<State>()) {
  check_options(options);
  if (!options.x0.empty())
    throw ArgumentError("PetscLinearSolver: x0 is an argument of solve(); the options' x0 is petsc_solve's only");
  State& s = *state_;
  s.a = std::move(a);
  s.p = options.preconditioner_matrix;
  s.options = options;
  detail::check(KSPCreate(comm_of(s.a), &s.ksp), "KSPCreate");
  set_operators(s);
  detail::check(KSPSetType(s.ksp, options.method.c_str()), "KSPSetType");
  PC pc = nullptr;
  detail::check(KSPGetPC(s.ksp, &pc), "KSPGetPC");
  if (options.preconditioner) {
    detail::check(PCSetType(pc, PCSHELL), "PCSetType");
    detail::check(PCShellSetContext(pc, &s), "PCShellSetContext");
    detail::check(PCShellSetApply(pc, shell_preconditioner<false>), "PCShellSetApply");
    detail::check(PCShellSetApplyTranspose(pc, shell_preconditioner<true>), "PCShellSetApplyTranspose");
  } else {
    detail::check(PCSetType(pc, options.pc_type.c_str()), "PCSetType");
  }
  if (options.method == "cg" || options.method == "minres") {
    detail::check(KSPSetNormType(s.ksp, KSP_NORM_UNPRECONDITIONED), "KSPSetNormType");
  } else {
    detail::check(KSPSetPCSide(s.ksp, PC_RIGHT), "KSPSetPCSide");
  }
  if (options.method == "gmres" || options.method == "fgmres" || options.method == "lgmres")
    detail::check(KSPGMRESSetRestart(s.ksp, options.restart), "KSPGMRESSetRestart");
  detail::check(KSPMonitorSet(s.ksp, monitor, &s, nullptr), "KSPMonitorSet");
  detail::check(KSPSetFromOptions(s.ksp), "KSPSetFromOptions");
}

SolveResult PetscLinearSolver::solve(ConstVectorView b, ConstVectorView x0) const { return run(*state_, b, x0, false); }

SolveResult PetscLinearSolver::solve_transpose(ConstVectorView b, ConstVectorView x0) const {
  return run(*state_, b, x0, true);
}

void PetscLinearSolver::update_operator(PetscMatrix a, bool reuse_preconditioner) {
  State& s = *state_;
  const Sizes before = sizes_of(s.a), after = sizes_of(a);
  const bool same = before.rows == after.rows && before.cols == after.cols;
  if (!everywhere(comm_of(s.a), same))
    throw ShapeError("PetscLinearSolver::update_operator: a's sizes differ from the previous matrix's on some rank "
                     "(this rank: " + std::to_string(after.rows) + " x " + std::to_string(after.cols) + " for " +
                     std::to_string(before.rows) + " x " + std::to_string(before.cols) + ")");
  // The preconditioner's matrix stays the previous one when it is kept: KSPSetOperators would
  // otherwise hand the PC a new Pmat.
  Mat p = nullptr;
  detail::check(KSPGetOperators(s.ksp, nullptr, &p), "KSPGetOperators");
  s.a = std::move(a);
  detail::check(KSPSetOperators(s.ksp, s.a.get(), reuse_preconditioner || s.p ? p : s.a.get()), "KSPSetOperators");
  detail::check(KSPSetReusePreconditioner(s.ksp, reuse_preconditioner ? PETSC_TRUE : PETSC_FALSE),
                "KSPSetReusePreconditioner");
}

void PetscLinearSolver::set_tolerances(double rtol, double atol) {
  check_tolerances("PetscLinearSolver::set_tolerances", rtol, atol);
  state_->options.rtol = rtol;
  state_->options.atol = atol;
}

KSP PetscLinearSolver::ksp() const noexcept { return state_->ksp; }

const PetscMatrix& PetscLinearSolver::matrix() const noexcept { return state_->a; }

namespace {

// PCApply on this rank's parts; the vectors wrap the caller's arrays.
void apply_pc(PetscLinearSolver::State& s, ConstVectorView x, VectorView y, bool transpose) {
  const MPI_Comm comm = comm_of(s.a);
  rethrow_or_check(s, KSPSetUp(s.ksp), "KSPSetUp");
  PC pc = nullptr;
  detail::check(KSPGetPC(s.ksp, &pc), "KSPGetPC");
  rethrow_or_check(s, PCSetUp(pc), "PCSetUp");
  const WrappedVec xv(comm, x.size(), PETSC_DECIDE, x.data());
  const WrappedVec yv(comm, y.size(), PETSC_DECIDE, y.data());
  rethrow_or_check(s, transpose ? PCApplyTranspose(pc, xv.v, yv.v) : PCApply(pc, xv.v, yv.v),
                   transpose ? "PCApplyTranspose" : "PCApply");
}

}  // namespace

PetscPreconditioner::PetscPreconditioner(PetscLinearSolver solver)
    : DistributedOperator(comm_of(solver.matrix()), static_cast<std::size_t>(sizes_of(solver.matrix()).cols),
                          static_cast<std::size_t>(sizes_of(solver.matrix()).rows)),
      solver_(std::move(solver)) {}

void PetscPreconditioner::apply_impl(ConstVectorView x, VectorView y) const { apply_pc(*solver_.state_, x, y, false); }

void PetscPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_pc(*solver_.state_, x, y, true); }

std::shared_ptr<const PetscPreconditioner> petsc_preconditioner(const PetscLinearSolver& solver) {
  return std::shared_ptr<const PetscPreconditioner>(new PetscPreconditioner(solver));
}

SolveResult petsc_solve(const PetscMatrix& a, ConstVectorView b, const PetscSolveOptions& options) {
  PetscSolveOptions rest = options;
  rest.x0 = Vector{};
  return PetscLinearSolver(a, rest).solve(b, options.x0);
}

}  // namespace frechet
