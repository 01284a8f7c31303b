#include "frechet/linop/csr_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "csr_symmetry.hpp"
#include "frechet/core/error.hpp"
#include "spmv_plan.hpp"

namespace frechet {
namespace {

std::string str(std::size_t v) { return std::to_string(v); }

void check_index_range(const char* what, std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<SparseIndex>::max())) {
    throw ArgumentError(std::string("CsrMatrix: ") + what + " " + str(n) +
                        " exceeds the 32-bit index limit");
  }
}

}  // namespace

CsrMatrix::CsrMatrix()
    : LinearOperator(0, 0),
      row_offsets_(1, 0),
      plan_(detail::SpmvPlan::build(detail::SpmvPlanAccess::view(*this))) {}

CsrMatrix::CsrMatrix(std::size_t rows, std::size_t cols, std::vector<SparseIndex> row_offsets,
                     std::vector<SparseIndex> col_indices, Vector values, OperatorTraits traits)
    : LinearOperator(rows, cols, traits),
      row_offsets_(std::move(row_offsets)),
      col_indices_(std::move(col_indices)),
      values_(std::move(values)) {
  check_index_range("rows", rows);
  check_index_range("cols", cols);
  check_size("CsrMatrix: length of row_offsets (rows + 1)", rows + 1, row_offsets_.size());
  check_size("CsrMatrix: length of values (= length of col_indices)", col_indices_.size(), values_.size());
  if (row_offsets_[0] != 0 || static_cast<std::size_t>(row_offsets_[rows]) != col_indices_.size()) {
    throw ArgumentError("CsrMatrix: row_offsets must start at 0 and end at nnz = " +
                        str(col_indices_.size()) + ", got " + std::to_string(row_offsets_[0]) + " and " +
                        std::to_string(row_offsets_[rows]));
  }
  // Offsets first: with them non-decreasing from 0 to nnz, every row's range lies inside the arrays.
  for (std::size_t i = 0; i < rows; ++i) {
    if (row_offsets_[i + 1] < row_offsets_[i]) {
      throw ArgumentError("CsrMatrix: row_offsets decrease at row " + str(i));
    }
  }
  for (std::size_t i = 0; i < rows; ++i) {
    for (SparseIndex k = row_offsets_[i]; k < row_offsets_[i + 1]; ++k) {
      const SparseIndex j = col_indices_[static_cast<std::size_t>(k)];
      if (j < 0 || static_cast<std::size_t>(j) >= cols) {
        throw ArgumentError("CsrMatrix: column index " + std::to_string(j) + " in row " + str(i) +
                            " is outside [0, " + str(cols) + ")");
      }
      if (k > row_offsets_[i] && j <= col_indices_[static_cast<std::size_t>(k) - 1]) {
        throw ArgumentError("CsrMatrix: column indices of row " + str(i) +
                            " must be strictly increasing");
      }
    }
  }
  plan_ = detail::SpmvPlan::build(detail::SpmvPlanAccess::view(*this));
}

