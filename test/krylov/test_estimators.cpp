// Stochastic estimators: unbiasedness over many seeds, reported errors that match the observed
// ones, Hutch++ against Hutchinson, the diagonal estimator, and stochastic Lanczos quadrature
// against LAPACK.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>

#include "frechet/core/error.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

double trace(const DenseMatrix& a) {
  double t = 0.0;
  for (std::size_t i = 0; i < a.rows(); ++i) t += a(i, i);
  return t;
}

// The mean and the standard error of the mean of estimates over seeds 0 .. seeds-1.
template <class Estimate>
std::pair<double, double> mean_over_seeds(int seeds, Estimate estimate) {
  double sum = 0.0, sum2 = 0.0;
  for (int s = 0; s < seeds; ++s) {
    const double e = estimate(static_cast<std::uint64_t>(s));
    sum += e;
    sum2 += e * e;
  }
  const double mean = sum / seeds;
  const double var = (sum2 - seeds * mean * mean) / (seeds - 1);
  return {mean, std::sqrt(var / seeds)};
}

// A symmetric matrix with eigenvalues 1/i^2, rotated so that its diagonal is not its spectrum.
DenseMatrix decaying_spectrum(std::size_t n, Random& rng) {
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = 1.0 / ((i + 1.0) * (i + 1.0));
  return with_spectrum(eig, rng);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(estimators)

BOOST_AUTO_TEST_CASE(hutchinson_is_unbiased_and_its_error_is_honest) {
  Random rng(70);
  const DenseMatrix dense = random_spd(60, rng);
  const DenseTestOperator a(dense);
  const double exact = trace(dense);
  // Var of one Rademacher sample: 2 (||A||_F^2 - sum_i A_ii^2); of a Gaussian one: 2 ||A||_F^2.
  double frob2 = 0.0, diag2 = 0.0;
  for (double v : dense.values()) frob2 += v * v;
  for (std::size_t i = 0; i < 60; ++i) diag2 += dense(i, i) * dense(i, i);
  // Plain variables, not a structured binding: clang 14 cannot capture one in a lambda.
  for (const auto& probe : {std::pair{ProbeDistribution::rademacher, 2 * (frob2 - diag2)},
                            std::pair{ProbeDistribution::gaussian, 2 * frob2}}) {
    const ProbeDistribution distribution = probe.first;
    const double var_one = probe.second;
    BOOST_TEST_CONTEXT((distribution == ProbeDistribution::rademacher ? "rademacher" : "gaussian")) {
      double reported_se = 0.0;
      const auto [mean, se_of_mean] = mean_over_seeds(300, [&](std::uint64_t seed) {
        const TraceResult t = hutchinson_trace(a, {.probes = 20, .distribution = distribution, .seed = seed});
        BOOST_TEST(t.operator_products == 20);
        reported_se += t.standard_error / 300;
        return t.estimate;
      });
      BOOST_TEST(std::abs(mean - exact) <= 3.0 * se_of_mean);
      // The spread over seeds, the reported standard error and the theory agree. (The spread is
      // noisier than a normal sample's: a Gaussian probe's z^T A z has chi-square tails, kurtosis
      // ~3.5 here, and seeds 0..299 hold a 9-sigma draw.)
      const double spread = se_of_mean * std::sqrt(300.0);
      const double theory = std::sqrt(var_one / 20);
      BOOST_TEST(spread == theory, boost::test_tools::tolerance(0.25));
      BOOST_TEST(reported_se == theory, boost::test_tools::tolerance(0.15));
    }
  }
}

BOOST_AUTO_TEST_CASE(hutchinson_same_seed_same_numbers) {
  const CsrMatrix a = laplacian_2d(10, 10);
  const TraceResult t1 = hutchinson_trace(a, {.probes = 10, .seed = 5});
  const TraceResult t2 = hutchinson_trace(a, {.probes = 10, .seed = 5});
  const TraceResult t3 = hutchinson_trace(a, {.probes = 10, .seed = 6});
  BOOST_TEST(t1.estimate == t2.estimate);
  BOOST_TEST(t1.variance == t2.variance);
  BOOST_TEST(t1.estimate != t3.estimate);
  BOOST_CHECK_THROW(hutchinson_trace(a, {.probes = 0}), ArgumentError);
  BOOST_CHECK_THROW(hutchinson_trace(DenseTestOperator(DenseMatrix(2, 3)), {}), ShapeError);
}

BOOST_AUTO_TEST_CASE(hutchinson_reports_its_samples_and_one_probe_has_no_spread) {
  const CsrMatrix a = laplacian_2d(10, 10);
  const TraceResult t = hutchinson_trace(a, {.probes = 10, .seed = 5});
  BOOST_TEST(t.samples.size() == 10u);
  double mean = 0.0;
  for (double s : t.samples) mean += s / 10;
  BOOST_TEST(t.estimate == mean, boost::test_tools::tolerance(1e-14));
  // The first sample is z^T A z for the seed's first probe: the one-probe estimate.
  const TraceResult one = hutchinson_trace(a, {.probes = 1, .seed = 5});
  BOOST_TEST(one.probes == 1);
  BOOST_TEST(one.samples.size() == 1u);
  BOOST_TEST(one.estimate == t.samples[0]);
  BOOST_TEST(std::isnan(one.variance));
  BOOST_TEST(std::isnan(one.standard_error));
  const TraceResult pp = hutchpp_trace(a, {.operator_products = 30, .seed = 5});
  BOOST_TEST(pp.samples.size() == static_cast<std::size_t>(pp.probes));
}

BOOST_AUTO_TEST_CASE(hutchinson_rejects_bad_input) {
  const CsrMatrix a = laplacian_2d(10, 10);
  BOOST_CHECK_THROW(hutchinson_trace(DenseTestOperator(DenseMatrix(2, 3)), {}), ShapeError);
}

BOOST_AUTO_TEST_CASE(hutchpp_is_unbiased) {
  Random rng(71);
  const DenseMatrix dense = random_spd(60, rng);
  const DenseTestOperator a(dense);
  const double exact = trace(dense);
  for (ProbeDistribution distribution : {ProbeDistribution::rademacher, ProbeDistribution::gaussian}) {
    const auto [mean, se_of_mean] = mean_over_seeds(300, [&](std::uint64_t seed) {
      const TraceResult t = hutchpp_trace(a, {.operator_products = 24, .distribution = distribution, .seed = seed});
      BOOST_TEST(t.operator_products == 24);
      BOOST_TEST(t.probes == 8);
      return t.estimate;
    });
    BOOST_TEST(std::abs(mean - exact) <= 3.0 * se_of_mean);
  }
  // A sketch as large as the matrix captures it all: the estimate is exact.
  const TraceResult full = hutchpp_trace(a, {.operator_products = 200});
  BOOST_TEST(full.estimate == exact, boost::test_tools::tolerance(1e-10));
  BOOST_CHECK_THROW(hutchpp_trace(a, {.operator_products = 5}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(hutchpp_needs_far_fewer_products_on_a_decaying_spectrum) {
  // Eigenvalues 1/i^2, n = 300. Hutchinson's relative error after m operator_products is sigma_1 / sqrt(m) /
  // tr(A): measure sigma_1 from 2000 samples (20 seeds x 100 probes) and solve for the m that gives
  // 1e-2. For Hutch++, find the smallest budget whose root-mean-square relative error over 20 seeds
  // is <= 1e-2. Measured (seeds 0-19): Hutchinson needs ~8800 operator_products, Hutch++ 36: a ratio of ~240.
  Random rng(72);
  const DenseMatrix dense = decaying_spectrum(300, rng);
  const DenseTestOperator a(dense);
  const double exact = trace(dense);
  double var_one = 0.0;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    var_one += hutchinson_trace(a, {.probes = 100, .seed = seed}).variance / 20;
  const double hutchinson_products = var_one / (1e-2 * exact) / (1e-2 * exact);

  int hutchpp_products = 0;
  for (int m : {12, 24, 36, 48, 60, 90, 120, 180, 240, 360}) {
    double mse = 0.0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const double e = (hutchpp_trace(a, {.operator_products = m, .seed = seed}).estimate - exact) / exact;
      mse += e * e / 20;
    }
    if (std::sqrt(mse) <= 1e-2) {
      hutchpp_products = m;
      break;
    }
  }
  BOOST_REQUIRE(hutchpp_products > 0);
  const double ratio = hutchinson_products / hutchpp_products;
  BOOST_TEST_MESSAGE("relative error 1e-2 on eigenvalues 1/i^2 (n=300): Hutchinson ~" << hutchinson_products
                     << " products, Hutch++ " << hutchpp_products << ": ratio " << ratio);
  BOOST_TEST(ratio > 20.0);
}

BOOST_AUTO_TEST_CASE(diagonal_estimator) {
  // A diagonal matrix is recovered exactly by Rademacher probes, whatever their number.
  const Vector d{1.0, -2.0, 3.5, 0.0, 7.0};
  const DiagonalTestOperator diag(d);
  const DiagonalResult exact = hutchinson_diagonal(diag, {.probes = 1});
  BOOST_TEST(exact.diagonal == d, boost::test_tools::per_element());

  // Otherwise the error of entry i has standard deviation sqrt(sum_{j != i} A_ij^2 / s).
  Random rng(73);
  const DenseMatrix dense = random_spd(80, rng);
  const DenseTestOperator a(dense);
  for (ProbeDistribution distribution : {ProbeDistribution::rademacher, ProbeDistribution::gaussian}) {
    const int s = 400;
    const DiagonalResult est = hutchinson_diagonal(a, {.probes = s, .distribution = distribution, .seed = 2});
    BOOST_TEST(est.operator_products == s);
    double worst = 0.0;  // in units of the predicted standard deviation
    for (std::size_t i = 0; i < 80; ++i) {
      double off = 0.0;
      for (std::size_t j = 0; j < 80; ++j)
        if (j != i) off += dense(i, j) * dense(i, j);
      worst = std::max(worst, std::abs(est.diagonal[i] - dense(i, i)) / std::sqrt(off / s));
    }
    BOOST_TEST(worst < 4.5);  // the largest of 80 roughly normal deviates
  }
  // Poisson: diagonally dominant, so few probes already give every entry close to 4.
  const CsrMatrix p = laplacian_2d(20, 20);
  const DiagonalResult pe = hutchinson_diagonal(p, {.probes = 64});
  BOOST_TEST(relative_error(pe.diagonal, p.diagonal()) < 0.5);
  BOOST_CHECK_THROW(hutchinson_diagonal(p, {.probes = 0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(lanczos_quadrature_of_the_identity_function_is_hutchinson) {
  // Gauss quadrature integrates f(x) = x exactly, so the per-probe values are z^T A z.
  const CsrMatrix a = laplacian_2d(12, 12);
  for (ProbeDistribution distribution : {ProbeDistribution::rademacher, ProbeDistribution::gaussian}) {
    const TraceResult slq = lanczos_quadrature_trace(a, [](double x) { return x; },
                                                       {.probes = 10, .lanczos_steps = 5, .distribution = distribution, .seed = 4});
    const TraceResult h = hutchinson_trace(a, {.probes = 10, .distribution = distribution, .seed = 4});
    BOOST_TEST(slq.estimate == h.estimate, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(slq.standard_error == h.standard_error, boost::test_tools::tolerance(1e-8));
  }
}

BOOST_AUTO_TEST_CASE(log_determinant_against_lapack) {
  Random rng(74);
  const DenseMatrix dense = random_spd(200, rng);
  const DenseTestOperator a(dense);
  const double exact = CholeskyFactorization(dense).log_determinant();
  const TraceResult est = lanczos_quadrature_log_determinant(a, {.probes = 50, .lanczos_steps = 25, .seed = 1});
  BOOST_TEST_MESSAGE("log det of a 200x200 SPD matrix: " << est.estimate << " +- " << est.standard_error
                     << " (exact " << exact << "), " << est.operator_products << " operator_products");
  BOOST_TEST(std::abs(est.estimate - exact) <= 3.0 * est.standard_error);
  BOOST_TEST(est.standard_error < 1e-2 * std::abs(exact));
  // Poisson: log det from the known eigenvalues 4 - 2 cos(i pi/(nx+1)) - 2 cos(j pi/(ny+1)).
  const std::size_t nx = 20, ny = 15;
  double poisson_exact = 0.0;
  for (std::size_t i = 1; i <= nx; ++i)
    for (std::size_t j = 1; j <= ny; ++j)
      poisson_exact += std::log(4.0 - 2.0 * std::cos(i * std::numbers::pi / (nx + 1)) -
                                2.0 * std::cos(j * std::numbers::pi / (ny + 1)));
  const TraceResult pe = lanczos_quadrature_log_determinant(laplacian_2d(nx, ny), {.probes = 100, .lanczos_steps = 40, .seed = 2});
  BOOST_TEST(std::abs(pe.estimate - poisson_exact) <= 3.0 * pe.standard_error);
  // An indefinite matrix has no logarithm.
  const DenseTestOperator indefinite(DenseMatrix{{1, 0}, {0, -1}});
  BOOST_CHECK_THROW(lanczos_quadrature_log_determinant(indefinite, {}), NumericalError);
}

BOOST_AUTO_TEST_CASE(spectral_density_against_the_smoothed_eigenvalues) {
  Random rng(75);
  const std::size_t n = 300;
  Vector eig(n);
  for (std::size_t i = 0; i < n; ++i) eig[i] = (i < 100 ? -2.0 : 1.0) + 0.5 * std::sin(static_cast<double>(i));
  const DenseTestOperator a(with_spectrum(eig, rng));
  const SpectralDensityResult phi = lanczos_quadrature_spectral_density(a, {.probes = 40, .lanczos_steps = 60, .sigma = 0.1, .points = 301, .lower = -4.0, .upper = 3.0});
  BOOST_TEST(phi.operator_products <= 40 * 60);
  double integral = 0.0, worst = 0.0, peak = 0.0;
  const double h = phi.points[1] - phi.points[0];
  for (std::size_t j = 0; j < phi.points.size(); ++j) {
    integral += h * phi.density[j];
    double exact = 0.0;
    for (double lambda : eig) {
      const double d = (phi.points[j] - lambda) / 0.1;
      exact += std::exp(-0.5 * d * d) / (0.1 * std::sqrt(2.0 * std::numbers::pi)) / n;
    }
    worst = std::max(worst, std::abs(phi.density[j] - exact));
    peak = std::max(peak, exact);
  }
  BOOST_TEST(integral == 1.0, boost::test_tools::tolerance(0.02));
  BOOST_TEST(worst < 0.1 * peak);
  BOOST_TEST_MESSAGE("spectral density: integral " << integral << ", max error " << worst / peak << " of the peak");
  BOOST_CHECK_THROW(lanczos_quadrature_spectral_density(a, {.points = 1}), ArgumentError);
  BOOST_CHECK_THROW(lanczos_quadrature_spectral_density(a, {.lower = 1.0, .upper = 0.0}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(every_estimator_same_seed_same_numbers) {
  const CsrMatrix a = laplacian_2d(9, 7);
  BOOST_TEST(hutchpp_trace(a, {.operator_products = 12, .seed = 8}).estimate == hutchpp_trace(a, {.operator_products = 12, .seed = 8}).estimate);
  BOOST_TEST(hutchpp_trace(a, {.operator_products = 12, .seed = 8}).estimate != hutchpp_trace(a, {.operator_products = 12, .seed = 9}).estimate);
  BOOST_TEST(hutchinson_diagonal(a, {.probes = 3, .seed = 8}).diagonal == hutchinson_diagonal(a, {.probes = 3, .seed = 8}).diagonal,
             boost::test_tools::per_element());
  const LanczosQuadratureOptions slq{.probes = 4, .lanczos_steps = 6, .seed = 8};
  BOOST_TEST(lanczos_quadrature_log_determinant(a, slq).estimate == lanczos_quadrature_log_determinant(a, slq).estimate);
  const SpectralDensityOptions sdo{.probes = 3, .lanczos_steps = 6, .points = 20, .seed = 8};
  BOOST_TEST(lanczos_quadrature_spectral_density(a, sdo).density == lanczos_quadrature_spectral_density(a, sdo).density,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
