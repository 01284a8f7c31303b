#pragma once
// Helpers of the linop suite: random sparse matrices and the thread counts kernel tests run with.

#include <cstddef>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "frechet/core/random.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::testing {

/// A rows x cols matrix whose entries are present independently with probability `density`, with
/// N(0, 1) values; rows listed in `empty_rows` get no entries.
inline CsrMatrix random_sparse(std::size_t rows, std::size_t cols, double density, Random& rng,
                               const std::vector<std::size_t>& empty_rows = {}) {
  std::vector<SparseIndex> r, c;
  Vector v;
  for (std::size_t i = 0; i < rows; ++i) {
    bool skip = false;
    for (std::size_t e : empty_rows) skip = skip || e == i;
    for (std::size_t j = 0; j < cols && !skip; ++j) {
      if (rng.uniform() < density) {
        r.push_back(static_cast<SparseIndex>(i));
        c.push_back(static_cast<SparseIndex>(j));
        v.push_back(rng.gaussian());
      }
    }
  }
  return CsrMatrix::from_triplets(rows, cols, r, c, v);
}

/// The thread counts every kernel test runs with: one, the default, and three (an odd split).
inline std::vector<int> thread_counts() {
#ifdef _OPENMP
  return {1, omp_get_max_threads(), 3};
#else
  return {1};
#endif
}

}  // namespace frechet::testing