CsrMatrix CsrMatrix::from_triplets(std::size_t rows, std::size_t cols, std::span<const SparseIndex> row,
                                   std::span<const SparseIndex> col, ConstVectorView value,
                                   OperatorTraits traits) {
  check_size("CsrMatrix::from_triplets: length of col", row.size(), col.size());
  check_size("CsrMatrix::from_triplets: length of value", row.size(), value.size());
  check_index_range("rows", rows);
  check_index_range("cols", cols);
  check_index_range("number of triplets", row.size());
  // Counting sort by row, then sort each row by column and merge duplicates.
  std::vector<SparseIndex> offsets(rows + 1, 0);
  for (std::size_t k = 0; k < row.size(); ++k) {
    if (row[k] < 0 || static_cast<std::size_t>(row[k]) >= rows || col[k] < 0 ||
        static_cast<std::size_t>(col[k]) >= cols) {
      throw ArgumentError("CsrMatrix::from_triplets: entry " + str(k) + " at (" + std::to_string(row[k]) +
                          ", " + std::to_string(col[k]) + ") is outside the " + str(rows) + "x" +
                          str(cols) + " matrix");
    }
    ++offsets[static_cast<std::size_t>(row[k]) + 1];
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<SparseIndex> next(offsets.begin(), offsets.end() - 1);
  std::vector<SparseIndex> cols_sorted(row.size());
  Vector vals_sorted(row.size());
  for (std::size_t k = 0; k < row.size(); ++k) {
    const auto dst = static_cast<std::size_t>(next[static_cast<std::size_t>(row[k])]++);
    cols_sorted[dst] = col[k];
    vals_sorted[dst] = value[k];
  }
  std::vector<SparseIndex> out_offsets(rows + 1, 0);
  std::vector<SparseIndex> out_cols;
  Vector out_vals;
  out_cols.reserve(row.size());
  out_vals.reserve(row.size());
  std::vector<std::size_t> perm;
  for (std::size_t i = 0; i < rows; ++i) {
    const auto b = static_cast<std::size_t>(offsets[i]);
    const auto e = static_cast<std::size_t>(offsets[i + 1]);
    const bool sorted = std::is_sorted(cols_sorted.begin() + static_cast<std::ptrdiff_t>(b),
                                       cols_sorted.begin() + static_cast<std::ptrdiff_t>(e));
    perm.resize(e - b);
    std::iota(perm.begin(), perm.end(), b);
    if (!sorted) {
      std::stable_sort(perm.begin(), perm.end(),
                       [&](std::size_t p, std::size_t q) { return cols_sorted[p] < cols_sorted[q]; });
    }
    const std::size_t row_start = out_cols.size();
    for (std::size_t p : perm) {
      if (out_cols.size() > row_start && out_cols.back() == cols_sorted[p]) {
        out_vals.back() += vals_sorted[p];
      } else {
        out_cols.push_back(cols_sorted[p]);
        out_vals.push_back(vals_sorted[p]);
      }
    }
    out_offsets[i + 1] = static_cast<SparseIndex>(out_cols.size());
  }
  return CsrMatrix(rows, cols, std::move(out_offsets), std::move(out_cols), std::move(out_vals), traits);
}

CsrMatrix CsrMatrix::from_dense(const DenseMatrix& a, OperatorTraits traits) {
  std::vector<SparseIndex> offsets(a.rows() + 1, 0);
  std::vector<SparseIndex> cols;
  Vector vals;
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (std::size_t j = 0; j < a.cols(); ++j) {
      if (a(i, j) != 0.0) {
        cols.push_back(static_cast<SparseIndex>(j));
        vals.push_back(a(i, j));
      }
    }
    offsets[i + 1] = static_cast<SparseIndex>(cols.size());
  }
  return CsrMatrix(a.rows(), a.cols(), std::move(offsets), std::move(cols), std::move(vals), traits);
}

CsrMatrix CsrMatrix::with_traits(OperatorTraits traits) const {
  return CsrMatrix(rows(), cols(), row_offsets_, col_indices_, values_, traits);
}

// A counting sort by column. Visiting the rows in order leaves every row of A^T sorted.
CsrMatrix CsrMatrix::transposed() const {
  std::vector<SparseIndex> offsets(cols() + 1, 0);
  std::vector<SparseIndex> indices(nnz());
  Vector values(nnz());
  for (SparseIndex j : col_indices_) ++offsets[static_cast<std::size_t>(j) + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<SparseIndex> next(offsets.begin(), offsets.end() - 1);
  for (std::size_t i = 0; i < rows(); ++i) {
    for (auto k = static_cast<std::size_t>(row_offsets_[i]); k < static_cast<std::size_t>(row_offsets_[i + 1]); ++k) {
      const auto dst = static_cast<std::size_t>(next[static_cast<std::size_t>(col_indices_[k])]++);
      indices[dst] = static_cast<SparseIndex>(i);
      values[dst] = values_[k];
    }
  }
  return CsrMatrix(cols(), rows(), std::move(offsets), std::move(indices), std::move(values), traits());
}

DenseMatrix CsrMatrix::to_dense() const {
  DenseMatrix a(rows(), cols());
  for (std::size_t i = 0; i < rows(); ++i)
    for (auto k = static_cast<std::size_t>(row_offsets_[i]); k < static_cast<std::size_t>(row_offsets_[i + 1]); ++k)
      a(i, static_cast<std::size_t>(col_indices_[k])) = values_[k];
  return a;
}

Vector CsrMatrix::diagonal() const {
  Vector d(std::min(rows(), cols()), 0.0);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto b = col_indices_.begin() + row_offsets_[i];
    const auto e = col_indices_.begin() + row_offsets_[i + 1];
    const auto it = std::lower_bound(b, e, static_cast<SparseIndex>(i));
    if (it != e && *it == static_cast<SparseIndex>(i)) d[i] = values_[static_cast<std::size_t>(it - col_indices_.begin())];
  }
  return d;
}

