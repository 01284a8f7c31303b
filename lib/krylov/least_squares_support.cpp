#include "least_squares_support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

// All checks that do not need the solver's state; returns the iteration limit.
int checked_max_iterations(const char* solver, const LinearOperator& a, ConstVectorView b,
                           const SolverOptions& options) {
  check_rhs(solver, a, b);
  check_solver_options(solver, options, SolverFamily::least_squares);
  const std::string s(solver);
  if (options.damping > 0.0 && !options.x0.empty()) {
    throw ArgumentError(s + ": options.x0 with options.damping > 0: the damped problem is not a "
                            "problem in the correction x - x0; expected an empty x0");
  }
  if (options.damping > 0.0 && options.preconditioner) {
    throw ArgumentError(s + ": options.preconditioner with options.damping > 0: the damping would "
                            "apply to N^{-1} x; expected no preconditioner (scale the columns instead)");
  }
  check_preconditioner(solver, options.preconditioner, a.cols());
  return resolve_max_iterations(solver, options.max_iterations, a.cols());
}

double sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

}  // namespace

Rotation sym_ortho(double a, double b) {
  if (b == 0.0) return {sign(a), 0.0, std::abs(a)};
  if (a == 0.0) return {0.0, sign(b), std::abs(b)};
  if (std::abs(b) > std::abs(a)) {
    const double tau = a / b;
    const double s = sign(b) / std::sqrt(1.0 + tau * tau);
    return {s * tau, s, b / s};
  }
  const double tau = b / a;
  const double c = sign(a) / std::sqrt(1.0 + tau * tau);
  return {c, c * tau, a / c};
}

LeastSquaresRun::LeastSquaresRun(const char* solver, const LinearOperator& a, ConstVectorView b,
                                 const SolverOptions& options)
    : solver_(solver),
      a_(a),
      b_(b),
      n_(options.preconditioner.get()),
      damping_(options.damping),
      x0_given_(!options.x0.empty()),
      log_(result_, options.monitor, checked_max_iterations(solver, a, b, options)),
      x_(initial_guess(solver, options.x0, a.cols())),
      u_(a.rows()),
      atr_(a.cols()),
      scratch_n_(a.cols()),
      previous_residual_(std::numeric_limits<double>::infinity()),
      previous_normal_(std::numeric_limits<double>::infinity()) {
  const double b_norm = norm2(b);
  if (b_norm == 0.0) {
    result_ = zero_rhs_result(a.cols(), options.monitor);
    result_.normal_residual_norm = 0.0;
    finished_ = zero_rhs_ = true;
    return;
  }
  result_.rhs_norm = b_norm;
  residual_tolerance_ = std::max(options.rtol * b_norm, options.atol);
  apply_adjoint(b, atr_);
  ++result_.operator_products;
  normal_tolerance_ = std::max(options.rtol * norm2(atr_), options.atol);
}

void LeastSquaresRun::apply(ConstVectorView v, VectorView out) {
  if (n_ == nullptr) {
    a_.apply(v, out);
    return;
  }
  n_->apply(v, scratch_n_);
  a_.apply(scratch_n_, out);
}

void LeastSquaresRun::apply_adjoint(ConstVectorView u, VectorView out) {
  if (n_ == nullptr) {
    a_.apply_adjoint(u, out);
    return;
  }
  a_.apply_adjoint(u, scratch_n_);  // measure() reads A^T u back from scratch_n_
  n_->apply_adjoint(scratch_n_, out);
}

void LeastSquaresRun::bidiagonalize(VectorView u, VectorView v, VectorView av, VectorView atu, double& alpha,
                                    double& beta) {
  apply(v, av);
  count_products(1);
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = av[i] - alpha * u[i];
  beta = norm2(u);
  if (beta > 0.0) {
    scale(1.0 / beta, u);
    apply_adjoint(u, atu);
    count_products(1);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = atu[i] - beta * v[i];
    alpha = norm2(v);
    if (alpha > 0.0) scale(1.0 / alpha, v);
  }
}

void LeastSquaresRun::add_correction(ConstVectorView y) {
  if (n_ == nullptr) {
    axpy(1.0, y, x_);
  } else {
    n_->apply(y, scratch_n_);
    axpy(1.0, scratch_n_, x_);
  }
  current_ = false;
}

void LeastSquaresRun::measure(bool first) {
  if (first && !x0_given_) {
    copy(b_, u_);  // atr_ already holds (A N)^T b from the constructor
  } else {
    residual(a_, b_, x_, u_);
    apply_adjoint(u_, atr_);
    result_.operator_products += 2;
  }
  beta_ = norm2(u_);
  alpha_ = norm2(atr_);
  result_.residual_norm = beta_;
  double normal_plain = alpha_;  // ||A^T r - lambda^2 x||_2, reported whatever N is
  if (n_ != nullptr) {
    if (first && !x0_given_) {
      a_.apply_adjoint(u_, scratch_n_);
      ++result_.operator_products;
    }
    normal_plain = norm2(scratch_n_);
  } else if (damping_ > 0.0) {
    normal_plain = norm_of_difference(atr_, damping_ * damping_, x_);
  }
  normal_hat_ = n_ != nullptr ? alpha_ : normal_plain;
  result_.normal_residual_norm = normal_plain;
  current_ = true;
}

bool LeastSquaresRun::estimates_converged(double residual_estimate, double normal_estimate) const {
  return (damping_ == 0.0 && residual_estimate <= residual_tolerance_) ||
         normal_estimate <= normal_tolerance_;
}

bool LeastSquaresRun::restart() {
  if (finished_) return false;
  const bool first = first_;
  first_ = false;
  measure(first);
  finished_ = true;  // until shown otherwise below
  if (!std::isfinite(beta_) || !std::isfinite(alpha_) || !std::isfinite(normal_hat_)) {
    reason_ = Reason::non_finite;
    return false;
  }
  if (first) log_.record(normal_hat_);
  if (estimates_converged(beta_, normal_hat_)) {
    reason_ = Reason::converged;
    return false;
  }
  if (claimed_) {
    // The estimates met the rule but the true residuals do not. Restarting on the correction helps
    // only if it halves one of them; a damped problem cannot be restarted at all.
    const bool progress = beta_ <= 0.5 * previous_residual_ || normal_hat_ <= 0.5 * previous_normal_;
    if (damping_ > 0.0 || !progress) {
      reason_ = Reason::stagnation;
      return false;
    }
  }
  previous_residual_ = beta_;
  previous_normal_ = normal_hat_;
  claimed_ = false;
  if (log_.exhausted()) {
    reason_ = Reason::max_iterations;
    return false;
  }
  finished_ = false;
  return true;
}

void LeastSquaresRun::fail(Reason reason) {
  reason_ = reason;
  finished_ = true;
}

SolveResult LeastSquaresRun::take_result() {
  if (zero_rhs_) return std::move(result_);
  if (!current_) measure(false);
  finish(result_, reason_);
  result_.x = std::move(x_);
  return std::move(result_);
}

}  // namespace frechet::detail
