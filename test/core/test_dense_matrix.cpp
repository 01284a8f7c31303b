#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::random_dense;
using frechet::testing::random_spd;
using frechet::testing::relative_error;

BOOST_AUTO_TEST_SUITE(dense_matrix)

BOOST_AUTO_TEST_CASE(layout_is_column_major) {
  const DenseMatrix a{{1, 2, 3}, {4, 5, 6}};
  BOOST_TEST(a.rows() == 2u);
  BOOST_TEST(a.cols() == 3u);
  BOOST_TEST(a.data()[1] == 4.0);  // (1, 0)
  BOOST_TEST(a.col(2)[1] == 6.0);
  BOOST_TEST(a.transposed()(2, 1) == 6.0);
  BOOST_CHECK_THROW((DenseMatrix{{1, 2}, {3}}), ShapeError);
}

BOOST_AUTO_TEST_CASE(products_by_hand) {
  const DenseMatrix a{{1, 2}, {3, 4}};
  BOOST_TEST(matvec(a, Vector{1, 1}) == (Vector{3, 7}), boost::test_tools::per_element());
  BOOST_TEST(matvec_transpose(a, Vector{1, 1}) == (Vector{4, 6}), boost::test_tools::per_element());
  BOOST_TEST((matmul(a, a) == DenseMatrix{{7, 10}, {15, 22}}));
  BOOST_TEST((matmul(a, a, Transpose::yes) == DenseMatrix{{10, 14}, {14, 20}}));
  BOOST_TEST((matmul(a, a, Transpose::no, Transpose::yes) == DenseMatrix{{5, 11}, {11, 25}}));
}

BOOST_AUTO_TEST_CASE(products_against_loops) {
  Random rng(3);
  for (std::size_t n : {1u, 2u, 17u, 130u}) {
    const DenseMatrix a = random_dense(n, n + 3, rng), b = random_dense(n + 3, 5, rng);
    const DenseMatrix c = matmul(a, b);
    DenseMatrix ref(n, 5);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < 5; ++j)
        for (std::size_t k = 0; k < n + 3; ++k) ref(i, j) += a(i, k) * b(k, j);
    BOOST_TEST(relative_distance(c, ref) < 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_shapes) {
  const DenseMatrix a(2, 3), b(2, 3);
  try {
    matmul(a, b);
    BOOST_FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    BOOST_TEST(std::string(e.what()).find("2x3") != std::string::npos);
  }
  BOOST_CHECK_THROW(matvec(a, Vector(2)), ShapeError);
  BOOST_CHECK_THROW(LuFactorization(DenseMatrix(2, 3)), ShapeError);
}

BOOST_AUTO_TEST_CASE(lu_solves_and_determinant) {
  Random rng(11);
  for (std::size_t n : {1u, 2u, 50u, 300u}) {
    const DenseMatrix a = random_dense(n, n, rng);
    const Vector x = rng.gaussian_vector(n);
    const LuFactorization lu(a);
    BOOST_TEST(relative_error(lu.solve(matvec(a, x)), x) < 1e-9);
    BOOST_TEST(relative_error(lu.solve_transpose(matvec_transpose(a, x)), x) < 1e-9);
  }
  const DenseMatrix a{{0, 2}, {3, 1}};  // det = -6 needs a row swap
  const LuFactorization lu(a);
  BOOST_TEST(lu.determinant_sign() == -1.0);
  BOOST_TEST(lu.log_abs_determinant() == std::log(6.0), boost::test_tools::tolerance(1e-14));
  BOOST_CHECK_THROW(LuFactorization(DenseMatrix{{1, 2}, {2, 4}}), NumericalError);
}

BOOST_AUTO_TEST_CASE(cholesky_solves_and_rejects_indefinite) {
  Random rng(12);
  const DenseMatrix a = random_spd(40, rng);
  const CholeskyFactorization chol(a);
  const Vector x = rng.gaussian_vector(40);
  BOOST_TEST(relative_error(chol.solve(matvec(a, x)), x) < 1e-11);
  const DenseMatrix l = chol.lower();
  BOOST_TEST(relative_distance(matmul(l, l, Transpose::no, Transpose::yes), a) < 1e-13);
  const LuFactorization lu(a);
  BOOST_TEST(chol.log_determinant() == lu.log_abs_determinant(), boost::test_tools::tolerance(1e-10));
  try {
    CholeskyFactorization bad(DenseMatrix{{1, 2}, {2, 1}});
    BOOST_FAIL("expected NumericalError");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("order 2") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(qr_least_squares_matches_normal_equations) {
  Random rng(13);
  const DenseMatrix x = random_dense(60, 7, rng);
  const Vector y = rng.gaussian_vector(60);
  const QrFactorization qr(x);
  const Vector beta = qr.solve_least_squares(y);
  const DenseMatrix xtx = matmul(x, x, Transpose::yes);
  const Vector ref = CholeskyFactorization(xtx).solve(matvec_transpose(x, y));
  BOOST_TEST(relative_error(beta, ref) < 1e-10);
  const Vector g = rng.gaussian_vector(7);
  BOOST_TEST(relative_error(qr.solve_normal(g), CholeskyFactorization(xtx).solve(g)) < 1e-10);
  BOOST_CHECK_THROW(QrFactorization(DenseMatrix(2, 3)), ShapeError);
}

BOOST_AUTO_TEST_CASE(symmetric_eigen_reconstructs) {
  Random rng(14);
  for (std::size_t n : {1u, 2u, 60u}) {
    const DenseMatrix b = random_dense(n, n, rng);
    const DenseMatrix a = add(b, b.transposed());
    const SymmetricEigenResult eig = symmetric_eigen(a);
    DenseMatrix vd = eig.vectors;
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) vd(i, j) *= eig.values[j];
    BOOST_TEST(relative_distance(matmul(vd, eig.vectors, Transpose::no, Transpose::yes), a) < 1e-12);
    for (std::size_t j = 1; j < n; ++j) BOOST_TEST(eig.values[j - 1] <= eig.values[j]);
  }
}

BOOST_AUTO_TEST_CASE(singular_values_of_a_diagonal) {
  const Vector s = singular_values(DenseMatrix{{3, 0}, {0, -5}, {0, 0}});
  BOOST_TEST(s == (Vector{5, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
