#pragma once
/// \file
/// Sparse rank-revealing QR factorization A E = Q R by SuiteSparseQR (SPQR), for sparse least squares
/// min ||A x - b||_2 (tall A) and minimum-norm solutions of underdetermined systems (wide A), and the
/// operator applying the generalized inverse they define.
///
/// Reference: T. A. Davis, "Algorithm 915, SuiteSparseQR: multifrontal multithreaded rank-revealing
/// sparse QR factorization", ACM TOMS 38(1), 2011.

#include <cstddef>
#include <memory>
#include <optional>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Options of SparseQrFactorization.
struct SparseQrOptions {
  /// Rank detection: a column whose remaining 2-norm is <= atol during the factorization is treated as
  /// dependent (Heath's method, as SPQR does it). Unset means SPQR's default,
  /// 20 (m + n) eps max_j ||A e_j||_2; 0 drops only exactly dependent columns. Negative throws.
  std::optional<double> atol{};
};

/// The QR factorization of a sparse m x n matrix, with a fill-reducing column ordering and rank
/// detection: the factored matrix is A when m >= n and A^T when m < n, so that R is always the small
/// triangle. With r = rank():
///
///   m >= n: solve(b) is a least-squares solution of min ||A x - b||_2, the unique one when r = n and
///           otherwise a basic one (n - r entries zero), not the minimum-norm one;
///   m <  n: solve(b) is the minimum-norm solution of A x = b when r = m (A has full row rank); with
///           r < m the system is treated as consistent in the r independent rows.
///
/// solve_transpose does the same for A^T. Solves are const and safe from several threads at once (each
/// takes a CHOLMOD workspace from a pool); they allocate their SPQR results.
class SparseQrFactorization {
public:
  /// Factors `a`. Throws ShapeError if `a` is empty, NonFiniteError naming a non-finite entry, and
  /// ArgumentError for a negative or non-finite options.atol.
  explicit SparseQrFactorization(const CsrMatrix& a, const SparseQrOptions& options = {});
  ~SparseQrFactorization();
  SparseQrFactorization(SparseQrFactorization&&) noexcept;
  SparseQrFactorization& operator=(SparseQrFactorization&&) noexcept;
  SparseQrFactorization(const SparseQrFactorization&) = delete;
  SparseQrFactorization& operator=(const SparseQrFactorization&) = delete;

  /// m, the rows of A.
  std::size_t rows() const noexcept;
  /// n, the columns of A.
  std::size_t cols() const noexcept;
  /// The numerical rank SPQR found: the number of columns (of A, or of A^T when m < n) kept independent.
  std::size_t rank() const noexcept;
  /// The column-norm threshold the rank detection used (options.atol, or SPQR's default).
  double tolerance() const noexcept;
  /// Bytes the factorization holds: SPQR's Householder vectors, R, ordering and workspace, as
  /// CHOLMOD's allocator counts them once the factorization is done.
  std::size_t memory_bytes() const noexcept;

  /// x (cols() entries) for A x ~ b as described above. Throws ShapeError if b has not rows() entries
  /// and NonFiniteError if one is not finite.
  Vector solve(ConstVectorView b) const;
  /// The same problem for A^T: y (rows() entries) for A^T y ~ c, c with cols() entries.
  Vector solve_transpose(ConstVectorView c) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The generalized inverse that SparseQrFactorization's solves define, as a cols() x rows() operator
/// sharing ownership of the factorization: apply is solve (for full-rank A, the pseudo-inverse A^+)
/// and apply_adjoint is solve_transpose, which is its transpose. A direct least-squares solver in
/// operator form. Products are safe from several threads at once.
class SparseQrPreconditioner final : public LinearOperator {
public:
  /// Throws ArgumentError if `factorization` is null.
  explicit SparseQrPreconditioner(std::shared_ptr<const SparseQrFactorization> factorization);
  /// The factorization the products use.
  const SparseQrFactorization& factorization() const noexcept { return *factorization_; }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::shared_ptr<const SparseQrFactorization> factorization_;
};

/// Factors `a` (SparseQrFactorization's errors) and returns its generalized inverse as an operator.
std::shared_ptr<const SparseQrPreconditioner> sparse_qr_preconditioner(const CsrMatrix& a,
                                                                       const SparseQrOptions& options = {});
/// The generalized inverse of an existing factorization, shared.
std::shared_ptr<const SparseQrPreconditioner> sparse_qr_preconditioner(
    std::shared_ptr<const SparseQrFactorization> factorization);

/// Solves A x ~ b once by SparseQrFactorization (least squares for tall A, minimum norm for wide A),
/// reported as lsqr and lsmr report: iterations 0, converged, residual_norm = ||b - A x||_2 and
/// normal_residual_norm = ||A^T (b - A x)||_2 recomputed (operator_products 2), rhs_norm, and the
/// residual as the one entry of residual_history. Throws SparseQrFactorization's errors, and
/// ShapeError or NonFiniteError for b.
SolveResult sparse_qr_solve(const CsrMatrix& a, ConstVectorView b, const SparseQrOptions& options = {});

}  // namespace frechet
