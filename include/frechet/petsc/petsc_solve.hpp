#pragma once
/// \file
/// Distributed linear solves by PETSc's KSP, returning frechet's SolveResult. frechet's own Krylov
/// solvers stay serial; across ranks the Krylov method is KSP's, which brings PETSc's parallel
/// preconditioners (bjacobi, asm, gamg, hypre) and KSPSolveTranspose (doc/petsc.md says why).
///
/// Stopping rule, frechet's: ||b - A x_k||_2 <= max(rtol ||b||_2, atol), the unpreconditioned
/// residual. KSP is set up to test exactly that: cg and minres test the unpreconditioned norm
/// (KSP_NORM_UNPRECONDITIONED; PETSc's default is the preconditioned one), every other method is
/// preconditioned on the right (PC_RIGHT), as frechet's gmres is, so that the norm it monitors is
/// the true residual's. With the same operator, preconditioner and tolerances, cg and gmres take the
/// iterations frechet's cg and gmres take. PETSc's command-line options (-ksp_type, -pc_type,
/// -ksp_view, -ksp_monitor, ...) are read after these settings and override them.

#include <petscksp.h>

#include <memory>
#include <optional>
#include <string>

#include "frechet/core/vector.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/petsc/distributed_operator.hpp"
#include "frechet/petsc/petsc_matrix.hpp"

namespace frechet {

/// Options of petsc_solve and PetscLinearSolver: SolverOptions' fields, and PETSc's choices of
/// method and preconditioner by their PETSc names. A field the chosen method does not use must keep
/// its default: any other value throws ArgumentError naming the field.
struct PetscSolveOptions {
  /// The KSP type: "cg", "gmres", "fgmres", "minres", "bcgs", ... (PETSc's KSPType names).
  std::string method = "cg";
  /// The PC type: "none", "jacobi", "bjacobi", "asm", "sor", "gamg", "hypre", ... (PETSc's PCType
  /// names). jacobi reads the matrix's diagonal (a shell's diagonal()); the algebraic ones (ilu within
  /// bjacobi and asm, gamg, hypre) need an assembled matrix: give preconditioner_matrix.
  std::string pc_type = "none";
  /// A frechet operator applying M^{-1} (this rank's part; its products collective), as a PETSc
  /// PCSHELL whose transpose is its apply_adjoint. Set it or pc_type, not both.
  OperatorPtr preconditioner{};
  /// The matrix PETSc builds pc_type from (KSPSetOperators' Pmat), when it is not A: the assembled
  /// to_petsc_aij of A for gamg, hypre, asm and ilu. Unset means A.
  std::optional<PetscMatrix> preconditioner_matrix{};
  double rtol = 1e-8;  ///< relative tolerance (finite, >= 0), scaled by ||b||_2
  double atol = 0.0;   ///< absolute tolerance (finite, >= 0); not both 0
  /// Iteration limit, over all restarts. Unset means max(2N, 10), N the global size; 0 returns x0
  /// with its residual; negative throws ArgumentError.
  std::optional<int> max_iterations{};
  Vector x0{};  ///< petsc_solve only: this rank's part of the initial guess; empty means zero
  /// Called with (k, ||b - A x_k||_2) at k = 0 and after every iteration, on every rank.
  Monitor monitor{};
  int restart = 30;  ///< gmres, fgmres and lgmres only: the cycle length (>= 1)
};

/// One KSP, kept between solves: its preconditioner is built at the first solve and reused by the
/// next ones (and by solve_transpose, transposed), until update_operator. Collective in every call.
/// Holds PETSc objects: destroy it before the PetscSession.
class PetscLinearSolver {
public:
  /// Checks the options (ArgumentError naming the field) and creates the KSP on a's communicator.
  explicit PetscLinearSolver(PetscMatrix a, const PetscSolveOptions& options = {});

  /// Solves A x = b, b and x0 (empty: zero) this rank's parts. Throws ShapeError or NonFiniteError,
  /// on every rank, when some rank's b or x0 has the wrong size or is not finite; ArgumentError when
  /// the preconditioner reads a diagonal the operator does not provide; what an operator's product
  /// throws; NumericalError when PETSc fails. A solve that stops without converging says why in its
  /// result: cg's KSP_DIVERGED_INDEFINITE_MAT is Reason::indefinite, _ITS max_iterations,
  /// _BREAKDOWN breakdown, _NANORINF non_finite, _DTOL diverged.
  SolveResult solve(ConstVectorView b, ConstVectorView x0 = {}) const;
  /// Solves A^T x = b by KSPSolveTranspose with the same preconditioner, transposed
  /// (PCApplyTranspose). Throws ArgumentError naming pc_type when that PC has no transpose.
  SolveResult solve_transpose(ConstVectorView b, ConstVectorView x0 = {}) const;
  /// Replaces A (a Newton step's new Jacobian). reuse_preconditioner keeps the preconditioner built
  /// from the previous matrix (KSPSetReusePreconditioner); otherwise it is rebuilt from a (or from
  /// the options' preconditioner_matrix, unchanged) at the next solve. Throws ShapeError, on every
  /// rank, if a's sizes differ from the previous matrix's on some rank.
  void update_operator(PetscMatrix a, bool reuse_preconditioner);
  /// Changes the tolerances of the next solves (finite, >= 0, not both 0).
  void set_tolerances(double rtol, double atol);
  /// The PETSc KSP, for settings this class does not cover.
  KSP ksp() const noexcept;
  /// The matrix A of the next solve.
  const PetscMatrix& matrix() const noexcept;

  struct State;  ///< the KSP and what its callbacks reach (lib/petsc/petsc_solve.cpp)

private:
  std::shared_ptr<State> state_;
  friend class PetscPreconditioner;
};

/// The preconditioner of a PetscLinearSolver's KSP as a frechet operator: apply is PCApply (M^{-1}
/// x), apply_adjoint PCApplyTranspose, on this rank's parts. It shares the solver's KSP, so it is
/// the preconditioner as the solver's last setup left it; NewtonResult::preconditioner of
/// petsc_root_find is one, which petsc_implicit_vjp reuses. Products are collective.
class PetscPreconditioner final : public DistributedOperator {
public:
  /// The solver whose preconditioner it applies.
  const PetscLinearSolver& solver() const noexcept { return solver_; }

private:
  explicit PetscPreconditioner(PetscLinearSolver solver);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;
  PetscLinearSolver solver_;
  friend std::shared_ptr<const PetscPreconditioner> petsc_preconditioner(const PetscLinearSolver&);
};

/// The preconditioner of solver's KSP (set up by its last solve, or now) as an operator. Collective.
std::shared_ptr<const PetscPreconditioner> petsc_preconditioner(const PetscLinearSolver& solver);

/// Solves A x = b once: PetscLinearSolver(a, options).solve(b, options.x0).
SolveResult petsc_solve(const PetscMatrix& a, ConstVectorView b, const PetscSolveOptions& options = {});

}  // namespace frechet
