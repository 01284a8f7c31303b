// Newton's method with the step by CHOLMOD on the sparse Hessian: against the dense Cholesky step on
// a small size, and on problems of 10^4 unknowns against an independent method (Newton-CG) and against
// the same problem's decoupled blocks solved densely.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/optim/newton.hpp"
#include "mgh_problems.hpp"

namespace frechet {
namespace {

/// A convex chain: sum_i (x_i^4 / 4 + x_i^2 / 2 - c_i x_i) + sum_i (x_{i+1} - x_i)^2 / 2 with
/// c_i = 1 + (i mod 7). Its Hessian is tridiagonal and positive definite everywhere.
template <class V> scalar_t<V> convex_chain(const V& x) {
  using T = scalar_t<V>;
  T f = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T xi = x[i];
    f += 0.25 * xi * xi * xi * xi + 0.5 * xi * xi - (1.0 + static_cast<double>(i % 7)) * xi;
    if (i + 1 < x.size()) {
      const T d = x[i + 1] - xi;
      f += 0.5 * d * d;
    }
  }
  return f;
}

using mgh::extended_rosenbrock;

/// The n x n pattern of the entries (i, j) with |i - j| <= 1 that `keep` accepts.
template <class Keep> CsrMatrix tridiagonal_pattern(std::size_t n, Keep keep) {
  std::vector<SparseIndex> rows;
  std::vector<SparseIndex> cols;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i == 0 ? 0 : i - 1; j <= i + 1 && j < n; ++j) {
      if (!keep(i, j)) continue;
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
    }
  }
  return CsrMatrix::from_triplets(n, n, rows, cols, Vector(rows.size(), 1.0));
}

CsrMatrix chain_pattern(std::size_t n) {
  return tridiagonal_pattern(n, [](std::size_t, std::size_t) { return true; });
}

CsrMatrix rosenbrock_pattern(std::size_t n) {
  return tridiagonal_pattern(n, [](std::size_t i, std::size_t j) { return i / 2 == j / 2; });
}

double distance(ConstVectorView a, ConstVectorView b) {
  Vector d(a.begin(), a.end());
  axpy(-1.0, b, VectorView(d));
  return norm2(d);
}

const auto chain_function = [](const auto& x) { return convex_chain(x); };
const auto rosenbrock_function = [](const auto& x) { return extended_rosenbrock(x); };

BOOST_AUTO_TEST_CASE(sparse_cholesky_newton_takes_the_dense_cholesky_steps) {
  constexpr std::size_t n = 20;
  const Objective f = differentiable_objective(chain_function, chain_pattern(n));
  const Vector x0(n, -2.0);
  const OptimizeOptions tight{.atol = 1e-10};
  OptimizeOptions sparse_options = tight;
  sparse_options.newton_solve = NewtonSolve::sparse_cholesky;
  const OptimizeResult dense = newton(f, x0, tight);
  const OptimizeResult sparse = newton(f, x0, sparse_options);
  BOOST_REQUIRE(dense.converged);
  BOOST_REQUIRE(sparse.converged);
  BOOST_TEST(sparse.iterations == dense.iterations);
  BOOST_TEST(sparse.hessian_evaluations == dense.hessian_evaluations);
  BOOST_TEST(sparse.function_evaluations == dense.function_evaluations);
  BOOST_TEST(distance(sparse.x, dense.x) <= 1e-12 * norm2(dense.x));
  BOOST_REQUIRE(sparse.newton_decrement_squared.has_value());
  BOOST_TEST(*sparse.newton_decrement_squared == *dense.newton_decrement_squared,
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_user_sparse_hessian_whose_pattern_changes_is_analysed_again) {
  // The sparse Hessian from the dense one's tridiagonal band, with explicit zeros at (0, n - 1) and
  // (n - 1, 0) on every other call: the factorization must be analysed afresh each time (a refactor
  // with another pattern would throw).
  constexpr std::size_t n = 12;
  Objective f = differentiable_objective(chain_function);
  f.sparse_hessian = [dense = f.hessian, calls = 0](ConstVectorView x) mutable {
    const DenseMatrix h = dense(x);
    std::vector<SparseIndex> rows;
    std::vector<SparseIndex> cols;
    Vector values;
    const auto add = [&](std::size_t i, std::size_t j, double v) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
      values.push_back(v);
    };
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i == 0 ? 0 : i - 1; j <= i + 1 && j < n; ++j) add(i, j, h(i, j));
    if (calls++ % 2 == 1) {
      add(0, n - 1, 0.0);
      add(n - 1, 0, 0.0);
    }
    return CsrMatrix::from_triplets(n, n, rows, cols, values);
  };
  const Vector x0(n, 3.0);
  const OptimizeResult dense = newton(f, x0, {.atol = 1e-10});
  const OptimizeResult sparse = newton(f, x0, {.atol = 1e-10, .newton_solve = NewtonSolve::sparse_cholesky});
  BOOST_REQUIRE(dense.converged);
  BOOST_REQUIRE(sparse.converged);
  BOOST_TEST(sparse.iterations >= 3);  // at least two changes of pattern
  BOOST_TEST(sparse.iterations == dense.iterations);
  BOOST_TEST(distance(sparse.x, dense.x) <= 1e-12 * norm2(dense.x));
}

