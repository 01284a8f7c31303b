#include "direct_support.hpp"

#include <suitesparse/umfpack.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {

void check_umfpack_status(int status, const char* what, const std::string& detail) {
  if (status == UMFPACK_OK || status == UMFPACK_WARNING_determinant_underflow ||
      status == UMFPACK_WARNING_determinant_overflow) {
    return;
  }
  const std::string where = std::string("UMFPACK (") + what + "): ";
  const std::string tail = detail.empty() ? std::string() : "; " + detail;
  switch (status) {
    case UMFPACK_WARNING_singular_matrix: throw NumericalError(where + "the matrix is singular" + tail);
    case UMFPACK_ERROR_out_of_memory: throw Error(where + "out of memory" + tail);
    case UMFPACK_ERROR_n_nonpositive: throw ArgumentError(where + "the matrix is empty" + tail);
    case UMFPACK_ERROR_invalid_matrix: throw ArgumentError(where + "invalid matrix arrays" + tail);
    case UMFPACK_ERROR_different_pattern: throw ArgumentError(where + "the pattern differs from the analysed one" + tail);
    case UMFPACK_ERROR_invalid_system: throw ArgumentError(where + "invalid system for this matrix" + tail);
    case UMFPACK_ERROR_argument_missing: throw ArgumentError(where + "an argument is missing" + tail);
    case UMFPACK_ERROR_invalid_Numeric_object: throw Error(where + "invalid numeric factorization" + tail);
    case UMFPACK_ERROR_invalid_Symbolic_object: throw Error(where + "invalid symbolic analysis" + tail);
    default: throw Error(where + "status " + std::to_string(status) + tail);
  }
}

void check_finite_entries(const CsrMatrix& a, const char* what) {
  const auto rows = a.row_offsets();
  const auto cols = a.col_indices();
  const auto vals = a.values();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (auto k = static_cast<std::size_t>(rows[i]); k < static_cast<std::size_t>(rows[i + 1]); ++k) {
      if (std::isfinite(vals[k])) continue;
      std::ostringstream msg;
      msg << what << ": entry (" << i << ", " << cols[k] << ") is " << vals[k] << ", expected a finite number";
      throw NonFiniteError(msg.str());
    }
  }
}

void check_square(const CsrMatrix& a, const char* what) {
  if (a.is_square()) return;
  throw ShapeError(std::string(what) + ": expected a square matrix, got " + std::to_string(a.rows()) + " x " +
                   std::to_string(a.cols()));
}

void SparsityPattern::check_same(const CsrMatrix& a, const char* what) const {
  const std::vector<SparseIndex>& ra = row_offsets;
  const std::vector<SparseIndex>& ca = col_indices;
  const auto rb = a.row_offsets();
  const auto cb = a.col_indices();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    if (ra[i + 1] - ra[i] != rb[i + 1] - rb[i] ||
        !std::equal(ca.begin() + ra[i], ca.begin() + ra[i + 1], cb.begin() + rb[i])) {
      throw ArgumentError(std::string(what) + ": expected the sparsity pattern of the matrix first factored, got "
                          "a different one (row " + std::to_string(i) + " differs); factor the new matrix instead");
    }
  }
}

SolveResult direct_solve_result(const CsrMatrix& a, ConstVectorView b, Vector x, bool least_squares) {
  SolveResult result;
  Vector r = a.apply(x);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
  result.x = std::move(x);
  result.iterations = 0;
  result.converged = true;
  result.reason = Reason::converged;
  result.residual_norm = norm2(r);
  result.rhs_norm = norm2(b);
  result.residual_history = Vector{result.residual_norm};
  result.operator_products = 1;
  if (least_squares) {
    result.normal_residual_norm = norm2(a.apply_adjoint(r));
    result.operator_products = 2;
  }
  return result;
}

}  // namespace frechet::detail
