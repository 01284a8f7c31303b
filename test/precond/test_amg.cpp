// Smoothed-aggregation AMG: the V-cycle is the operator it claims (against a dense construction of
// the same cycle), symmetric positive definite, and makes CG iterations independent of the grid.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <thread>

#include "amg_test_support.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/amg.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// The error message of an exception of type E thrown by f, or "" if none.
template <class E, class F>
std::string message_of(const F& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The two-level cycle on a 1D Laplacian built densely from its definition: the aggregates are the
// ones phase 1 makes on a path ({0,1}, {2,3,4}, ..., the last node joining its neighbour's), P_tent
// the normalised indicator of each, P = (I - omega D^-1 A) P_tent (every entry strong, so A_F = A),
// A_c = P^T A P solved exactly, and `relax(b, x, zero)` the smoother on both sides.
template <class Relax>
DenseMatrix dense_two_level_cycle(const DenseMatrix& a, double omega, const Relax& relax) {
  const std::size_t n = a.rows();
  std::vector<std::vector<std::size_t>> aggregates{{0, 1}};
  for (std::size_t i = 3; i + 1 < n; i += 3) aggregates.push_back({i - 1, i, i + 1});
  for (std::size_t i = aggregates.back().back() + 1; i < n; ++i) aggregates.back().push_back(i);
  DenseMatrix p_tent(n, aggregates.size());
  for (std::size_t g = 0; g < aggregates.size(); ++g)
    for (const std::size_t i : aggregates[g]) p_tent(i, g) = 1.0 / std::sqrt(static_cast<double>(aggregates[g].size()));
  DenseMatrix smoother = DenseMatrix::identity(n);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) smoother(i, j) -= omega * a(i, j) / a(i, i);
  const DenseMatrix p = matmul(smoother, p_tent);
  const CholeskyFactorization coarse(matmul(p, matmul(a, p), Transpose::yes));
  DenseMatrix m(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    Vector b(n, 0.0);
    b[j] = 1.0;
    Vector x(n, 0.0);
    relax(b, x, true);
    Vector r = b;
    gemv(-1.0, a, Transpose::no, x, 1.0, r);
    const Vector xc = coarse.solve(matvec_transpose(p, r));
    gemv(1.0, p, Transpose::no, xc, 1.0, x);
    relax(b, x, false);
    for (std::size_t i = 0; i < n; ++i) m(i, j) = x[i];
  }
  return m;
}

