#pragma once
/// \file
/// Sparse Cholesky factorization A = P^T L L^T P of a symmetric positive definite CSR matrix by
/// CHOLMOD, and the operator applying A^{-1} (an exact preconditioner, or a direct solver).
///
/// Reference: Y. Chen, T. A. Davis, W. W. Hager, S. Rajamanickam, "Algorithm 887: CHOLMOD,
/// supernodal sparse Cholesky factorization and update/downdate", ACM TOMS 35(3), 2008.

#include <cstddef>
#include <memory>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// How CHOLMOD lays out the factor L.
enum class SparseCholeskyMethod {
  automatic,   ///< CHOLMOD decides from the flop count per nonzero of L (its default rule)
  simplicial,  ///< column by column: best for very sparse factors
  supernodal,  ///< dense blocks of columns through BLAS-3: best when L fills in
};

/// Options of SparseCholeskyFactorization.
struct SparseCholeskyOptions {
  SparseCholeskyMethod method = SparseCholeskyMethod::automatic;
};

/// The Cholesky factorization of a sparse symmetric positive definite matrix: the fill-reducing
/// ordering and the symbolic analysis are computed once (AMD or METIS, CHOLMOD's choice), the numeric
/// factorization follows, and `refactor` repeats only the numeric part for a matrix with the same
/// pattern (a Newton iteration's Jacobians). The sparse counterpart of core's CholeskyFactorization.
///
/// Owns its CHOLMOD workspace. Solves are const and safe to call from several threads at once: each
/// takes a CHOLMOD workspace of its own from a pool (cholmod_solve2 with per-call work arrays, rather
/// than a mutex around one workspace), so concurrent solves do not serialise, and a vector solve into
/// a given view allocates nothing once the pool holds one workspace per thread. `refactor` must not
/// run concurrently with solves. Only the lower triangle is read, after checking that the matrix is
/// symmetric.
class SparseCholeskyFactorization {
public:
  /// Analyses and factors `a`. Throws ShapeError if `a` is not square, ArgumentError if it is not
  /// symmetric (|A_ij - A_ji| > 1e-12 max|A|), NonFiniteError naming an entry that is NaN or
  /// infinite, and NumericalError naming the column (of A, 0-based) where the factorization met a
  /// non-positive pivot if `a` is not positive definite.
  explicit SparseCholeskyFactorization(const CsrMatrix& a, const SparseCholeskyOptions& options = {});
  ~SparseCholeskyFactorization();
  SparseCholeskyFactorization(SparseCholeskyFactorization&&) noexcept;
  SparseCholeskyFactorization& operator=(SparseCholeskyFactorization&&) noexcept;
  SparseCholeskyFactorization(const SparseCholeskyFactorization&) = delete;
  SparseCholeskyFactorization& operator=(const SparseCholeskyFactorization&) = delete;

  /// n, the order of A.
  std::size_t size() const noexcept;
  /// Factors `a` again with the ordering and analysis of the first matrix. Throws ArgumentError if
  /// its pattern differs from the first matrix's (naming the first row that differs), and the
  /// constructor's errors otherwise. A matrix rejected before factoring (shape, pattern, entries)
  /// leaves the factorization as it was; one that is not positive definite leaves it unusable (solves
  /// throw NumericalError) until a successful refactor.
  void refactor(const CsrMatrix& a);

  /// A^{-1} b. Throws ShapeError if b has not size() entries, NonFiniteError if an entry is not finite.
  Vector solve(ConstVectorView b) const;
  /// x = A^{-1} b into `x` (size() entries, not overlapping b).
  void solve(ConstVectorView b, VectorView x) const;
  /// A^{-1} B for several right-hand sides at once (one pass over L for all columns).
  DenseMatrix solve(const DenseMatrix& b) const;
  /// A^{-1} B for a sparse right-hand side; the solution is sparse where L's structure allows.
  CsrMatrix solve(const CsrMatrix& b) const;

  /// log det A = 2 sum_j log L_jj.
  double log_determinant() const noexcept;
  /// True when CHOLMOD stored L supernodally (dense blocks), false when simplicial.
  bool is_supernodal() const noexcept;
  /// Entries of L, fill-in included (the memory of the factor is about 12 bytes each).
  std::size_t factor_nnz() const noexcept;
  /// Bytes of the factor as CHOLMOD stores it: L's values and indices (supernodal blocks or simplicial
  /// columns), the fill-reducing permutation and the column counts; not the workspaces.
  std::size_t memory_bytes() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A^{-1} as a symmetric positive definite operator, sharing ownership of a Cholesky factorization:
/// an exact preconditioner (`SolverOptions{.preconditioner = sparse_cholesky_preconditioner(a)}`),
/// or a direct solver (apply(b) is the solution). apply_adjoint is the same solve. Products are safe
/// from several threads at once (see SparseCholeskyFactorization) and allocate nothing once the
/// workspace pool is warm.
class SparseCholeskyPreconditioner final : public LinearOperator {
public:
  /// Throws ArgumentError if `factorization` is null.
  explicit SparseCholeskyPreconditioner(std::shared_ptr<const SparseCholeskyFactorization> factorization);
  /// The factorization the products use.
  const SparseCholeskyFactorization& factorization() const noexcept { return *factorization_; }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;

  std::shared_ptr<const SparseCholeskyFactorization> factorization_;
};

/// Factors `a` (SparseCholeskyFactorization's errors) and returns A^{-1} as an operator.
std::shared_ptr<const SparseCholeskyPreconditioner> sparse_cholesky_preconditioner(
    const CsrMatrix& a, const SparseCholeskyOptions& options = {});
/// A^{-1} from an existing factorization, shared (a later refactor changes what the operator applies).
std::shared_ptr<const SparseCholeskyPreconditioner> sparse_cholesky_preconditioner(
    std::shared_ptr<const SparseCholeskyFactorization> factorization);

/// Solves A x = b once by a sparse Cholesky factorization, reported as the Krylov solvers report:
/// iterations 0, converged, residual_norm = ||b - A x||_2 recomputed (operator_products 1), rhs_norm,
/// and that residual as the one entry of residual_history. Throws SparseCholeskyFactorization's
/// errors, and ShapeError or NonFiniteError for b.
SolveResult sparse_cholesky_solve(const CsrMatrix& a, ConstVectorView b, const SparseCholeskyOptions& options = {});

}  // namespace frechet
