// Scalar roots: closed forms, Boost.Math called directly, and every way a call can end.
#include <boost/math/tools/toms748_solve.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();

}  // namespace

BOOST_AUTO_TEST_SUITE(scalar_roots)

BOOST_AUTO_TEST_CASE(closed_forms_by_every_method) {
  const auto square_minus_two = [](const auto& x) { return x * x - 2.0; };
  // The Dottie number, the fixed point of cos (OEIS A003957).
  const auto cos_minus_x = [](const auto& x) { using std::cos; return cos(x) - x; };
  const double dottie = 0.73908513321516064166;
  for (const auto method : {BracketMethod::toms748, BracketMethod::bisection}) {
    const ScalarRootResult a = bracket_root(square_minus_two, 0.0, 2.0, {.method = method});
    BOOST_TEST(a.converged);
    BOOST_TEST(a.reason == Reason::converged);
    BOOST_TEST(std::abs(a.root - std::sqrt(2.0)) <= 8 * eps);
    BOOST_TEST((a.lower <= a.root && a.root <= a.upper));
    BOOST_TEST(a.upper - a.lower <= 4 * eps * a.lower + 1e-300);
    BOOST_TEST(a.value == a.root * a.root - 2.0);
    BOOST_TEST(a.function_evaluations == a.iterations + 2);
    const ScalarRootResult b = bracket_root(cos_minus_x, 0.0, 1.0, {.method = method});
    BOOST_TEST(b.converged);
    BOOST_TEST(std::abs(b.root - dottie) <= 4 * eps);
  }
  const ScalarRootResult n = newton_root(square_minus_two, 0.0, 2.0);
  BOOST_TEST(n.converged);
  BOOST_TEST(std::abs(n.root - std::sqrt(2.0)) <= 4 * eps);
  const ScalarRootResult d = newton_root(cos_minus_x, 0.0, 1.0);
  BOOST_TEST(d.converged);
  BOOST_TEST(std::abs(d.root - dottie) <= 4 * eps);
  // Newton converges quadratically, TOMS 748 superlinearly; bisection gains one bit per evaluation.
  const ScalarRootResult s = bracket_root(cos_minus_x, 0.0, 1.0, {.method = BracketMethod::bisection});
  const ScalarRootResult t = bracket_root(cos_minus_x, 0.0, 1.0);
  BOOST_TEST(d.iterations <= 7);
  BOOST_TEST(t.iterations <= 12);
  BOOST_TEST(s.iterations >= 50);
}

BOOST_AUTO_TEST_CASE(newton_stops_on_a_correction_below_the_tolerance) {
  // Near the root of x^3 - 2x - 5, x_6 becomes the bracket's upper end and its Newton correction
  // (about 1e-16) rounds back onto it: the correction, not bisection of the last bracket, ends the run.
  const ScalarRootResult r = newton_root([](const auto& x) { return x * x * x - 2.0 * x - 5.0; }, 2.0, 3.0);
  BOOST_TEST(r.converged);
  BOOST_TEST(std::abs(r.value) <= 1e-14);
  BOOST_TEST(r.iterations <= 7);
}

