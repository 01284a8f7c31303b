#include "precond/sparse_triangular.hpp"

#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {

std::size_t SparseTriangle::bytes() const noexcept {
  return offsets.size() * sizeof(SparseIndex) + columns.size() * sizeof(SparseIndex) +
         (values.size() + diagonal.size()) * sizeof(double);
}

// The four solves read through local pointers: the compiler then keeps them in registers instead of
// reloading them from the struct after every store into x.

void solve_lower(const SparseTriangle& l, VectorView x) noexcept {
  const std::size_t n = l.size();
  const SparseIndex* offsets = l.offsets.data();
  const SparseIndex* columns = l.columns.data();
  const double* values = l.values.data();
  const double* diagonal = l.diagonal.empty() ? nullptr : l.diagonal.data();
  double* xs = x.data();
  for (std::size_t i = 0; i < n; ++i) {
    double s = xs[i];
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) s -= values[k] * xs[columns[k]];
    xs[i] = diagonal != nullptr ? s / diagonal[i] : s;
  }
}

void solve_upper(const SparseTriangle& u, VectorView x) noexcept {
  const std::size_t n = u.size();
  const SparseIndex* offsets = u.offsets.data();
  const SparseIndex* columns = u.columns.data();
  const double* values = u.values.data();
  const double* diagonal = u.diagonal.empty() ? nullptr : u.diagonal.data();
  double* xs = x.data();
  for (std::size_t i = n; i-- > 0;) {
    double s = xs[i];
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) s -= values[k] * xs[columns[k]];
    xs[i] = diagonal != nullptr ? s / diagonal[i] : s;
  }
}

void solve_lower_transposed(const SparseTriangle& l, VectorView x) noexcept {
  // L^T z = x is upper triangular: z_i is final once every row j > i has scattered into it.
  const std::size_t n = l.size();
  const SparseIndex* offsets = l.offsets.data();
  const SparseIndex* columns = l.columns.data();
  const double* values = l.values.data();
  const double* diagonal = l.diagonal.empty() ? nullptr : l.diagonal.data();
  double* xs = x.data();
  for (std::size_t i = n; i-- > 0;) {
    const double zi = diagonal != nullptr ? xs[i] / diagonal[i] : xs[i];
    xs[i] = zi;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) xs[columns[k]] -= values[k] * zi;
  }
}

void solve_upper_transposed(const SparseTriangle& u, VectorView x) noexcept {
  const std::size_t n = u.size();
  const SparseIndex* offsets = u.offsets.data();
  const SparseIndex* columns = u.columns.data();
  const double* values = u.values.data();
  const double* diagonal = u.diagonal.empty() ? nullptr : u.diagonal.data();
  double* xs = x.data();
  for (std::size_t i = 0; i < n; ++i) {
    const double zi = diagonal != nullptr ? xs[i] / diagonal[i] : xs[i];
    xs[i] = zi;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) xs[columns[k]] -= values[k] * zi;
  }
}

SplitTriangles split_triangles(const CsrMatrix& a) {
  SplitTriangles t;
  const auto offsets = a.row_offsets();
  const auto columns = a.col_indices();
  const auto values = a.values();
  t.lower.offsets.reserve(a.rows() + 1);
  t.upper.offsets.reserve(a.rows() + 1);
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      const auto j = static_cast<std::size_t>(columns[k]);
      if (j == i) continue;
      SparseTriangle& part = j < i ? t.lower : t.upper;
      part.columns.push_back(columns[k]);
      part.values.push_back(values[k]);
    }
    t.lower.close_row();
    t.upper.close_row();
  }
  return t;
}

void require_square_finite(const CsrMatrix& a, const char* method) {
  if (!a.is_square() || a.rows() == 0)
    throw ArgumentError(std::string(method) + ": the matrix must be square and non-empty, got " +
                        std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
  check_finite((std::string(method) + ": matrix values").c_str(), a.values());
}

std::vector<std::ptrdiff_t> diagonal_positions(const CsrMatrix& a) {
  std::vector<std::ptrdiff_t> position(a.rows(), -1);
  const auto offsets = a.row_offsets();
  const auto columns = a.col_indices();
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k)
      if (static_cast<std::size_t>(columns[k]) == i) position[i] = k;
  return position;
}

}  // namespace frechet::detail
