#pragma once
/// \file
/// Symmetric successive over-relaxation (SSOR) preconditioning of a sparse matrix.

#include <memory>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of SSOR.
struct SsorOptions {
  double omega = 1.0;  ///< relaxation, 0 < omega < 2 (1 is symmetric Gauss-Seidel)
};

/// With A = L + D + U (strict lower, diagonal, strict upper),
///   M = omega/(2 - omega) (D/omega + L) (D/omega)^-1 (D/omega + U),
/// applied as M^-1 by a forward and a backward triangular sweep (Saad, Iterative Methods for Sparse
/// Linear Systems, 2nd ed., section 10.2). For symmetric A with a positive diagonal and
/// 0 < omega < 2, M is symmetric positive definite, so CG accepts it; for a nonsymmetric A it is a
/// preconditioner for GMRES and BiCGSTAB, and its adjoint applies M^-T by the transposed sweeps.
/// The sweeps are sequential: a product costs about two SpMVs on one thread.
class SsorPreconditioner final : public LinearOperator {
public:
  double omega() const noexcept { return omega_; }
  /// Bytes of the two triangles and the diagonal it keeps.
  std::size_t bytes() const noexcept;

  ~SsorPreconditioner() override;

private:
  friend std::shared_ptr<const SsorPreconditioner> ssor_preconditioner(const CsrMatrix&, const SsorOptions&);
  struct Factors;
  SsorPreconditioner(const CsrMatrix& a, const SsorOptions& options);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  double omega_;
  std::unique_ptr<const Factors> factors_;
};

/// SSOR of a square sparse matrix. Throws ArgumentError for omega outside (0, 2), a non-square or
/// empty matrix, or a diagonal entry that is zero or missing, naming its row; for a symmetric A
/// (declared, or equal to its transpose) also for a negative diagonal entry, since M would then be
/// indefinite. NonFiniteError for NaN or infinity in A. M is declared symmetric positive definite
/// exactly when A is symmetric.
std::shared_ptr<const SsorPreconditioner> ssor_preconditioner(const CsrMatrix& a, const SsorOptions& options = {});

}  // namespace frechet