bool CsrMatrix::is_numerically_symmetric(double tol) const {
  return is_square() && !detail::find_asymmetry(*this, 1.0, tol);
}

std::optional<detail::Asymmetry> detail::find_asymmetry(const CsrMatrix& a, double sign, double tol) {
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto values = a.values();
  double scale = 0.0;
  for (double v : values) scale = std::max(scale, std::abs(v));
  // Every pair with a stored entry is visited from that entry; a pair stored on one side only is
  // compared against zero.
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k) {
      const auto j = static_cast<std::size_t>(cols[k]);
      const auto row_j = cols.subspan(static_cast<std::size_t>(offsets[j]),
                                      static_cast<std::size_t>(offsets[j + 1] - offsets[j]));
      const auto it = std::lower_bound(row_j.begin(), row_j.end(), static_cast<SparseIndex>(i));
      const double a_ji = it != row_j.end() && *it == static_cast<SparseIndex>(i)
                              ? values[static_cast<std::size_t>(offsets[j]) + static_cast<std::size_t>(it - row_j.begin())]
                              : 0.0;
      if (std::abs(values[k] - sign * a_ji) > tol * scale) return Asymmetry{i, j, values[k], a_ji};
    }
  }
  return std::nullopt;
}

std::string_view CsrMatrix::layout() const noexcept { return detail::to_string(plan_->layout()); }

std::size_t CsrMatrix::layout_bytes() const noexcept { return plan_->bytes(); }

CsrMatrix CsrMatrix::with_layout(std::string_view layout) const {
  for (auto l : {detail::SpmvLayout::csr, detail::SpmvLayout::sell, detail::SpmvLayout::dia}) {
    if (layout == detail::to_string(l)) return detail::SpmvPlanAccess::with_options(*this, {.layout = l});
  }
  throw ArgumentError("CsrMatrix::with_layout: expected \"csr\", \"sell\" or \"dia\", got \"" +
                      std::string(layout) + "\"");
}

// The kernels and the choice of layout live in spmv_plan.hpp. A matrix declared symmetric is its own
// adjoint, so its adjoint takes the forward kernel, which never needs scratch copies of y.
void CsrMatrix::apply_impl(ConstVectorView x, VectorView y) const {
  plan_->apply(detail::SpmvPlanAccess::view(*this), x.data(), y.data(), false);
}

void CsrMatrix::apply_add_impl(ConstVectorView x, VectorView y) const {
  plan_->apply(detail::SpmvPlanAccess::view(*this), x.data(), y.data(), true);
}

void CsrMatrix::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  if (is_symmetric()) {
    apply_impl(x, y);
  } else {
    plan_->apply_adjoint(detail::SpmvPlanAccess::view(*this), x.data(), y.data(), false);
  }
}

void CsrMatrix::apply_adjoint_add_impl(ConstVectorView x, VectorView y) const {
  if (is_symmetric()) {
    apply_add_impl(x, y);
  } else {
    plan_->apply_adjoint(detail::SpmvPlanAccess::view(*this), x.data(), y.data(), true);
  }
}

}  // namespace frechet
