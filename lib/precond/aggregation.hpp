#pragma once
// Internal: the coarsening of smoothed aggregation (P. Vanek, J. Mandel, M. Brezina, Computing 56(3),
// 1996): strength of connection, greedy aggregation and the tentative prolongator.

#include <cstddef>
#include <vector>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "sparse_products.hpp"

namespace frechet::detail {

/// For every stored entry of A (in CSR order), whether it is a strong off-diagonal connection:
/// i != j and |a_ij| >= theta sqrt(a_ii a_jj). `diag` is A's diagonal, positive.
std::vector<char> strong_connections(const CsrMatrix& a, ConstVectorView diag, double theta);

/// The aggregate of each node (-1 for a node with no strong connection, left to the smoother) and
/// the number of aggregates.
struct Aggregates {
  std::vector<SparseIndex> of;
  std::size_t count = 0;
};

/// Greedy aggregation of the strong graph, nodes visited in order:
///  1. a node whose strong neighbours are all unaggregated forms an aggregate with them;
///  2. a node left over joins the aggregate of a strong neighbour aggregated in phase 1;
///  3. a node still left over forms an aggregate with its unaggregated strong neighbours.
/// The strong graph of a symmetric A is symmetric.
Aggregates aggregate(const CsrMatrix& a, const std::vector<char>& strong);

/// P_tent and the coarse near-null space.
struct TentativeProlongator {
  SparseArrays p;                 ///< n x n_c
  DenseMatrix near_null_space;    ///< n_c x k
};

/// For each aggregate, B restricted to its nodes (|agg| x k) factored as Q R by modified Gram-Schmidt
/// (twice, for orthogonality to rounding): Q's columns become the aggregate's columns of P_tent and
/// R's rows the aggregate's rows of the coarse near-null space. A column of B that is dependent on
/// the earlier ones within the aggregate (norm after orthogonalisation <= 1e-10 of its norm before)
/// adds no coarse unknown, so P_tent has orthonormal columns and full column rank.
TentativeProlongator tentative_prolongator(const Aggregates& aggregates, const DenseMatrix& near_null_space);

}  // namespace frechet::detail
