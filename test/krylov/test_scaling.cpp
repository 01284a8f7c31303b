// Every solver at the extremes of the double range: the recurrences run on a residual normalised by
// a power of two, so that b of norm 1e-170 (whose square underflows) or 1e160 (whose square
// overflows) is solved as well as b of norm 1, with the same iterations.

#include <boost/test/unit_test.hpp>

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

Vector scaled_copy(ConstVectorView v, double s) {
  Vector out(v.begin(), v.end());
  scale(s, out);
  return out;
}

// max_i |x_i - s y_i| / (s max_i |y_i|): the solution of A x = s b against s times that of A y = b.
double relative_difference(ConstVectorView x, ConstVectorView y, double s) {
  double diff = 0.0, size = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, std::abs(x[i] - s * y[i]));
    size = std::max(size, std::abs(s * y[i]));
  }
  return diff / size;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scaling)

// The cases of the hostile-input probe: 2 I with b about 1e-170 made CG report `indefinite` and
// BiCGSTAB `breakdown`, MINRES `converged` with x = 0; b about 1e160 gave `non_finite`.
BOOST_AUTO_TEST_CASE(two_times_identity_at_extreme_scales) {
  const OperatorPtr a = scaled(identity_operator(5), 2.0);
  for (const double s : {1e-170, 1e-200, 1e-300, 1e160, 1e200, 1e300}) {
    const Vector b = scaled_copy(Vector{1, -2, 3, 0.5, 4}, s);
    for (const Method m : all_methods) {
      BOOST_TEST_CONTEXT(method_name(m) << ", scale " << s) {
        const SolveResult r = solve(m, *a, b, {});
        BOOST_TEST(r.converged);
        BOOST_TEST(r.reason == Reason::converged);
        BOOST_TEST(relative_difference(r.x, Vector{0.5, -1, 1.5, 0.25, 2}, s) <= 1e-12);
      }
    }
  }
}

// On a 2-D Laplacian, with and without a preconditioner, the solution of A x = s b is s times the
// solution for s = 1. For s a power of two the iterations see exactly scaled numbers (up to the
// rounding of the BLAS norm, whose own internal scaling is not a power of two), so the two agree to
// a few units of rounding, in the same iterations; for other s they agree to the tolerance, and a
// test that lands on the tolerance may take one iteration more or less.
BOOST_AUTO_TEST_CASE(laplacian_solutions_scale_with_b) {
  const CsrMatrix l = laplacian_2d(8, 8);
  const OperatorPtr a = sparse_operator(l);
  Random rng(7);
  Vector b(l.rows());
  for (double& v : b) v = rng.gaussian();
  for (const bool preconditioned : {false, true}) {
    for (const Method m : all_methods) {
      CommonOptions o{.rtol = 1e-10};
      if (preconditioned) o.preconditioner = jacobi_inverse(l.diagonal());
      const SolveResult unit = solve(m, *a, b, o);
      BOOST_REQUIRE(unit.converged);
      for (const double s : {0x1p-560, 0x1p-1000, 0x1p530, 0x1p1000, 3e-170, 7e160}) {
        BOOST_TEST_CONTEXT(method_name(m) << (preconditioned ? " with Jacobi" : "") << ", scale " << s) {
          const Vector sb = scaled_copy(b, s);
          const SolveResult r = solve(m, *a, sb, o);
          BOOST_TEST(r.converged);
          BOOST_TEST(r.residual_norm <= 1e-10 * norm2(sb));
          if (std::ilogb(s) == std::logb(s) && std::scalbn(1.0, std::ilogb(s)) == s) {
            BOOST_TEST(r.iterations == unit.iterations);
            BOOST_TEST(relative_difference(r.x, unit.x, s) <= 1e-13);
          } else {
            BOOST_TEST(std::abs(r.iterations - unit.iterations) <= 1);
            BOOST_TEST(relative_difference(r.x, unit.x, s) <= 1e-8);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
