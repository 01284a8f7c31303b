#pragma once
/// \file
/// Jacobi (diagonal) preconditioning, M = diag(A): from a diagonal, from a sparse matrix, or
/// matrix-free from any operator, by probing (exact) or by Hutchinson's estimate (stochastic).

#include <cstdint>
#include <memory>

#include "frechet/core/vector.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// How a matrix-free Jacobi preconditioner finds diag(A).
struct JacobiOptions {
  /// Up to this many unknowns the diagonal is exact: one product with each unit vector e_i
  /// (n products). Above it, the estimate of hutchinson_diagonal (krylov/hutchinson.hpp) from `probes`
  /// Rademacher probes (Bekas, Kokiopoulou, Saad 2007), exact for a diagonal A.
  std::size_t exact_max_size = 2000;
  int probes = 64;         ///< Rademacher probes of the estimate (>= 1), one product each
  std::uint64_t seed = 0;  ///< seed of the probes
};

/// M^-1 = diag(d)^-1 for a diagonal d with every entry > 0, so M is symmetric positive definite and
/// CG and MINRES accept it. Its adjoint is itself.
class JacobiPreconditioner final : public LinearOperator {
public:
  /// diag(M), as given or as found.
  const Vector& diagonal() const noexcept { return diagonal_; }
  /// Whether the diagonal is exact (given, read or probed) or a stochastic estimate.
  bool is_estimated() const noexcept { return estimated_; }
  /// Products with A spent finding the diagonal (0 unless matrix-free).
  std::size_t operator_products() const noexcept { return operator_products_; }

private:
  friend std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(Vector);
  friend std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const LinearOperator&,
                                                                           const JacobiOptions&);
  /// Takes the diagonal of M. Throws ArgumentError naming the first row whose entry is not > 0
  /// (and NonFiniteError for NaN or infinity).
  explicit JacobiPreconditioner(Vector diagonal);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  Vector diagonal_;
  Vector inverse_diagonal_;
  bool estimated_ = false;
  std::size_t operator_products_ = 0;
};

/// Jacobi from diag(M) itself.
std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(Vector diagonal);
/// Jacobi from the stored diagonal of a square sparse matrix (a missing diagonal entry is zero, an
/// error naming its row).
std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const CsrMatrix& a);
/// Jacobi from any square operator, knowing only its products: exact by probing up to
/// `options.exact_max_size` unknowns, estimated above. An estimate with an entry <= 0 (too few
/// samples for a matrix whose diagonal does not dominate) throws NumericalError naming the row and
/// the probe count, rather than returning an indefinite preconditioner.
std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const LinearOperator& a,
                                                                  const JacobiOptions& options = {});
/// The same for an operator held by pointer (throws ArgumentError if null).
std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const OperatorPtr& a,
                                                                  const JacobiOptions& options = {});

}  // namespace frechet
