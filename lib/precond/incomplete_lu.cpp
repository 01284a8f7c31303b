#include "frechet/precond/incomplete_lu.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "linop/scratch_pool.hpp"
#include "precond/sparse_triangular.hpp"

namespace frechet {

// A Q = L U, with Q the column permutation of ILUT's pivoting: the columns of U are pivot positions,
// and column_of[p] is the column of A that became position p (empty: Q = I).
struct IncompleteLuPreconditioner::Factors {
  detail::SparseTriangle lower;  // unit diagonal (empty)
  detail::SparseTriangle upper;  // diagonal = the pivots
  std::vector<SparseIndex> column_of;
  detail::ScratchPool scratch;   // the permuted vector of a product
};

IncompleteLuPreconditioner::IncompleteLuPreconditioner(std::size_t n, std::unique_ptr<const Factors> factors,
                                                       std::size_t replaced_pivots)
    : LinearOperator(n, n), factors_(std::move(factors)), replaced_pivots_(replaced_pivots) {}

IncompleteLuPreconditioner::~IncompleteLuPreconditioner() = default;

std::size_t IncompleteLuPreconditioner::factor_nnz() const noexcept {
  return factors_->lower.stored_entries() + factors_->upper.stored_entries();
}

std::size_t IncompleteLuPreconditioner::bytes() const noexcept {
  return factors_->lower.bytes() + factors_->upper.bytes() + factors_->column_of.size() * sizeof(SparseIndex);
}

std::size_t IncompleteLuPreconditioner::permuted_columns() const noexcept {
  std::size_t moved = 0;
  for (std::size_t p = 0; p < factors_->column_of.size(); ++p)
    moved += static_cast<std::size_t>(factors_->column_of[p]) != p;
  return moved;
}

// M^-1 = Q U^-1 L^-1
void IncompleteLuPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const Factors& f = *factors_;
  if (f.column_of.empty()) {
    copy(x, y);
    detail::solve_lower(f.lower, y);
    detail::solve_upper(f.upper, y);
    return;
  }
  const auto lease = f.scratch.lease(x.size());
  const VectorView t = lease.view();
  copy(x, t);
  detail::solve_lower(f.lower, t);
  detail::solve_upper(f.upper, t);
  for (std::size_t p = 0; p < t.size(); ++p) y[f.column_of[p]] = t[p];
}

// M^-T = L^-T U^-T Q^T
void IncompleteLuPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  const Factors& f = *factors_;
  if (f.column_of.empty()) {
    copy(x, y);
  } else {
    for (std::size_t p = 0; p < y.size(); ++p) y[p] = x[f.column_of[p]];
  }
  detail::solve_upper_transposed(f.upper, y);
  detail::solve_lower_transposed(f.lower, y);
}

std::shared_ptr<const IncompleteLuPreconditioner> ilu0_preconditioner(const CsrMatrix& a) {
  detail::require_square_finite(a, "ilu0_preconditioner");
  const std::size_t n = a.rows();
  const auto offsets = a.row_offsets();
  const auto columns = a.col_indices();
  const auto diagonal_at = detail::diagonal_positions(a);
  for (std::size_t i = 0; i < n; ++i)
    if (diagonal_at[i] < 0)
      throw ArgumentError("ilu0_preconditioner: row " + std::to_string(i) +
                          " stores no diagonal entry, so its pivot is zero; permute the rows first or use a direct "
                          "solver");

  // In place on a copy of A's values (IKJ order): the strict lower entries become L, the rest U.
  Vector lu(a.values().begin(), a.values().end());
  std::vector<std::ptrdiff_t> position(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    for (SparseIndex p = offsets[i]; p < offsets[i + 1]; ++p) position[columns[p]] = p;
    for (SparseIndex p = offsets[i]; p < diagonal_at[i]; ++p) {
      const auto k = static_cast<std::size_t>(columns[p]);
      lu[p] /= lu[diagonal_at[k]];
      for (auto q = diagonal_at[k] + 1; q < offsets[k + 1]; ++q) {
        const std::ptrdiff_t at = position[columns[q]];
        if (at >= 0) lu[at] -= lu[p] * lu[q];
      }
    }
    for (SparseIndex p = offsets[i]; p < offsets[i + 1]; ++p) position[columns[p]] = -1;
    const double pivot = lu[diagonal_at[i]];
    if (pivot == 0.0 || !std::isfinite(pivot))
      throw NumericalError("ilu0_preconditioner: the pivot of row " + std::to_string(i) + " is " +
                           std::to_string(pivot) + "; ILU(0) needs nonzero pivots (try ilut_preconditioner, "
                           "or a direct solver)");
  }

  const CsrMatrix factored(n, n, std::vector<SparseIndex>(offsets.begin(), offsets.end()),
                           std::vector<SparseIndex>(columns.begin(), columns.end()), std::move(lu));
  auto triangles = detail::split_triangles(factored);
  auto factors = std::make_unique<IncompleteLuPreconditioner::Factors>();
  factors->lower = std::move(triangles.lower);
  factors->upper = std::move(triangles.upper);
  factors->upper.diagonal = factored.diagonal();
  return std::shared_ptr<const IncompleteLuPreconditioner>(new IncompleteLuPreconditioner(n, std::move(factors), 0));
}

