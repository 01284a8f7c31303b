// The affine coupling layer of the demo apps (apps/demo/affine_coupling.hpp), built from the
// library's primitives: its Jacobian is block lower-triangular and log|det J| = sum s(x1).
#define BOOST_TEST_MODULE frechet demo models
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "affine_coupling.hpp"
#include "test_support.hpp"

using namespace frechet;

BOOST_AUTO_TEST_SUITE(affine_coupling_layer)

BOOST_AUTO_TEST_CASE(coupling_layer_log_determinant_is_sum_of_s) {
  // A 4-dimensional layer with linear s(x1) = W_s x1 and t(x1) = W_t x1, checkable by hand.
  const DenseMatrix ws{{0.5, -0.2}, {0.3, 0.1}}, wt{{0.1, 0.0}, {0.0, -0.2}};
  const auto s = [&](const auto& x1) { return frechet::matvec(ws, x1); };
  const auto t = [&](const auto& x1) { return frechet::matvec(wt, x1); };
  const auto layer = [&](const auto& x) { return demo::affine_coupling(x, 2, s, t).y; };
  const Vector x{1.0, 0.5, -0.3, 2.0};
  const DenseMatrix j = jacobian(layer, x);
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 2; c < 4; ++c) BOOST_TEST(j(r, c) == 0.0);  // block lower-triangular
  const double log_det = demo::affine_coupling(x, 2, s, t).log_det;
  BOOST_TEST(std::abs(LuFactorization(j).log_abs_determinant() - log_det) <= 1e-14);
  BOOST_TEST(std::abs(log_det - (0.5 * 1.0 - 0.2 * 0.5 + 0.3 * 1.0 + 0.1 * 0.5)) <= 1e-15);

  // A larger layer with nonlinear s and t, and the gradient of the log-det.
  Random rng(4);
  const std::size_t d = 12, k = 5;
  const DenseMatrix a = testing::random_dense(d - k, k, rng), b = testing::random_dense(d - k, k, rng);
  const auto s2 = [&](const auto& x1) { return frechet::tanh(frechet::matvec(a, x1)); };
  const auto t2 = [&](const auto& x1) { return frechet::sin(frechet::matvec(b, x1)); };
  const Vector x2 = rng.gaussian_vector(d);
  const DenseMatrix j2 = jacobian([&](const auto& z) { return demo::affine_coupling(z, k, s2, t2).y; }, x2);
  const auto logdet = [&](const auto& z) { return demo::affine_coupling(z, k, s2, t2).log_det; };
  BOOST_TEST(std::abs(LuFactorization(j2).log_abs_determinant() - logdet(x2)) <= 1e-13);
  BOOST_TEST(check_gradient(logdet, x2).passed);
}

BOOST_AUTO_TEST_CASE(a_split_beyond_x_is_a_shape_error) {
  const auto id = [](const auto& x1) { return x1; };
  BOOST_CHECK_THROW(demo::affine_coupling(Vector{1.0, 2.0}, 3, id, id), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
