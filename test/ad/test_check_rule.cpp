// check_custom_rule: a user's rule y = A exp(x) (A passed as its entries, column by column) checked
// right, then with each kind of bug a user writes: a wrong JVP, a VJP that is not the JVP's transpose,
// a VJP that overwrites x_bar, a JVP of the wrong size; rules with only a JVP or only a VJP; the options.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "frechet/ad/check.hpp"
#include "frechet/core/dense_matrix.hpp"

using namespace frechet;

namespace {

enum class Bug { none, jvp_forgets_exp, vjp_not_transpose, vjp_overwrites, jvp_wrong_size };

struct Shape {
  std::size_t m, n;
};

DenseMatrix matrix_of(ConstVectorView entries, Shape s) {
  DenseMatrix a(s.m, s.n);
  std::copy(entries.begin(), entries.end(), a.data());
  return a;
}

Vector exp_of(ConstVectorView x) {
  Vector e(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = std::exp(x[i]);
  return e;
}

// y = A exp(x): J_A dA = dA exp(x), J_x dx = A (exp(x) .* dx); A_bar += y_bar exp(x)^T,
// x_bar += exp(x) .* (A^T y_bar).
CustomRule<> make_rule(Shape s, Bug bug, bool with_jvp = true, bool with_vjp = true) {
  CustomRule<> rule;
  rule.name = "a_exp_x";
  rule.primal = [s](CustomInputs x, std::monostate&) { return matvec(matrix_of(x[0], s), exp_of(x[1])); };
  if (with_jvp)
    rule.jvp = [s, bug](CustomInputs x, ConstVectorView, const std::monostate&, CustomInputs dx) {
      const DenseMatrix a = matrix_of(x[0], s);
      const Vector e = exp_of(x[1]);
      Vector dy(bug == Bug::jvp_wrong_size ? s.m + 1 : s.m, 0.0);
      if (!dx[0].empty()) axpy(1.0, matvec(matrix_of(dx[0], s), e), VectorView(dy).first(s.m));
      if (!dx[1].empty()) {
        Vector scaled(dx[1].begin(), dx[1].end());
        if (bug != Bug::jvp_forgets_exp)
          for (std::size_t i = 0; i < s.n; ++i) scaled[i] *= e[i];
        axpy(1.0, matvec(a, scaled), VectorView(dy).first(s.m));
      }
      return dy;
    };
  if (with_vjp)
    rule.vjp = [s, bug](CustomInputs x, ConstVectorView, const std::monostate&, ConstVectorView y_bar,
                        CustomCotangents x_bar) {
      const DenseMatrix a = matrix_of(x[0], s);
      const Vector e = exp_of(x[1]);
      if (!x_bar[0].empty())
        for (std::size_t j = 0; j < s.n; ++j)
          for (std::size_t i = 0; i < s.m; ++i) x_bar[0][i + j * s.m] += y_bar[i] * e[j];
      if (!x_bar[1].empty()) {
        const Vector g = bug == Bug::vjp_not_transpose ? matvec(a, y_bar) : matvec_transpose(a, y_bar);
        for (std::size_t i = 0; i < s.n; ++i) {
          if (bug == Bug::vjp_overwrites) {
            x_bar[1][i] = e[i] * g[i];
          } else {
            x_bar[1][i] += e[i] * g[i];
          }
        }
      }
    };
  return rule;
}

std::vector<Vector> inputs(Shape s) {
  Random rng(3);
  Vector a = rng.gaussian_vector(s.m * s.n), x = rng.gaussian_vector(s.n);
  for (double& v : x) v *= 0.5;
  return {a, x};
}

bool mentions(const std::string& message, const std::string& what) { return message.find(what) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(check_rule)

BOOST_AUTO_TEST_CASE(a_right_rule_passes_in_every_argument) {
  for (const Shape s : {Shape{4, 3}, Shape{1, 1}, Shape{3, 5}}) {
    const RuleCheckResult r = check_custom_rule(make_rule(s, Bug::none), inputs(s));
    BOOST_TEST(r.passed, r.message);
    BOOST_TEST(r.message.empty());
    BOOST_TEST(r.jvp.size() == 2u);
    BOOST_TEST(r.duality_errors.size() == 2u);
    for (double e : r.duality_errors) BOOST_TEST(e < 1e-14);
    BOOST_TEST(r.vjp_accumulates);
  }
  // Random directions instead of coordinates.
  const RuleCheckResult random = check_custom_rule(make_rule({4, 3}, Bug::none), inputs({4, 3}), {.directions = 2, .seed = 9});
  BOOST_TEST(random.passed, random.message);
  BOOST_TEST(random.jvp[0].errors.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_wrong_jvp_is_named_with_its_argument) {
  const RuleCheckResult r = check_custom_rule(make_rule({4, 3}, Bug::jvp_forgets_exp), inputs({4, 3}));
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.jvp[0].passed);  // the JVP in A is right
  BOOST_TEST(!r.jvp[1].passed);
  BOOST_TEST(mentions(r.message, "'a_exp_x'"), r.message);
  BOOST_TEST(mentions(r.message, "the JVP in argument 1 disagrees with central differences"), r.message);
}

BOOST_AUTO_TEST_CASE(a_vjp_that_is_not_the_transpose_fails_the_dot_product_test) {
  const Shape s{3, 3};  // square, so that A y_bar has the size of A^T y_bar
  const RuleCheckResult r = check_custom_rule(make_rule(s, Bug::vjp_not_transpose), inputs(s));
  BOOST_TEST(!r.passed);
  BOOST_TEST(r.jvp[0].passed);
  BOOST_TEST(r.jvp[1].passed);  // the JVP is right: only duality sees the bug
  BOOST_TEST(r.duality_errors[0] < 1e-14);
  BOOST_TEST(r.duality_errors[1] > 1e-3);
  BOOST_TEST(mentions(r.message, "the VJP in argument 1 is not the transpose of the JVP"), r.message);
  // Loosened past the error, the same rule passes: the tolerance is the one used.
  BOOST_TEST(check_custom_rule(make_rule(s, Bug::vjp_not_transpose), inputs(s), {.duality_rtol = 1.0}).passed);
}

BOOST_AUTO_TEST_CASE(a_vjp_that_overwrites_x_bar_is_caught) {
  const RuleCheckResult r = check_custom_rule(make_rule({4, 3}, Bug::vjp_overwrites), inputs({4, 3}));
  BOOST_TEST(!r.passed);
  BOOST_TEST(!r.vjp_accumulates);
  BOOST_TEST(mentions(r.message, "overwrites x_bar"), r.message);
}

BOOST_AUTO_TEST_CASE(a_jvp_of_the_wrong_size_fails_without_throwing) {
  const RuleCheckResult r = check_custom_rule(make_rule({4, 3}, Bug::jvp_wrong_size), inputs({4, 3}));
  BOOST_TEST(!r.passed);
  BOOST_TEST(mentions(r.message, "has 5 entries, the primal's output 4"), r.message);
}

BOOST_AUTO_TEST_CASE(rules_with_one_derivative) {
  // Only a JVP: checked against finite differences; no duality test (the VJP is derived from it).
  const RuleCheckResult jvp_only = check_custom_rule(make_rule({4, 3}, Bug::none, true, false), inputs({4, 3}));
  BOOST_TEST(jvp_only.passed, jvp_only.message);
  BOOST_TEST(jvp_only.duality_errors.empty());
  // Only a VJP: the JVP assembled from it meets finite differences, so a wrong VJP fails there.
  const Shape s{3, 3};
  BOOST_TEST(check_custom_rule(make_rule(s, Bug::none, false, true), inputs(s)).passed);
  const RuleCheckResult wrong = check_custom_rule(make_rule(s, Bug::vjp_not_transpose, false, true), inputs(s));
  BOOST_TEST(!wrong.passed);
  BOOST_TEST(mentions(wrong.message, "the JVP assembled from the VJP in argument 1"), wrong.message);
}

BOOST_AUTO_TEST_CASE(bad_rules_and_options_throw) {
  const Shape s{4, 3};
  CustomRule<> no_primal = make_rule(s, Bug::none);
  no_primal.primal = nullptr;
  BOOST_CHECK_THROW(check_custom_rule(no_primal, inputs(s)), ArgumentError);
  BOOST_CHECK_THROW(check_custom_rule(make_rule(s, Bug::none, false, false), inputs(s)), ArgumentError);
  BOOST_CHECK_THROW(check_custom_rule(make_rule(s, Bug::none), inputs(s), {.duality_rtol = 0.0}), ArgumentError);
  BOOST_CHECK_THROW(check_custom_rule(make_rule(s, Bug::none), inputs(s), {.step = -1.0}), ArgumentError);
  // duality_rtol belongs to check_custom_rule: the other checks refuse it.
  const auto f = [](const auto& v) { return dot(v, v); };
  BOOST_CHECK_THROW(check_gradient(f, Vector{1.0, 2.0}, {.duality_rtol = 1e-8}), ArgumentError);
  BOOST_CHECK_THROW(check_jvp(f, Vector{1.0, 2.0}, {.duality_rtol = 1e-8}), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
