#pragma once
/// \file
/// Newton's method for square nonlinear systems F(x) = 0, F: R^n -> R^n written once as a generic
/// lambda: with a dense LU of the Jacobian (small systems), a sparse LU or Cholesky factorization of
/// the Jacobian assembled by colouring (large sparse systems), or Newton-Krylov, GMRES on the Jacobian
/// operator (one JVP per product, no matrix), with Eisenstat-Walker forcing terms and any
/// preconditioner. All globalised by the same backtracking line search.
///
/// References: J. E. Dennis and R. B. Schnabel, "Numerical Methods for Unconstrained Optimization
/// and Nonlinear Equations", SIAM 1996, section 6.3 (the backtracking line search on ||F||^2 / 2);
/// S. C. Eisenstat and H. F. Walker, "Choosing the forcing terms in an inexact Newton method", SIAM
/// J. Sci. Comput. 17(1), 1996 (choice 2 and its safeguard); C. T. Kelley, "Iterative Methods for
/// Linear and Nonlinear Equations", SIAM 1995, section 6.3 (the safeguard against oversolving).

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "frechet/ad/transforms.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// How root_find solves for the Newton step J(x_k) s = -F(x_k).
enum class NewtonLinearSolver {
  /// The n x n Jacobian from the AD layer (one recording of F and n pullbacks), factored by LU
  /// (LAPACK dgetrf): exact steps, O(n^2) memory and O(n^3) time per iteration.
  dense_lu,
  /// Newton-Krylov: GMRES(m) on the Jacobian operator (jacobian_operator: J v by one JVP), solved
  /// only to the Eisenstat-Walker forcing term; O(m n) memory, no matrix.
  gmres,
  /// The n x n sparse Jacobian in CSR from one JVP per colour of its pattern (sparse_jacobian with
  /// NewtonOptions::jacobian_pattern), factored by UMFPACK (SparseLuFactorization): the ordering and
  /// symbolic analysis once, only the numeric factorization (refactor) at every iteration. Exact steps.
  sparse_lu,
  /// As sparse_lu, factored by CHOLMOD (SparseCholeskyFactorization), for a Jacobian the user knows to
  /// be symmetric positive definite near the root (a gradient's, or a monotone discretised PDE's).
  sparse_cholesky,
};

/// Eisenstat-Walker forcing terms (their choice 2): the Newton-Krylov step k solves
/// ||F(x_k) + J_k s|| <= eta_k ||F(x_k)|| with eta_0 = initial and
///     eta_k = gamma (||F(x_k)|| / ||F(x_{k-1})||)^alpha,
/// safeguarded by eta_k >= gamma eta_{k-1}^alpha whenever gamma eta_{k-1}^alpha > 0.1 (so eta does
/// not drop abruptly), by eta_k >= 0.5 tol / ||F(x_k)|| (tol the stopping threshold: the last steps
/// are not solved beyond what the stopping rule needs, Kelley 1995) and by eta_k <= max.
struct ForcingOptions {
  double initial = 0.5;  ///< eta_0, in (0, 1)
  double max = 0.9;      ///< eta_max, in (0, 1)
  double gamma = 0.9;    ///< in (0, 1]
  double alpha = 2.0;    ///< in (1, 2]
  /// Field by field (root_find rejects non-default forcing terms with dense_lu).
  friend bool operator==(const ForcingOptions&, const ForcingOptions&) = default;
};

namespace detail {
/// The Eisenstat-Walker choice 2 forcing term for Newton step k, with the safeguards above: never
/// below what would drive ||F|| under half of `threshold` (the stopping tolerance), never above
/// f.max. Shared by root_find and the PETSc layer's distributed Newton-Krylov.
double forcing_term(const ForcingOptions& f, int k, double f_norm, double f_norm_before, double eta_before,
                    double threshold);
}  // namespace detail

