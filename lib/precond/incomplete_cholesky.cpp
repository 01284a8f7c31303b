#include "frechet/precond/incomplete_cholesky.hpp"

#include <cmath>
#include <optional>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "precond/sparse_triangular.hpp"

namespace frechet {

struct Ic0Preconditioner::Factor {
  detail::SparseTriangle lower;  // L: strict part on the pattern of tril(A), diagonal apart
};

namespace {

/// The zero-fill factorization of A + alpha diag(A) into `l` (its pattern already in place), or the
/// column of the first pivot that is not > 0. Row-oriented: L_ik = (a_ik - sum_{j<k} L_ij L_kj) / L_kk
/// over the j both rows store, found through `position` (the slot of column j in row i, or -1).
std::optional<std::size_t> factor_ic0(const CsrMatrix& a, const std::vector<std::ptrdiff_t>& diagonal_at,
                                      double alpha, detail::SparseTriangle& l, std::vector<std::ptrdiff_t>& position) {
  const auto offsets = a.row_offsets();
  const auto values = a.values();
  const SparseIndex* lo = l.offsets.data();
  const SparseIndex* lc = l.columns.data();
  double* lv = l.values.data();
  const std::size_t n = a.rows();
  for (std::size_t i = 0; i < n; ++i) {
    // The strict lower entries of row i of A come first in its CSR row, in the order L stores them.
    for (SparseIndex p = lo[i]; p < lo[i + 1]; ++p) position[lc[p]] = p;
    double pivot = values[diagonal_at[i]] * (1.0 + alpha);
    for (SparseIndex p = lo[i]; p < lo[i + 1]; ++p) {
      const auto k = static_cast<std::size_t>(lc[p]);
      double s = values[offsets[i] + (p - lo[i])];
      for (SparseIndex q = lo[k]; q < lo[k + 1]; ++q) {
        const std::ptrdiff_t at = position[lc[q]];
        if (at >= 0) s -= lv[at] * lv[q];
      }
      lv[p] = s / l.diagonal[k];
      pivot -= lv[p] * lv[p];
    }
    for (SparseIndex p = lo[i]; p < lo[i + 1]; ++p) position[lc[p]] = -1;
    if (!(pivot > 0.0) || !std::isfinite(pivot)) return i;
    l.diagonal[i] = std::sqrt(pivot);
  }
  return std::nullopt;
}

}  // namespace

Ic0Preconditioner::Ic0Preconditioner(std::size_t n, std::unique_ptr<const Factor> factor, double shift, int attempts)
    : LinearOperator(n, n, {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}),
      factor_(std::move(factor)),
      shift_(shift),
      attempts_(attempts) {}

Ic0Preconditioner::~Ic0Preconditioner() = default;

std::size_t Ic0Preconditioner::bytes() const noexcept { return factor_->lower.bytes(); }

void Ic0Preconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  copy(x, y);
  detail::solve_lower(factor_->lower, y);
  detail::solve_lower_transposed(factor_->lower, y);
}

void Ic0Preconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::shared_ptr<const Ic0Preconditioner> ic0_preconditioner(const CsrMatrix& a, const Ic0Options& options) {
  if (!(options.initial_shift > 0.0) || !std::isfinite(options.initial_shift))
    throw ArgumentError("ic0_preconditioner: options.initial_shift must be finite and > 0, got " +
                        std::to_string(options.initial_shift));
  if (options.max_shifts < 0)
    throw ArgumentError("ic0_preconditioner: options.max_shifts must be >= 0, got " +
                        std::to_string(options.max_shifts));
  detail::require_square_finite(a, "ic0_preconditioner");
  // Only the lower triangle is read, so a nonsymmetric A would be factored as a different matrix.
  if (!a.is_symmetric() && !a.is_numerically_symmetric(1e-12))
    throw ArgumentError("ic0_preconditioner: the matrix must be symmetric (IC(0) reads its lower triangle); "
                        "use ilu0_preconditioner or ilut_preconditioner for a nonsymmetric matrix");
  const auto diagonal_at = detail::diagonal_positions(a);
  const auto values = a.values();
  for (std::size_t i = 0; i < a.rows(); ++i)
    if (diagonal_at[i] < 0 || !(values[diagonal_at[i]] > 0.0))
      throw ArgumentError("ic0_preconditioner: a symmetric positive definite matrix has a positive diagonal, row " +
                          std::to_string(i) +
                          (diagonal_at[i] < 0 ? " stores no diagonal entry"
                                              : " has " + std::to_string(values[diagonal_at[i]])));

  auto factor = std::make_unique<Ic0Preconditioner::Factor>();
  factor->lower = detail::split_triangles(a).lower;
  factor->lower.diagonal.assign(a.rows(), 0.0);
  std::vector<std::ptrdiff_t> position(a.rows(), -1);
  double alpha = 0.0;
  for (int attempt = 1;; ++attempt) {
    const auto breakdown = factor_ic0(a, diagonal_at, alpha, factor->lower, position);
    if (!breakdown)
      return std::shared_ptr<const Ic0Preconditioner>(
          new Ic0Preconditioner(a.rows(), std::move(factor), alpha, attempt));
    if (attempt > options.max_shifts)
      throw NumericalError("ic0_preconditioner: the factorization broke down at column " + std::to_string(*breakdown) +
                           " (pivot <= 0) with shift " + std::to_string(alpha) + " after " +
                           std::to_string(attempt) + " attempts; the matrix is probably not positive definite");
    alpha = alpha == 0.0 ? options.initial_shift : 2.0 * alpha;
  }
}

}  // namespace frechet
