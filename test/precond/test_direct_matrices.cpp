// The sparse direct solvers on every real matrix of FRECHET_MATRIX_DIR they apply to: CHOLMOD on the
// SPD ones (decided by trying, and checked against the folder's README), UMFPACK (A and A^T) on every
// square one, SPQR on the rectangular ones; each solution with a normwise backward error
//   ||A x - b||_inf / (||A||_inf ||x||_inf + ||b||_inf) < 1e-14,
// about 100 unit roundoffs, which a backward-stable factorization meets on any matrix whatever its
// condition (Rigal and Gaches 1967; Higham, "Accuracy and Stability of Numerical Algorithms", 7.1).
// And the target for shift-and-invert: the smallest eigenvalues of nos6 to 1e-8 (relative) in
// a few dozen products. Figures are printed with --log_level=message.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/precond/shift_invert.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

enum class Kind { spd, nonsymmetric, rectangular };

// The kind of each matrix as the folder's README states it.
const std::map<std::string, Kind> readme_kind = {
    {"LUNDA", Kind::spd},          {"494_bus", Kind::spd},           {"nos6", Kind::spd},
    {"gr_900_900_crg", Kind::spd}, {"1138_bus", Kind::spd},          {"bcsstk13", Kind::spd},
    {"ani4", Kind::spd},           {"bcsstk16", Kind::spd},          {"west0479", Kind::nonsymmetric},
    {"pde900", Kind::nonsymmetric}, {"olm1000", Kind::nonsymmetric}, {"watt_2", Kind::nonsymmetric},
    {"bayer10", Kind::nonsymmetric}, {"lp_e226", Kind::rectangular}, {"illc1033", Kind::rectangular},
    {"well1033", Kind::rectangular},
};

constexpr double backward_error_bound = 1e-14;

// ||A||_inf, the largest absolute row sum.
double norm_inf(const CsrMatrix& a) {
  const auto offsets = a.row_offsets();
  const auto values = a.values();
  double m = 0.0;
  for (std::size_t i = 0; i < a.rows(); ++i) {
    double s = 0.0;
    for (auto k = offsets[i]; k < offsets[i + 1]; ++k) s += std::abs(values[static_cast<std::size_t>(k)]);
    m = std::max(m, s);
  }
  return m;
}

// ||op(A) x - b||_inf / (||A||_inf ||x||_inf + ||b||_inf) with op(A) = A or A^T (||A^T||_inf = ||A||_1).
double backward_error(const CsrMatrix& a, double a_norm, ConstVectorView x, ConstVectorView b, bool transpose) {
  Vector r = transpose ? a.apply_adjoint(x) : a.apply(x);
  axpy(-1.0, b, r);
  return frechet::norm_inf(r) / (a_norm * frechet::norm_inf(x) + frechet::norm_inf(b));
}

