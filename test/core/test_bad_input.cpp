// Bad input to the dense factorizations: NaN and infinite entries (LAPACK would propagate them
// without an error), rank-deficient least squares, singular and indefinite matrices.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"

using namespace frechet;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

// `f` throws E whose message contains `key`.
template <class E, class F>
void check_throws(F f, const std::string& key) {
  try {
    f();
    BOOST_ERROR("no exception");
  } catch (const E& e) {
    BOOST_TEST(std::string(e.what()).find(key) != std::string::npos, e.what());
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(non_finite_matrices_are_refused_by_every_factorization) {
  for (const double bad : {not_a_number, infinity, -infinity}) {
    BOOST_TEST_CONTEXT("entry " << bad) {
      const DenseMatrix a{{4, 1}, {bad, 3}};  // A(1,0): in the lower triangle
      check_throws<NonFiniteError>([&] { LuFactorization lu(a); }, "A(1,0)");
      check_throws<NonFiniteError>([&] { CholeskyFactorization c(a); }, "A(1,0)");
      check_throws<NonFiniteError>([&] { QrFactorization q(a); }, "A(1,0)");
      check_throws<NonFiniteError>([&] { symmetric_eigen(a); }, "A(1,0)");
      check_throws<NonFiniteError>([&] { singular_values(a); }, "A(1,0)");
      // dgesdd refused a NaN as "info -4", which was reported as non-convergence.
      check_throws<NonFiniteError>([&] { singular_values(DenseMatrix{{1, 2, bad}}); }, "singular_values");
    }
  }
}

// Cholesky and symmetric_eigen read only the lower triangle: what the upper one holds is ignored.
BOOST_AUTO_TEST_CASE(unread_upper_triangle_may_hold_anything) {
  const DenseMatrix a{{4, not_a_number}, {1, 3}};
  BOOST_TEST(std::isfinite(CholeskyFactorization(a).log_determinant()));
  const SymmetricEigenResult e = symmetric_eigen(a);
  BOOST_TEST(std::abs(e.values[0] * e.values[1] - 11.0) <= 1e-13);
}

// X with its third column the sum of the first two: R(2,2) is a rounding residue of about 1e-16
// rather than 0, and the least-squares answer had norm 8.6e14.
BOOST_AUTO_TEST_CASE(rank_deficient_qr_is_refused_by_a_relative_test) {
  const DenseMatrix x{{1, 0.1, 1.1}, {0.3, 1, 1.3}, {0.7, 0.2, 0.9}, {0.1, 0.9, 1.0}};
  check_throws<NumericalError>([&] { QrFactorization q(x); }, "rank-deficient");
  const DenseMatrix exact_zero{{1, 0}, {2, 0}, {3, 0}};
  check_throws<NumericalError>([&] { QrFactorization q(exact_zero); }, "R(1,1)");
  // Badly scaled but full rank columns pass: the test is relative to the largest |R(j,j)|, and a
  // column 1e-8 times the others is far above max(m, n) eps.
  const DenseMatrix scaled{{1, 1e-8}, {1, -1e-8}, {1, 0}};
  const Vector b = QrFactorization(scaled).solve_least_squares(Vector{2, 0, 1});
  BOOST_TEST(std::abs(b[0] - 1.0) <= 1e-12);
  BOOST_TEST(std::abs(b[1] - 1e8) <= 1e-6 * 1e8);
}

BOOST_AUTO_TEST_CASE(singular_and_indefinite_matrices_are_numerical_errors) {
  check_throws<NumericalError>([] { LuFactorization lu(DenseMatrix{{1, 2}, {2, 4}}); }, "singular");
  check_throws<NumericalError>([] { CholeskyFactorization c(DenseMatrix{{1, 2}, {2, 1}}); }, "order 2");
  check_throws<ShapeError>([] { LuFactorization lu(DenseMatrix(2, 3)); }, "square");
  check_throws<ShapeError>([] { QrFactorization q(DenseMatrix(2, 3)); }, "rows >= cols");
}

BOOST_AUTO_TEST_SUITE_END()
