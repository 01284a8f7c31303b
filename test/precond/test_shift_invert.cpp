#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "direct_test_support.hpp"
#include "frechet/core/error.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/shift_invert.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// A - sigma I, dense.
DenseMatrix shifted_dense(const CsrMatrix& a, double sigma) {
  DenseMatrix d = a.to_dense();
  for (std::size_t i = 0; i < d.rows(); ++i) d(i, i) -= sigma;
  return d;
}

// The `count` eigenvalues of dense symmetric `a` nearest sigma, in the order `target` asks for.
std::vector<double> nearest(const Vector& spectrum, double sigma, EigenTarget target, std::size_t count) {
  std::vector<double> pick;
  for (double lambda : spectrum) {
    if (target == EigenTarget::largest && lambda > sigma) pick.push_back(lambda);
    if (target == EigenTarget::smallest && lambda < sigma) pick.push_back(lambda);
    if (target == EigenTarget::largest_magnitude) pick.push_back(lambda);
  }
  std::sort(pick.begin(), pick.end(), [&](double x, double y) { return std::abs(x - sigma) < std::abs(y - sigma); });
  pick.resize(count);
  return pick;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shift_invert)

BOOST_AUTO_TEST_CASE(operator_is_the_shifted_inverse) {
  Random rng(41);
  const CsrMatrix spd = random_sparse_spd(40, 0.1, rng);
  const Vector spectrum = symmetric_eigen(spd.to_dense()).values;
  // Below the spectrum: Cholesky. Inside it: LU. A nonsymmetric matrix: LU.
  const double below = spectrum[0] - 0.5;
  const double inside = 0.5 * (spectrum[10] + spectrum[11]);
  const auto s_below = shift_invert_operator(spd, below);
  BOOST_TEST((s_below->method() == ShiftInvertMethod::cholesky));
  BOOST_TEST(s_below->is_symmetric());
  BOOST_TEST(s_below->is_positive_definite());
  BOOST_TEST(s_below->cholesky() != nullptr);
  check_operator_matches(*s_below, dense_inverse(shifted_dense(spd, below)), 1e-11);
  const auto s_inside = shift_invert_operator(spd, inside);
  BOOST_TEST((s_inside->method() == ShiftInvertMethod::lu));
  BOOST_TEST(s_inside->is_symmetric());
  BOOST_TEST(!s_inside->is_positive_definite());
  BOOST_TEST(s_inside->lu() != nullptr);
  check_operator_matches(*s_inside, dense_inverse(shifted_dense(spd, inside)), 1e-10);
  const CsrMatrix general = random_sparse_square(30, 0.1, rng);
  const auto s_general = shift_invert_operator(general, 0.3);
  BOOST_TEST((s_general->method() == ShiftInvertMethod::lu));
  BOOST_TEST(!s_general->is_symmetric());
  check_operator_matches(*s_general, dense_inverse(shifted_dense(general, 0.3)), 1e-10);
  // A missing diagonal entry is stored for the shift: [[0, 1], [1, 0]] - 2 I.
  const CsrMatrix swap = CsrMatrix::from_dense(DenseMatrix{{0, 1}, {1, 0}}, {.symmetric = true});
  check_operator_matches(*shift_invert_operator(swap, 2.0), dense_inverse(shifted_dense(swap, 2.0)), 1e-14);
  BOOST_TEST(s_below->eigenvalue(2.0) == below + 0.5);
}

BOOST_AUTO_TEST_CASE(lanczos_finds_the_eigenvalues_nearest_the_shift) {
  Random rng(42);
  const CsrMatrix a = random_sparse_spd(120, 0.05, rng);
  const Vector spectrum = symmetric_eigen(a.to_dense()).values;
  const double scale = spectrum.back();
  const double inside = 0.5 * (spectrum[60] + spectrum[61]);
  struct Case {
    double sigma;
    EigenTarget target;
  };
  for (const Case c : {Case{0.0, EigenTarget::largest}, Case{inside, EigenTarget::largest},
                       Case{inside, EigenTarget::smallest}, Case{inside, EigenTarget::largest_magnitude}}) {
    BOOST_TEST_CONTEXT("sigma " << c.sigma << " target " << static_cast<int>(c.target)) {
      const LanczosResult r = shift_invert_lanczos(a, c.sigma, {.count = 4, .target = c.target, .rtol = 1e-12});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.operator_products <= 60);
      const std::vector<double> expect = nearest(spectrum, c.sigma, c.target, 4);
      BOOST_REQUIRE_EQUAL(r.eigenvalues.size(), 4u);
      for (std::size_t j = 0; j < 4; ++j) {
        BOOST_TEST(std::abs(r.eigenvalues[j] - expect[j]) <= 1e-10 * scale);
        BOOST_TEST(r.residual_norms[j] <= 1e-8 * scale);
      }
    }
  }
  // The smallest eigenvalues of the 2D Laplacian, 4 (sin^2(pi i / 2(n+1)) + sin^2(pi j / 2(n+1))).
  const std::size_t n = 30;
  const double h = M_PI / (2.0 * (n + 1));
  const double l11 = 8 * std::pow(std::sin(h), 2), l12 = 4 * (std::pow(std::sin(h), 2) + std::pow(std::sin(2 * h), 2));
  const LanczosResult lap = shift_invert_lanczos(laplacian_2d(n, n), 0.0, {.count = 2});
  BOOST_TEST(std::abs(lap.eigenvalues[0] - l11) <= 1e-12);
  BOOST_TEST(std::abs(lap.eigenvalues[1] - l12) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  Random rng(43);
  BOOST_CHECK_THROW(shift_invert_operator(random_sparse(3, 4, 0.5, rng), 0.0), ShapeError);
  const CsrMatrix diag = CsrMatrix::from_dense(DenseMatrix{{1, 0, 0}, {0, 2, 0}, {0, 0, 3}}, {.symmetric = true});
  // sigma an eigenvalue: singular whatever the method.
  BOOST_CHECK_THROW(shift_invert_operator(diag, 2.0), NumericalError);
  BOOST_CHECK_THROW(shift_invert_operator(diag, 2.0, ShiftInvertMethod::lu), NumericalError);
  // Cholesky asked inside the spectrum, or of a nonsymmetric matrix.
  BOOST_CHECK_THROW(shift_invert_operator(diag, 1.5, ShiftInvertMethod::cholesky), NumericalError);
  BOOST_CHECK_THROW(shift_invert_operator(random_sparse_square(5, 0.4, rng), 0.0, ShiftInvertMethod::cholesky),
                    ArgumentError);
  BOOST_CHECK_THROW(shift_invert_operator(diag, std::numeric_limits<double>::quiet_NaN()), NonFiniteError);
  BOOST_CHECK_THROW(shift_invert_lanczos(random_sparse_square(5, 0.4, rng), 0.0), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
