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

/// 2^k with 2^k <= norm < 2^(k+1), k clamped to the normal exponents, or 1 for a zero or non-finite
/// norm. Dividing a vector by it is exact, and makes its norm about 1: the recurrences run on
/// scaled quantities, so that their squares neither underflow (||b|| < 1e-154) nor overflow
/// (||b|| > 1e154), and give the numbers of the unscaled recurrence whenever that does neither.
double power_of_two_scale(double norm);

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

/// Appends residual norms to the history (reserved up front, so recording does not allocate) and
/// passes each to the monitor; counts iterations.
class IterationLog {
public:
  /// History capacity reserved once; beyond it push_back may allocate (documented in doc/krylov.md).
  static constexpr int reserve_limit = 1 << 20;

  IterationLog(SolveResult& result, const Monitor& monitor, int max_iterations);
  /// Records the norm of the current iterate (iteration 0, or after next()).
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

/// Sets converged and reason together, so they never disagree.
inline void finish(SolveResult& result, Reason reason) {
  result.reason = reason;
  result.converged = reason == Reason::converged;
}

/// The result for b = 0: x = 0, converged, no iteration (the monitor sees iteration 0 once).
SolveResult zero_rhs_result(std::size_t n, const Monitor& monitor);

/// The outer loop of the square solvers (cg, minres, bicgstab, gmres, fgmres), which differ only in
/// the recurrence they run between two true residuals: the argument checks, b = 0, the true
/// residual r = b - A x at the start and at every restart and its verdict (converged; stagnation
/// when a restart after the recurrence met the tolerance does not halve it, or a GMRES(m) cycle
/// does not reduce it; max_iterations), and the result, whose residual_norm is always recomputed.
/// A method reads
///
///     SquareRun run("cg", a, b, options, SolverFamily::plain);
///     while (run.restart(r)) {           // r = b - A x is judged; true: iterate from it
///       for (;;) {                       // the recurrence, on run.x()
///         ...; run.x_changed();
///         if (!run.continues_after(norm)) break;  // a claim is confirmed by the next restart
///         if (run.exhausted()) break;
///       }
///     }
///     return run.take_result(r);
///
/// and ends early with fail(reason) on a breakdown. Between restart() and the next recompute(),
/// x and r are divided by scale() (a power of two near ||r||), so that the recurrence sees a residual
/// of norm about 1 whatever the scale of b; tolerance() and the norms passed to record_iteration
/// and continues_after are in those units, and recompute() and take_result() undo the scaling.
/// LeastSquaresRun plays the same part for lsqr and lsmr, whose rule tests two residuals.
class SquareRun {
public:
  /// Checks, in order: a square operator, b of its size and finite, the options (see
  /// check_solver_options), the preconditioner's shape, max_iterations and x0.
  SquareRun(const char* solver, const LinearOperator& a, ConstVectorView b, const SolverOptions& options,
            SolverFamily family);

  /// True once the result is decided: b = 0, a verdict that ends the iteration, or fail().
  bool finished() const { return finished_; }
  std::size_t size() const { return n_; }
  /// The iterate; call x_changed() after writing it.
  VectorView x() { return x_; }
  /// The stopping rule tests norm <= max(rtol * scale, atol), scale = ||b||_2 unless set_rule_scale
  /// changed it (minres tests P-norms); tolerance() is that bound divided by scale().
  double tolerance() const { return check_.tolerance() / scale_; }
  void set_rule_scale(double scale);

  /// Undoes normalize(), then r = b - A x (one product, counted; none at the start from x0 = 0);
  /// returns ||r||_2.
  double recompute(VectorView r);
  /// Divides r (of norm `norm`) and x by power_of_two_scale(norm), until the next recompute().
  void normalize(VectorView r, double norm);
  /// What x, r and the norms of the recurrence are currently divided by.
  double scale() const { return scale_; }
  /// Judges the norm the rule tests, computed from a recomputed residual (recorded at the start),
  /// and returns true if the method should iterate from it.
  bool judge(double norm);
  /// recompute(r), judge(||r||_2), then normalize(r) if the method iterates; false at once when
  /// finished().
  bool restart(VectorView r);

  /// Counts one product with A.
  void count_product() { ++result_.operator_products; }
  /// Marks x as moved since the last true residual, so the result recomputes it.
  void x_changed() { current_ = false; }
  /// Counts one iteration and records the norm the rule tests after it (in units of scale()).
  void record_iteration(double norm);
  /// record_iteration(norm), then returns false, ending the recurrence, when the norm is not finite
  /// (after fail(non_finite)) or meets the tolerance (after claim()).
  bool continues_after(double norm);
  bool exhausted() const { return log_.exhausted(); }
  /// The recurrence met the tolerance: the next restart confirms it or judges stagnation.
  void claim() { claimed_ = true; }
  /// A GMRES(m) cycle used all its m columns without a claim: the next restart must reduce the
  /// residual at all.
  void claim_full_cycle() { full_cycle_ = true; }
  /// The next restart ends with `reason` unless its true residual has converged (GMRES with a
  /// singular projected system).
  void end_unless_converged(Reason reason) { pending_ = reason; }
  /// Ends the iteration with `reason`; x stays the last finite iterate.
  void fail(Reason reason);
  /// The result, after recomputing r = b - A x if x moved since the last one (r is scratch of n).
  SolveResult take_result(VectorView r);

private:
  void unscale();

  const LinearOperator& a_;
  ConstVectorView b_;
  double rtol_, atol_, scale_ = 1.0;
  std::size_t n_;
  bool x0_given_;
  SolveResult result_;
  IterationLog log_;
  Vector x_;
  TrueResidualCheck check_;
  std::optional<Reason> pending_;
  Reason reason_ = Reason::max_iterations;
  bool finished_ = false, zero_rhs_ = false, first_ = true, current_ = false, claimed_ = false,
       full_cycle_ = false;
};

}  // namespace frechet::detail
