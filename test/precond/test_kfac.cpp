#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/kfac.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// The matrix of an operator, column by column.
DenseMatrix dense_of(const LinearOperator& op) {
  DenseMatrix m(op.rows(), op.cols());
  Vector e(op.cols(), 0.0);
  for (std::size_t j = 0; j < op.cols(); ++j) {
    e[j] = 1.0;
    op.apply(e, m.col(j));
    e[j] = 0.0;
  }
  return m;
}

DenseMatrix inverse(const DenseMatrix& a) { return LuFactorization(a).solve(DenseMatrix::identity(a.rows())); }

DenseMatrix shifted_matrix(DenseMatrix a, double sigma) {
  for (std::size_t i = 0; i < a.rows(); ++i) a(i, i) += sigma;
  return a;
}

// A second-moment matrix X^T X / N of N samples whose p coordinates have standard deviations
// spread over `decades` decades: the ill-conditioned factor K-FAC is made for.
DenseMatrix covariance(std::size_t p, double decades, Random& rng) {
  const std::size_t samples = 4 * p;
  DenseMatrix x = random_dense(samples, p, rng);
  for (std::size_t j = 0; j < p; ++j) {
    const double s = std::pow(10.0, -decades * static_cast<double>(j) / static_cast<double>(p));
    for (std::size_t i = 0; i < samples; ++i) x(i, j) *= s;
  }
  DenseMatrix a = matmul(x, x, Transpose::yes);
  for (double& v : a.values()) v /= static_cast<double>(samples);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kfac)

BOOST_AUTO_TEST_CASE(one_by_one_factors_give_the_reciprocal_product) {
  const auto m = kfac_preconditioner(DenseMatrix{{3.0}}, DenseMatrix{{8.0}}, {.damping = 1.0});
  BOOST_TEST(m->rows() == 1u);
  const Vector y = m->apply(Vector{9.0});
  BOOST_TEST(y[0] == 0.25);  // 9 / ((3 + 1)(8 + 1)), exact in binary
}

BOOST_AUTO_TEST_CASE(is_the_inverse_of_the_kronecker_product_of_the_damped_factors) {
  Random rng(11);
  const std::size_t p = 7, q = 5;
  const double lambda = 1e-2;
  const DenseMatrix a = covariance(p, 3.0, rng), g = covariance(q, 3.0, rng);
  const auto m = kfac_preconditioner(a, g, {.damping = lambda});
  BOOST_TEST(m->rows() == p * q);
  BOOST_TEST(m->input_dimension() == p);
  BOOST_TEST(m->output_dimension() == q);
  BOOST_TEST(m->damping_a() == lambda);
  BOOST_TEST(m->damping_g() == lambda);

  // The reference is built by frechet's Kronecker operator of the damped factors, inverted densely.
  const OperatorTraits spd{.symmetric = true, .positive_definite = true};
  const auto damped_kron = kron(dense_operator(shifted_matrix(a, lambda), spd),
                                dense_operator(shifted_matrix(g, lambda), spd));
  const DenseMatrix right = inverse(dense_of(*damped_kron));
  check_operator_matches(*m, right, 1e-10);

  // (A + lambda I) (x) (G + lambda I) is not the damped Fisher A (x) G + lambda I: they differ by the
  // cross terms lambda (A (x) I + I (x) G) and by lambda^2 I in place of lambda I, and where both
  // factors are small the K-FAC inverse is about 1 / lambda^2 instead of 1 / lambda. Measured
  // relative distance: 3.6e-16 to the right inverse, 99 to the inverse of the damped Fisher.
  const DenseMatrix fisher = dense_of(*shifted(kron(dense_operator(a, spd), dense_operator(g, spd)), lambda));
  const DenseMatrix wrong = inverse(fisher);
  const DenseMatrix mine = dense_of(*m);
  BOOST_TEST_MESSAGE("K-FAC inverse: relative distance " << relative_distance(mine, right)
                     << " to ((A + lambda I) (x) (G + lambda I))^-1, " << relative_distance(mine, wrong)
                     << " to (A (x) G + lambda I)^-1");
  BOOST_TEST(relative_distance(mine, right) <= 1e-10);
  BOOST_TEST(relative_distance(mine, wrong) >= 10.0);
}