/// Options of root_find (Newton with a dense LU, and Newton-Krylov). A field the chosen linear solver
/// does not use must keep its default: any other value throws ArgumentError naming the field.
struct NewtonOptions {
  /// Stopping rule: ||F(x_k)||_2 <= max(rtol ||F(x_0)||_2, atol). rtol, atol finite and >= 0, not
  /// both 0.
  double rtol = 1e-10;
  double atol = 0.0;  ///< absolute tolerance on ||F(x_k)||_2
  /// Newton iterations. Unset means 50; 0 returns x0 with ||F(x0)|| (converged if it already
  /// satisfies the rule); negative throws ArgumentError.
  std::optional<int> max_iterations{};
  /// Called with (k, ||F(x_k)||_2) for k = 0 (the start) and after every iteration.
  Monitor monitor{};
  NewtonLinearSolver linear_solver = NewtonLinearSolver::dense_lu;
  // ---- sparse_lu and sparse_cholesky only (required there) ----
  /// The structure of J, n x n (its values are ignored): every entry that can be nonzero. Coloured
  /// once (column_coloring, smallest last); a pattern that misses a nonzero throws ArgumentError from
  /// sparse_jacobian's verifying JVP, naming the row.
  std::shared_ptr<const CsrMatrix> jacobian_pattern{};
  /// Backtracking on phi(x) = ||F(x)||^2 / 2 (Armijo): accept x + lambda s once
  ///     phi(x + lambda s) <= phi(x) + sufficient_decrease lambda F^T J s,
  /// lambda from 1 down by safeguarded quadratic interpolation (in [0.1, 0.5] of the previous one);
  /// a trial point where F is not finite halves lambda. Off: every full step is taken.
  bool line_search = true;
  double sufficient_decrease = 1e-4;  ///< in (0, 1); line_search only
  int max_backtracks = 30;            ///< trial steps after the full one before line_search_failed (>= 0)
  /// Reason::diverged once ||x_k|| > divergence_limit max(||x_0||, 1) or ||F(x_k)|| >
  /// divergence_limit ||F(x_0)|| (the latter only without the line search, which never lets ||F|| grow).
  double divergence_limit = 1e8;
  // ---- gmres only ----
  /// Applies M^{-1} ~ J^{-1} on the right of GMRES, fixed for the whole solve; null means none.
  OperatorPtr preconditioner{};
  /// Builds the preconditioner at each iterate x_k (called once per iteration, before the step):
  /// a user refreshes it as J changes, or keeps and returns the previous one. Set at most one of
  /// preconditioner and preconditioner_update.
  std::function<OperatorPtr(ConstVectorView x)> preconditioner_update{};
  ForcingOptions forcing{};                   ///< the Eisenstat-Walker forcing terms
  int restart = 30;                           ///< GMRES(m) cycle length m (>= 1)
  /// GMRES iterations per Newton step; unset means GMRES's default max(2n, 10). A step that runs out
  /// is still taken when it decreases ||F + J s|| below ||F|| (it is then a descent direction).
  std::optional<int> max_linear_iterations{};
};

