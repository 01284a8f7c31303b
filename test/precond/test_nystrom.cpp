#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/ad/ops.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/nystrom.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

const OperatorTraits psd_traits{.symmetric = true, .positive_semidefinite = true};

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

// n x k with orthonormal columns, spanning a random subspace.
DenseMatrix random_orthonormal(std::size_t n, std::size_t k, Random& rng) {
  const DenseMatrix g = random_dense(n, n, rng);
  const DenseMatrix v = symmetric_eigen(add(g, g.transposed())).vectors;
  DenseMatrix q(n, k);
  for (std::size_t j = 0; j < k; ++j) copy(v.col(j), q.col(j));
  return q;
}

// Q diag(d) Q^T for Q with orthonormal columns: symmetric with eigenvalues d (and 0).
DenseMatrix with_spectrum(const DenseMatrix& q, const Vector& d) {
  DenseMatrix qd = q;
  for (std::size_t j = 0; j < q.cols(); ++j) scale(d[j], qd.col(j));
  return matmul(qd, q, Transpose::no, Transpose::yes);
}

// 1 / k^2, k = 1..n: the decaying spectrum of the tests.
Vector inverse_squares(std::size_t n) {
  Vector d(n);
  for (std::size_t k = 0; k < n; ++k) d[k] = 1.0 / static_cast<double>((k + 1) * (k + 1));
  return d;
}

DenseMatrix shifted_matrix(DenseMatrix a, double sigma) {
  for (std::size_t i = 0; i < a.rows(); ++i) a(i, i) += sigma;
  return a;
}

// The condition number of P^{-1} (A + mu I) (similar to a symmetric positive definite matrix).
double preconditioned_condition(const LinearOperator& p_inverse, const DenseMatrix& a_mu) {
  const DenseMatrix l = CholeskyFactorization(dense_of(p_inverse)).lower();
  const Vector e = symmetric_eigen(matmul(l, matmul(a_mu, l), Transpose::yes)).values;
  return e.back() / e.front();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nystrom)

BOOST_AUTO_TEST_CASE(is_exact_for_a_matrix_of_rank_ell) {
  // A of rank 6 is recovered exactly by a rank-6 sketch: A_nys = A, and P^{-1} is the formula built
  // from A's own eigenpairs.
  Random rng(21);
  const std::size_t n = 40;
  const Vector d{5.0, 3.0, 2.0, 1.0, 0.5, 0.25};
  const DenseMatrix q = random_orthonormal(n, d.size(), rng);
  const auto a = dense_operator(with_spectrum(q, d), psd_traits);
  const double mu = 0.1;
  const auto p = nystrom_preconditioner(a, {.shift = mu, .rank = 6, .seed = 3});
  BOOST_TEST(p->rank() == 6u);
  BOOST_TEST(p->operator_products() == 6);
  BOOST_TEST(p->shift() == mu);
  BOOST_TEST(!p->error_estimate().has_value());
  BOOST_TEST(relative_error(p->eigenvalues(), d) <= 1e-12);

  Vector c(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) c[i] = (d.back() + mu) / (d[i] + mu);
  const DenseMatrix reference =
      add(add(with_spectrum(q, c), DenseMatrix::identity(n)), with_spectrum(q, Vector(d.size(), -1.0)));
  check_operator_matches(*p, reference, 1e-11);
}

BOOST_AUTO_TEST_CASE(a_sketch_larger_than_the_rank_gives_mu_times_the_inverse) {
  // With ell > rank(A), lambda_ell = 0 and P^{-1} = mu U (Lambda + mu I)^{-1} U^T + (I - U U^T) is
  // mu (A + mu I)^{-1}: a reference that owes nothing to the construction.
  Random rng(22);
  const std::size_t n = 30;
  const Vector d{4.0, 2.0, 1.0, 0.5};
  const DenseMatrix dense = with_spectrum(random_orthonormal(n, d.size(), rng), d);
  const double mu = 0.01;
  const auto p = nystrom_preconditioner(dense_operator(dense, psd_traits), {.shift = mu, .rank = 9});
  DenseMatrix reference = CholeskyFactorization(shifted_matrix(dense, mu)).solve(DenseMatrix::identity(n));
  for (double& v : reference.values()) v *= mu;
  check_operator_matches(*p, reference, 1e-10);
}

BOOST_AUTO_TEST_CASE(is_symmetric_positive_definite) {
  Random rng(23);
  const std::size_t n = 60;
  const DenseMatrix dense = with_spectrum(random_orthonormal(n, n, rng), inverse_squares(n));
  const auto p = nystrom_preconditioner(dense_operator(dense, psd_traits), {.shift = 1e-3, .rank = 12});
  BOOST_TEST(p->is_symmetric());
  BOOST_TEST(p->is_positive_definite());
  const DenseMatrix m = dense_of(*p);
  BOOST_TEST(relative_distance(m, m.transposed()) <= 1e-14);
  const Vector e = symmetric_eigen(m).values;
  // The eigenvalues are (lambda_ell + mu) / (lambda_i + mu) in (0, 1] and 1.
  BOOST_TEST(e.front() > 0.0);
  BOOST_TEST(e.back() <= 1.0 + 1e-12);
  BOOST_TEST(std::abs(e.front() - (p->eigenvalues().back() + 1e-3) / (p->eigenvalues().front() + 1e-3)) <= 1e-12);
}

