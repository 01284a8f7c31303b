#pragma once
/// \file
/// The randomized Nyström preconditioner of a symmetric positive semidefinite operator A for the
/// regularised system (A + mu I) x = b, built from products with A alone.
///
/// Construction (Frangella, Tropp & Udell 2023, Algorithm 2.1, the stable Nyström approximation of
/// Tropp, Yurtsever, Udell & Cevher 2017): a Gaussian test matrix Omega (n x ell) with orthonormal
/// columns, the sketch Y = A Omega (ell products with A), a shift nu = sqrt(n) eps ||Y||_F,
/// Y_nu = Y + nu Omega, the Cholesky factor C^T C = Omega^T Y_nu, B = Y_nu C^{-1}, the thin SVD
/// B = U Sigma V^T, and Lambda = max(0, Sigma^2 - nu I). Then A_nys = U Lambda U^T approximates A,
/// with U of orthonormal columns and Lambda = diag(lambda_1 >= ... >= lambda_ell), and
///     P^{-1} = (lambda_ell + mu) U (Lambda + mu I)^{-1} U^T + (I - U U^T)
/// is the preconditioner. P^{-1} is symmetric positive definite with eigenvalues
/// (lambda_ell + mu) / (lambda_i + mu) on range(U) and 1 off it; for the preconditioned matrix,
/// kappa(P^{-1/2} (A + mu I) P^{-1/2}) <= (lambda_ell + mu + ||A - A_nys||) / mu
/// (the deterministic bound of their section 5), small once ell exceeds the effective dimension
/// of A at mu.
///
/// Adaptive rank, after the paper's adaptive strategy (section 5): with options.rank unset, ell
/// starts at 10 and doubles, each round sketching as many new columns as it has, until the bound
/// above, with ||A - A_nys|| estimated by ten steps of the power method on A - A_nys, is at most
/// options.target_condition, or ell reaches options.max_rank. The sketch of earlier rounds is kept,
/// so the final rank costs ell products plus ten per round.
///
/// Reference: Z. Frangella, J. A. Tropp and M. Udell, "Randomized Nyström preconditioning", SIAM J.
/// Matrix Anal. Appl. 44(2), 2023 (arXiv:2110.02820).

#include <cstdint>
#include <memory>
#include <optional>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {
namespace detail {
class ScratchPool;
}  // namespace detail

/// Options of nystrom_preconditioner.
struct NystromOptions {
  /// mu (finite, >= 0): the preconditioner is for A + mu I (the operator `shifted(a, mu)`).
  double shift = 0.0;
  /// ell, the sketch size and rank of A_nys (1 <= ell <= n). Unset: chosen adaptively, which needs
  /// shift > 0.
  std::optional<std::size_t> rank{};
  /// Adaptive rank only: the largest ell tried (<= n). Unset means min(n, 512).
  std::optional<std::size_t> max_rank{};
  /// Adaptive rank only: stop doubling ell once the estimated bound
  /// (lambda_ell + mu + ||A - A_nys||) / mu on the condition number is at most this (> 1).
  /// Unset means 10.
  std::optional<double> target_condition{};
  /// Seed of the Gaussian test matrix.
  std::uint64_t seed = 0;
};

/// P^{-1} = (lambda_ell + mu) U (Lambda + mu I)^{-1} U^T + (I - U U^T), an n x n symmetric positive
/// definite operator; apply_adjoint is apply. A product costs two BLAS-2 products with U (4 n ell
/// flops) and allocates nothing after the first (its ell-entry work vector is kept; a concurrent
/// product allocates its own). Memory: U, n ell doubles. It keeps no reference to A.
class NystromPreconditioner final : public LinearOperator {
public:
  /// ell, the rank of A_nys.
  std::size_t rank() const noexcept { return eigenvalues_.size(); }
  /// mu, as given in the options.
  double shift() const noexcept { return shift_; }
  /// lambda_1 >= ... >= lambda_ell, the eigenvalues of A_nys (approximating the largest of A).
  const Vector& eigenvalues() const noexcept { return eigenvalues_; }
  /// U (n x ell, orthonormal columns), the eigenvectors of A_nys.
  const DenseMatrix& eigenvectors() const noexcept { return u_; }
  /// nu, the stabilising shift of the construction.
  double stability_shift() const noexcept { return nu_; }
  /// Products with A made while building: ell, plus, in adaptive mode, ten per round for the
  /// error estimate.
  int operator_products() const noexcept { return operator_products_; }
  /// Adaptive mode: the power-method estimate of ||A - A_nys||_2 at the final rank (a lower bound
  /// in exact arithmetic). Fixed rank: nullopt (no products are spent on it).
  std::optional<double> error_estimate() const noexcept { return error_estimate_; }
  /// Adaptive mode: whether the estimated condition bound reached options.target_condition before
  /// ell reached options.max_rank. Fixed rank: nullopt.
  std::optional<bool> reached_target() const noexcept { return reached_target_; }

private:
  friend std::shared_ptr<const NystromPreconditioner> nystrom_preconditioner(const LinearOperator&,
                                                                             const NystromOptions&);
  /// Sketches `a` and builds the preconditioner; see nystrom_preconditioner for what it checks.
  NystromPreconditioner(const LinearOperator& a, const NystromOptions& options);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  DenseMatrix u_;
  Vector eigenvalues_;
  Vector coefficients_;  // (lambda_ell + mu) / (lambda_i + mu) - 1, the correction on range(U)
  double shift_ = 0.0;
  double nu_ = 0.0;
  int operator_products_ = 0;
  std::optional<double> error_estimate_;
  std::optional<bool> reached_target_;
  std::shared_ptr<const detail::ScratchPool> scratch_;  // the ell-entry work vector
};

/// The randomized Nyström preconditioner of `a`. Throws ArgumentError for a null or an operator
/// not declared symmetric positive semidefinite (OperatorTraits), a negative shift, a rank of 0 or
/// above n, a max_rank or target_condition set with a fixed rank, an adaptive rank with shift 0, a
/// max_rank outside [1, n] or a target_condition <= 1; ShapeError for a non-square operator;
/// NonFiniteError for a non-finite shift or a non-finite product of A; NumericalError when
/// Omega^T (A Omega + nu Omega) is not positive definite (A is not positive semidefinite) or when
/// lambda_ell + mu <= 10 nu, the rounding level of the construction (A has numerical rank below ell
/// and mu = 0: the preconditioner would be singular; set a shift > 0 or lower the rank).
std::shared_ptr<const NystromPreconditioner> nystrom_preconditioner(const LinearOperator& a,
                                                                    const NystromOptions& options = {});
/// nystrom_preconditioner(*a, options); throws ArgumentError if `a` is null.
std::shared_ptr<const NystromPreconditioner> nystrom_preconditioner(const OperatorPtr& a,
                                                                    const NystromOptions& options = {});

}  // namespace frechet
