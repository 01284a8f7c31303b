#pragma once
/// \file
/// Incomplete Cholesky factorization with zero fill, IC(0), of a symmetric positive definite sparse
/// matrix, with the diagonal shift that rescues it from breakdown.

#include <memory>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of IC(0).
struct Ic0Options {
  /// The first shift alpha tried after a breakdown: the factorization is redone for
  /// A + alpha diag(A) (Manteuffel 1980), alpha doubling on every further breakdown.
  double initial_shift = 1e-3;
  int max_shifts = 20;  ///< breakdowns tolerated before giving up (>= 0; 0 allows no shift)
};

/// M = L L^T with L lower triangular on the pattern of tril(A) (Meijerink and van der Vorst 1977).
/// Symmetric positive definite, so CG accepts it; its adjoint is itself. Products are two sequential
/// triangular sweeps. An M-matrix never breaks down; other SPD matrices can (a pivot <= 0), and the
/// factorization is then retried on A + alpha diag(A), the alpha used reported by shift().
class Ic0Preconditioner final : public LinearOperator {
public:
  ~Ic0Preconditioner() override;
  /// The alpha of A + alpha diag(A) that was factored: 0 when no breakdown occurred.
  double shift() const noexcept { return shift_; }
  /// Factorizations attempted (1 without breakdown).
  int attempts() const noexcept { return attempts_; }
  /// Bytes of L.
  std::size_t bytes() const noexcept;

private:
  friend std::shared_ptr<const Ic0Preconditioner> ic0_preconditioner(const CsrMatrix&, const Ic0Options&);
  struct Factor;
  Ic0Preconditioner(std::size_t n, std::unique_ptr<const Factor> factor, double shift, int attempts);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::unique_ptr<const Factor> factor_;
  double shift_;
  int attempts_;
};

/// IC(0) of a symmetric sparse matrix (only its lower triangle is read; symmetry is checked).
/// Throws ArgumentError for a non-square, empty or nonsymmetric matrix, a diagonal entry that is
/// missing or <= 0 (naming its row), or invalid options; NonFiniteError for NaN or infinity;
/// NumericalError naming the column of the last breakdown when max_shifts shifts did not suffice.
std::shared_ptr<const Ic0Preconditioner> ic0_preconditioner(const CsrMatrix& a, const Ic0Options& options = {});

}  // namespace frechet