std::string stem(const std::filesystem::path& file) { return file.stem().string(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(direct_solvers_on_real_matrices)

BOOST_AUTO_TEST_CASE(cholmod_factors_exactly_the_spd_matrices) {
  for (const auto& file : matrix_files()) {
    const CsrMatrix a = read_matrix_market(file).matrix;
    const Kind kind = readme_kind.at(stem(file));
    if (!a.is_square() || !(a.is_symmetric() || a.is_numerically_symmetric(1e-12))) {
      BOOST_TEST((kind != Kind::spd), stem(file) << " is SPD by the README but not symmetric");
      continue;
    }
    BOOST_TEST_CONTEXT(stem(file)) {
      bool factored = true;
      try {
        const SparseCholeskyFactorization f(a);
        Random rng(1);
        const Vector b = rng.gaussian_vector(a.rows());
        const Vector x = f.solve(b);
        const double error = backward_error(a, norm_inf(a), x, b, false);
        BOOST_TEST_MESSAGE(stem(file) << ": n " << a.rows() << ", nnz(A) " << a.nnz() << ", nnz(L) "
                                      << f.factor_nnz() << (f.is_supernodal() ? ", supernodal" : ", simplicial")
                                      << ", log det " << f.log_determinant() << ", backward error " << error);
        BOOST_TEST(error < backward_error_bound);
        // Several right-hand sides at once give the same solutions.
        DenseMatrix bs(a.rows(), 2);
        std::copy(b.begin(), b.end(), bs.col(0).begin());
        rng.fill_gaussian(bs.col(1));
        const DenseMatrix xs = f.solve(bs);
        BOOST_TEST(relative_error(xs.col(0), x) <= 1e-15);
        BOOST_TEST(backward_error(a, norm_inf(a), xs.col(1), bs.col(1), false) < backward_error_bound);
      } catch (const NumericalError& e) {
        factored = false;
        BOOST_TEST_MESSAGE(stem(file) << ": not SPD: " << e.what());
      }
      BOOST_TEST(factored == (kind == Kind::spd));
    }
  }
}

BOOST_AUTO_TEST_CASE(umfpack_solves_every_square_matrix_and_its_transpose) {
  for (const auto& file : matrix_files()) {
    const CsrMatrix a = read_matrix_market(file).matrix;
    if (!a.is_square()) continue;
    BOOST_TEST_CONTEXT(stem(file)) {
      const SparseLuFactorization f(a);
      Random rng(2);
      const Vector b = rng.gaussian_vector(a.rows());
      const double error = backward_error(a, norm_inf(a), f.solve(b), b, false);
      const double error_t = backward_error(a, norm_inf(a.transposed()), f.solve_transpose(b), b, true);
      BOOST_TEST_MESSAGE(stem(file) << ": n " << a.rows() << ", nnz(L + U) " << f.factor_nnz() << ", rcond estimate "
                                    << f.reciprocal_condition_estimate() << ", backward error " << error
                                    << ", transposed " << error_t);
      BOOST_TEST(error < backward_error_bound);
      BOOST_TEST(error_t < backward_error_bound);
    }
  }
}

BOOST_AUTO_TEST_CASE(spqr_on_the_rectangular_matrices) {
  for (const auto& file : matrix_files()) {
    const CsrMatrix a = read_matrix_market(file).matrix;
    if (a.is_square()) continue;
    BOOST_TEST_CONTEXT(stem(file)) {
      const std::size_t m = a.rows(), n = a.cols();
      const SparseQrFactorization f(a);
      const DenseMatrix d = a.to_dense();
      Random rng(3);
      if (m > n) {
        // Tall: an inconsistent right-hand side. The solution must satisfy the normal equations,
        //   ||A^T (b - A x)||_2 <= 1e-12 ||A||_F ||b - A x||_2,
        // and agree with LAPACK's QR to the condition number times the unit roundoff.
        Vector b = a.apply(Vector(n, 1.0));
        const Vector noise = rng.gaussian_vector(m);
        axpy(0.1 * norm2(b) / norm2(noise), noise, b);
        const Vector x = f.solve(b);
        Vector r = b;
        axpy(-1.0, a.apply(x), r);
        const double a_norm = norm2(a.values());
        const double optimality = norm2(a.apply_adjoint(r)) / (a_norm * norm2(r));
        const Vector reference = QrFactorization(d).solve_least_squares(b);
        const Vector sv = singular_values(d);
        const double cond = sv.front() / sv.back();
        const double error = relative_error(x, reference);
        BOOST_TEST_MESSAGE(stem(file) << ": " << m << " x " << n << ", rank " << f.rank() << " (tolerance "
                                      << f.tolerance() << "), normal-equation residual " << optimality
                                      << ", error against LAPACK " << error << " (cond " << cond << ")");
        BOOST_TEST(f.rank() == n);
        BOOST_TEST(optimality <= 1e-12);
        BOOST_TEST(error <= 1e-14 * cond);
      } else {
        // Wide: consistent, and the minimum-norm solution x = A^T (A A^T)^{-1} b.
        const Vector b = a.apply(Vector(n, 1.0));
        const Vector x = f.solve(b);
        const double error = backward_error(a, norm_inf(a), x, b, false);
        const Vector reference = a.apply_adjoint(QrFactorization(d.transposed()).solve_normal(b));
        BOOST_TEST_MESSAGE(stem(file) << ": " << m << " x " << n << ", rank " << f.rank() << " (tolerance "
                                      << f.tolerance() << "), backward error " << error << ", error against LAPACK "
                                      << relative_error(x, reference));
        BOOST_TEST(f.rank() == m);
        BOOST_TEST(error < backward_error_bound);
        BOOST_TEST(relative_error(x, reference) <= 1e-10);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(smallest_eigenvalues_of_nos6_by_shift_invert) {
  const auto file = matrix_dir() / "nos6.mtx";
  BOOST_REQUIRE(std::filesystem::exists(file));
  const CsrMatrix a = read_matrix_market(file).matrix;
  const Vector exact = symmetric_eigen(a.to_dense()).values;
  const int count = 4;
  // The smallest eigenvalues lie within 1e-4 of 1 (1.0000153, 1.0000254, 1.0000422, 1.0000423,
  // 1.0000551, ...), so the shift goes just below them: theta = 1 / (lambda - 1) is 6.6e4, 3.9e4,
  // 2.37e4, 2.36e4, then 1.8e4, ..., gaps of tens of percent. (sigma = 0 would not do: every theta of
  // the cluster is 0.99998, and Lanczos stalls as it does on A.) The dense reference is accurate to
  // about eps ||A|| = 1e-9.
  const LanczosResult r = shift_invert_lanczos(a, 1.0, {.count = count});
  BOOST_TEST(r.converged);
  BOOST_TEST_MESSAGE("nos6: " << r.operator_products << " solves, " << r.restarts << " restarts");
  BOOST_TEST(r.operator_products <= 60);  // "a few dozen"
  BOOST_REQUIRE_EQUAL(r.eigenvalues.size(), static_cast<std::size_t>(count));
  for (int j = 0; j < count; ++j) {
    const double rel = std::abs(r.eigenvalues[j] - exact[j]) / std::abs(exact[j]);
    BOOST_TEST_MESSAGE("  lambda_" << j << " = " << std::setprecision(15) << r.eigenvalues[j] << " (LAPACK "
                                   << exact[j] << ", relative error " << rel << ", residual "
                                   << r.residual_norms[j] << ")");
    BOOST_TEST(rel <= 1e-8);
  }
}


BOOST_AUTO_TEST_CASE(interior_eigenvalues_of_nos6_by_shift_invert) {
  // sigma inside the cluster: A - sigma I is indefinite, so the transformation is factored by LU, and
  // largest_magnitude returns the eigenvalues nearest sigma on both sides.
  const auto file = matrix_dir() / "nos6.mtx";
  BOOST_REQUIRE(std::filesystem::exists(file));
  const CsrMatrix a = read_matrix_market(file).matrix;
  const double sigma = 1.00003;
  BOOST_TEST((shift_invert_operator(a, sigma)->method() == ShiftInvertMethod::lu));
  Vector exact = symmetric_eigen(a.to_dense()).values;
  std::sort(exact.begin(), exact.end(),
            [&](double x, double y) { return std::abs(x - sigma) < std::abs(y - sigma); });
  const LanczosResult r = shift_invert_lanczos(a, sigma, {.count = 3, .target = EigenTarget::largest_magnitude});
  BOOST_TEST(r.converged);
  BOOST_TEST_MESSAGE("nos6 near " << sigma << ": " << r.operator_products << " solves");
  BOOST_TEST(r.operator_products <= 60);
  BOOST_REQUIRE_EQUAL(r.eigenvalues.size(), 3u);
  for (std::size_t j = 0; j < 3; ++j) {
    BOOST_TEST_MESSAGE("  lambda = " << std::setprecision(15) << r.eigenvalues[j] << " (LAPACK " << exact[j] << ")");
    BOOST_TEST(std::abs(r.eigenvalues[j] - exact[j]) <= 1e-8 * std::abs(exact[j]));
  }
}

BOOST_AUTO_TEST_SUITE_END()
