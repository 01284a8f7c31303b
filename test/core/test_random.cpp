#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "frechet/core/random.hpp"

using namespace frechet;

BOOST_AUTO_TEST_SUITE(random_source)

BOOST_AUTO_TEST_CASE(same_seed_same_numbers) {
  Random a(42), b(42), c(43);
  const Vector xa = a.gaussian_vector(100), xb = b.gaussian_vector(100), xc = c.gaussian_vector(100);
  BOOST_TEST(xa == xb, boost::test_tools::per_element());
  BOOST_TEST(xa != xc);
}

BOOST_AUTO_TEST_CASE(gaussian_moments) {
  Random rng(1);
  const std::size_t n = 200000;
  double m1 = 0, m2 = 0, m4 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = rng.gaussian();
    m1 += g;
    m2 += g * g;
    m4 += g * g * g * g;
  }
  m1 /= n, m2 /= n, m4 /= n;
  // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for the variance.
  BOOST_TEST(std::abs(m1) < 0.01);
  BOOST_TEST(std::abs(m2 - 1.0) < 0.015);
  BOOST_TEST(std::abs(m4 - 3.0) < 0.08);
}

BOOST_AUTO_TEST_CASE(rademacher_signs_are_balanced) {
  Random rng(5);
  Vector x(100001);
  rng.fill_rademacher(x);
  double s = 0;
  for (double v : x) {
    BOOST_TEST((v == 1.0 || v == -1.0));
    s += v;
  }
  BOOST_TEST(std::abs(s) < 5 * std::sqrt(100001.0));
}

BOOST_AUTO_TEST_CASE(uniform_range_and_mean) {
  Random rng(9);
  Vector x(100000);
  rng.fill_uniform(x, -2.0, 3.0);
  double s = 0;
  for (double v : x) {
    BOOST_TEST((v >= -2.0 && v < 3.0));
    s += v;
  }
  BOOST_TEST(std::abs(s / x.size() - 0.5) < 0.03);
}

// Random::discard(d) leaves the generator where d draws leave it, on both sides of the count where
// it changes from stepping to the jump polynomial, and keeps a held-over Gaussian.
BOOST_AUTO_TEST_CASE(random_discard_equals_draws) {
  for (const std::uint64_t count : {0ULL, 1ULL, 4095ULL, 4096ULL, 100003ULL, (1ULL << 22) + 5}) {
    Random jumped(17), drawn(17);
    const double held = jumped.gaussian();
    BOOST_TEST(drawn.gaussian() == held);
    jumped.discard(count);
    for (std::uint64_t k = 0; k < count; ++k) drawn.next_u64();
    BOOST_TEST(jumped.gaussian() == drawn.gaussian());  // the held-over half of the pair
    BOOST_TEST(jumped.next_u64() == drawn.next_u64());
  }
}

BOOST_AUTO_TEST_SUITE_END()
