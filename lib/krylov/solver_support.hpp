#pragma once
// Input checks, iteration bookkeeping and the true-residual verification shared by the Krylov
// solvers. Internal: only lib/krylov includes this.

#include <cstddef>
#include <limits>
#include <optional>

#include "frechet/krylov/solve_result.hpp"
#include "frechet/krylov/solver_options.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet::detail {

/// Throws ArgumentError unless rtol and atol are finite, >= 0, and not both 0.
void check_tolerances(const char* solver, double rtol, double atol);
/// The iteration limit: `requested` if set (>= 0, else ArgumentError), max(2n, 10) otherwise.
int resolve_max_iterations(const char* solver, const std::optional<int>& requested, std::size_t n);
/// Throws ShapeError unless A is square.
void check_square(const char* solver, const LinearOperator& a);
/// Throws ShapeError unless b has a.rows() entries and NonFiniteError unless they are finite.
void check_rhs(const char* solver, const LinearOperator& a, ConstVectorView b);
/// A copy of x0, or zeros when x0 is empty; throws ShapeError or NonFiniteError for a bad x0.
Vector initial_guess(const char* solver, ConstVectorView x0, std::size_t n);
/// Throws ShapeError unless a non-null preconditioner is n x n.
void check_preconditioner(const char* solver, const OperatorPtr& preconditioner, std::size_t n);

/// ||u - c v||_2 in one pass, without storing the difference (an eigen-residual ||A y - theta y||,
/// a damped normal residual ||A^T r - lambda^2 x||).
double norm_of_difference(ConstVectorView u, double c, ConstVectorView v);

/// r = b - A x
void residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x, VectorView r);
/// The true residual a solver (re)starts from and ends with: r = b - A x, one product counted in
/// result.operator_products, or r = b without a product when x is the zero initial guess. Stores
/// ||r||_2 in result.residual_norm and returns it.
double true_residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x, bool x_is_zero, VectorView r,
                     SolveResult& result);

/// The operator behind an OperatorPtr; throws ArgumentError naming `function` if it is null.
const LinearOperator& checked_operator(const char* function, const OperatorPtr& a);

/// Which fields of SolverOptions beyond the common ones a solver uses.
enum class SolverFamily {
  plain,          ///< cg, minres, bicgstab: neither restart nor damping
  restarted,      ///< gmres, fgmres: restart
  least_squares,  ///< lsqr, lsmr: damping
};

/// The checks of SolverOptions that need no operator: the tolerances, and the fields of the other
/// families, which must keep their defaults (ArgumentError naming the field and its solvers).
/// max_iterations is checked by resolve_max_iterations, x0 and the preconditioner against A.
void check_solver_options(const char* solver, const SolverOptions& options, SolverFamily family);

/// What a square solver knows once its arguments are checked.
struct SquareProblem {
  std::size_t n;       ///< the operator's size
  int max_iterations;  ///< the limit, resolved from the option
  Vector x;            ///< the initial guess (zero when options.x0 is empty)
};

/// The checks every square solver runs, in order: a square operator, b of its size, the options,
/// the preconditioner's shape, and x0; returns what follows from them.
SquareProblem check_square_problem(const char* solver, const LinearOperator& a, ConstVectorView b,
                                   const SolverOptions& options, SolverFamily family);

/// Appends residual norms to the history (reserved up front, so recording does not allocate) and
/// passes each to the monitor; counts iterations.
class IterationLog {
public:
  /// History capacity reserved once; beyond it push_back may allocate (documented in doc/krylov.md).
  static constexpr int reserve_limit = 1 << 20;

  IterationLog(SolveResult& result, const Monitor& monitor, int max_iterations);
  /// Records the norm of the current iterate (iteration 0, or after iteration()).
  void record(double norm);
  /// Counts one iteration; the caller records its norm next.
  void next() { ++result_.iterations; }
  int iterations() const { return result_.iterations; }
  bool exhausted() const { return result_.iterations >= max_iterations_; }

private:
  SolveResult& result_;
  const Monitor& monitor_;
  int max_iterations_;
};

/// Judges a true residual norm, computed at the start and at every restart of an iteration.
class TrueResidualCheck {
public:
  /// What the iteration does next.
  enum class Verdict { converged, stagnated, go_on };

  explicit TrueResidualCheck(double tolerance) : tolerance_(tolerance) {}
  double tolerance() const { return tolerance_; }

  /// `after_claim`: the method's own estimate had reached the tolerance, so a true residual that is
  /// not at least halved since the previous check means the tolerance is out of reach.
  /// `after_full_cycle`: a restart cycle of GMRES(m) ran out; no decrease at all means it stalls.
  Verdict judge(double true_norm, bool after_claim, bool after_full_cycle = false);

private:
  double tolerance_;
  double previous_ = std::numeric_limits<double>::infinity();
};

/// The reason a verdict on the true residual ends the iteration with; none to go on.
inline std::optional<Reason> reason_to_stop(TrueResidualCheck::Verdict verdict) {
  switch (verdict) {
    case TrueResidualCheck::Verdict::converged: return Reason::converged;
    case TrueResidualCheck::Verdict::stagnated: return Reason::stagnation;
    case TrueResidualCheck::Verdict::go_on: return std::nullopt;
  }
  return std::nullopt;
}

/// Sets converged and reason together, so they never disagree.
inline void finish(SolveResult& result, Reason reason) {
  result.reason = reason;
  result.converged = reason == Reason::converged;
}

/// The result for b = 0: x = 0, converged, no iteration (the monitor sees iteration 0 once).
SolveResult zero_rhs_result(std::size_t n, const Monitor& monitor);

}  // namespace frechet::detail
