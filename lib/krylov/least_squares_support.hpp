#pragma once
// What lsqr and lsmr share: input checks, products with A N and (A N)^T, the true-residual checks
// at the start and at every restart, and the result. Internal.

#include <cstddef>

#include "frechet/krylov/solver_options.hpp"
#include "solver_support.hpp"

namespace frechet::detail {

/// Givens rotation [c s; -s c] [a; b] = [r; 0], computed without overflow (S.-C. Choi, "Iterative
/// methods for singular linear equations and least-squares problems", PhD thesis, Stanford 2006).
struct Rotation {
  double c, s, r;
};
Rotation sym_ortho(double a, double b);

/// One least-squares solve: the caller runs the bidiagonalisation between restart() calls on the
/// correction y (x = x_start + N y), starting from u() = r / ||r|| and v() = (A N)^T u / alpha.
class LeastSquaresRun {
public:
  LeastSquaresRun(const char* solver, const LinearOperator& a, ConstVectorView b,
                  const SolverOptions& options);

  /// True when the result is already final (b = 0).
  bool finished() const { return finished_; }
  /// Recomputes r = b - A x and the normal residual, judges them, and returns true if the caller
  /// should iterate (u() then holds r and atr() holds (A N)^T r, with norms beta() and alpha()).
  bool restart();

  std::size_t rows() const { return a_.rows(); }
  std::size_t cols() const { return a_.cols(); }
  double damping() const { return damping_; }
  /// out = A N v
  void apply(ConstVectorView v, VectorView out);
  /// out = (A N)^T u
  void apply_adjoint(ConstVectorView u, VectorView out);
  /// x += N y
  void add_correction(ConstVectorView y);
  /// One Golub-Kahan bidiagonalisation step, in place: beta u = A N v - alpha u, then
  /// alpha v = (A N)^T u - beta v (skipped when beta = 0). av and atu are scratch of sizes m and n.
  void bidiagonalize(VectorView u, VectorView v, VectorView av, VectorView atu, double& alpha, double& beta);

  VectorView u() { return u_; }
  ConstVectorView atr() const { return atr_; }
  double beta() const { return beta_; }
  double alpha() const { return alpha_; }
  /// Whether the method's estimates meet the stopping rule.
  bool estimates_converged(double residual_estimate, double normal_estimate) const;

  IterationLog& log() { return log_; }
  /// Adds to the count of products with A and A^T.
  void count_products(int products) { result_.operator_products += products; }
  /// Marks that the method's estimates met the rule (the next restart() confirms or refutes).
  void claim() { claimed_ = true; }
  /// Ends the solve with a failure reason (x stays the last finite iterate).
  void fail(Reason reason);
  /// Recomputes the true residuals if x moved since, and hands over the result.
  SolveResult take_result();

private:
  void measure(bool first);

  const char* solver_;
  const LinearOperator& a_;
  ConstVectorView b_;
  const LinearOperator* n_;
  double damping_;
  bool x0_given_;
  SolveResult result_;
  IterationLog log_;
  Vector x_, u_, atr_, scratch_n_, scratch_m_;
  double residual_tolerance_ = 0.0, normal_tolerance_ = 0.0;
  double beta_ = 0.0, alpha_ = 0.0, normal_hat_ = 0.0;
  double previous_residual_, previous_normal_;
  bool finished_ = false, zero_rhs_ = false, claimed_ = false, first_ = true, current_ = false;
  Reason reason_ = Reason::max_iterations;
};

}  // namespace frechet::detail