BOOST_AUTO_TEST_CASE(toms748_agrees_with_boost_called_directly) {
  // Kepler's equation E - e sin E = M, e = 0.9 (a hard, flat case near E = 0).
  const auto kepler = [](double e) { return e - 0.9 * std::sin(e) - 0.1; };
  std::uintmax_t limit = 100;
  const auto [a, b] = boost::math::tools::toms748_solve(kepler, 0.0, 3.0, boost::math::tools::eps_tolerance<double>(50), limit);
  const ScalarRootResult r = bracket_root(kepler, 0.0, 3.0, {.rtol = std::ldexp(1.0, 1 - 50)});
  BOOST_TEST(r.converged);
  BOOST_TEST(std::abs(r.root - 0.5 * (a + b)) <= 1e-14);
  BOOST_TEST(r.iterations == static_cast<int>(limit) - 2);  // the same sequence of evaluations
  const ScalarRootResult n = newton_root([](const auto& e) { using std::sin; return e - 0.9 * sin(e) - 0.1; }, 0.0, 3.0);
  BOOST_TEST(n.converged);
  BOOST_TEST(std::abs(n.root - r.root) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(newton_safeguards) {
  // f'(x0) = 0: the first step is bisection.
  const ScalarRootResult a = newton_root([](const auto& x) { return x * x - 1.0; }, -0.5, 3.0, {.x0 = 0.0});
  BOOST_TEST(a.converged);
  BOOST_TEST(std::abs(a.root - 1.0) <= 4 * eps);
  // atan: Newton from x0 = 5 jumps far outside the bracket (x1 ~ -32); bisection takes over until
  // Newton's basin is reached. The root is 0, reached through atol.
  const ScalarRootResult b = newton_root([](const auto& x) { using std::atan; return atan(x); }, -10.0, 20.0,
                                         {.atol = 1e-15, .x0 = 5.0});
  BOOST_TEST(b.converged);
  BOOST_TEST(std::abs(b.root) <= 1e-15);
  BOOST_TEST((b.lower <= 0.0 && 0.0 <= b.upper));
  // A root at an end of the bracket is returned at once.
  const ScalarRootResult c = newton_root([](const auto& x) { return x - 1.0; }, 1.0, 2.0);
  BOOST_TEST(c.converged);
  BOOST_TEST(c.root == 1.0);
  BOOST_TEST(c.iterations == 0);
}

BOOST_AUTO_TEST_CASE(f_tolerance_and_monitor) {
  int calls = 0;
  double last = -1;
  const ScalarRootResult r = bracket_root([](double x) { return std::exp(x) - 2.0; }, 0.0, 1.0,
                                          {.f_atol = 1e-6, .monitor = [&](int k, double f) {
                                             BOOST_TEST(k == calls);
                                             ++calls;
                                             last = f;
                                           }});
  BOOST_TEST(r.converged);
  BOOST_TEST(std::abs(r.value) <= 1e-6);
  BOOST_TEST(calls == r.iterations + 1);
  BOOST_TEST(last >= 0.0);
  const ScalarRootResult tight = bracket_root([](double x) { return std::exp(x) - 2.0; }, 0.0, 1.0);
  BOOST_TEST(tight.iterations >= r.iterations);
}

BOOST_AUTO_TEST_CASE(an_exhausted_limit_is_reported) {
  const auto f = [](const auto& x) { using std::cos; return cos(x) - x; };
  for (const auto method : {BracketMethod::toms748, BracketMethod::bisection}) {
    const ScalarRootResult r = bracket_root(f, 0.0, 1.0, {.max_iterations = 3, .method = method});
    BOOST_TEST(!r.converged);
    BOOST_TEST(r.reason == Reason::max_iterations);
    BOOST_TEST(r.iterations == 3);
    BOOST_TEST((r.lower <= 0.7390851332151607 && 0.7390851332151607 <= r.upper));
    const ScalarRootResult z = bracket_root(f, 0.0, 1.0, {.max_iterations = 0, .method = method});
    BOOST_TEST(z.reason == Reason::max_iterations);
    BOOST_TEST(z.iterations == 0);
    BOOST_TEST(z.root == 1.0);  // |cos 1 - 1| < |cos 0 - 0|
  }
  const ScalarRootResult n = newton_root(f, 0.0, 1.0, {.max_iterations = 2});
  BOOST_TEST(n.reason == Reason::max_iterations);
  BOOST_TEST(n.iterations == 2);
}

BOOST_AUTO_TEST_CASE(nan_inside_the_bracket_is_a_reason) {
  // NaN on (0.3, 0.6): every method's first interior point lands there (secant and midpoint at 0.5).
  const auto f = [](const auto& x) { return (x > 0.3 && x < 0.6) ? x * std::numeric_limits<double>::quiet_NaN() : x - 0.5; };
  for (const auto method : {BracketMethod::toms748, BracketMethod::bisection}) {
    const ScalarRootResult r = bracket_root([&](double x) { return f(x); }, 0.0, 1.0, {.method = method});
    BOOST_TEST(r.reason == Reason::non_finite);
    BOOST_TEST(!r.converged);
    BOOST_TEST(std::isfinite(r.value));
    BOOST_TEST((r.lower == 0.0 && r.upper == 1.0));
  }
  const ScalarRootResult n = newton_root(f, 0.0, 1.0);
  BOOST_TEST(n.reason == Reason::non_finite);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const auto f = [](const auto& x) { return x * x - 2.0; };
  BOOST_CHECK_EXCEPTION(bracket_root(f, 2.0, 3.0), ArgumentError, [](const ArgumentError& e) {
    return message_has(e, "same sign") && message_has(e, "f(2) = 2") && message_has(e, "f(3) = 7");
  });
  BOOST_CHECK_EXCEPTION(newton_root(f, -1.0, 1.0), ArgumentError, [](const ArgumentError& e) { return message_has(e, "same sign"); });
  BOOST_CHECK_THROW(bracket_root(f, 2.0, 0.0), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 1.0, 1.0), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, std::numeric_limits<double>::infinity()), NonFiniteError);
  BOOST_CHECK_EXCEPTION(bracket_root([](double x) { return x > 1 ? std::log(-x) : x - 1.5; }, 0.0, 2.0), NonFiniteError,
                        [](const NonFiniteError& e) { return message_has(e, "f(upper)"); });
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.rtol = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.rtol = -1e-8}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.atol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.f_atol = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.rtol = std::numeric_limits<double>::quiet_NaN()}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.max_iterations = -1}), ArgumentError);
  BOOST_CHECK_THROW(bracket_root(f, 0.0, 2.0, {.x0 = 1.0}), ArgumentError);
  BOOST_CHECK_THROW(newton_root(f, 0.0, 2.0, {.method = BracketMethod::bisection}), ArgumentError);
  BOOST_CHECK_THROW(newton_root(f, 0.0, 2.0, {.x0 = 3.0}), ArgumentError);
  // rtol = 0 with atol > 0 is a valid absolute test.
  const ScalarRootResult r = bracket_root(f, 0.0, 2.0, {.rtol = 0.0, .atol = 1e-10});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.upper - r.lower <= 1e-10);
}

BOOST_AUTO_TEST_SUITE_END()
