#include "frechet/implicit/coloring.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace frechet {
namespace {

// The transposed structure (columns -> rows), without values.
struct ColumnStructure {
  std::vector<std::size_t> offsets;
  std::vector<SparseIndex> rows;
};

ColumnStructure column_structure(const CsrMatrix& a) {
  const auto ro = a.row_offsets();
  const auto ci = a.col_indices();
  ColumnStructure s;
  s.offsets.assign(a.cols() + 1, 0);
  for (const SparseIndex j : ci) ++s.offsets[j + 1];
  std::partial_sum(s.offsets.begin(), s.offsets.end(), s.offsets.begin());
  s.rows.resize(ci.size());
  std::vector<std::size_t> next(s.offsets.begin(), s.offsets.end() - 1);
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) s.rows[next[ci[k]]++] = static_cast<SparseIndex>(i);
  return s;
}

}  // namespace

ColumnColoring column_coloring(const CsrMatrix& pattern, ColoringOrder order) {
  const std::size_t n = pattern.cols();
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  const ColumnStructure cs = column_structure(pattern);

  // Visits the distinct neighbours k != j of column j in the column intersection graph; `stamp`
  // (one entry per column, holding the last visitor) removes repeats without clearing.
  std::vector<std::size_t> stamp(n, static_cast<std::size_t>(-1));
  const auto for_each_neighbour = [&](std::size_t j, auto&& visit) {
    stamp[j] = j;
    for (std::size_t p = cs.offsets[j]; p < cs.offsets[j + 1]; ++p) {
      const SparseIndex i = cs.rows[p];
      for (SparseIndex q = ro[i]; q < ro[i + 1]; ++q) {
        const std::size_t k = ci[q];
        if (stamp[k] == j) continue;
        stamp[k] = j;
        visit(k);
      }
    }
  };

  std::vector<std::size_t> visit_order(n);
  std::iota(visit_order.begin(), visit_order.end(), std::size_t{0});
  if (order != ColoringOrder::natural) {
    std::vector<std::size_t> degree(n, 0);
    for (std::size_t j = 0; j < n; ++j) for_each_neighbour(j, [&](std::size_t) { ++degree[j]; });
    if (order == ColoringOrder::largest_first) {
      std::stable_sort(visit_order.begin(), visit_order.end(),
                       [&](std::size_t a, std::size_t b) { return degree[a] > degree[b]; });
    } else {
      // Smallest last (Matula and Beck): remove a column of least degree in the remaining graph,
      // repeatedly; colour in the reverse order of removal. Buckets by degree with lazy deletion:
      // an entry is stale when its degree has changed since it was pushed.
      std::vector<std::vector<std::size_t>> buckets(*std::max_element(degree.begin(), degree.end()) + 1);
      for (std::size_t j = 0; j < n; ++j) buckets[degree[j]].push_back(j);
      std::vector<bool> removed(n, false);
      std::size_t lowest = 0;
      // Each column's neighbours are visited once in this loop, so the stamps need no clearing.
      std::fill(stamp.begin(), stamp.end(), static_cast<std::size_t>(-1));
      for (std::size_t position = n; position-- > 0;) {
        std::size_t j = 0;
        while (true) {
          while (buckets[lowest].empty()) ++lowest;
          j = buckets[lowest].back();
          buckets[lowest].pop_back();
          if (!removed[j] && degree[j] == lowest) break;
        }
        removed[j] = true;
        visit_order[position] = j;
        for_each_neighbour(j, [&](std::size_t k) {
          if (removed[k]) return;
          buckets[--degree[k]].push_back(k);
          lowest = std::min(lowest, degree[k]);
        });
      }
    }
    std::fill(stamp.begin(), stamp.end(), static_cast<std::size_t>(-1));
  }

  ColumnColoring result;
  result.colors.assign(n, -1);
  // forbidden[c] == j marks colour c as used by a neighbour of column j.
  std::vector<std::size_t> forbidden;
  for (const std::size_t j : visit_order) {
    for_each_neighbour(j, [&](std::size_t k) {
      const int c = result.colors[k];
      if (c >= 0) forbidden[static_cast<std::size_t>(c)] = j;
    });
    int c = 0;
    while (c < result.color_count && forbidden[static_cast<std::size_t>(c)] == j) ++c;
    if (c == result.color_count) {
      ++result.color_count;
      forbidden.push_back(static_cast<std::size_t>(-1));
    }
    result.colors[j] = c;
  }
  return result;
}