/// The result of root_find.
struct NewtonResult {
  Vector x;                 ///< the last iterate (the last finite one when reason is non_finite)
  int iterations = 0;       ///< Newton iterations (steps taken)
  bool converged = false;   ///< reason == Reason::converged
  /// converged, max_iterations, line_search_failed, not_descent (an inexact Newton-Krylov step that
  /// does not reduce ||F + J s||), singular_jacobian, indefinite (sparse_cholesky: J is not positive
  /// definite), non_finite (F(x_0) or every trial point of a step is not finite) or diverged.
  Reason reason = Reason::max_iterations;
  double residual_norm = 0.0;          ///< ||F(x)||_2 at the returned x (for F(x) = A x - b, the linear residual)
  double initial_residual_norm = 0.0;  ///< ||F(x_0)||_2
  Vector residual_history;             ///< ||F(x_k)||_2, k = 0..iterations; also passed to the monitor
  int function_evaluations = 0;        ///< evaluations of F, trial points of the line search included
  int jacobian_evaluations = 0;        ///< dense Jacobians formed, or Jacobian operators built (one per iteration)
  /// JVPs of F: inside GMRES (gmres), or assembling the sparse Jacobians (sparse_lu, sparse_cholesky:
  /// colours + 1 per iteration)
  int operator_products = 0;
  int linear_iterations = 0;           ///< Newton-Krylov: GMRES iterations over all steps
  /// M^{-1} ~ J^{-1} as the last step left it, for the derivatives at x to reuse (hand it to
  /// ImplicitOptions::preconditioner): the kept factors of J at the last iterate before x (sparse_lu,
  /// sparse_cholesky), or the last preconditioner (gmres); null for dense_lu, when no step was taken,
  /// or when the last factorization failed. Near a root J(x_{k-1}) differs from J(x) by O(||x - x_{k-1}||),
  /// so GMRES on J(x) or J(x)^T preconditioned by it converges in one or two iterations.
  OperatorPtr preconditioner{};
};

namespace detail {

/// F and its Jacobian at a point, type-erased so that the Newton loop is compiled once. A linear
/// solve strategy asks for the Jacobian in the form it needs: dense (dense_lu), as an operator
/// (gmres) or in CSR from a colouring (sparse_lu, sparse_cholesky).
struct NonlinearSystem {
  std::size_t size = 0;
  std::function<Vector(const Vector& x)> evaluate;
  std::function<DenseMatrix(const Vector& x)> jacobian;
  std::function<OperatorPtr(const Vector& x)> jacobian_operator;
  std::function<CsrMatrix(const Vector& x, const CsrMatrix& pattern, const ColumnColoring& coloring)> sparse_jacobian;
};

/// The Newton iteration of root_find.
NewtonResult newton_iteration(const NonlinearSystem& system, const Vector& x0, const NewtonOptions& options);

/// The NonlinearSystem of a generic function f (called with Vector, DualVector<> and TapeVector<>).
/// f is referenced, not copied: the system must not outlive it.
template <class F> NonlinearSystem nonlinear_system(F& f, std::size_t n) {
  NonlinearSystem system;
  system.size = n;
  system.evaluate = [&f](const Vector& x) { return Vector(detail::plain_output(f(x))); };
  system.jacobian = [&f](const Vector& x) { return frechet::jacobian(f, x, {.mode = JacobianMode::reverse}); };
  system.jacobian_operator = [&f](const Vector& x) {
    return frechet::jacobian_operator([&f](const auto& v) { return f(v); }, x);
  };
  system.sparse_jacobian = [&f](const Vector& x, const CsrMatrix& pattern, const ColumnColoring& coloring) {
    return frechet::sparse_jacobian(f, x, pattern, coloring);
  };
  return system;
}

}  // namespace detail

/// Solves F(x) = 0 for F: R^n -> R^n by Newton's method from x0, globalised by a backtracking line
/// search, with the linear solver of options.linear_solver. f is a generic callable (a lambda with a
/// `const auto&` parameter) returning a vector of its argument's mode, or a std::vector of its
/// scalars. Throws ShapeError if f(x0) does not have n entries, NonFiniteError for a non-finite x0,
/// ArgumentError for bad options (tolerances < 0 or both 0, a negative limit, fields the linear
/// solver does not use, a sparse solver without jacobian_pattern), ShapeError for a pattern that is
/// not n x n, and ArgumentError from sparse_jacobian for a pattern that misses a nonzero. A Newton iteration that fails says why in the result's reason.
template <class F> NewtonResult root_find(F&& f, const Vector& x0, const NewtonOptions& options = {}) {
  return detail::newton_iteration(detail::nonlinear_system(f, x0.size()), x0, options);
}

}  // namespace frechet
