#include "direct_support.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "frechet/core/error.hpp"

namespace frechet::detail {

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

std::size_t SparsityPattern::first_difference(const CsrMatrix& a) const {
  const std::vector<SparseIndex>& ra = row_offsets;
  const std::vector<SparseIndex>& ca = col_indices;
  const auto rb = a.row_offsets();
  const auto cb = a.col_indices();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    if (ra[i + 1] - ra[i] != rb[i + 1] - rb[i] ||
        !std::equal(ca.begin() + ra[i], ca.begin() + ra[i + 1], cb.begin() + rb[i])) {
      return i;
    }
  }
  return a.rows();
}

}  // namespace frechet::detail