BOOST_AUTO_TEST_CASE(cg_on_a_decaying_spectrum_needs_far_fewer_iterations) {
  // A = Q diag(1/k^2) Q^T, n = 500, mu = 1e-4: kappa(A + mu I) is about 1e4 and the effective
  // dimension sum_k lambda_k / (lambda_k + mu) about 150. The rank-150 Nyström preconditioner cuts
  // the CG iterations from 137 to 15 (9.1 times; asserted: 8). Its approximation error is about 7
  // times the best rank-150 error lambda_151 (1/k^2 decays slowly: the tail sum_{j > ell} lambda_j
  // is what a sketch without power iterations pays for) and below the paper's expectation bound.
  Random rng(24);
  const std::size_t n = 500, ell = 150;
  const double mu = 1e-4;
  const Vector d = inverse_squares(n);
  const DenseMatrix q = random_orthonormal(n, n, rng);
  const DenseMatrix dense = with_spectrum(q, d);
  const auto a = dense_operator(dense, psd_traits);
  const auto a_mu = shifted(a, mu);
  const auto p = nystrom_preconditioner(a, {.shift = mu, .rank = ell, .seed = 5});
  BOOST_TEST(p->operator_products() == static_cast<int>(ell));

  const Vector b = rng.gaussian_vector(n);
  const SolveResult plain = cg(a_mu, b, {.rtol = 1e-10, .max_iterations = 5000});
  const SolveResult preconditioned = cg(a_mu, b, {.rtol = 1e-10, .max_iterations = 5000, .preconditioner = p});
  BOOST_TEST(plain.converged);
  BOOST_TEST(preconditioned.converged);
  BOOST_TEST_MESSAGE("Nyström, 1/k^2 spectrum, n = 500, mu = 1e-4, rank 150: CG iterations "
                     << plain.iterations << " without, " << preconditioned.iterations << " with");
  BOOST_TEST(8 * preconditioned.iterations <= plain.iterations);

  // ||A - A_nys||_2 against the best rank-ell error lambda_{ell+1} and the expectation bound
  //   min over 2 <= r <= ell - 2 of (1 + 2(ell - r)/(r - 1)) lambda_{ell-r+1}
  //                                 + 2 e^2 ell / (r^2 - 1) sum_{j > ell-r} lambda_j.
  DenseMatrix residual = dense;
  const DenseMatrix nys = with_spectrum(p->eigenvectors(), p->eigenvalues());
  for (std::size_t i = 0; i < residual.size(); ++i) residual.data()[i] -= nys.data()[i];
  const Vector e = symmetric_eigen(residual).values;
  const double measured = std::max(e.back(), -e.front());
  BOOST_TEST(e.front() >= -1e-12);  // A_nys <= A
  double bound = std::numeric_limits<double>::infinity();
  for (std::size_t r = 2; r + 2 <= ell; ++r) {
    double tail = 0.0;
    for (std::size_t j = ell - r; j < n; ++j) tail += d[j];  // lambda_j for j > ell - r (1-based)
    const double term = (1.0 + 2.0 * static_cast<double>(ell - r) / static_cast<double>(r - 1)) * d[ell - r] +
                        2.0 * std::exp(2.0) * static_cast<double>(ell) / static_cast<double>(r * r - 1) * tail;
    bound = std::min(bound, term);
  }
  const double best = d[ell];  // lambda_{ell+1}
  BOOST_TEST_MESSAGE("||A - A_nys|| = " << measured << ", best rank-150 error " << best << " (ratio "
                                       << measured / best << "), expectation bound " << bound);
  BOOST_TEST(measured <= bound);
  BOOST_TEST(measured <= 10.0 * best);
}

BOOST_AUTO_TEST_CASE(adaptive_rank_reaches_its_condition_target) {
  Random rng(25);
  const std::size_t n = 500;
  const double mu = 1e-4;
  const DenseMatrix dense = with_spectrum(random_orthonormal(n, n, rng), inverse_squares(n));
  const auto a = dense_operator(dense, psd_traits);
  const auto p = nystrom_preconditioner(a, {.shift = mu, .seed = 9});
  BOOST_REQUIRE(p->reached_target().has_value());
  BOOST_TEST(*p->reached_target());
  // Ranks 10, 20, 40, ...: ell products for the sketch and ten per round for the error estimate.
  std::size_t rounds = 1;
  for (std::size_t ell = 10; ell < p->rank(); ell *= 2) ++rounds;
  BOOST_TEST(p->rank() == 10u << (rounds - 1));
  BOOST_TEST(p->operator_products() == static_cast<int>(p->rank() + 10 * rounds));
  const double bound = (p->eigenvalues().back() + mu + *p->error_estimate()) / mu;
  BOOST_TEST(bound <= 10.0);
  const double kappa = preconditioned_condition(*p, shifted_matrix(dense, mu));
  BOOST_TEST_MESSAGE("adaptive Nyström: rank " << p->rank() << ", " << p->operator_products()
                     << " products, estimated bound " << bound << ", kappa(P^-1 (A + mu I)) " << kappa);
  BOOST_TEST(kappa <= 20.0);

  // A max_rank too small for the target: the preconditioner is still built, and says so.
  const auto capped = nystrom_preconditioner(a, {.shift = mu, .max_rank = 15});
  BOOST_TEST(capped->rank() == 15u);
  BOOST_TEST(!*capped->reached_target());
  BOOST_TEST(capped->operator_products() == 15 + 20);
}

