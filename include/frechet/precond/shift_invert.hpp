#pragma once
/// \file
/// The spectral transformation S = (A - sigma I)^{-1}: an eigenpair (lambda, v) of A is the eigenpair
/// (theta, v) of S with theta = 1 / (lambda - sigma), so the eigenvalues of A nearest sigma become the
/// largest |theta|, the ones Lanczos finds first and fast. Lanczos on A itself finds the smallest or
/// interior eigenvalues slowly or not at all when they cluster; on S it needs a few dozen products,
/// each one sparse direct solve, provided sigma is close to the wanted eigenvalues compared with their
/// spacing. (The smallest eigenvalues of nos6 lie in [1.00001, 1.0001]: sigma = 1 separates them,
/// sigma = 0 maps all of them to theta = 0.9999 and Lanczos stalls as on A; doc/precond_direct.md.)
///
/// Reference: T. Ericsson and A. Ruhe, "The spectral transformation Lanczos method for the numerical
/// solution of large sparse generalized symmetric eigenvalue problems", Math. Comp. 35(152), 1980.

#include <memory>

#include "frechet/krylov/lanczos.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"

namespace frechet {

/// Which factorization of A - sigma I a ShiftInvertOperator uses.
enum class ShiftInvertMethod {
  automatic,  ///< Cholesky when A is symmetric and A - sigma I positive definite (sigma below the spectrum), else LU
  cholesky,   ///< CHOLMOD; throws NumericalError if A - sigma I is not positive definite
  lu,         ///< UMFPACK, for any nonsingular A - sigma I (interior shifts, nonsymmetric A)
};

/// (A - sigma I)^{-1} as an operator, from one sparse factorization of A - sigma I made at
/// construction. apply solves with A - sigma I and apply_adjoint with its transpose. Symmetric when A
/// is, positive definite when the Cholesky factorization was used. Products are safe from several
/// threads at once.
class ShiftInvertOperator final : public LinearOperator {
public:
  /// Factors A - sigma I. Throws ShapeError if `a` is not square, NonFiniteError for a non-finite
  /// entry or sigma, ArgumentError if `cholesky` is asked of a nonsymmetric A, and NumericalError if
  /// A - sigma I is singular (sigma is an eigenvalue to working precision: move it) or, with
  /// `cholesky`, not positive definite.
  ShiftInvertOperator(const CsrMatrix& a, double sigma, ShiftInvertMethod method = ShiftInvertMethod::automatic);

  /// sigma
  double shift() const noexcept { return sigma_; }
  /// The factorization used: `cholesky` or `lu`, never `automatic`.
  ShiftInvertMethod method() const noexcept { return method_; }
  /// lambda = sigma + 1 / theta: the eigenvalue of A for the eigenvalue theta of this operator.
  double eigenvalue(double theta) const noexcept { return sigma_ + 1.0 / theta; }
  /// The Cholesky factorization of A - sigma I, or null when `method()` is `lu`.
  const std::shared_ptr<const SparseCholeskyFactorization>& cholesky() const noexcept { return cholesky_; }
  /// The LU factorization of A - sigma I, or null when `method()` is `cholesky`.
  const std::shared_ptr<const SparseLuFactorization>& lu() const noexcept { return lu_; }

private:
  // The factorization and what it tells about A - sigma I, made before the base class is constructed
  // because the operator's traits depend on it.
  struct Factors {
    ShiftInvertMethod method;
    bool symmetric;
    std::shared_ptr<const SparseCholeskyFactorization> cholesky;
    std::shared_ptr<const SparseLuFactorization> lu;
  };
  static Factors factor(const CsrMatrix& a, double sigma, ShiftInvertMethod method);
  ShiftInvertOperator(Factors factors, std::size_t n, double sigma);

  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  double sigma_;
  ShiftInvertMethod method_;
  std::shared_ptr<const SparseCholeskyFactorization> cholesky_;
  std::shared_ptr<const SparseLuFactorization> lu_;
};

/// (A - sigma I)^{-1}, factored once (ShiftInvertOperator's constructor and errors).
std::shared_ptr<const ShiftInvertOperator> shift_invert_operator(
    const CsrMatrix& a, double sigma, ShiftInvertMethod method = ShiftInvertMethod::automatic);

/// Eigenpairs of symmetric A near sigma by Lanczos on (A - sigma I)^{-1}, mapped back by
/// lambda = sigma + 1 / theta. `options.target` chooses which, since it ranks theta:
///
///   largest            the `count` eigenvalues above sigma nearest it, ascending (sigma below the
///                      spectrum: the smallest eigenvalues of A)
///   smallest           the `count` eigenvalues below sigma nearest it, descending
///   largest_magnitude  the `count` eigenvalues nearest sigma on either side, by increasing |lambda - sigma|
///
/// The other options are Lanczos's, applied to the transformed operator: rtol bounds
/// ||S y - theta y|| relative to max |theta|, which bounds |lambda - lambda*| by about
/// rtol (lambda - sigma)^2 max|theta|. In the result, `eigenvalues` are the lambda, `residual_norms`
/// are ||A y - lambda y||_2 recomputed with A (products not counted), and `operator_products` counts
/// the solves with A - sigma I; the factorization is chosen as by ShiftInvertMethod::automatic.
/// Throws ArgumentError if A is not symmetric (|A_ij - A_ji| > 1e-12 max|A|), and the errors of
/// ShiftInvertOperator and lanczos.
LanczosResult shift_invert_lanczos(const CsrMatrix& a, double sigma, const LanczosOptions& options = {});

}  // namespace frechet
