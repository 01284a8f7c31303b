// The singular value decomposition and what is read from it (2-norm, condition number, rank), QR's
// explicit factors, random orthogonal matrices and the dense Kronecker product.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::random_dense;

namespace {

// ||Q^T Q - I||_max
double orthogonality_defect(const DenseMatrix& q) {
  const DenseMatrix qtq = matmul(q, q, Transpose::yes);
  double d = 0.0;
  for (std::size_t j = 0; j < qtq.cols(); ++j)
    for (std::size_t i = 0; i < qtq.rows(); ++i) d = std::max(d, std::abs(qtq(i, j) - (i == j ? 1.0 : 0.0)));
  return d;
}

// U diag(s) V^T
DenseMatrix reconstruct(const SvdResult& r) {
  DenseMatrix us = r.u;
  for (std::size_t j = 0; j < us.cols(); ++j)
    for (std::size_t i = 0; i < us.rows(); ++i) us(i, j) *= r.singular_values[j];
  return matmul(us, r.v, Transpose::no, Transpose::yes);
}

// A matrix with the given singular values: U diag(s) V^T with random orthogonal U and V.
DenseMatrix with_singular_values(std::size_t m, std::size_t n, const Vector& s, Random& rng) {
  const DenseMatrix u = random_orthogonal(m, rng), v = random_orthogonal(n, rng);
  DenseMatrix d(m, n);
  for (std::size_t i = 0; i < s.size(); ++i) d(i, i) = s[i];
  return matmul(matmul(u, d), v, Transpose::no, Transpose::yes);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dense_decompositions)

BOOST_AUTO_TEST_CASE(svd_reconstructs_tall_wide_and_square_matrices) {
  Random rng(11);
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {7, 3}, {3, 7}, {40, 40}}) {
    const DenseMatrix a = random_dense(m, n, rng);
    const SvdResult r = svd(a);
    const std::size_t k = std::min(m, n);
    BOOST_TEST(r.u.rows() == m);
    BOOST_TEST(r.u.cols() == k);
    BOOST_TEST(r.v.rows() == n);
    BOOST_TEST(r.v.cols() == k);
    BOOST_TEST(relative_distance(reconstruct(r), a) < 1e-13);
    BOOST_TEST(orthogonality_defect(r.u) < 1e-13);
    BOOST_TEST(orthogonality_defect(r.v) < 1e-13);
    for (std::size_t i = 0; i + 1 < k; ++i) BOOST_TEST(r.singular_values[i] >= r.singular_values[i + 1]);
    BOOST_TEST(frechet::testing::relative_error(r.singular_values, singular_values(a)) < 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(svd_by_hand) {
  // [[3, 0], [0, -2]]: singular values 3 and 2, and the sign goes to a singular vector.
  const SvdResult r = svd(DenseMatrix{{3, 0}, {0, -2}});
  BOOST_TEST(r.singular_values[0] == 3.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(r.singular_values[1] == 2.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(std::abs(r.u(1, 1) * r.v(1, 1)) == 1.0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(r.u(1, 1) * r.v(1, 1) < 0.0);
}

BOOST_AUTO_TEST_CASE(norm_condition_number_and_rank_from_prescribed_singular_values) {
  Random rng(5);
  const DenseMatrix a = with_singular_values(6, 4, Vector{10, 5, 1, 0.1}, rng);
  BOOST_TEST(spectral_norm(a) == 10.0, boost::test_tools::tolerance(1e-13));
  BOOST_TEST(condition_number(a) == 100.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(matrix_rank(a) == 4u);
  BOOST_TEST(matrix_rank(a, 0.05) == 3u);   // 0.1 <= 0.05 * 10 = 0.5: dropped
  BOOST_TEST(matrix_rank(a, 0.0) == 4u);
  // Rank 2 in exact arithmetic; rounding leaves singular values of order eps ||A||, under the default threshold.
  const DenseMatrix b = with_singular_values(5, 5, Vector{3, 2, 0, 0, 0}, rng);
  BOOST_TEST(singular_values(b)[2] > 0.0);
  BOOST_TEST(matrix_rank(b) == 2u);
  BOOST_TEST(condition_number(b) > 1e14);
  // A rank-1 outer product, and the zero and empty matrices.
  BOOST_TEST(matrix_rank(DenseMatrix{{1, 2, 3}, {2, 4, 6}}) == 1u);
  BOOST_TEST(matrix_rank(DenseMatrix(3, 2)) == 0u);
  BOOST_TEST(spectral_norm(DenseMatrix(3, 2)) == 0.0);
  BOOST_TEST(std::isnan(condition_number(DenseMatrix(3, 2))));
  BOOST_TEST(std::isinf(condition_number(DenseMatrix{{1, 0}, {0, 0}})));
  BOOST_TEST(matrix_rank(DenseMatrix()) == 0u);
  BOOST_TEST(spectral_norm(DenseMatrix{{-4}}) == 4.0);
}

BOOST_AUTO_TEST_CASE(svd_and_rank_refuse_bad_input) {
  BOOST_CHECK_THROW(svd(DenseMatrix{{1, std::numeric_limits<double>::quiet_NaN()}}), NonFiniteError);
  BOOST_CHECK_THROW(matrix_rank(DenseMatrix{{1}}, -1.0), ArgumentError);
  BOOST_CHECK_THROW(matrix_rank(DenseMatrix{{1}}, std::numeric_limits<double>::infinity()), ArgumentError);
  const SvdResult empty = svd(DenseMatrix(0, 3));
  BOOST_TEST(empty.singular_values.empty());
  BOOST_TEST(empty.v.rows() == 3u);
}

BOOST_AUTO_TEST_CASE(qr_explicit_factors_reconstruct_the_matrix) {
  Random rng(2);
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {9, 4}, {30, 30}}) {
    const DenseMatrix x = random_dense(m, n, rng);
    const QrFactorization qr(x);
    const DenseMatrix q = qr.q(), r = qr.r();
    BOOST_TEST(q.rows() == m);
    BOOST_TEST(q.cols() == n);
    BOOST_TEST(orthogonality_defect(q) < 1e-13);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = j + 1; i < n; ++i) BOOST_TEST(r(i, j) == 0.0);
    BOOST_TEST(relative_distance(matmul(q, r), x) < 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(random_orthogonal_matrices) {
  Random rng(8);
  for (std::size_t n : {1u, 2u, 25u}) {
    const DenseMatrix q = random_orthogonal(n, rng);
    BOOST_TEST(orthogonality_defect(q) < 1e-13);
    BOOST_TEST(orthogonality_defect(q.transposed()) < 1e-13);
  }
  // Haar measure: E[Q_00] = 0 and E[Q_00^2] = 1/n. With 4000 draws of a 4 x 4 Q, the sample mean of
  // Q_00 has standard deviation 1/sqrt(4 * 4000) ~ 0.008; a sign convention left in (R_00 > 0 for
  // every draw) would push it to E|Q_00| ~ 0.42.
  const std::size_t n = 4, draws = 4000;
  double mean = 0.0, second = 0.0;
  for (std::size_t k = 0; k < draws; ++k) {
    const double q00 = random_orthogonal(n, rng)(0, 0);
    mean += q00 / draws;
    second += q00 * q00 / draws;
  }
  BOOST_TEST(std::abs(mean) < 0.04);
  BOOST_TEST(std::abs(second - 1.0 / n) < 0.02);
  // Same seed, same matrix.
  Random a(3), b(3);
  BOOST_TEST((random_orthogonal(5, a) == random_orthogonal(5, b)));
}

BOOST_AUTO_TEST_CASE(kron_by_hand_and_the_vec_identity) {
  const DenseMatrix a{{1, 2}, {3, 4}}, b{{0, 5, 1}};
  const DenseMatrix k = kron(a, b);
  BOOST_TEST((k == DenseMatrix{{0, 5, 1, 0, 10, 2}, {0, 15, 3, 0, 20, 4}}));
  // (A (x) B) vec(X) = vec(B X A^T), A m x n, B p x q, X q x n.
  Random rng(4);
  const DenseMatrix am = random_dense(3, 2, rng), bm = random_dense(4, 5, rng), x = random_dense(5, 2, rng);
  const Vector lhs = matvec(kron(am, bm), x.values());
  const DenseMatrix rhs = matmul(matmul(bm, x), am, Transpose::no, Transpose::yes);
  BOOST_TEST(frechet::testing::relative_error(lhs, rhs.values()) < 1e-14);
  // The mixed-product rule (A (x) B)(C (x) D) = AC (x) BD, and the inverse (A (x) B)^{-1} = A^{-1} (x) B^{-1}.
  const DenseMatrix c = random_dense(2, 3, rng), d = random_dense(5, 2, rng);
  BOOST_TEST(relative_distance(matmul(kron(am, bm), kron(c, d)), kron(matmul(am, c), matmul(bm, d))) < 1e-13);
  const DenseMatrix s = random_dense(3, 3, rng), t = random_dense(2, 2, rng);
  const DenseMatrix inverse_of_kron = LuFactorization(kron(s, t)).solve(DenseMatrix::identity(6));
  const DenseMatrix kron_of_inverses = kron(LuFactorization(s).solve(DenseMatrix::identity(3)),
                                            LuFactorization(t).solve(DenseMatrix::identity(2)));
  BOOST_TEST(relative_distance(inverse_of_kron, kron_of_inverses) < 1e-10);
  BOOST_TEST(kron(DenseMatrix(0, 2), b).rows() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