BOOST_AUTO_TEST_CASE(works_matrix_free_on_a_gauss_newton_operator) {
  // The Gauss-Newton matrix J^T J of a least-squares fit of tanh(X w) to targets, with the columns
  // of X scaled by 1/j: its spectrum decays like 1/j^2. Only products with the operator are used.
  Random rng(26);
  const std::size_t m = 300, n = 80;
  DenseMatrix x = random_dense(m, n, rng);
  for (std::size_t j = 0; j < n; ++j) scale(1.0 / static_cast<double>(j + 1), x.col(j));
  const Vector w = rng.gaussian_vector(n), target = rng.gaussian_vector(m);
  const auto f = [x](const auto& v) { return frechet::tanh(frechet::matvec(x, v)); };
  const auto loss = [target](const auto& z) { return 0.5 * frechet::sum(frechet::square(z - target)); };
  const auto g = gauss_newton_operator(f, loss, w);
  const double mu = 1e-3;
  const auto p = nystrom_preconditioner(g, {.shift = mu, .rank = 20, .seed = 1});
  BOOST_TEST(p->operator_products() == 20);

  const auto g_mu = shifted(g, mu);
  const Vector b = rng.gaussian_vector(n);
  const SolveResult plain = cg(g_mu, b, {.rtol = 1e-10, .max_iterations = 2000});
  const SolveResult preconditioned = cg(g_mu, b, {.rtol = 1e-10, .max_iterations = 2000, .preconditioner = p});
  BOOST_TEST(plain.converged);
  BOOST_TEST(preconditioned.converged);
  BOOST_TEST_MESSAGE("Nyström on a Gauss-Newton operator (n = 80, mu = 1e-3, rank 20): CG iterations "
                     << plain.iterations << " without, " << preconditioned.iterations << " with");
  BOOST_TEST(2 * preconditioned.iterations <= plain.iterations);
  BOOST_TEST(relative_error(preconditioned.x, plain.x) <= 1e-7);
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected) {
  const auto spd = dense_operator(DenseMatrix{{2.0, 1.0}, {1.0, 2.0}}, psd_traits);
  BOOST_CHECK_THROW(nystrom_preconditioner(OperatorPtr{}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(dense_operator(DenseMatrix(2, 3), psd_traits), {.rank = 1}), ShapeError);
  BOOST_CHECK_THROW(nystrom_preconditioner(dense_operator(DenseMatrix{{2.0, 1.0}, {1.0, 2.0}}), {.rank = 1}),
                    ArgumentError);  // not declared positive semidefinite
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = -1.0, .rank = 1}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = std::nan(""), .rank = 1}), NonFiniteError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.rank = 0}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.rank = 3}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = 1.0, .rank = 1, .max_rank = 2}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = 1.0, .rank = 1, .target_condition = 5.0}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd), ArgumentError);  // adaptive with mu = 0
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = 1.0, .max_rank = 3}), ArgumentError);
  BOOST_CHECK_THROW(nystrom_preconditioner(spd, {.shift = 1.0, .target_condition = 1.0}), ArgumentError);

  // An operator declared positive semidefinite that is not: Omega^T A Omega fails its Cholesky.
  const auto negative = dense_operator(DenseMatrix{{-1.0, 0.0}, {0.0, -2.0}}, psd_traits);
  BOOST_CHECK_THROW(nystrom_preconditioner(negative, {.shift = 1.0, .rank = 2}), NumericalError);
  // Rank above rank(A) with mu = 0: lambda_ell is 0 up to rounding, the preconditioner singular.
  const auto rank_one = dense_operator(DenseMatrix{{1.0, 1.0}, {1.0, 1.0}}, psd_traits);
  BOOST_CHECK_THROW(nystrom_preconditioner(rank_one, {.rank = 2}), NumericalError);
  // A product that is not finite.
  const auto infinite = dense_operator(DenseMatrix{{INFINITY, 0.0}, {0.0, 1.0}}, psd_traits);
  BOOST_CHECK_THROW(nystrom_preconditioner(infinite, {.rank = 1}), NonFiniteError);

  // A preconditioner of the wrong size is caught by the product and by the solver.
  const auto p = nystrom_preconditioner(spd, {.shift = 0.1, .rank = 1});
  Vector y(2);
  BOOST_CHECK_THROW(p->apply(Vector(3), y), ShapeError);
  const auto identity = dense_operator(DenseMatrix::identity(3), {.symmetric = true, .positive_definite = true});
  BOOST_CHECK_THROW(cg(identity, Vector(3, 1.0), {.preconditioner = p}), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
