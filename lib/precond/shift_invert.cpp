#include "frechet/precond/shift_invert.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "direct_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet {

namespace {

bool symmetric(const CsrMatrix& a) { return a.is_symmetric() || a.is_numerically_symmetric(1e-12); }

// A - sigma I with every diagonal entry stored (a missing one becomes -sigma), symmetric when A is.
CsrMatrix shifted_matrix(const CsrMatrix& a, double sigma, bool is_symmetric) {
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto vals = a.values();
  const std::size_t n = a.rows();
  std::vector<SparseIndex> r, c;
  Vector v;
  r.reserve(a.nnz() + n);
  c.reserve(a.nnz() + n);
  v.reserve(a.nnz() + n);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k) {
      r.push_back(static_cast<SparseIndex>(i));
      c.push_back(cols[k]);
      v.push_back(vals[k]);
    }
    r.push_back(static_cast<SparseIndex>(i));
    c.push_back(static_cast<SparseIndex>(i));
    v.push_back(-sigma);
  }
  return CsrMatrix::from_triplets(n, n, r, c, v, {.symmetric = is_symmetric});
}

std::string sigma_text(double sigma) {
  std::ostringstream s;
  s.precision(17);
  s << sigma;
  return s.str();
}

}  // namespace

ShiftInvertOperator::Factors ShiftInvertOperator::factor(const CsrMatrix& a, double sigma, ShiftInvertMethod method) {
  const char* what = "ShiftInvertOperator: a";
  detail::check_square(a, what);
  detail::check_finite_entries(a, what);
  if (!std::isfinite(sigma)) {
    throw NonFiniteError("ShiftInvertOperator: sigma: expected a finite number, got " + sigma_text(sigma));
  }
  Factors f{method, symmetric(a), nullptr, nullptr};
  if (method == ShiftInvertMethod::cholesky && !f.symmetric) {
    throw ArgumentError("ShiftInvertOperator: method cholesky needs a symmetric A, got a nonsymmetric one; use lu");
  }
  const CsrMatrix shifted = shifted_matrix(a, sigma, f.symmetric);
  if (method == ShiftInvertMethod::cholesky) {
    f.cholesky = std::make_shared<const SparseCholeskyFactorization>(shifted);
  } else if (method == ShiftInvertMethod::automatic && f.symmetric) {
    // Positive definiteness is decided by trying: CHOLMOD stops at the first non-positive pivot, and
    // LU (correct for any nonsingular shift) takes over.
    try {
      f.cholesky = std::make_shared<const SparseCholeskyFactorization>(shifted);
    } catch (const NumericalError&) {
      f.cholesky.reset();
    }
  }
  if (f.cholesky) {
    f.method = ShiftInvertMethod::cholesky;
    return f;
  }
  f.method = ShiftInvertMethod::lu;
  try {
    f.lu = std::make_shared<const SparseLuFactorization>(shifted);
  } catch (const NumericalError& e) {
    throw NumericalError("ShiftInvertOperator: A - sigma I with sigma = " + sigma_text(sigma) +
                         " is singular: sigma is an eigenvalue of A to working precision; move it (" + e.what() + ")");
  }
  return f;
}

ShiftInvertOperator::ShiftInvertOperator(const CsrMatrix& a, double sigma, ShiftInvertMethod method)
    : ShiftInvertOperator(factor(a, sigma, method), a.rows(), sigma) {}

// (A - sigma I)^{-1} inherits A's symmetry; its definiteness is known only from a Cholesky factor.
ShiftInvertOperator::ShiftInvertOperator(Factors factors, std::size_t n, double sigma)
    : LinearOperator(n, n,
                     {.symmetric = factors.symmetric,
                      .positive_semidefinite = factors.cholesky != nullptr,
                      .positive_definite = factors.cholesky != nullptr}),
      sigma_(sigma),
      method_(factors.method),
      cholesky_(std::move(factors.cholesky)),
      lu_(std::move(factors.lu)) {}

void ShiftInvertOperator::apply_impl(ConstVectorView x, VectorView y) const {
  if (cholesky_) cholesky_->solve(x, y);
  else lu_->solve(x, y);
}

void ShiftInvertOperator::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  if (cholesky_) cholesky_->solve(x, y);
  else lu_->solve_transpose(x, y);
}

std::shared_ptr<const ShiftInvertOperator> shift_invert_operator(const CsrMatrix& a, double sigma,
                                                                 ShiftInvertMethod method) {
  return std::make_shared<const ShiftInvertOperator>(a, sigma, method);
}

LanczosResult shift_invert_lanczos(const CsrMatrix& a, double sigma, const LanczosOptions& options) {
  detail::check_square(a, "shift_invert_lanczos: a");
  if (!symmetric(a)) {
    throw ArgumentError("shift_invert_lanczos: a: expected a symmetric matrix (|A_ij - A_ji| <= 1e-12 max|A|), "
                        "got a nonsymmetric one");
  }
  const ShiftInvertOperator s(a, sigma);
  LanczosResult result = lanczos(s, options);
  // theta -> lambda keeps each target's order: decreasing theta > 0 is increasing lambda above sigma,
  // increasing theta < 0 is decreasing lambda below it, decreasing |theta| is increasing |lambda - sigma|.
  Vector residual(a.rows());
  for (std::size_t j = 0; j < result.eigenvalues.size(); ++j) {
    const double lambda = s.eigenvalue(result.eigenvalues[j]);
    result.eigenvalues[j] = lambda;
    const ConstVectorView y = result.eigenvectors.col(j);
    a.apply(y, residual);
    axpy(-lambda, y, residual);
    result.residual_norms[j] = norm2(residual);
  }
  return result;
}

}  // namespace frechet
