#include "aggregation.hpp"

#include <cmath>

#include "core/parallel.hpp"

namespace frechet::detail {

std::vector<char> strong_connections(const CsrMatrix& a, ConstVectorView diag, double theta) {
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto values = a.values();
  std::vector<char> strong(a.nnz(), 0);
  const auto n = static_cast<std::ptrdiff_t>(a.rows());
#pragma omp parallel for schedule(static) num_threads(loop_threads(a.nnz(), parallel_min_nnz))
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      const auto j = static_cast<std::size_t>(cols[k]);
      if (j == static_cast<std::size_t>(i)) continue;
      // Squared, to spare the root: a_ij^2 >= theta^2 a_ii a_jj.
      strong[k] = values[k] * values[k] >= theta * theta * diag[i] * diag[j] && values[k] != 0.0;
    }
  }
  return strong;
}

Aggregates aggregate(const CsrMatrix& a, const std::vector<char>& strong) {
  const std::size_t n = a.rows();
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  constexpr SparseIndex unaggregated = -1;
  constexpr SparseIndex isolated = -2;  // no strong connection: never aggregated
  Aggregates result;
  std::vector<SparseIndex>& of = result.of;
  of.assign(n, unaggregated);
  SparseIndex next = 0;

  // Phase 1: whole neighbourhoods of untouched nodes.
  for (std::size_t i = 0; i < n; ++i) {
    if (of[i] != unaggregated) continue;
    bool has_neighbour = false;
    bool free = true;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      if (!strong[static_cast<std::size_t>(k)]) continue;
      has_neighbour = true;
      if (of[static_cast<std::size_t>(cols[k])] != unaggregated) {
        free = false;
        break;
      }
    }
    if (!has_neighbour) {
      of[i] = isolated;
      continue;
    }
    if (!free) continue;
    of[i] = next;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      if (strong[static_cast<std::size_t>(k)]) of[static_cast<std::size_t>(cols[k])] = next;
    }
    ++next;
  }

  // Phase 2: a leftover joins a neighbouring phase-1 aggregate. Joins are recorded apart so that a
  // node joined in this phase does not pull in its own neighbours.
  const std::vector<SparseIndex> phase1 = of;
  for (std::size_t i = 0; i < n; ++i) {
    if (phase1[i] != unaggregated) continue;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      const SparseIndex target = phase1[static_cast<std::size_t>(cols[k])];
      if (strong[static_cast<std::size_t>(k)] && target >= 0) {
        of[i] = target;
        break;
      }
    }
  }

  // Phase 3: what remains forms aggregates with its unaggregated neighbours.
  for (std::size_t i = 0; i < n; ++i) {
    if (of[i] != unaggregated) continue;
    of[i] = next;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      const auto j = static_cast<std::size_t>(cols[k]);
      if (strong[static_cast<std::size_t>(k)] && of[j] == unaggregated) of[j] = next;
    }
    ++next;
  }
  for (SparseIndex& g : of) {
    if (g == isolated) g = -1;
  }
  result.count = static_cast<std::size_t>(next);
  return result;
}

