// Sparse Jacobians by colouring: colour counts on stencils, the coloured Jacobian against the dense
// one, a pattern that misses a nonzero, a colouring that does not fit its pattern.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <set>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/linop/laplacian.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;

namespace {

// The Bratu residual F(u) = L u - lambda exp(u) on the grid of `laplacian` (5- or 7-point stencil).
auto bratu(const CsrMatrix& laplacian, double lambda) {
  return [&laplacian, lambda](const auto& u) {
    using T = scalar_t<std::remove_cvref_t<decltype(u)>>;
    const auto ro = laplacian.row_offsets();
    const auto ci = laplacian.col_indices();
    const auto va = laplacian.values();
    std::vector<T> f(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) {
      using std::exp;
      T s = -lambda * exp(u[i]);
      for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) s += va[k] * u[ci[k]];
      f[i] = s;
    }
    return f;
  };
}

// The Bratu energy E(u) = u^T L u / 2 - lambda sum exp(u_i), whose gradient is the residual above and
// whose Hessian L - lambda diag(exp(u)) has L's pattern.
auto bratu_energy(const CsrMatrix& laplacian, double lambda) {
  return [&laplacian, lambda](const auto& u) {
    using T = scalar_t<std::remove_cvref_t<decltype(u)>>;
    const auto ro = laplacian.row_offsets();
    const auto ci = laplacian.col_indices();
    const auto va = laplacian.values();
    T e = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      using std::exp;
      T lu = 0.0;
      for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) lu += va[k] * u[ci[k]];
      e += 0.5 * u[i] * lu - lambda * exp(u[i]);
    }
    return e;
  };
}

// Every pair of columns sharing a row has different colours.
bool is_distance2_coloring(const CsrMatrix& a, const ColumnColoring& c) {
  const auto ro = a.row_offsets();
  const auto ci = a.col_indices();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    std::set<int> seen;
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k)
      if (!seen.insert(c.colors[ci[k]]).second) return false;
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(coloring)

BOOST_AUTO_TEST_CASE(stencils_need_a_handful_of_colours) {
  const CsrMatrix l2 = laplacian_2d(30, 30), l3 = laplacian_3d(10, 10, 10);
  for (const auto order : {ColoringOrder::natural, ColoringOrder::largest_first, ColoringOrder::smallest_last}) {
    BOOST_TEST_CONTEXT("order " << static_cast<int>(order)) {
      const ColumnColoring c2 = column_coloring(l2, order), c3 = column_coloring(l3, order);
      BOOST_TEST(is_distance2_coloring(l2, c2));
      BOOST_TEST(is_distance2_coloring(l3, c3));
      // At least the largest row (5 and 7 entries), and a greedy order stays within a factor 2.
      BOOST_TEST(c2.color_count >= 5);
      BOOST_TEST(c2.color_count <= 7);
      BOOST_TEST(c3.color_count >= 7);
      BOOST_TEST(c3.color_count <= 12);
    }
  }
  // Smallest last reaches the lower bound on the 5-point stencil.
  BOOST_TEST(column_coloring(l2).color_count == 5);
  // Natural order on a band of half-width w uses exactly 2w + 1 colours (column j gets j mod (2w+1)).
  const ColumnColoring t = column_coloring(laplacian_2d(50, 1), ColoringOrder::natural);
  BOOST_TEST(t.color_count == 3);
  for (std::size_t j = 0; j < 50; ++j) BOOST_TEST(t.colors[j] == static_cast<int>(j % 3));
  // A dense row forces n colours.
  const CsrMatrix dense_row = CsrMatrix::from_dense(DenseMatrix(1, 6, 1.0));
  BOOST_TEST(column_coloring(dense_row).color_count == 6);
}

