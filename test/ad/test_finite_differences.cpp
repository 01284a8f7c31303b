// The finite-difference helpers: against closed forms and the AD layer, the order of their error,
// and their argument checks.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "ad_test_support.hpp"
#include "frechet/ad/finite_differences.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {
// f(x) = sum_i log(1 + exp(a_i . x)): grad A^T sigmoid(A x), Hessian A^T diag(s (1 - s)) A.
const DenseMatrix a_matrix{{1.0, -0.5}, {0.3, 0.8}, {-1.2, 0.4}};
const auto softplus_sum = [](const auto& x) { return frechet::sum(frechet::softplus(frechet::matvec(a_matrix, x))); };
}  // namespace

BOOST_AUTO_TEST_SUITE(finite_differences)

BOOST_AUTO_TEST_CASE(gradient_jacobian_hvp_and_hessian_against_closed_forms_and_ad) {
  const Vector x{0.2, -0.7}, v{0.6, -0.1};
  const Vector s = frechet::sigmoid(matvec(a_matrix, x));
  const Vector exact_gradient = matvec_transpose(a_matrix, s);
  DenseMatrix exact_hessian(2, 2);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t p = 0; p < 2; ++p)
      for (std::size_t q = 0; q < 2; ++q) exact_hessian(p, q) += a_matrix(i, p) * s[i] * (1 - s[i]) * a_matrix(i, q);
  BOOST_TEST(relative_error(finite_difference_gradient(softplus_sum, x), exact_gradient) < 1e-9);
  const auto gradient = [](const Vector& z) { return matvec_transpose(a_matrix, frechet::sigmoid(matvec(a_matrix, z))); };
  BOOST_TEST(relative_error(finite_difference_hvp(gradient, x, v), matvec(exact_hessian, v)) < 1e-9);
  BOOST_TEST(relative_error(finite_difference_hvp(gradient, x, v), hvp(softplus_sum, x, v)) < 1e-9);
  const DenseMatrix h = finite_difference_hessian(softplus_sum, x);
  BOOST_TEST(relative_distance(h, exact_hessian) < 1e-5);
  BOOST_TEST(h(0, 1) == h(1, 0));
  // The HVP from a finite-difference gradient, as when only f is available.
  const auto fd_gradient = [](const Vector& z) { return finite_difference_gradient(softplus_sum, z, 1e-4); };
  BOOST_TEST(relative_error(finite_difference_hvp(fd_gradient, x, v, 1e-4), matvec(exact_hessian, v)) < 1e-6);
  // A vector-valued f: the Jacobian against the AD layer's, and a scalar f as a 1 x n Jacobian.
  const auto f = [](const auto& z) { return frechet::softmax(frechet::matvec(a_matrix, z)); };
  BOOST_TEST(relative_distance(finite_difference_jacobian(f, x), jacobian(f, x)) < 1e-9);
  const DenseMatrix row = finite_difference_jacobian(softplus_sum, x);
  BOOST_TEST(row.rows() == 1u);
  BOOST_TEST(relative_error(row.values(), exact_gradient) < 1e-9);
}

BOOST_AUTO_TEST_CASE(errors_are_second_order_in_the_step) {
  // f = exp(2 x_0) + x_0 x_1^3 at (0.5, 1): large third derivatives, so truncation dominates for h
  // around 1e-2 and halving h divides the error by about 4.
  const auto f = [](const auto& z) { return std::exp(2 * z[0]) + z[0] * z[1] * z[1] * z[1]; };
  const Vector x{0.5, 1.0};
  const Vector g{2 * std::exp(1.0) + 1.0, 1.5};
  const DenseMatrix h{{4 * std::exp(1.0), 3.0}, {3.0, 3.0}};
  auto gradient_error = [&](double step) { return relative_error(finite_difference_gradient(f, x, step), g); };
  auto hessian_error = [&](double step) { return relative_distance(finite_difference_hessian(f, x, step), h); };
  BOOST_TEST(gradient_error(1e-2) / gradient_error(5e-3) == 4.0, boost::test_tools::tolerance(0.05));
  BOOST_TEST(hessian_error(1e-2) / hessian_error(5e-3) == 4.0, boost::test_tools::tolerance(0.05));
  // The default steps reach the accuracy their rule promises.
  BOOST_TEST(gradient_error(1e-6) < 1e-8);
  BOOST_TEST(hessian_error(1e-5) < 1e-5);
}

BOOST_AUTO_TEST_CASE(bad_steps_and_shapes_throw) {
  const Vector x{1.0, 2.0};
  BOOST_CHECK_THROW(finite_difference_gradient(softplus_sum, x, 0.0), ArgumentError);
  BOOST_CHECK_THROW(finite_difference_hessian(softplus_sum, x, -1e-5), ArgumentError);
  BOOST_CHECK_THROW(finite_difference_jacobian(softplus_sum, x, std::nan("")), ArgumentError);
  const auto gradient = [](const Vector& z) { return z; };
  BOOST_CHECK_THROW(finite_difference_hvp(gradient, x, Vector{1.0}), ShapeError);
  BOOST_CHECK_THROW(finite_difference_hvp([](const Vector&) { return Vector{1.0}; }, x, x), ShapeError);
  // An output whose size changes with x.
  BOOST_CHECK_THROW(finite_difference_jacobian([](const Vector& z) { return z[0] > 1.0 ? Vector{1.0} : Vector{1.0, 2.0}; }, x),
                    ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
