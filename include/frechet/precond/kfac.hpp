#pragma once
/// \file
/// The K-FAC preconditioner of a linear layer: the inverse of a damped Kronecker-factored
/// approximation of its Fisher (or Gauss-Newton) matrix, applied without forming any Kronecker
/// product.
///
/// For a layer z = W a with W of shape q x p, K-FAC approximates the Fisher matrix of vec(W) (vec
/// stacking columns) by A (x) G, with A = E[a a^T] (p x p, the layer's inputs) and G = E[g g^T]
/// (q x q, the gradients with respect to z). The preconditioner applies
///     M^{-1} = (A + lambda_A I)^{-1} (x) (G + lambda_G I)^{-1},
///     M^{-1} vec(W) = vec((G + lambda_G I)^{-1} W (A + lambda_A I)^{-1}),
/// through the Cholesky factors of the two damped factors: two blocked triangular solves (LAPACK
/// dpotrs), O(pq(p + q)) flops and no pq x pq matrix.
///
/// Damping. The exact damped Fisher of the layer is A (x) G + lambda I. K-FAC does not invert that
/// matrix: it damps the factors, and
///     (A + lambda I) (x) (G + lambda I) = A (x) G + lambda (A (x) I + I (x) G) + lambda^2 I,
/// which differs from A (x) G + lambda I by the cross terms. The preconditioner is the exact
/// inverse of the left-hand side (tests compare it with that matrix, not with the Tikhonov-damped
/// Fisher). Factored Tikhonov damping (Martens & Grosse 2015, section 6.3) chooses the two shifts
/// so that the product's identity term is exactly lambda I and the cross terms are as small as a
/// split allows.
///
/// Reference: J. Martens and R. Grosse, "Optimizing neural networks with Kronecker-factored
/// approximate curvature", ICML 2015.

#include <memory>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {
namespace detail {
class ScratchPool;
}  // namespace detail

/// How the damping lambda is split between the two Kronecker factors.
enum class KfacDamping {
  /// lambda_A = lambda_G = lambda: (A + lambda I) (x) (G + lambda I).
  each_factor,
  /// Factored Tikhonov: lambda_A = pi sqrt(lambda), lambda_G = sqrt(lambda) / pi, with
  /// pi = sqrt((tr(A) / p) / (tr(G) / q)). The identity term of the product is then
  /// lambda_A lambda_G I = lambda I, and pi minimises the bound
  /// sqrt(lambda) (||A|| / pi + pi ||G||) on the cross terms lambda_G A (x) I + lambda_A I (x) G,
  /// with each factor's norm measured by its mean eigenvalue tr/dimension (Martens & Grosse 2015,
  /// section 6.3). Needs tr(A) > 0 and tr(G) > 0 when lambda > 0.
  factored_tikhonov,
};

/// Options of kfac_preconditioner.
struct KfacOptions {
  /// lambda (finite, >= 0). With 0 the factors themselves must be positive definite.
  double damping = 0.0;
  /// How lambda reaches the two factors.
  KfacDamping rule = KfacDamping::each_factor;
};

/// M^{-1} = (A + lambda_A I)^{-1} (x) (G + lambda_G I)^{-1}, a pq x pq symmetric positive definite
/// operator acting on vec(W), W of shape q x p stored column by column. apply_adjoint is apply (the
/// operator is symmetric). A product costs two Cholesky solves with p and q right-hand sides and
/// allocates nothing after the first (its pq work array is kept; a concurrent product allocates
/// its own). Memory: the two factors, p^2 + q^2 doubles, plus the pq work array.
class KfacPreconditioner final : public LinearOperator {
public:
  /// p, the order of A (columns of W).
  std::size_t input_dimension() const noexcept { return a_factor_.rows(); }
  /// q, the order of G (rows of W).
  std::size_t output_dimension() const noexcept { return g_factor_.rows(); }
  /// lambda, as given in the options.
  double damping() const noexcept { return damping_; }
  /// lambda_A, the shift added to A.
  double damping_a() const noexcept { return damping_a_; }
  /// lambda_G, the shift added to G.
  double damping_g() const noexcept { return damping_g_; }

private:
  friend std::shared_ptr<const KfacPreconditioner> kfac_preconditioner(DenseMatrix, DenseMatrix, const KfacOptions&);
  /// Factors A + lambda_A I and G + lambda_G I; see kfac_preconditioner for what it checks.
  KfacPreconditioner(DenseMatrix a, DenseMatrix g, const KfacOptions& options);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  DenseMatrix a_factor_;  // lower Cholesky factor of A + lambda_A I
  DenseMatrix g_factor_;  // lower Cholesky factor of G + lambda_G I
  double damping_;
  double damping_a_;
  double damping_g_;
  std::shared_ptr<const detail::ScratchPool> scratch_;  // the pq work array (lib/linop/scratch_pool.hpp)
};

/// The K-FAC preconditioner of the factors A (p x p) and G (q x q). Both must be symmetric (to
/// 1e-10 of their largest entry; only the lower triangles are used) and finite. Throws ShapeError
/// for an empty or non-square factor, ArgumentError for an asymmetric factor, a negative damping or
/// factored Tikhonov damping of a factor with a non-positive trace, NonFiniteError for a non-finite
/// entry or damping, and NumericalError naming the factor (A or G) that is not positive definite
/// after damping.
std::shared_ptr<const KfacPreconditioner> kfac_preconditioner(DenseMatrix a, DenseMatrix g,
                                                              const KfacOptions& options = {});

}  // namespace frechet