namespace {

/// Keeps the `keep` entries of largest magnitude among `candidates` (value(c) gives an entry's value)
/// and appends them to `part` as (column(c), value(c)), in the order they end up in; closes the row.
template <class Value, class Column>
void keep_largest(std::vector<SparseIndex>& candidates, std::size_t keep, Value value, Column column,
                  detail::SparseTriangle& part) {
  if (candidates.size() > keep) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep), candidates.end(),
                     [&](SparseIndex x, SparseIndex y) { return std::abs(value(x)) > std::abs(value(y)); });
    candidates.resize(keep);
  }
  std::sort(candidates.begin(), candidates.end(),
            [&](SparseIndex x, SparseIndex y) { return column(x) < column(y); });
  for (SparseIndex c : candidates) {
    part.columns.push_back(column(c));
    part.values.push_back(value(c));
  }
  part.close_row();
}

}  // namespace

std::shared_ptr<const IncompleteLuPreconditioner> ilut_preconditioner(const CsrMatrix& a, const IlutOptions& options) {
  if (!(options.drop_tolerance >= 0.0) || !std::isfinite(options.drop_tolerance))
    throw ArgumentError("ilut_preconditioner: options.drop_tolerance must be finite and >= 0, got " +
                        std::to_string(options.drop_tolerance));
  if (options.fill < 0)
    throw ArgumentError("ilut_preconditioner: options.fill must be >= 0, got " + std::to_string(options.fill));
  if (!(options.pivot_threshold >= 0.0 && options.pivot_threshold <= 1.0))
    throw ArgumentError("ilut_preconditioner: options.pivot_threshold must be in [0, 1], got " +
                        std::to_string(options.pivot_threshold));
  detail::require_square_finite(a, "ilut_preconditioner");
  const std::size_t n = a.rows();
  const auto offsets = a.row_offsets();
  const auto columns = a.col_indices();
  const auto values = a.values();

  auto factors = std::make_unique<IncompleteLuPreconditioner::Factors>();
  detail::SparseTriangle& lower = factors->lower;
  detail::SparseTriangle& upper = factors->upper;
  upper.diagonal.assign(n, 0.0);
  std::size_t replaced = 0;

  // Column pivoting: position p of U holds column column_of[p] of A, and position_of inverts it.
  // Positions below the current row are final; the others may still be swapped. U rows are stored
  // with columns of A until the end, when they are renumbered by the final positions.
  std::vector<SparseIndex> column_of(n), position_of(n);
  for (std::size_t c = 0; c < n; ++c) column_of[c] = position_of[c] = static_cast<SparseIndex>(c);
  Vector upper_row_norm(n, 0.0);

  // The work row w, dense and indexed by columns of A, with the list of its nonzero columns; the
  // lower part (pivot positions < i) is visited in ascending position through a min-heap, since
  // eliminating with row k can create fill at positions between k and i.
  Vector w(n, 0.0);
  std::vector<char> present(n, 0);
  std::vector<SparseIndex> touched, heap, kept_lower, kept_upper;
  const auto by_position = std::greater<SparseIndex>();
  for (std::size_t i = 0; i < n; ++i) {
    const auto ii = static_cast<SparseIndex>(i);
    const auto row = values.subspan(offsets[i], offsets[i + 1] - offsets[i]);
    const double row_norm = norm2(row);
    if (row_norm == 0.0)
      throw ArgumentError("ilut_preconditioner: row " + std::to_string(i) + " of the matrix is zero (A is singular)");
    const double threshold = options.drop_tolerance * row_norm;
    std::size_t lower_in_a = 0;
    touched.clear();
    heap.clear();
    for (SparseIndex p = offsets[i]; p < offsets[i + 1]; ++p) {
      const SparseIndex c = columns[p];
      w[c] = values[p];
      present[c] = 1;
      touched.push_back(c);
      if (position_of[c] < ii) {
        heap.push_back(position_of[c]);
        ++lower_in_a;
      }
    }
    std::make_heap(heap.begin(), heap.end(), by_position);
    const std::size_t upper_in_a = touched.size() - lower_in_a;

    kept_lower.clear();
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), by_position);
      const SparseIndex k = heap.back();
      heap.pop_back();
      const SparseIndex ck = column_of[k];
      const double lk = w[ck] / upper.diagonal[k];
      w[ck] = lk;
      // Drop the multiplier when the update it would make, |l_ik| ||u_k||, is negligible against
      // row i (the rule of Li, Saad and Chow's ILUC). Saad's original rule compares |l_ik| alone
      // with ||a_i||, which depends on the scaling of row k and drops essential multipliers of
      // badly scaled matrices.
      if (std::abs(lk) * upper_row_norm[k] <= threshold) continue;
      kept_lower.push_back(k);
      for (SparseIndex q = upper.offsets[k]; q < upper.offsets[k + 1]; ++q) {
        const SparseIndex c = upper.columns[q];
        if (!present[c]) {
          present[c] = 1;
          w[c] = 0.0;
          touched.push_back(c);
          if (position_of[c] < ii) {
            heap.push_back(position_of[c]);
            std::push_heap(heap.begin(), heap.end(), by_position);
          }
        }
        w[c] -= lk * upper.values[q];
      }
    }

    // The pivot: the entry at position i, or the largest of the upper part when it is smaller than
    // pivot_threshold times that (then the two columns swap positions).
    SparseIndex pivot_column = column_of[i];
    double largest = 0.0;
    SparseIndex largest_column = -1;
    for (SparseIndex c : touched)
      if (position_of[c] >= ii && std::abs(w[c]) > largest) {
        largest = std::abs(w[c]);
        largest_column = c;
      }
    const double at_position = present[pivot_column] ? std::abs(w[pivot_column]) : 0.0;
    if (largest_column >= 0 && at_position < options.pivot_threshold * largest) {
      const SparseIndex moved_to = position_of[largest_column];
      column_of[moved_to] = pivot_column;
      position_of[pivot_column] = moved_to;
      column_of[i] = largest_column;
      position_of[largest_column] = ii;
      pivot_column = largest_column;
    }

    kept_upper.clear();
    for (SparseIndex c : touched)
      if (position_of[c] > ii && std::abs(w[c]) > threshold) kept_upper.push_back(c);
    keep_largest(kept_lower, lower_in_a + static_cast<std::size_t>(options.fill),
                 [&](SparseIndex k) { return w[column_of[k]]; }, [](SparseIndex k) { return k; }, lower);
    keep_largest(kept_upper, upper_in_a + static_cast<std::size_t>(options.fill),
                 [&](SparseIndex c) { return w[c]; }, [](SparseIndex c) { return c; }, upper);

    double pivot = present[pivot_column] ? w[pivot_column] : 0.0;
    if (pivot == 0.0) {
      pivot = (1e-4 + options.drop_tolerance) * row_norm;
      ++replaced;
    }
    if (!std::isfinite(pivot))
      throw NumericalError("ilut_preconditioner: the pivot of row " + std::to_string(i) + " is not finite");
    upper.diagonal[i] = pivot;
    double norm_squared = pivot * pivot;
    for (SparseIndex q = upper.offsets[i]; q < upper.offsets[i + 1]; ++q) norm_squared += upper.values[q] * upper.values[q];
    upper_row_norm[i] = std::sqrt(norm_squared);
    for (SparseIndex c : touched) {
      present[c] = 0;
      w[c] = 0.0;
    }
  }

  // Renumber U's columns by their final positions (all above the diagonal) and sort each row.
  bool permuted = false;
  for (std::size_t p = 0; p < n; ++p) permuted = permuted || column_of[p] != static_cast<SparseIndex>(p);
  if (permuted) {
    std::vector<std::pair<SparseIndex, double>> entries;
    for (std::size_t i = 0; i < n; ++i) {
      entries.clear();
      for (SparseIndex q = upper.offsets[i]; q < upper.offsets[i + 1]; ++q)
        entries.emplace_back(position_of[upper.columns[q]], upper.values[q]);
      std::sort(entries.begin(), entries.end());
      SparseIndex q = upper.offsets[i];
      for (const auto& [position, value] : entries) {
        upper.columns[q] = position;
        upper.values[q++] = value;
      }
    }
    factors->column_of = std::move(column_of);
  }
  return std::shared_ptr<const IncompleteLuPreconditioner>(
      new IncompleteLuPreconditioner(n, std::move(factors), replaced));
}

}  // namespace frechet
