#pragma once
// Internal: the one symmetry test of a CSR matrix, behind CsrMatrix::is_numerically_symmetric and the
// Matrix Market writer's check of symmetric and skew-symmetric storage (which names the entry).

#include <cstddef>
#include <optional>

#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// A pair of entries with A_ij != sign A_ji (0-based).
struct Asymmetry {
  std::size_t i, j;
  double a_ij, a_ji;
};

/// The first stored entry A_ij, in row order, with |A_ij - sign A_ji| > tol max|A|, where a missing
/// A_ji counts as zero; nullopt if there is none. `a` must be square. A_ji is found by binary search in
/// row j, so no transpose is built and nothing is allocated.
std::optional<Asymmetry> find_asymmetry(const CsrMatrix& a, double sign, double tol);

}  // namespace frechet::detail
