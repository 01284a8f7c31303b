#pragma once
/// \file
/// Incomplete LU factorizations of a square sparse matrix: ILU(0), on the pattern of A, and ILUT, by
/// a drop tolerance and a fill limit. Both are preconditioners for GMRES, FGMRES and BiCGSTAB.

#include <memory>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of ILUT.
struct IlutOptions {
  /// Entries of row i of L or U with magnitude <= drop_tolerance * ||a_i||_2 (the 2-norm of row i
  /// of A) are dropped (>= 0; with 0 and a large fill, M is the exact LU without pivoting).
  double drop_tolerance = 1e-3;
  /// Row i of L and of U each keeps at most (its entries in A) + fill of the largest entries.
  int fill = 10;
  /// Column pivoting (ILUTP): when the candidate pivot of a row is smaller than pivot_threshold
  /// times the largest entry of its upper part, the two columns swap (in [0, 1]; 0 never pivots,
  /// 1 always takes the largest). 0.1 is SuperLU's ILU default; it lets ILUT factor matrices with
  /// zero or missing diagonal entries.
  double pivot_threshold = 0.1;
};

/// M = L U Q^T, L unit lower and U upper triangular, Q a column permutation (the identity for ILU(0),
/// and for ILUT unless it pivoted); the products are M^-1 (a forward and a backward sweep) and M^-T
/// (the transposed sweeps), both sequential.
class IncompleteLuPreconditioner final : public LinearOperator {
public:
  ~IncompleteLuPreconditioner() override;
  /// Stored entries of L and U together (the unit diagonal of L not counted).
  std::size_t factor_nnz() const noexcept;
  /// Bytes of L and U.
  std::size_t bytes() const noexcept;
  /// ILUT only: pivots that came out zero and were replaced (0 for ILU(0), which throws instead).
  /// A large count means M is a poor preconditioner.
  std::size_t replaced_pivots() const noexcept { return replaced_pivots_; }
  /// ILUT only: columns that pivoting moved (0 when Q = I).
  std::size_t permuted_columns() const noexcept;

private:
  friend std::shared_ptr<const IncompleteLuPreconditioner> ilu0_preconditioner(const CsrMatrix&);
  friend std::shared_ptr<const IncompleteLuPreconditioner> ilut_preconditioner(const CsrMatrix&, const IlutOptions&);
  struct Factors;
  IncompleteLuPreconditioner(std::size_t n, std::unique_ptr<const Factors> factors, std::size_t replaced_pivots);
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::unique_ptr<const Factors> factors_;
  std::size_t replaced_pivots_;
};

/// ILU(0): L and U on the pattern of A (Saad, Iterative Methods for Sparse Linear Systems, 2nd ed.,
/// Algorithm 10.4), without pivoting. Throws ArgumentError for a non-square or empty matrix or a row that stores no
/// diagonal entry, NonFiniteError for NaN or infinity, NumericalError naming the row whose pivot
/// vanished.
std::shared_ptr<const IncompleteLuPreconditioner> ilu0_preconditioner(const CsrMatrix& a);

/// ILUT(tau, p) with threshold column pivoting (Saad 1994; Algorithms 10.6 and 10.7 of the book
/// above): Gaussian elimination row by row, dropping entries below drop_tolerance times the norm of
/// the row of A (a multiplier l_ik by the size of its update, |l_ik| ||u_k||), then keeping the
/// largest.
/// A pivot that comes out exactly zero is replaced by (1e-4 + drop_tolerance) ||a_i||_2, as SPARSKIT's
/// ilut does, and counted in replaced_pivots(). Throws ArgumentError for a non-square or empty matrix, a row of A
/// that is entirely zero, or invalid options; NonFiniteError for NaN or infinity.
std::shared_ptr<const IncompleteLuPreconditioner> ilut_preconditioner(const CsrMatrix& a,
                                                                      const IlutOptions& options = {});

}  // namespace frechet