BOOST_AUTO_TEST_CASE(coloured_jacobian_equals_the_dense_one) {
  for (const bool three_d : {false, true}) {
    const CsrMatrix l = three_d ? laplacian_3d(6, 5, 4) : laplacian_2d(12, 9);
    const auto f = bratu(l, 2.0);
    Random rng(13);
    const Vector u = rng.gaussian_vector(l.rows());
    const ColumnColoring c = column_coloring(l);
    const CsrMatrix j = sparse_jacobian(f, u, l, c);
    BOOST_TEST(relative_distance(j.to_dense(), jacobian(f, u)) <= 1e-15);
    BOOST_TEST(j.nnz() == l.nnz());
    BOOST_TEST(std::equal(j.col_indices().begin(), j.col_indices().end(), l.col_indices().begin()));
    // The convenience overload colours the pattern itself.
    BOOST_TEST(relative_distance(sparse_jacobian(f, u, l).to_dense(), j.to_dense()) == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(large_stencil_against_jvps) {
  // 10^4 unknowns: a few JVPs give the whole Jacobian; its products match JVPs of f.
  const CsrMatrix l = laplacian_2d(100, 100);
  const auto f = bratu(l, 1.0);
  Random rng(14);
  const Vector u = rng.gaussian_vector(l.rows()), v = rng.gaussian_vector(l.rows());
  const ColumnColoring c = column_coloring(l);
  BOOST_TEST(c.color_count == 5);  // 5 JVPs (and one to verify) for 10^4 columns
  const CsrMatrix j = sparse_jacobian(f, u, l, c);
  Vector jv(l.rows());
  j.apply(v, jv);
  BOOST_TEST(testing::relative_error(jv, jvp(f, u, v).tangent) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(bad_patterns_and_colourings) {
  const CsrMatrix l = laplacian_2d(8, 1);  // tridiagonal
  const auto f = bratu(l, 1.0);
  const Vector u(8, 0.1);
  // A pattern with the diagonal only misses the off-diagonal nonzeros. With one colour per column
  // (a diagonal pattern needs one colour in all) the colour JVP cannot see it; the
  // verifying JVP does.
  const CsrMatrix diagonal = CsrMatrix::from_dense(DenseMatrix::identity(8));
  BOOST_CHECK_EXCEPTION(sparse_jacobian(f, u, diagonal), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "misses a nonzero") && message_has(e, "row 0"); });
  // A colouring with more colours than the diagonal needs: colour 0 for even columns, 1 for odd. Row
  // 0's JVP of colour 1 is nonzero (column 1) but row 0 holds no column of colour 1.
  ColumnColoring alternating{{0, 1, 0, 1, 0, 1, 0, 1}, 2};
  BOOST_CHECK_EXCEPTION(sparse_jacobian(f, u, diagonal, alternating), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "of colour 1") && message_has(e, "row 0"); });
  // A colouring of another pattern: columns sharing a row with one colour.
  ColumnColoring one_colour{std::vector<int>(8, 0), 1};
  BOOST_CHECK_EXCEPTION(sparse_jacobian(f, u, l, one_colour), ArgumentError,
                        [](const ArgumentError& e) { return message_has(e, "same colour"); });
  // Shapes: the pattern's columns against x, its rows against f(x), the colouring's length.
  BOOST_CHECK_THROW(sparse_jacobian(f, Vector(7, 0.1), l), ShapeError);
  BOOST_CHECK_THROW(sparse_jacobian([](const auto& x) { return concat(x, x); }, u, l), ShapeError);
  BOOST_CHECK_THROW(sparse_jacobian(f, u, l, ColumnColoring{std::vector<int>(5, 0), 1}), ShapeError);
  BOOST_CHECK_THROW(sparse_jacobian(f, u, l, ColumnColoring{std::vector<int>(8, 3), 2}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(coloured_hessian_equals_the_dense_one_and_the_hvps) {
  // Small: against the dense Hessian of the AD layer, entry by entry, and exactly symmetric.
  const CsrMatrix small = laplacian_2d(6, 5);
  const auto e_small = bratu_energy(small, 0.3);
  Random rng(5);
  const Vector u_small = rng.gaussian_vector(small.rows());
  const CsrMatrix h = sparse_hessian(e_small, u_small, small);
  testing::check_operator_matches(h, hessian(e_small, u_small), 1e-13);
  BOOST_TEST(h.is_numerically_symmetric(0.0));
  // Large (10^4 unknowns): 5 HVPs and one check instead of 10^4, against HVPs in random directions.
  const CsrMatrix large = laplacian_2d(100, 100);
  const auto e_large = bratu_energy(large, 0.3);
  const Vector u = rng.gaussian_vector(large.rows());
  const ColumnColoring colors = column_coloring(large);
  BOOST_TEST(colors.color_count == 5);
  const CsrMatrix hl = sparse_hessian(e_large, u, large, colors);
  for (int trial = 0; trial < 2; ++trial) {
    const Vector v = rng.gaussian_vector(large.rows());
    BOOST_TEST(testing::relative_error(hl.apply(v), hvp(e_large, u, v)) <= 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(bad_hessian_patterns) {
  const CsrMatrix l = laplacian_2d(4, 4);
  const auto e = bratu_energy(l, 0.3);
  const Vector u(16, 0.1);
  // A pattern that misses the off-diagonal couplings: the verifying HVP names the row.
  std::vector<SparseIndex> offsets(17), cols(16);
  for (std::size_t i = 0; i < 16; ++i) {
    offsets[i + 1] = static_cast<SparseIndex>(i + 1);
    cols[i] = static_cast<SparseIndex>(i);
  }
  const CsrMatrix diagonal(16, 16, offsets, cols, Vector(16, 1.0));
  BOOST_CHECK_EXCEPTION(sparse_hessian(e, u, diagonal), ArgumentError, [](const ArgumentError& err) {
    return message_has(err, "sparse_hessian: ") && message_has(err, "row") && message_has(err, "HVP") &&
           !message_has(err, "sparse_jacobian");
  });
  // A pattern that is not structurally symmetric: L's pattern plus one entry above the diagonal.
  std::vector<SparseIndex> rows, columns;
  const auto ro = l.row_offsets();
  const auto ci = l.col_indices();
  for (std::size_t i = 0; i < 16; ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      rows.push_back(static_cast<SparseIndex>(i));
      columns.push_back(ci[k]);
    }
  rows.push_back(0);
  columns.push_back(15);
  const CsrMatrix lopsided = CsrMatrix::from_triplets(16, 16, rows, columns, Vector(rows.size(), 1.0));
  BOOST_CHECK_EXCEPTION(sparse_hessian(e, u, lopsided), ArgumentError,
                        [](const ArgumentError& err) { return message_has(err, "structurally symmetric"); });
  BOOST_CHECK_THROW(sparse_hessian(e, Vector(15, 0.1), l), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