BOOST_AUTO_TEST_CASE(applies_g_inverse_w_a_inverse_to_the_matrix_w) {
  Random rng(12);
  const std::size_t p = 4, q = 6;
  const DenseMatrix a = random_spd(p, rng), g = random_spd(q, rng);
  const auto m = kfac_preconditioner(a, g, {.damping = 0.5});
  const DenseMatrix w = random_dense(q, p, rng);
  const DenseMatrix expected = matmul(inverse(shifted_matrix(g, 0.5)), matmul(w, inverse(shifted_matrix(a, 0.5))));
  BOOST_TEST(relative_error(m->apply(w.values()), expected.values()) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(factored_tikhonov_damping_keeps_lambda_as_the_identity_term) {
  Random rng(13);
  const std::size_t p = 6, q = 4;
  const DenseMatrix a = covariance(p, 2.0, rng);
  DenseMatrix g = covariance(q, 1.0, rng);
  for (double& v : g.values()) v *= 100.0;  // factors of different scales: pi is far from 1
  const double lambda = 1e-3;
  const auto m = kfac_preconditioner(a, g, {.damping = lambda, .rule = KfacDamping::factored_tikhonov});
  double trace_a = 0.0, trace_g = 0.0;
  for (std::size_t i = 0; i < p; ++i) trace_a += a(i, i);
  for (std::size_t i = 0; i < q; ++i) trace_g += g(i, i);
  const double pi = std::sqrt((trace_a / p) / (trace_g / q));
  BOOST_TEST(std::abs(m->damping_a() - pi * std::sqrt(lambda)) <= 1e-15 * m->damping_a());
  BOOST_TEST(std::abs(m->damping_g() - std::sqrt(lambda) / pi) <= 1e-15 * m->damping_g());
  BOOST_TEST(std::abs(m->damping_a() * m->damping_g() - lambda) <= 1e-15 * lambda);
  const DenseMatrix reference =
      inverse(dense_of(*kron(dense_operator(shifted_matrix(a, m->damping_a())),
                             dense_operator(shifted_matrix(g, m->damping_g())))));
  check_operator_matches(*m, reference, 1e-10);
}

BOOST_AUTO_TEST_CASE(is_symmetric_positive_definite) {
  Random rng(14);
  const auto m = kfac_preconditioner(covariance(5, 4.0, rng), covariance(3, 4.0, rng), {.damping = 1e-6});
  BOOST_TEST(m->is_symmetric());
  BOOST_TEST(m->is_positive_definite());
  const SymmetricEigenResult e = symmetric_eigen(dense_of(*m));
  BOOST_TEST(e.values[0] > 0.0);
  BOOST_TEST(relative_distance(dense_of(*m), dense_of(*m).transposed()) <= 1e-13);
}

BOOST_AUTO_TEST_CASE(reduces_cg_iterations_on_the_damped_fisher_of_a_layer) {
  // CG on the exact damped Fisher A (x) G + lambda I of a layer whose factors spread over six
  // decades. Factored Tikhonov damping keeps the identity term lambda I of the product and needs a
  // third of the iterations (286 -> 93 here, asserted 2.5 times; the cross terms are what remains).
  // The same lambda added to each factor damps the small eigenvalues a_i g_j + lambda of the Fisher
  // to about lambda^2 instead of lambda, and makes CG slower than no preconditioner (760): the
  // damping must be chosen for the matrix being solved.
  Random rng(15);
  const std::size_t p = 30, q = 20;
  const double lambda = 1e-4;
  const DenseMatrix a = covariance(p, 3.0, rng), g = covariance(q, 3.0, rng);
  const OperatorTraits spd{.symmetric = true, .positive_definite = true};
  const auto fisher = shifted(kron(dense_operator(a, spd), dense_operator(g, spd)), lambda);
  const Vector b = rng.gaussian_vector(p * q);
  const auto solve = [&](OperatorPtr m) {
    const SolveResult r = cg(fisher, b, {.rtol = 1e-8, .max_iterations = 5000, .preconditioner = m});
    BOOST_TEST(r.converged);
    return r.iterations;
  };
  const int plain = solve(nullptr);
  const int tikhonov = solve(kfac_preconditioner(a, g, {.damping = lambda, .rule = KfacDamping::factored_tikhonov}));
  const int each = solve(kfac_preconditioner(a, g, {.damping = lambda}));
  BOOST_TEST_MESSAGE("K-FAC on A (x) G + 1e-4 I: CG iterations " << plain << " without, " << tikhonov
                     << " with factored Tikhonov damping, " << each << " with lambda added to each factor");
  BOOST_TEST(5 * tikhonov <= 2 * plain);
  BOOST_TEST(each > plain);
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected) {
  const DenseMatrix spd{{2.0, 1.0}, {1.0, 2.0}};
  BOOST_CHECK_THROW(kfac_preconditioner(DenseMatrix(2, 3), spd), ShapeError);
  BOOST_CHECK_THROW(kfac_preconditioner(spd, DenseMatrix()), ShapeError);
  BOOST_CHECK_THROW(kfac_preconditioner(DenseMatrix{{2.0, 1.0}, {0.0, 2.0}}, spd), ArgumentError);
  BOOST_CHECK_THROW(kfac_preconditioner(spd, spd, {.damping = -1e-3}), ArgumentError);
  BOOST_CHECK_THROW(kfac_preconditioner(spd, spd, {.damping = std::nan("")}), NonFiniteError);
  BOOST_CHECK_THROW(kfac_preconditioner(DenseMatrix{{2.0, std::nan("")}, {std::nan(""), 2.0}}, spd),
                    NonFiniteError);
  BOOST_CHECK_THROW(
      kfac_preconditioner(spd, DenseMatrix(2, 2, 0.0), {.damping = 1.0, .rule = KfacDamping::factored_tikhonov}),
      ArgumentError);

  // A singular factor is accepted once damped, and named when the damping does not suffice.
  const DenseMatrix singular{{1.0, 1.0}, {1.0, 1.0}};
  BOOST_CHECK_NO_THROW(kfac_preconditioner(spd, singular, {.damping = 1e-8}));
  try {
    kfac_preconditioner(spd, singular);
    BOOST_FAIL("a singular G with no damping was accepted");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("G + 0 I is not positive definite") != std::string::npos);
  }
  try {
    kfac_preconditioner(DenseMatrix{{1.0, 0.0}, {0.0, -1.0}}, spd, {.damping = 0.5});
    BOOST_FAIL("an indefinite A was accepted");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("A + 0.5 I is not positive definite") != std::string::npos);
  }

  // A preconditioner of the wrong size is caught by the product and by the solver.
  const auto m = kfac_preconditioner(spd, spd, {.damping = 0.1});
  Vector y(4);
  BOOST_CHECK_THROW(m->apply(Vector(3), y), ShapeError);
  const auto a = dense_operator(DenseMatrix::identity(5), {.symmetric = true, .positive_definite = true});
  BOOST_CHECK_THROW(cg(a, Vector(5, 1.0), {.preconditioner = m}), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