// Checks u^T M v = v^T M u and x^T M x > 0 on random vectors.
void check_symmetric_positive(const LinearOperator& m, std::uint64_t seed) {
  Random rng(seed);
  for (int trial = 0; trial < 5; ++trial) {
    const Vector u = rng.gaussian_vector(m.rows());
    const Vector v = rng.gaussian_vector(m.rows());
    const Vector mu = m.apply(u);
    const Vector mv = m.apply(v);
    BOOST_TEST(std::abs(dot(u, mv) - dot(v, mu)) <= 1e-12 * norm2(u) * norm2(mv));
    BOOST_TEST(dot(u, mu) > 0.0);
    BOOST_TEST(dot(v, mv) > 0.0);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(amg)

BOOST_AUTO_TEST_CASE(jacobi_cycle_matches_the_dense_construction) {
  const CsrMatrix a = laplacian_1d(30);
  const auto m = amg_preconditioner(a, {.coarsest_size = 12, .smoother = AmgSmoother::jacobi});
  const AmgHierarchy& h = m->hierarchy();
  BOOST_REQUIRE_EQUAL(h.levels.size(), 2u);
  BOOST_TEST(h.levels[1].rows == 10u);
  BOOST_TEST(h.coarsest_solver == "dense Cholesky");
  // The estimates behind the two weights against the exact rho(D^-1 A) = (2 - 2 cos(30 pi / 31)) / 2.
  const double rho = 1.0 - std::cos(30.0 * M_PI / 31.0);
  BOOST_TEST(h.levels[0].spectral_bound >= 1.1 * rho * (1.0 - 1e-10));
  BOOST_TEST(h.levels[0].spectral_bound <= 1.1 * rho * 1.05);
  BOOST_TEST(h.levels[0].prolongation_weight <= 4.0 / (3.0 * rho) * (1.0 + 1e-10));
  BOOST_TEST(h.levels[0].prolongation_weight >= 4.0 / (3.0 * rho) / 1.05);

  const DenseMatrix ad = a.to_dense();
  const double w = (4.0 / 3.0) / h.levels[0].spectral_bound;
  const DenseMatrix expect = dense_two_level_cycle(ad, h.levels[0].prolongation_weight,
                                                   [&](const Vector& b, Vector& x, bool zero) {
    Vector r = b;
    if (!zero) gemv(-1.0, ad, Transpose::no, x, 1.0, r);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (zero ? 0.0 : x[i]) + w * r[i] / ad(i, i);
  });
  check_operator_matches(*m, expect, 1e-12);
}

BOOST_AUTO_TEST_CASE(chebyshev_cycle_matches_the_dense_construction) {
  // D = 2 I, so the smoother's polynomial in D^-1 A = A / 2 is a function of A.
  const CsrMatrix a = laplacian_1d(30);
  for (const int degree : {1, 3}) {
    const auto m = amg_preconditioner(a, {.coarsest_size = 12, .degree = degree});
    const AmgHierarchy& h = m->hierarchy();
    BOOST_REQUIRE_EQUAL(h.levels.size(), 2u);
    const double hi = h.levels[0].spectral_bound, lo = hi / 10.0;
    const DenseMatrix ad = a.to_dense();
    DenseMatrix half = ad;
    for (double& v : half.values()) v *= 0.5;
    const DenseMatrix poly = matrix_function(half, [&](double l) { return 0.5 * chebyshev_polynomial(l, lo, hi, degree); });
    const DenseMatrix expect = dense_two_level_cycle(ad, h.levels[0].prolongation_weight,
                                                     [&](const Vector& b, Vector& x, bool zero) {
      Vector r = b;
      if (!zero) gemv(-1.0, ad, Transpose::no, x, 1.0, r);
      if (zero) x.assign(x.size(), 0.0);
      gemv(1.0, poly, Transpose::no, r, 1.0, x);
    });
    check_operator_matches(*m, expect, 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(cycle_is_symmetric_positive_definite) {
  // Several levels on a 2D problem, both smoothers: the dense operator is symmetric with positive
  // eigenvalues, and the dot test holds on random vectors at a larger size.
  const CsrMatrix small = laplacian_2d(14, 11);
  for (const AmgSmoother s : {AmgSmoother::chebyshev, AmgSmoother::jacobi}) {
    const auto m = amg_preconditioner(small, {.coarsest_size = 8, .smoother = s, .sweeps = 2});
    BOOST_TEST(m->hierarchy().levels.size() >= 3u);
    const DenseMatrix md = dense_of(*m);
    BOOST_TEST(relative_distance(md, md.transposed()) <= 1e-12);
    BOOST_TEST(symmetric_eigen(md).values[0] > 0.0);
    check_symmetric_positive(*m, 5);
  }
  check_symmetric_positive(*amg_preconditioner(laplacian_3d(14, 13, 12)), 6);
}

BOOST_AUTO_TEST_CASE(one_level_is_an_exact_solve) {
  const CsrMatrix a = laplacian_2d(5, 4);
  const auto m = amg_preconditioner(a);
  BOOST_TEST(m->hierarchy().levels.size() == 1u);
  const DenseMatrix inverse = CholeskyFactorization(a.to_dense()).solve(DenseMatrix::identity(20));
  check_operator_matches(*m, inverse, 1e-12);
  // n = 1, and n = 0.
  check_operator_matches(*amg_preconditioner(CsrMatrix::from_dense(DenseMatrix{{4.0}})), DenseMatrix{{0.25}}, 1e-15);
  BOOST_TEST(amg_preconditioner(CsrMatrix())->rows() == 0u);
}

BOOST_AUTO_TEST_CASE(smoother_alone_when_coarsening_stops_early) {
  const auto a = std::make_shared<const CsrMatrix>(laplacian_2d(20, 20));
  const auto m = amg_preconditioner(a, {.max_levels = 1, .coarsest_size = 100});
  BOOST_TEST(m->hierarchy().levels.size() == 1u);
  BOOST_TEST(m->hierarchy().coarsest_solver == "smoother");
  check_symmetric_positive(*m, 8);
  const SolveResult r = cg(*a, Vector(a->rows(), 1.0), {.preconditioner = m});
  BOOST_TEST(r.converged);
}

BOOST_AUTO_TEST_CASE(hierarchy_is_reported) {
  const auto a = std::make_shared<const CsrMatrix>(laplacian_3d(16, 16, 16));
  const auto m = amg_preconditioner(a);
  BOOST_TEST(m->matrix() == a);  // shared, not copied
  const AmgHierarchy& h = m->hierarchy();
  BOOST_REQUIRE(h.levels.size() >= 2u);
  BOOST_TEST(h.levels[0].rows == a->rows());
  BOOST_TEST(h.levels[0].nnz == a->nnz());
  double nnz = 0.0, rows = 0.0;
  for (std::size_t l = 0; l < h.levels.size(); ++l) {
    if (l > 0) BOOST_TEST(h.levels[l].rows < h.levels[l - 1].rows);
    BOOST_TEST((l + 1 == h.levels.size()) == (h.levels[l].prolongation_weight == 0.0));
    nnz += static_cast<double>(h.levels[l].nnz);
    rows += static_cast<double>(h.levels[l].rows);
  }
  BOOST_TEST(h.levels.back().rows <= 500u);
  BOOST_TEST(h.operator_complexity == nnz / static_cast<double>(a->nnz()), boost::test_tools::tolerance(1e-14));
  BOOST_TEST(h.grid_complexity == rows / static_cast<double>(a->rows()), boost::test_tools::tolerance(1e-14));
  BOOST_TEST(h.operator_complexity < 2.0);
  // Bytes: at least the coarse operators and the coarsest factor, at most a few times A.
  const double coarse = (nnz - static_cast<double>(a->nnz())) * 12.0;
  BOOST_TEST(static_cast<double>(m->bytes()) > coarse);
  BOOST_TEST(static_cast<double>(m->bytes()) < 6.0 * 12.0 * static_cast<double>(a->nnz()));
  const std::string table = to_string(h);
  BOOST_TEST(contains(table, "operator complexity"));
  BOOST_TEST(contains(table, "dense Cholesky"));
  BOOST_TEST_MESSAGE(table);
}

BOOST_AUTO_TEST_CASE(cg_iterations_barely_grow_with_the_grid) {
  // The measured counts are 9 (20^3) and 10 (40^3) at rtol 1e-8; unpreconditioned CG needs
  // about 50 and 100.
  for (const std::size_t n : {20u, 40u}) {
    const auto a = std::make_shared<const CsrMatrix>(laplacian_3d(n, n, n));
    const Vector b(a->rows(), 1.0);
    const SolveResult r = cg(*a, b, {.rtol = 1e-8, .preconditioner = amg_preconditioner(a)});
    BOOST_TEST_MESSAGE("laplacian_3d " << n << "^3: " << r.iterations << " AMG-CG iterations");
    BOOST_TEST(r.converged);
    BOOST_TEST(r.residual_norm <= 1e-8 * r.rhs_norm);
    BOOST_TEST(r.iterations >= 7);
    BOOST_TEST(r.iterations <= 12);
  }
}

BOOST_AUTO_TEST_CASE(jacobi_smoother_also_converges) {
  const auto a = std::make_shared<const CsrMatrix>(laplacian_3d(20, 20, 20));
  const SolveResult r = cg(*a, Vector(a->rows(), 1.0),
                           {.rtol = 1e-8, .preconditioner = amg_preconditioner(a, {.smoother = AmgSmoother::jacobi})});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.iterations <= 20);
}

BOOST_AUTO_TEST_CASE(user_near_null_space) {
  // Constant and linear vectors on a 1D grid: two coarse unknowns per aggregate, and a coarse space
  // that reproduces linear functions converges faster than the constant alone.
  const std::size_t n = 600;
  const auto a = std::make_shared<const CsrMatrix>(laplacian_1d(n));
  DenseMatrix b(n, 2);
  for (std::size_t i = 0; i < n; ++i) {
    b(i, 0) = 1.0;
    b(i, 1) = static_cast<double>(i) / static_cast<double>(n);
  }
  const auto with_linear = amg_preconditioner(a, {.coarsest_size = 50, .near_null_space = b});
  const auto constant = amg_preconditioner(a, {.coarsest_size = 50});
  BOOST_TEST(with_linear->hierarchy().levels[1].rows == 2 * constant->hierarchy().levels[1].rows);
  check_symmetric_positive(*with_linear, 9);
  const Vector rhs(n, 1.0);
  const SolveResult r2 = cg(*a, rhs, {.rtol = 1e-10, .preconditioner = with_linear});
  const SolveResult r1 = cg(*a, rhs, {.rtol = 1e-10, .preconditioner = constant});
  BOOST_TEST(r2.converged);
  BOOST_TEST(r1.converged);
  BOOST_TEST(r2.iterations <= r1.iterations);
}

BOOST_AUTO_TEST_CASE(concurrent_products_agree) {
  const auto m = amg_preconditioner(laplacian_3d(12, 12, 12));
  Random rng(10);
  const Vector x = rng.gaussian_vector(m->rows());
  const Vector expect = m->apply(x);
  std::vector<Vector> results(4, Vector(m->rows()));
  std::vector<std::thread> threads;
  for (auto& y : results) threads.emplace_back([&] { for (int k = 0; k < 3; ++k) m->apply(x, y); });
  for (auto& t : threads) t.join();
  for (const auto& y : results) BOOST_TEST(relative_error(y, expect) == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_matrices_are_named) {
  const auto zero_row = CsrMatrix::from_dense(DenseMatrix{{2, 0, -1}, {0, 0, 0}, {-1, 0, 2}});
  BOOST_TEST(contains(message_of<ArgumentError>([&] { amg_preconditioner(zero_row); }), "row 1 is zero"));

  const auto zero_diagonal = CsrMatrix::from_dense(DenseMatrix{{2, -1, 0}, {-1, 0, -1}, {0, -1, 2}});
  BOOST_TEST(contains(message_of<ArgumentError>([&] { amg_preconditioner(zero_diagonal); }), "diagonal entry (1, 1)"));

  const auto nonsymmetric = CsrMatrix::from_dense(DenseMatrix{{2, -1, 0}, {-0.5, 2, -1}, {0, -1, 2}});
  const std::string asym = message_of<ArgumentError>([&] { amg_preconditioner(nonsymmetric); });
  BOOST_TEST(contains(asym, "symmetric"));
  BOOST_TEST(contains(asym, "a(0, 1)"));

  BOOST_CHECK_THROW(amg_preconditioner(CsrMatrix::from_dense(DenseMatrix(3, 2, 1.0))), ShapeError);

  const auto nan = CsrMatrix::from_dense(DenseMatrix{{2, std::nan("")}, {std::nan(""), 2}});
  BOOST_TEST(contains(message_of<NonFiniteError>([&] { amg_preconditioner(nan); }), "entry (0, 1)"));

  // Symmetric with a positive diagonal but indefinite: the exact coarsest solve finds out.
  const auto indefinite = CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 1}});
  BOOST_TEST(contains(message_of<NumericalError>([&] { amg_preconditioner(indefinite); }), "not positive definite"));

  BOOST_CHECK_THROW(amg_preconditioner(std::shared_ptr<const CsrMatrix>()), ArgumentError);
}

BOOST_AUTO_TEST_CASE(bad_options) {
  const CsrMatrix a = laplacian_2d(4, 4);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.strength_threshold = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.strength_threshold = -0.1}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.max_levels = 0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.coarsest_size = 0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.sweeps = 0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.degree = 0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.eigenvalue_ratio = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.jacobi_weight = 2.0}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.safety_factor = 0.5}), ArgumentError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.near_null_space = DenseMatrix(15, 1, 1.0)}), ShapeError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.near_null_space = DenseMatrix(16, 0)}), ShapeError);
  BOOST_CHECK_THROW(amg_preconditioner(a, {.near_null_space = DenseMatrix(16, 1, std::nan(""))}), NonFiniteError);
}

BOOST_AUTO_TEST_SUITE_END()
