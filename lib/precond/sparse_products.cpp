#include "sparse_products.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

using Offsets = std::vector<SparseIndex>;

// Prefix sums of per-row counts into CSR offsets, checking that nnz fits the index type.
Offsets offsets_from_counts(const std::vector<std::size_t>& counts, const char* what) {
  Offsets offsets(counts.size() + 1, 0);
  std::size_t total = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    if (total > static_cast<std::size_t>(std::numeric_limits<SparseIndex>::max())) {
      throw ArgumentError(std::string(what) + ": the result has more than 2^31 - 1 entries");
    }
    offsets[i + 1] = static_cast<SparseIndex>(total);
  }
  return offsets;
}

int thread_count(std::size_t work) { return loop_threads(work, parallel_min_nnz); }

}  // namespace

SparseArrays multiply(SparseRef a, SparseRef b) {
  check_size("multiply: rows of B (= cols of A)", a.cols, b.rows);
  const auto m = static_cast<std::ptrdiff_t>(a.rows);
  const std::size_t n = b.cols;
  const auto ao = a.offsets;
  const auto ac = a.indices;
  const auto av = a.values;
  const auto bo = b.offsets;
  const auto bc = b.indices;
  const auto bv = b.values;
  const int threads = thread_count(ac.size() + bc.size());

  // Pass 1: the number of distinct columns in each row of C. marker[j] == i marks column j as seen
  // in row i.
  std::vector<std::size_t> counts(a.rows, 0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::ptrdiff_t> marker(n, -1);
#pragma omp for schedule(dynamic, 512)
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      std::size_t count = 0;
      for (SparseIndex ka = ao[i]; ka < ao[i + 1]; ++ka) {
        const auto k = static_cast<std::size_t>(ac[ka]);
        for (SparseIndex kb = bo[k]; kb < bo[k + 1]; ++kb) {
          const auto j = static_cast<std::size_t>(bc[kb]);
          if (marker[j] != i) {
            marker[j] = i;
            ++count;
          }
        }
      }
      counts[static_cast<std::size_t>(i)] = count;
    }
  }
  Offsets offsets = offsets_from_counts(counts, "multiply");
  std::vector<SparseIndex> cols(static_cast<std::size_t>(offsets.back()));
  Vector values(cols.size());

  // Pass 2: accumulate each row densely, then write it out in column order.
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::ptrdiff_t> marker(n, -1);
    std::vector<double> accumulator(n, 0.0);
#pragma omp for schedule(dynamic, 512)
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      SparseIndex* row_cols = cols.data() + offsets[i];
      std::size_t count = 0;
      for (SparseIndex ka = ao[i]; ka < ao[i + 1]; ++ka) {
        const auto k = static_cast<std::size_t>(ac[ka]);
        const double aik = av[ka];
        for (SparseIndex kb = bo[k]; kb < bo[k + 1]; ++kb) {
          const auto j = static_cast<std::size_t>(bc[kb]);
          if (marker[j] != i) {
            marker[j] = i;
            accumulator[j] = aik * bv[kb];
            row_cols[count++] = static_cast<SparseIndex>(j);
          } else {
            accumulator[j] += aik * bv[kb];
          }
        }
      }
      std::sort(row_cols, row_cols + count);
      double* row_values = values.data() + offsets[i];
      for (std::size_t t = 0; t < count; ++t) row_values[t] = accumulator[static_cast<std::size_t>(row_cols[t])];
    }
  }
  return {a.rows, n, std::move(offsets), std::move(cols), std::move(values)};
}

SparseArrays add(double alpha, SparseRef a, double beta, SparseRef b) {
  check_size("add: rows of B", a.rows, b.rows);
  check_size("add: cols of B", a.cols, b.cols);
  const auto ao = a.offsets;
  const auto ac = a.indices;
  const auto av = a.values;
  const auto bo = b.offsets;
  const auto bc = b.indices;
  const auto bv = b.values;
  // Both rows are sorted: one merge counts, a second writes.
  std::vector<std::size_t> counts(a.rows, 0);
  for (std::size_t i = 0; i < a.rows; ++i) {
    SparseIndex p = ao[i], q = bo[i];
    std::size_t count = 0;
    while (p < ao[i + 1] || q < bo[i + 1]) {
      if (q == bo[i + 1] || (p < ao[i + 1] && ac[p] < bc[q])) {
        ++p;
      } else if (p == ao[i + 1] || bc[q] < ac[p]) {
        ++q;
      } else {
        ++p;
        ++q;
      }
      ++count;
    }
    counts[i] = count;
  }
  Offsets offsets = offsets_from_counts(counts, "add");
  std::vector<SparseIndex> cols(static_cast<std::size_t>(offsets.back()));
  Vector values(cols.size());
  for (std::size_t i = 0; i < a.rows; ++i) {
    SparseIndex p = ao[i], q = bo[i];
    auto t = static_cast<std::size_t>(offsets[i]);
    while (p < ao[i + 1] || q < bo[i + 1]) {
      if (q == bo[i + 1] || (p < ao[i + 1] && ac[p] < bc[q])) {
        cols[t] = ac[p];
        values[t] = alpha * av[p++];
      } else if (p == ao[i + 1] || bc[q] < ac[p]) {
        cols[t] = bc[q];
        values[t] = beta * bv[q++];
      } else {
        cols[t] = ac[p];
        values[t] = alpha * av[p++] + beta * bv[q++];
      }
      ++t;
    }
  }
  return {a.rows, a.cols, std::move(offsets), std::move(cols), std::move(values)};
}

}  // namespace frechet::detail
