// Strength of connection, aggregation and the tentative prolongator of smoothed aggregation.
#include <boost/test/unit_test.hpp>

#include "frechet/linop/laplacian.hpp"
#include "amg_test_support.hpp"
#include "precond/aggregation.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(aggregation)

BOOST_AUTO_TEST_CASE(strength_threshold_separates_weak_entries) {
  // Row 0: |a_01| = 1 against sqrt(4 * 4) = 4, so strong for theta <= 0.25 only.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{4, -1, 0}, {-1, 4, -0.1}, {0, -0.1, 4}});
  const Vector d = a.diagonal();
  const std::vector<char> strong = detail::strong_connections(a, d, 0.1);
  // CSR order: (0,0) (0,1) (1,0) (1,1) (1,2) (2,1) (2,2)
  BOOST_TEST((strong == std::vector<char>{0, 1, 1, 0, 0, 0, 0}));
  const std::vector<char> all = detail::strong_connections(a, d, 0.0);
  BOOST_TEST((all == std::vector<char>{0, 1, 1, 0, 1, 1, 0}));
}

BOOST_AUTO_TEST_CASE(one_dimensional_aggregates) {
  // Phase 1 takes {0,1}, {2,3,4}, {5,6,7}, ...; the last node joins its neighbour's aggregate.
  const CsrMatrix a = laplacian_1d(12);
  const auto agg = detail::aggregate(a, detail::strong_connections(a, a.diagonal(), 0.08));
  BOOST_TEST(agg.count == 4u);
  BOOST_TEST((agg.of == std::vector<SparseIndex>{0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3}));
}

BOOST_AUTO_TEST_CASE(isolated_nodes_stay_out) {
  // A diagonal matrix has no strong connection: no aggregate at all.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{2, 0}, {0, 3}});
  const auto agg = detail::aggregate(a, detail::strong_connections(a, a.diagonal(), 0.08));
  BOOST_TEST(agg.count == 0u);
  BOOST_TEST((agg.of == std::vector<SparseIndex>{-1, -1}));
}

BOOST_AUTO_TEST_CASE(every_node_of_a_laplacian_is_aggregated) {
  const CsrMatrix a = laplacian_2d(17, 13);
  const auto agg = detail::aggregate(a, detail::strong_connections(a, a.diagonal(), 0.08));
  std::vector<int> size(agg.count, 0);
  for (const SparseIndex g : agg.of) {
    BOOST_REQUIRE(g >= 0);
    BOOST_REQUIRE(static_cast<std::size_t>(g) < agg.count);
    ++size[static_cast<std::size_t>(g)];
  }
  for (const int s : size) BOOST_TEST(s >= 2);
  BOOST_TEST(agg.count < a.rows() / 3);
}

BOOST_AUTO_TEST_CASE(tentative_prolongator_interpolates_the_near_null_space) {
  // Two near-null vectors (1 and x) on a 1D grid: P_tent has orthonormal columns and
  // P_tent B_c = B exactly.
  const std::size_t n = 12;
  const CsrMatrix a = laplacian_1d(n);
  const auto agg = detail::aggregate(a, detail::strong_connections(a, a.diagonal(), 0.08));
  DenseMatrix b(n, 2);
  for (std::size_t i = 0; i < n; ++i) {
    b(i, 0) = 1.0;
    b(i, 1) = static_cast<double>(i);
  }
  const auto t = detail::tentative_prolongator(agg, b);
  BOOST_TEST(t.p.cols == 2 * agg.count);
  const DenseMatrix p = detail::SparseArrays(t.p).to_matrix().to_dense();
  BOOST_TEST(relative_distance(matmul(p, p, Transpose::yes), DenseMatrix::identity(p.cols())) <= 1e-14);
  BOOST_TEST(relative_distance(matmul(p, t.near_null_space), b) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(dependent_near_null_vectors_add_no_coarse_unknowns) {
  // The second vector is twice the first: one coarse unknown per aggregate.
  const std::size_t n = 12;
  const CsrMatrix a = laplacian_1d(n);
  const auto agg = detail::aggregate(a, detail::strong_connections(a, a.diagonal(), 0.08));
  DenseMatrix b(n, 2);
  for (std::size_t i = 0; i < n; ++i) {
    b(i, 0) = 1.0 + static_cast<double>(i % 3);
    b(i, 1) = 2.0 * b(i, 0);
  }
  const auto t = detail::tentative_prolongator(agg, b);
  BOOST_TEST(t.p.cols == agg.count);
  const DenseMatrix p = detail::SparseArrays(t.p).to_matrix().to_dense();
  BOOST_TEST(relative_distance(matmul(p, t.near_null_space), b) <= 1e-14);
}

BOOST_AUTO_TEST_SUITE_END()
