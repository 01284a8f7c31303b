// The stochastic estimators and Lanczos on distributed operators against the serial ones with the
// same seed and options: the same probes (each rank draws its slice of the global probe), so the
// same results to round-off, on the 3D Laplacian (assembled, matrix-free, and a combinator of it) and
// on a Matrix Market file. Bad input throws the same error on every rank.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "frechet/petsc/petsc_estimators.hpp"
#include "petsc_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::global_relative_error;
using frechet::testing::on_every_rank;
using frechet::testing::slice;
using frechet::testing::world;
using frechet::testing::world_size;

namespace {

constexpr ProbeDistribution distributions[] = {ProbeDistribution::rademacher, ProbeDistribution::gaussian};

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// The same on every rank: the estimates are reduced over the ranks, so every rank compares the same
// numbers.
void check_trace_matches(const TraceResult& distributed, const TraceResult& serial, double rtol) {
  BOOST_TEST(relative(distributed.estimate, serial.estimate) <= rtol);
  BOOST_TEST(relative(distributed.variance, serial.variance) <= rtol * 100);
  BOOST_TEST(distributed.probes == serial.probes);
  BOOST_TEST(distributed.operator_products == serial.operator_products);
  BOOST_TEST(distributed.samples.size() == serial.samples.size());
  double scale = 0.0, error = 0.0;
  for (std::size_t k = 0; k < std::min(distributed.samples.size(), serial.samples.size()); ++k) {
    scale = std::max(scale, std::abs(serial.samples[k]));
    error = std::max(error, std::abs(distributed.samples[k] - serial.samples[k]));
  }
  BOOST_TEST(error <= rtol * scale);
}

// Every estimator on d (this rank's rows of `serial`) against the serial estimator, with both
// probe distributions; the log-determinant of a positive definite A; Lanczos for the largest
// eigenvalues, and for the smallest where they are not clustered (restarted Lanczos with a basis of
// 12 converges to them).
void check_estimators_match(const LinearOperator& d, MPI_Comm comm, std::size_t row_begin, const OperatorPtr& s,
                            bool positive_definite, bool smallest_eigenvalues) {
  for (const ProbeDistribution distribution : distributions) {
    BOOST_TEST_CONTEXT("distribution " << static_cast<int>(distribution)) {
      const HutchinsonOptions h{.probes = 12, .distribution = distribution, .seed = 5};
      check_trace_matches(petsc_hutchinson_trace(d, comm, h), hutchinson_trace(s, h), 1e-13);

      const DiagonalResult diagonal = petsc_hutchinson_diagonal(d, comm, h);
      const DiagonalResult diagonal_serial = hutchinson_diagonal(s, h);
      BOOST_TEST(global_relative_error(comm, diagonal.diagonal, slice(diagonal_serial.diagonal, row_begin, d.rows())) <=
                 1e-14);
      BOOST_TEST(diagonal.operator_products == diagonal_serial.operator_products);

      const HutchppOptions pp{.operator_products = 30, .distribution = distribution, .seed = 7};
      check_trace_matches(petsc_hutchpp_trace(d, comm, pp), hutchpp_trace(s, pp), 1e-11);

      const LanczosQuadratureOptions q{.probes = 4, .lanczos_steps = 12, .distribution = distribution, .seed = 9};
      const auto root = [](double t) { return std::sqrt(std::abs(t)); };
      check_trace_matches(petsc_lanczos_quadrature_trace(d, comm, root, q), lanczos_quadrature_trace(s, root, q), 1e-9);
      if (positive_definite) {
        check_trace_matches(petsc_lanczos_quadrature_log_determinant(d, comm, q),
                            lanczos_quadrature_log_determinant(s, q), 1e-9);
      }

      const SpectralDensityOptions sd{.probes = 3, .lanczos_steps = 12, .points = 40, .distribution = distribution,
                                      .seed = 11};
      const SpectralDensityResult density = petsc_lanczos_quadrature_spectral_density(d, comm, sd);
      const SpectralDensityResult density_serial = lanczos_quadrature_spectral_density(s, sd);
      BOOST_TEST(relative(density.sigma, density_serial.sigma) <= 1e-9);
      BOOST_TEST(global_relative_error(comm, density.points, density_serial.points) <= 1e-9);
      BOOST_TEST(global_relative_error(comm, density.density, density_serial.density) <= 1e-8);
      BOOST_TEST(density.operator_products == density_serial.operator_products);
    }
  }
  // Lanczos, restarted (basis of 12 for 3 pairs), from the seeded start vector and from x0.
  for (const EigenTarget target : {EigenTarget::largest, EigenTarget::smallest}) {
    if (target == EigenTarget::smallest && !smallest_eigenvalues) continue;
    BOOST_TEST_CONTEXT("target " << static_cast<int>(target)) {
      LanczosOptions options{.count = 3, .target = target, .basis_size = 12, .seed = 3};
      const LanczosResult serial = lanczos(s, options);
      const LanczosResult distributed = petsc_lanczos(d, comm, options);
      BOOST_TEST(serial.converged);
      BOOST_TEST(distributed.converged);
      BOOST_TEST(distributed.operator_products == serial.operator_products);
      BOOST_TEST(distributed.restarts == serial.restarts);
      BOOST_TEST(global_relative_error(comm, distributed.eigenvalues, serial.eigenvalues) <= 1e-12);
      for (std::size_t c = 0; c < serial.eigenvalues.size(); ++c) {
        // The residual norms are ~ rtol ||A||: compare them on that scale, and the vectors by their
        // residuals, which are the same on every rank.
        BOOST_TEST(std::abs(distributed.residual_norms[c] - serial.residual_norms[c]) <=
                   1e-12 * std::abs(serial.eigenvalues.back()) + 1e-300);
        const Vector y(distributed.eigenvectors.col(c).begin(), distributed.eigenvectors.col(c).end());
        Vector r = d.apply(y);
        for (std::size_t i = 0; i < r.size(); ++i) r[i] -= distributed.eigenvalues[c] * y[i];
        BOOST_TEST(global_norm2(comm, r) <= 1e-8 * std::abs(distributed.eigenvalues[c]));
        BOOST_TEST(std::abs(global_norm2(comm, y) - 1.0) <= 1e-12);
      }
      Vector x0(s->rows());
      for (std::size_t i = 0; i < x0.size(); ++i) x0[i] = 1.0 + std::sin(static_cast<double>(i));
      options.x0 = x0;
      const LanczosResult from_x0 = lanczos(s, options);
      options.x0 = slice(x0, row_begin, d.rows());
      const LanczosResult from_x0_distributed = petsc_lanczos(d, comm, options);
      BOOST_TEST(global_relative_error(comm, from_x0_distributed.eigenvalues, from_x0.eigenvalues) <= 1e-12);
      BOOST_TEST(from_x0_distributed.operator_products == from_x0.operator_products);
    }
  }
}

// Runs f, which must throw E on every rank, and checks that every rank's message is the same (by
// its length and a hash reduced over the ranks).
template <class E> void check_throws_alike(const std::function<void()>& f) {
  std::string message;
  bool thrown = false;
  try {
    f();
  } catch (const E& e) {
    thrown = true;
    message = e.what();
  }
  BOOST_TEST(on_every_rank(world(), thrown));
  long mine[2] = {static_cast<long>(message.size()), static_cast<long>(std::hash<std::string>{}(message) >> 1)};
  long low[2] = {0, 0}, high[2] = {0, 0};
  MPI_Allreduce(mine, low, 2, MPI_LONG, MPI_MIN, world());
  MPI_Allreduce(mine, high, 2, MPI_LONG, MPI_MAX, world());
  BOOST_TEST((low[0] == high[0] && low[1] == high[1]), "the messages differ between ranks: " << message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(estimators)

// 210 rows: at 2 ranks the second block starts at row 105, inside a 64-bit word of Rademacher signs.
BOOST_AUTO_TEST_CASE(laplacian_estimates_equal_serial_ones) {
  const OperatorPtr serial = sparse_operator(laplacian_3d(7, 6, 5));
  const DistributedCsrMatrix assembled = distributed_laplacian_3d(world(), 7, 6, 5);
  check_estimators_match(assembled, assembled.comm(), assembled.row_begin(), serial, true, true);
  const auto matrix_free = distributed_laplacian_3d_operator(world(), 7, 6, 5);
  check_estimators_match(*matrix_free, world(), matrix_free->row_begin(), serial, true, true);
  // The DistributedOperator overloads are the communicator ones.
  const HutchinsonOptions h{.probes = 5, .seed = 2};
  BOOST_TEST(petsc_hutchinson_trace(assembled, h).estimate == petsc_hutchinson_trace(assembled, world(), h).estimate);
}

// 524,800 rows: at 2 ranks the second block starts 4,100 words of signs in, where the generator
// jumps ahead (Random::discard) rather than drawing them.
BOOST_AUTO_TEST_CASE(large_laplacian_probes_jump_ahead) {
  const DistributedCsrMatrix d = distributed_laplacian_3d(world(), 82, 80, 80);
  const OperatorPtr serial = sparse_operator(laplacian_3d(82, 80, 80));
  const HutchinsonOptions h{.probes = 3, .seed = 8};
  check_trace_matches(petsc_hutchinson_trace(d, h), hutchinson_trace(serial, h), 1e-13);
  BOOST_TEST(global_relative_error(d.comm(), petsc_hutchinson_diagonal(d, h).diagonal,
                                   slice(hutchinson_diagonal(serial, h).diagonal, d.row_begin(), d.rows())) <= 1e-14);
}

// A combinator of a distributed operator (A + diag(d)) is a plain LinearOperator on this rank's rows.
BOOST_AUTO_TEST_CASE(combinator_of_a_distributed_operator_equals_serial) {
  const auto d = distributed_laplacian_3d_operator(world(), 5, 4, 6);
  Vector shift(d->global_rows());
  for (std::size_t i = 0; i < shift.size(); ++i) shift[i] = 0.5 + static_cast<double>(i % 7);
  const OperatorPtr sum = add(d, diagonal_operator(slice(shift, d->row_begin(), d->rows())));
  const OperatorPtr serial = add(sparse_operator(laplacian_3d(5, 4, 6)), diagonal_operator(shift));
  check_estimators_match(*sum, world(), d->row_begin(), serial, true, true);
}

// Hutch++ on a rank-3 operator: the sketch's other columns are dropped on every rank alike, and the
// estimate is the exact trace.
BOOST_AUTO_TEST_CASE(hutchpp_drops_the_same_columns_on_every_rank) {
  const std::size_t n = 131;
  const LocalRange range = split_ownership(world(), n);
  Vector d(n, 0.0);
  d[3] = 2.0, d[70] = -1.0, d[128] = 5.0;
  const OperatorPtr local = diagonal_operator(slice(d, range.begin, range.size));
  const HutchppOptions options{.operator_products = 24, .seed = 4};
  const TraceResult distributed = petsc_hutchpp_trace(*local, world(), options);
  const TraceResult serial = hutchpp_trace(diagonal_operator(d), options);
  BOOST_TEST(distributed.estimate == 6.0, boost::test_tools::tolerance(1e-13));
  BOOST_TEST(serial.estimate == 6.0, boost::test_tools::tolerance(1e-13));
  BOOST_TEST(distributed.probes == serial.probes);
  BOOST_TEST(distributed.operator_products == serial.operator_products);
}

BOOST_AUTO_TEST_CASE(matrix_market_estimates_equal_serial_ones) {
  const auto dir = frechet::testing::matrix_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "494_bus.mtx")) return;  // no matrices in this build
  const DistributedCsrMatrix d = read_distributed_matrix_market(dir / "494_bus.mtx", world());
  check_estimators_match(d, d.comm(), d.row_begin(), sparse_operator(read_matrix_market(dir / "494_bus.mtx").matrix), true,
                         false);
}

BOOST_AUTO_TEST_CASE(bad_input_throws_the_same_error_on_every_rank) {
  int rank = 0;
  MPI_Comm_rank(world(), &rank);
  const DistributedCsrMatrix d = distributed_laplacian_3d(world(), 4, 3, 5);
  // Rank 0's block has one column more than rows: not square there only.
  const std::size_t cols = d.rows() + (rank == 0 ? 1 : 0);
  const OperatorPtr uneven =
      sparse_operator(CsrMatrix(d.rows(), cols, std::vector<SparseIndex>(d.rows() + 1, 0), {}, Vector{}));
  check_throws_alike<ShapeError>([&] { petsc_hutchinson_trace(*uneven, world()); });
  check_throws_alike<ShapeError>([&] { petsc_hutchinson_diagonal(*uneven, world()); });
  check_throws_alike<ShapeError>([&] { petsc_hutchpp_trace(*uneven, world()); });
  check_throws_alike<ShapeError>([&] { petsc_lanczos_quadrature_log_determinant(*uneven, world()); });
  check_throws_alike<ShapeError>([&] { petsc_lanczos_quadrature_spectral_density(*uneven, world()); });
  check_throws_alike<ShapeError>([&] { petsc_lanczos(*uneven, world()); });
  // x0 of the wrong size, or not finite, on rank 0 only.
  check_throws_alike<ShapeError>([&] { petsc_lanczos(d, {.x0 = Vector(d.rows() + (rank == 0 ? 1 : 0), 1.0)}); });
  Vector nan(d.rows(), 1.0);
  if (rank == 0 && !nan.empty()) nan[0] = std::nan("");
  check_throws_alike<NonFiniteError>([&] { petsc_lanczos(d, {.x0 = nan}); });
  check_throws_alike<ArgumentError>([&] { petsc_lanczos(d, {.count = 61}); });
  // Bad options, and an empty f.
  check_throws_alike<ArgumentError>([&] { petsc_hutchinson_trace(d, {.probes = 0}); });
  check_throws_alike<ArgumentError>([&] { petsc_hutchpp_trace(d, {.operator_products = 5}); });
  check_throws_alike<ArgumentError>([&] { petsc_lanczos_quadrature_trace(d, std::function<double(double)>{}); });
  check_throws_alike<ArgumentError>([&] { petsc_lanczos_quadrature_spectral_density(d, {.sigma = -1.0}); });
  // Options that differ between ranks (meaningful at 2 ranks; at 1 they agree and nothing throws).
  if (world_size() > 1) {
    const std::uint64_t seed = static_cast<std::uint64_t>(rank);
    check_throws_alike<ArgumentError>([&] { petsc_hutchinson_trace(d, {.seed = seed}); });
    check_throws_alike<ArgumentError>([&] { petsc_hutchinson_diagonal(d, {.probes = 3 + rank}); });
    check_throws_alike<ArgumentError>([&] { petsc_hutchpp_trace(d, {.operator_products = 30 + 3 * rank}); });
    check_throws_alike<ArgumentError>([&] { petsc_lanczos_quadrature_log_determinant(d, {.lanczos_steps = 5 + rank}); });
    check_throws_alike<ArgumentError>([&] {
      petsc_lanczos_quadrature_spectral_density(d, {.upper = rank == 0 ? std::optional<double>{} : std::optional<double>{9.0}});
    });
    check_throws_alike<ArgumentError>([&] { petsc_lanczos(d, {.rtol = rank == 0 ? 1e-10 : 1e-9}); });
  }
  // -A is negative definite: every rank sees the same Ritz values, so every rank throws.
  const OperatorPtr negative = scaled(std::make_shared<const DistributedCsrMatrix>(d), -1.0);
  check_throws_alike<NumericalError>(
      [&] { petsc_lanczos_quadrature_log_determinant(*negative, world(), {.probes = 2, .lanczos_steps = 5}); });
}

BOOST_AUTO_TEST_SUITE_END()