TentativeProlongator tentative_prolongator(const Aggregates& aggregates, const DenseMatrix& b) {
  const std::size_t n = aggregates.of.size();
  const std::size_t k = b.cols();
  // Nodes of each aggregate, by a counting sort.
  std::vector<std::size_t> start(aggregates.count + 1, 0);
  for (const SparseIndex g : aggregates.of) {
    if (g >= 0) ++start[static_cast<std::size_t>(g) + 1];
  }
  for (std::size_t g = 0; g < aggregates.count; ++g) start[g + 1] += start[g];
  std::vector<std::size_t> nodes(start.back());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const SparseIndex g = aggregates.of[i];
      if (g >= 0) nodes[fill[static_cast<std::size_t>(g)]++] = i;
    }
  }

  // Q and R of every aggregate: Q's columns go to P_tent, column-major per aggregate.
  std::vector<double> q_values;        // the kept columns of Q, aggregate after aggregate
  std::vector<std::size_t> q_columns;  // coarse unknowns per aggregate
  std::vector<double> r_rows;          // the kept rows of R, k entries each
  q_values.reserve(nodes.size() * k);
  q_columns.reserve(aggregates.count);
  std::vector<double> v;
  for (std::size_t g = 0; g < aggregates.count; ++g) {
    const std::size_t m = start[g + 1] - start[g];
    const std::size_t first = q_values.size();
    std::size_t kept = 0;
    std::vector<double> r(k * k, 0.0);  // r[s * k + t]: row s (kept column s of Q), column t of B
    for (std::size_t t = 0; t < k; ++t) {
      v.resize(m);
      double before = 0.0;
      for (std::size_t l = 0; l < m; ++l) {
        v[l] = b(nodes[start[g] + l], t);
        before += v[l] * v[l];
      }
      for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t s = 0; s < kept; ++s) {
          const double* qs = q_values.data() + first + s * m;
          double h = 0.0;
          for (std::size_t l = 0; l < m; ++l) h += qs[l] * v[l];
          for (std::size_t l = 0; l < m; ++l) v[l] -= h * qs[l];
          r[s * k + t] += h;
        }
      }
      double after = 0.0;
      for (std::size_t l = 0; l < m; ++l) after += v[l] * v[l];
      if (!(after > 1e-20 * before) || after == 0.0) continue;
      const double norm = std::sqrt(after);
      for (std::size_t l = 0; l < m; ++l) q_values.push_back(v[l] / norm);
      r[kept * k + t] = norm;
      ++kept;
    }
    q_columns.push_back(kept);
    r_rows.insert(r_rows.end(), r.begin(), r.begin() + static_cast<std::ptrdiff_t>(kept * k));
  }

  // Coarse unknowns of aggregate g: first_column[g] .. first_column[g] + q_columns[g].
  std::vector<std::size_t> first_column(aggregates.count + 1, 0);
  for (std::size_t g = 0; g < aggregates.count; ++g) first_column[g + 1] = first_column[g] + q_columns[g];
  std::vector<std::size_t> first_value(aggregates.count + 1, 0);
  for (std::size_t g = 0; g < aggregates.count; ++g) {
    first_value[g + 1] = first_value[g] + q_columns[g] * (start[g + 1] - start[g]);
  }
  const std::size_t nc = first_column.back();

  // Local index of each node within its aggregate.
  std::vector<std::size_t> local(n, 0);
  for (std::size_t g = 0; g < aggregates.count; ++g) {
    for (std::size_t l = start[g]; l < start[g + 1]; ++l) local[nodes[l]] = l - start[g];
  }
  std::vector<SparseIndex> offsets(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const SparseIndex g = aggregates.of[i];
    offsets[i + 1] = offsets[i] + (g >= 0 ? static_cast<SparseIndex>(q_columns[static_cast<std::size_t>(g)]) : 0);
  }
  std::vector<SparseIndex> cols(static_cast<std::size_t>(offsets[n]));
  Vector values(cols.size());
  for (std::size_t i = 0; i < n; ++i) {
    const SparseIndex g = aggregates.of[i];
    if (g < 0) continue;
    const auto gg = static_cast<std::size_t>(g);
    const std::size_t m = start[gg + 1] - start[gg];
    auto dst = static_cast<std::size_t>(offsets[i]);
    for (std::size_t s = 0; s < q_columns[gg]; ++s, ++dst) {
      cols[dst] = static_cast<SparseIndex>(first_column[gg] + s);
      values[dst] = q_values[first_value[gg] + s * m + local[i]];
    }
  }

  TentativeProlongator result{SparseArrays{n, nc, std::move(offsets), std::move(cols), std::move(values)},
                              DenseMatrix(nc, k)};
  for (std::size_t row = 0; row < nc; ++row) {
    for (std::size_t t = 0; t < k; ++t) result.near_null_space(row, t) = r_rows[row * k + t];
  }
  return result;
}

}  // namespace frechet::detail
