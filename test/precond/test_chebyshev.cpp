// The Chebyshev polynomial preconditioner against the dense evaluation of its polynomial.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "amg_test_support.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/chebyshev.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(chebyshev)

BOOST_AUTO_TEST_CASE(matches_the_dense_polynomial) {
  Random rng(3);
  const DenseMatrix a = random_spd(15, rng);
  const OperatorPtr op = dense_operator(a, {.symmetric = true, .positive_definite = true});
  const SymmetricEigenResult eig = symmetric_eigen(a);
  const double lo = eig.values[0], hi = 1.05 * eig.values[14];
  for (const int k : {0, 1, 2, 5, 12}) {
    const auto m = chebyshev_preconditioner(op, {.degree = k, .lambda_min = lo, .lambda_max = hi});
    BOOST_TEST(m->degree() == k);
    BOOST_TEST(!m->lambda_min_estimated());
    BOOST_TEST(!m->lambda_max_estimated());
    BOOST_TEST(m->setup_products() == 0);
    const DenseMatrix expect = matrix_function(a, [&](double l) { return chebyshev_polynomial(l, lo, hi, k); });
    check_operator_matches(*m, expect, 1e-11);
  }
}

BOOST_AUTO_TEST_CASE(degree_zero_is_a_scaled_identity) {
  const OperatorPtr op = sparse_operator(laplacian_2d(4, 4));
  const auto m = chebyshev_preconditioner(op, {.degree = 0, .lambda_min = 1.0, .lambda_max = 3.0});
  DenseMatrix expect = DenseMatrix::identity(16);
  for (std::size_t i = 0; i < 16; ++i) expect(i, i) = 0.5;
  check_operator_matches(*m, expect, 1e-15);
}

BOOST_AUTO_TEST_CASE(estimated_bounds_enclose_the_spectrum_and_keep_it_definite) {
  // Lanczos Ritz values approach lambda_max from below: the estimate adds the residual norm and the
  // safety factor, and must bound the spectrum; lambda_min is approached from above.
  const CsrMatrix a = laplacian_2d(12, 10);
  const auto m = chebyshev_preconditioner(std::make_shared<CsrMatrix>(a), {.degree = 8});
  const SymmetricEigenResult eig = symmetric_eigen(a.to_dense());
  BOOST_TEST(m->lambda_max_estimated());
  BOOST_TEST(m->lambda_min_estimated());
  BOOST_TEST(m->lambda_max() >= eig.values[eig.values.size() - 1]);
  BOOST_TEST(m->lambda_max() <= 1.3 * eig.values[eig.values.size() - 1]);
  BOOST_TEST(m->lambda_min() >= eig.values[0]);
  BOOST_TEST(m->lambda_min() < m->lambda_max());
  BOOST_TEST(m->setup_products() > 0);
  const DenseMatrix md = dense_of(*m);
  BOOST_TEST(relative_distance(md, md.transposed()) <= 1e-13);
  BOOST_TEST(symmetric_eigen(md).values[0] > 0.0);
  check_operator_matches(*m, md, 1e-13);
}

BOOST_AUTO_TEST_CASE(one_by_one) {
  // The spectrum {4} inside [4, 4.4]: p_10(4) = 1/4 to within T_11's smallness at the interval's end.
  const auto m = chebyshev_preconditioner(dense_operator(DenseMatrix{{4.0}}, {.symmetric = true}));
  BOOST_TEST(m->lambda_max() >= 4.0);
  BOOST_TEST(m->apply(Vector{1.0})[0] == 0.25, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(smoothing_interval_from_the_ratio) {
  const OperatorPtr op = sparse_operator(laplacian_2d(6, 6));
  const auto m = chebyshev_preconditioner(op, {.degree = 3, .lambda_max = 8.0, .eigenvalue_ratio = 30.0});
  BOOST_TEST(m->lambda_max() == 8.0);
  BOOST_TEST(m->lambda_min() == 8.0 / 30.0);
  BOOST_TEST(!m->lambda_min_estimated());
}

BOOST_AUTO_TEST_CASE(reduces_cg_iterations) {
  const auto a = std::make_shared<CsrMatrix>(laplacian_2d(40, 40));
  const Vector b(a->rows(), 1.0);
  const SolveResult plain = cg(*a, b, {.rtol = 1e-8});
  const SolveResult pre = cg(*a, b, {.rtol = 1e-8, .preconditioner = chebyshev_preconditioner(a, {.degree = 6})});
  BOOST_TEST(pre.converged);
  BOOST_TEST(pre.residual_norm <= 1e-8 * pre.rhs_norm);
  // Degree 6 shrinks the condition number by up to 6^2, so the iterations by up to 6.
  BOOST_TEST(3 * pre.iterations < plain.iterations);
}

BOOST_AUTO_TEST_CASE(bad_input) {
  const OperatorPtr op = sparse_operator(laplacian_2d(3, 3));
  BOOST_CHECK_THROW(chebyshev_preconditioner(nullptr), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(dense_operator(DenseMatrix(3, 2, 1.0))), ShapeError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.degree = -1}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_min = 2.0, .lambda_max = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_max = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_max = std::nan("")}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_min = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_min = 1.0, .eigenvalue_ratio = 10.0}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.eigenvalue_ratio = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.safety_factor = 0.9}), ArgumentError);
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lanczos_steps = 1}), ArgumentError);
  // A given lambda_min above the estimated lambda_max.
  BOOST_CHECK_THROW(chebyshev_preconditioner(op, {.lambda_min = 100.0}), ArgumentError);
  // Negative definite: the estimated largest eigenvalue is negative.
  const OperatorPtr negative = dense_operator(DenseMatrix{{-2.0, 0.0}, {0.0, -1.0}}, {.symmetric = true});
  BOOST_CHECK_THROW(chebyshev_preconditioner(negative), NumericalError);
}

BOOST_AUTO_TEST_SUITE_END()