BOOST_AUTO_TEST_CASE(sparse_cholesky_newton_on_ten_thousand_unknowns_agrees_with_newton_cg) {
  constexpr std::size_t n = 10000;
  const Objective f = differentiable_objective(chain_function, chain_pattern(n));
  const Vector x0(n, 0.0);
  // To ||g||_2 <= 1e-8 ||g_0||_2 (4.5e-6): near x*, where f = -3.9e4, the last Newton step's
  // decrease lambda^2 / 2 from a smaller gradient falls below f's rounding, which the line search's
  // sufficient-decrease test cannot see.
  const OptimizeOptions rule{.rtol = 1e-8};
  OptimizeOptions by_cholmod = rule;
  by_cholmod.newton_solve = NewtonSolve::sparse_cholesky;
  const OptimizeResult r = newton(f, x0, by_cholmod);
  BOOST_TEST_REQUIRE(r.converged, r.message);
  BOOST_TEST(r.hessian_evaluations == r.iterations);
  BOOST_TEST(r.iterations <= 20);  // quadratic convergence: a handful of steps, not n
  // An independent method (the trust-region Newton-CG); strong convexity (H >= I) bounds ||x - x*||_2 by ||g(x)||_2 for both.
  const OptimizeResult reference = newton_cg(f, x0, rule);
  BOOST_REQUIRE(reference.converged);
  BOOST_TEST(distance(r.x, reference.x) <= r.gradient_norm + reference.gradient_norm);
}

BOOST_AUTO_TEST_CASE(sparse_cholesky_newton_on_the_extended_rosenbrock_repeats_the_two_variable_run) {
  // 5000 decoupled copies: each block follows the n = 2 iterates (the line search sees phi scaled
  // by 5000, which its conditions ignore), and ||g||_2 <= 1e-8 sqrt(5000) is ||g_block||_2 <= 1e-8.
  constexpr std::size_t n = 10000;
  const Vector start{-1.2, 1.0};
  Vector x0(n);
  for (std::size_t i = 0; i < n; ++i) x0[i] = start[i % 2];
  const OptimizeResult small =
      newton(differentiable_objective(rosenbrock_function), start, {.atol = 1e-8});
  const OptimizeResult large = newton(differentiable_objective(rosenbrock_function, rosenbrock_pattern(n)), x0,
                                      {.atol = 1e-8 * std::sqrt(n / 2.0), .newton_solve = NewtonSolve::sparse_cholesky});
  BOOST_REQUIRE(small.converged);
  BOOST_REQUIRE(large.converged);
  BOOST_TEST(large.iterations == small.iterations);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(large.x[i] - small.x[i % 2]));
  BOOST_TEST(worst <= 1e-10);
  BOOST_TEST(std::abs(large.x[0] - 1.0) <= 1e-8);
}

BOOST_AUTO_TEST_CASE(sparse_cholesky_newton_bad_input) {
  // An indefinite sparse Hessian ends the run as the dense step does: the saddle of x^2 - y^2 + y^4.
  const auto saddle = [](const auto& v) { return v[0] * v[0] - v[1] * v[1] + v[1] * v[1] * v[1] * v[1]; };
  const CsrMatrix full = CsrMatrix::from_triplets(2, 2, std::vector<SparseIndex>{0, 0, 1, 1},
                                                  std::vector<SparseIndex>{0, 1, 0, 1}, Vector(4, 1.0));
  const OptimizeResult r =
      newton(differentiable_objective(saddle, full), Vector{1.0, 0.1}, {.newton_solve = NewtonSolve::sparse_cholesky});
  BOOST_TEST(reason_name(r.reason) == "indefinite");
  BOOST_TEST(r.iterations == 0);
  BOOST_TEST(r.message.find("not positive definite") != std::string::npos);
  BOOST_TEST(r.message.find("at iteration 0") != std::string::npos);
  // No sparse Hessian, one of the wrong shape, one that is not symmetric, one with a NaN.
  const Objective plain = differentiable_objective(saddle);
  const OptimizeOptions sparse{.newton_solve = NewtonSolve::sparse_cholesky};
  BOOST_CHECK_THROW(newton(plain, Vector{1.0, 2.0}, sparse), ArgumentError);
  Objective wrong = plain;
  wrong.sparse_hessian = [](ConstVectorView) { return chain_pattern(3); };
  BOOST_CHECK_THROW(newton(wrong, Vector{1.0, 2.0}, sparse), ShapeError);
  wrong.sparse_hessian = [](ConstVectorView) {
    return CsrMatrix::from_dense(DenseMatrix{{2.0, 1.0}, {0.0, 2.0}});
  };
  BOOST_CHECK_THROW(newton(wrong, Vector{1.0, 2.0}, sparse), ArgumentError);
  wrong.sparse_hessian = [](ConstVectorView) {
    return CsrMatrix::from_dense(DenseMatrix{{2.0, std::nan("")}, {std::nan(""), 2.0}});
  };
  const OptimizeResult with_nan = newton(wrong, Vector{1.0, 2.0}, sparse);
  BOOST_TEST(reason_name(with_nan.reason) == "non_finite");
  BOOST_TEST(with_nan.message.find("Hessian is not finite") != std::string::npos);
  // A pattern that misses a nonzero of H: the colouring's verifying product notices.
  const CsrMatrix diagonal = CsrMatrix::from_triplets(2, 2, std::vector<SparseIndex>{0, 1},
                                                      std::vector<SparseIndex>{0, 1}, Vector(2, 1.0));
  const auto coupled = [](const auto& v) { return v[0] * v[0] + v[0] * v[1] + v[1] * v[1]; };
  BOOST_CHECK_THROW(newton(differentiable_objective(coupled, diagonal), Vector{1.0, 2.0}, sparse), ArgumentError);
}

}  // namespace
}  // namespace frechet