namespace detail {

namespace {
struct Names {
  const char* function;  // the public function whose check failed
  const char* product;   // the compressed product
  const char* matrix;    // the matrix recovered
  const char* rows;      // what the pattern's rows must match
};
Names names(CompressedMatrix kind) {
  if (kind == CompressedMatrix::hessian) return {"sparse_hessian", "HVP", "H", "rows of the pattern (the size of x)"};
  return {"sparse_jacobian", "JVP", "J", "rows of the pattern (the size of f(x))"};
}
}  // namespace

CsrMatrix decompress_jacobian(CompressedMatrix kind, const CsrMatrix& pattern, const ColumnColoring& coloring,
                              const std::vector<Vector>& jv) {
  const Names n = names(kind);
  const std::string what = n.function;
  const std::size_t m = pattern.rows();
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (const int c : coloring.colors)
    if (c < 0 || c >= coloring.color_count)
      throw ArgumentError(what + ": a colour outside [0, color_count = " + std::to_string(coloring.color_count) +
                          "): " + std::to_string(c));
  for (const Vector& y : jv) check_size((what + ": " + n.rows).c_str(), m, y.size());
  Vector values(pattern.nnz());
  // owner[c] = the pattern entry of colour c in the current row, or none.
  constexpr SparseIndex none = static_cast<SparseIndex>(-1);
  std::vector<SparseIndex> owner(static_cast<std::size_t>(coloring.color_count), none);
  for (std::size_t i = 0; i < m; ++i) {
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      const auto c = static_cast<std::size_t>(coloring.colors[ci[k]]);
      if (owner[c] != none)
        throw ArgumentError(what + ": columns " + std::to_string(ci[owner[c]]) + " and " + std::to_string(ci[k]) +
                            " share row " + std::to_string(i) + " but have the same colour " + std::to_string(c) +
                            "; the colouring does not belong to this pattern");
      owner[c] = k;
      values[k] = jv[c][i];
    }
    for (std::size_t c = 0; c < owner.size(); ++c) {
      if (owner[c] == none && jv[c][i] != 0)
        throw ArgumentError(what + ": the " + n.product + " of colour " + std::to_string(c) + " is " +
                            std::to_string(jv[c][i]) + " in row " + std::to_string(i) +
                            ", where the pattern has no column of that colour: the pattern misses a nonzero of " + n.matrix);
      owner[c] = none;
    }
  }
  return CsrMatrix(m, pattern.cols(), std::vector<SparseIndex>(ro.begin(), ro.end()),
                   std::vector<SparseIndex>(ci.begin(), ci.end()), std::move(values));
}

void symmetrize_hessian(CsrMatrix& h) {
  const auto ro = h.row_offsets();
  const auto ci = h.col_indices();
  const auto va = h.values();
  const CsrMatrix t = h.transposed();
  for (std::size_t i = 0; i < h.rows(); ++i)
    if (!std::ranges::equal(ci.subspan(ro[i], ro[i + 1] - ro[i]),
                            t.col_indices().subspan(t.row_offsets()[i], t.row_offsets()[i + 1] - t.row_offsets()[i])))
      throw ArgumentError("sparse_hessian: row " + std::to_string(i) + " of the pattern differs from column " + std::to_string(i) +
                          "; a Hessian's pattern must be structurally symmetric");
  Vector values(va.begin(), va.end());
  for (std::size_t i = 0; i < h.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      const auto j = static_cast<std::size_t>(ci[k]);
      if (j <= i) continue;
      // The mirror entry (j, i), by binary search in row j's sorted columns.
      const auto first = ci.begin() + ro[j], last = ci.begin() + ro[j + 1];
      const auto mirror = std::lower_bound(first, last, static_cast<SparseIndex>(i));
      const auto m = static_cast<std::size_t>(mirror - ci.begin());
      const double mean = 0.5 * (values[k] + values[m]);
      values[k] = mean;
      values[m] = mean;
    }
  h = CsrMatrix(h.rows(), h.cols(), std::vector<SparseIndex>(ro.begin(), ro.end()), std::vector<SparseIndex>(ci.begin(), ci.end()),
                std::move(values));
}

Vector verification_direction(std::size_t n) {
  // The fractional parts of j times the golden ratio: equidistributed, never periodic, so no
  // missing entry can be cancelled by a structured direction.
  Vector v(n);
  const double phi = 0.6180339887498949;
  for (std::size_t j = 0; j < n; ++j) v[j] = 1.0 + std::fmod(static_cast<double>(j + 1) * phi, 1.0);
  return v;
}

void verify_jacobian(CompressedMatrix kind, const CsrMatrix& j, ConstVectorView v, ConstVectorView jv) {
  const Names n = names(kind);
  check_size((std::string(n.function) + ": " + n.rows).c_str(), j.rows(), jv.size());
  const auto ro = j.row_offsets();
  const auto ci = j.col_indices();
  const auto va = j.values();
  constexpr double eps = std::numeric_limits<double>::epsilon();
  for (std::size_t i = 0; i < j.rows(); ++i) {
    double sum = 0.0, magnitude = std::abs(jv[i]);
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      sum += va[k] * v[ci[k]];
      magnitude += std::abs(va[k] * v[ci[k]]);
    }
    // Both sides are sums of the same products in different orders: they agree to a few ulps of
    // the magnitudes involved unless a term is missing.
    const double allowed = 64.0 * eps * static_cast<double>(ro[i + 1] - ro[i] + 1) * magnitude;
    if (!(std::abs(sum - jv[i]) <= allowed))
      throw ArgumentError(std::string(n.function) + ": in row " + std::to_string(i) + ", the " + n.product +
                          " in a test direction is " + std::to_string(jv[i]) + " but the pattern's entries give " +
                          std::to_string(sum) + ": the pattern misses a nonzero of " + n.matrix + " in this row");
  }
}

}  // namespace detail
}  // namespace frechet
