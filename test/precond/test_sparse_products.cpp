// The internal sparse products of the multigrid setup against dense arithmetic.
#include <boost/test/unit_test.hpp>

#include "frechet/core/error.hpp"
#include "precond/sparse_products.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// A rows x cols matrix with about `density` of its entries nonzero, and some empty rows and columns.
CsrMatrix random_sparse(std::size_t rows, std::size_t cols, double density, Random& rng) {
  DenseMatrix a(rows, cols);
  for (std::size_t j = 0; j < cols; ++j) {
    if (j % 7 == 3) continue;  // an empty column
    for (std::size_t i = 0; i < rows; ++i) {
      if (i % 5 == 2) continue;  // an empty row
      if (rng.uniform() < density) a(i, j) = rng.gaussian();
    }
  }
  return CsrMatrix::from_dense(a);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_products)

BOOST_AUTO_TEST_CASE(multiply_matches_dense) {
  Random rng(11);
  for (const auto& [m, k, n, density] :
       {std::tuple{1ul, 1ul, 1ul, 1.0}, {17ul, 9ul, 13ul, 0.3}, {40ul, 60ul, 25ul, 0.1}, {30ul, 30ul, 30ul, 0.9}}) {
    const CsrMatrix a = random_sparse(m, k, density, rng);
    const CsrMatrix b = random_sparse(k, n, density, rng);
    const CsrMatrix c = detail::multiply(a, b).to_matrix();
    BOOST_TEST(c.rows() == m);
    BOOST_TEST(c.cols() == n);
    BOOST_TEST(relative_distance(c.to_dense(), matmul(a.to_dense(), b.to_dense())) <= 1e-14);
  }
}

BOOST_AUTO_TEST_CASE(multiply_large_enough_to_thread) {
  // Above the threading threshold, with every thread's marker reused across rows.
  Random rng(12);
  const CsrMatrix a = random_sparse(300, 200, 0.2, rng);
  const CsrMatrix b = random_sparse(200, 250, 0.2, rng);
  BOOST_TEST(a.nnz() + b.nnz() >= 10000u);
  BOOST_TEST(relative_distance(detail::multiply(a, b).to_matrix().to_dense(), matmul(a.to_dense(), b.to_dense())) <= 1e-13);
}

BOOST_AUTO_TEST_CASE(multiply_keeps_cancelled_entries_and_sorts_rows) {
  // [1 1] [1; -1] = 0, stored as an explicit zero; a reversed accumulation order must come out sorted.
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix{{1.0, 1.0}});
  const CsrMatrix b = CsrMatrix::from_dense(DenseMatrix{{0.0, 1.0}, {1.0, -1.0}});
  const CsrMatrix c = detail::multiply(a, b).to_matrix();
  BOOST_TEST(c.nnz() == 2u);
  BOOST_TEST(c.col_indices()[0] == 0);
  BOOST_TEST(c.col_indices()[1] == 1);
  BOOST_TEST(c.values()[0] == 1.0);
  BOOST_TEST(c.values()[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(multiply_checks_shapes) {
  const CsrMatrix a = CsrMatrix::from_dense(DenseMatrix(3, 2, 1.0));
  BOOST_CHECK_THROW(detail::multiply(a, a), ShapeError);
}

BOOST_AUTO_TEST_CASE(add_matches_dense) {
  Random rng(13);
  const CsrMatrix a = random_sparse(23, 19, 0.3, rng);
  const CsrMatrix b = random_sparse(23, 19, 0.3, rng);
  const CsrMatrix c = detail::add(2.0, a, -0.5, b).to_matrix();
  DenseMatrix expect = a.to_dense();
  const DenseMatrix bd = b.to_dense();
  for (std::size_t j = 0; j < expect.cols(); ++j)
    for (std::size_t i = 0; i < expect.rows(); ++i) expect(i, j) = 2.0 * expect(i, j) - 0.5 * bd(i, j);
  BOOST_TEST(relative_distance(c.to_dense(), expect) <= 1e-15);
  BOOST_CHECK_THROW(detail::add(1.0, a, 1.0, a.transposed()), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
