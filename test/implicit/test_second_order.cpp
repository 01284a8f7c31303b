// Second order through the implicit layer's primitives: hvp of a reduced objective L(x*(theta))
// through root_find, and of a loss through sparse_solve (direct and Krylov) and sparse_lstsq, against central differences of the
// gradient, the Hessian's symmetry <u, H v> = <H u, v> (the duality of a second-order rule), closed
// forms, and dense formulas computed without the rule.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "bratu.hpp"
#include "frechet/ad/ad.hpp"
#include "frechet/core/random.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/linop/laplacian.hpp"
#include "implicit_test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {

// Every second derivative of F is nonzero: F_xx (tanh), F_theta theta (sin) and F_x theta (x * (C theta)).
// F(x, theta) = A x + 0.1 tanh(x) + 0.1 x * tanh(C theta) - B theta - c sin(theta_0), A diagonally
// dominant, so F_x is invertible everywhere.
struct Coupled {
  DenseMatrix a, b, c_mix;
  Vector c;
  template <class X, class T> auto operator()(const X& x, const T& theta) const {
    return matvec(a, x) + 0.1 * tanh(x) + 0.1 * (x * tanh(matvec(c_mix, theta))) - matvec(b, theta) -
           c * sin(slice(theta, 0, 1))[0];
  }
};

Coupled make_coupled(std::size_t n, std::size_t p, Random& rng) {
  Coupled f{testing::random_dense(n, n, rng), testing::random_dense(n, p, rng), testing::random_dense(n, p, rng),
            rng.gaussian_vector(n)};
  for (std::size_t i = 0; i < n; ++i) f.a(i, i) += 2.0 * std::sqrt(static_cast<double>(n));
  return f;
}

// The Hessian's columns by central differences of a gradient (each gradient a full solve).
template <class G> DenseMatrix hessian_by_differences(const G& gradient, const Vector& theta, double step) {
  const std::size_t p = theta.size();
  DenseMatrix h(p, p);
  for (std::size_t j = 0; j < p; ++j) {
    Vector up = theta, down = theta;
    up[j] += step;
    down[j] -= step;
    Vector column = gradient(up);
    axpy(-1.0, gradient(down), column);
    for (std::size_t i = 0; i < p; ++i) h(i, j) = column[i] / (2 * step);
  }
  return h;
}

template <class F> DenseMatrix hessian_by_hvp(const F& f, const Vector& theta) {
  const std::size_t p = theta.size();
  DenseMatrix h(p, p);
  Vector e(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    e[j] = 1.0;
    const Vector column = hvp(f, theta, e);
    e[j] = 0.0;
    std::copy(column.begin(), column.end(), h.col(j).begin());
  }
  return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(second_order)

BOOST_AUTO_TEST_CASE(closed_form_hessian_through_a_root) {
  // x * x = B theta (B > 0 entrywise): x* = sqrt(B theta), and L = sum x*^3 = sum (B theta)^{3/2} has
  // the Hessian B^T diag(3 / (4 sqrt(B theta))) B.
  Random rng(21);
  const std::size_t n = 6, p = 3;
  DenseMatrix b(n, p);
  for (std::size_t j = 0; j < p; ++j)
    for (std::size_t i = 0; i < n; ++i) b(i, j) = 0.5 + std::abs(rng.gaussian());
  const auto f = [&b](const auto& x, const auto& theta) { return x * x - matvec(b, theta); };
  const Vector theta{0.7, 1.3, 0.4};
  const Vector bt = matvec(b, theta);
  DenseMatrix expected(p, p);
  for (std::size_t r = 0; r < p; ++r)
    for (std::size_t s = 0; s < p; ++s)
      for (std::size_t i = 0; i < n; ++i) expected(r, s) += b(i, r) * b(i, s) * 0.75 / std::sqrt(bt[i]);
  for (const auto solver : {NewtonLinearSolver::dense_lu, NewtonLinearSolver::gmres}) {
    BOOST_TEST_CONTEXT("solver " << static_cast<int>(solver)) {
      ImplicitOptions options{.linear_solver = solver};
      if (solver == NewtonLinearSolver::gmres) options.rtol = 1e-13;
      const auto loss = [&](const auto& t) {
        const auto x = root_find(f, Vector(n, 1.0), t, {.rtol = 1e-15, .atol = 1e-300}, options);
        return sum(x * x * x);
      };
      BOOST_TEST(relative_distance(hessian_by_hvp(loss, theta), expected) <= 1e-11);
      // value_grad_and_hvp gives the value and the gradient of the same pass.
      const ValueGradHvpResult r = value_grad_and_hvp(loss, theta, Vector{1.0, 0.0, 0.0});
      double value = 0.0;
      for (const double v : bt) value += std::pow(v, 1.5);
      BOOST_TEST(std::abs(r.value - value) <= 1e-12 * value);
      BOOST_TEST(relative_error(r.gradient, grad(loss, theta)) <= 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(hessian_of_a_reduced_objective) {
  // L(theta) = ||x*(theta) - target||^2 / 2 + sum(theta^3) / 3 through a root with every second
  // derivative of F present; three linear solvers for the implicit products.
  Random rng(22);
  const std::size_t n = 12, p = 4;
  const Coupled f = make_coupled(n, p, rng);
  const Vector theta = rng.gaussian_vector(p), target = rng.gaussian_vector(n);
  const auto x_star = [&](const Vector& t) {
    return root_find([&](const auto& x) { return f(x, t); }, Vector(n, 0.0), {.rtol = 1e-15, .atol = 1e-300}).x;
  };
  // A dense formula that does not use the rule: with J = -F_x^{-1} F_theta, w = -F_x^{-T} (x* - target)
  // and the Hessian G of g(x, theta) = <w, F(x, theta)> in z = (x, theta),
  //     H = J^T J + [J; I]^T G [J; I] + diag(2 theta).
  const Vector xs = x_star(theta);
  const DenseMatrix fx = jacobian([&](const auto& x) { return f(x, theta); }, xs);
  const DenseMatrix ft = jacobian([&](const auto& t) { return f(xs, t); }, theta);
  DenseMatrix jac = LuFactorization(fx).solve(ft);
  for (double& v : jac.values()) v = -v;
  Vector w = LuFactorization(fx).solve_transpose(xs - target);
  scale(-1.0, w);
  Vector z(n + p);
  std::copy(xs.begin(), xs.end(), z.begin());
  std::copy(theta.begin(), theta.end(), z.begin() + static_cast<std::ptrdiff_t>(n));
  const DenseMatrix g = hessian(
      [&](const auto& zz) { return dot(detail::tape_output<Dual<double>>(f(slice(zz, 0, n), slice(zz, n, p))), w); }, z);
  DenseMatrix tangent(n + p, p);  // [J; I]
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t i = 0; i < n; ++i) tangent(i, j) = jac(i, j);
    tangent(n + j, j) = 1.0;
  }
  DenseMatrix expected = matmul(jac, jac, Transpose::yes);
  const DenseMatrix curvature = matmul(tangent, matmul(g, tangent), Transpose::yes);
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t i = 0; i < p; ++i) expected(i, j) += curvature(i, j);
    expected(j, j) += 2.0 * theta[j];
  }
  const CsrMatrix dense_pattern = CsrMatrix::from_dense(DenseMatrix(n, n, 1.0));
  const ImplicitOptions choices[] = {{}, {.linear_solver = NewtonLinearSolver::gmres, .rtol = 1e-13},
                                     {.linear_solver = NewtonLinearSolver::sparse_lu,
                                      .jacobian_pattern = std::make_shared<const CsrMatrix>(dense_pattern)}};
  for (const ImplicitOptions& options : choices) {
    BOOST_TEST_CONTEXT("solver " << static_cast<int>(options.linear_solver)) {
      const auto loss = [&](const auto& t) {
        const auto r = root_find(f, Vector(n, 0.0), t, {.rtol = 1e-15, .atol = 1e-300}, options) - target;
        return 0.5 * dot(r, r) + sum(t * t * t) / 3.0;
      };
      const DenseMatrix h = hessian_by_hvp(loss, theta);
      BOOST_TEST(relative_distance(h, expected) <= 1e-10);
      // Central differences of the gradient through the root (each a Newton solve and an adjoint).
      const DenseMatrix fd = hessian_by_differences([&](const Vector& t) { return grad(loss, t); }, theta, 1e-5);
      BOOST_TEST(relative_distance(h, fd) <= 1e-7);
      // Duality of the second-order rule: the Hessian it gives is symmetric, <u, H v> = <H u, v>.
      const Vector u = rng.gaussian_vector(p), v = rng.gaussian_vector(p);
      const double uhv = dot(u, hvp(loss, theta, v)), hu_v = dot(hvp(loss, theta, u), v);
      BOOST_TEST(std::abs(uhv - hu_v) <= 1e-11 * (std::abs(uhv) + 1.0));
    }
  }
}

BOOST_AUTO_TEST_CASE(market_equilibrium_log_likelihood) {
  // The equilibrium price of demand 100 - 2 P^{c_d} = supply 5 * 3^{c_s P}, and the negative
  // log-likelihood of observed prices through it: its Hessian by hvp through the root against
  // central differences of its gradient, and against the closed form: with p(c) the root and
  // r = sum(p_hat - p), H = (n grad p grad p^T - r Hess p) / sigma^2, Hess p by differentiating
  // F(p(c), c) = 0 twice by hand.
  const auto excess_demand = [](const auto& price, const auto& c) {
    using std::exp;
    using std::pow;
    using P = scalar_t<std::remove_cvref_t<decltype(price)>>;
    using C = scalar_t<std::remove_cvref_t<decltype(c)>>;
    using T = std::conditional_t<std::is_same_v<P, double>, C, P>;
    const T p = price[0], cd = c[0], cs = c[1];
    return std::vector<T>{100.0 - 2.0 * pow(p, cd) - 5.0 * exp(cs * p * std::log(3.0))};
  };
  const Vector data{17.61, 17.70, 17.58, 17.66, 17.69};
  const double sigma = 0.01;
  const auto nll = [&](const auto& c) {
    const auto r = data - sum(root_find(excess_demand, Vector{5.0}, c, {.rtol = 0.0, .atol = 1e-12}));
    return 0.5 * dot(r, r) / (sigma * sigma);
  };
  const Vector c{0.55, 0.14};
  const double p = root_find([&](const auto& q) { return excess_demand(q, c); }, Vector{5.0}, {.rtol = 0.0, .atol = 1e-13}).x[0];
  // F = 100 - 2 p^a - 5 e^{b p L}, L = ln 3; its first and second partial derivatives in (p, a, b).
  const double a = c[0], b = c[1], l = std::log(3.0), s = 5.0 * std::exp(b * p * l), pa = std::pow(p, a), lp = std::log(p);
  const double f_p = -2.0 * a * pa / p - s * b * l, f_a = -2.0 * pa * lp, f_b = -s * p * l;
  const double f_pp = -2.0 * a * (a - 1.0) * pa / (p * p) - s * b * b * l * l;
  const double f_pa = -2.0 * pa / p - 2.0 * a * pa * lp / p, f_pb = -s * l - s * b * p * l * l;
  const double f_aa = -2.0 * pa * lp * lp, f_ab = 0.0, f_bb = -s * p * p * l * l;
  const double dp[2] = {-f_a / f_p, -f_b / f_p};
  const double f_pc[2] = {f_pa, f_pb}, f_cc[2][2] = {{f_aa, f_ab}, {f_ab, f_bb}};
  double r = 0.0;
  for (const double d : data) r += d - p;
  DenseMatrix expected(2, 2);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      // d2p/dc_i dc_j = -(F_pp p_i p_j + F_pc_i p_j + F_pc_j p_i + F_cc_ij) / F_p
      const double hess_p = -(f_pp * dp[i] * dp[j] + f_pc[i] * dp[j] + f_pc[j] * dp[i] + f_cc[i][j]) / f_p;
      expected(i, j) = (static_cast<double>(data.size()) * dp[i] * dp[j] - r * hess_p) / (sigma * sigma);
    }
  const DenseMatrix h = hessian_by_hvp(nll, c);
  BOOST_TEST(relative_distance(h, expected) <= 1e-9);
  const DenseMatrix fd = hessian_by_differences([&](const Vector& t) { return grad(nll, t); }, c, 1e-6);
  BOOST_TEST(relative_distance(h, fd) <= 1e-6);
  BOOST_TEST(std::abs(h(0, 1) - h(1, 0)) <= 1e-8 * std::abs(h(0, 1)));
}

BOOST_AUTO_TEST_CASE(bratu_second_derivative_in_lambda) {
  // d2/dlambda2 of mean(u*(lambda)) on Bratu's problem, the sparse-direct adjoint with colouring:
  // against central differences of the gradient.
  const std::size_t m = 12;
  const auto f = testing::bratu_residual(m);
  const auto pattern = std::make_shared<const CsrMatrix>(laplacian_2d(m, m));
  const ImplicitOptions options{.linear_solver = NewtonLinearSolver::sparse_lu, .jacobian_pattern = pattern};
  const auto loss = [&](const auto& t) {
    const auto u = root_find(f, Vector(m * m, 0.0), t, {.rtol = 1e-14}, options);
    return sum(u * u) / static_cast<double>(m * m);
  };
  const Vector lambda{5.0};
  const double h = hvp(loss, lambda, Vector{1.0})[0];
  const double fd = (grad(loss, Vector{5.0 + 1e-4})[0] - grad(loss, Vector{5.0 - 1e-4})[0]) / 2e-4;
  BOOST_TEST(h > 0.0);
  BOOST_TEST(std::abs(h - fd) <= 1e-6 * std::abs(h));
}

BOOST_AUTO_TEST_CASE(hessian_through_a_sparse_solve) {
  // L(p) = ||x(p)||^2 / 2 + <x(p), q> with A(p) = Laplacian + diag(p_0 + p_1 t) (t the grid's first
  // coordinate) and b(p) = p_2 1 + p_1 e_0: the Hessian by hvp through sparse_solve (LU, Cholesky,
  // CG and GMRES) against the AD layer's dense solve under hvp (an independent second-order rule), central
  // differences of the gradient, and its symmetry.
  const std::size_t m = 6, n = m * m;
  const CsrMatrix pattern = laplacian_2d(m, m);
  const Vector lap(pattern.values().begin(), pattern.values().end());
  Vector diag_mask(pattern.nnz(), 0.0), diag_ramp(pattern.nnz(), 0.0);
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k)
      if (static_cast<std::size_t>(ci[k]) == i) {
        diag_mask[k] = 1.0;
        diag_ramp[k] = static_cast<double>(i % m) / static_cast<double>(m);
      }
  Vector q(n), e0(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) q[i] = std::cos(static_cast<double>(i));
  e0[0] = 1.0;
  const Vector ones(n, 1.0);
  const auto make_loss = [&](SparseSolveMethod method) {
    SparseSolveOptions options{.method = method};
    if (method == SparseSolveMethod::cg || method == SparseSolveMethod::gmres) options.rtol = 1e-14;
    return [&, options](const auto& p) {
      const auto x = sparse_solve(pattern, lap + p[0] * diag_mask + p[1] * diag_ramp, p[2] * ones + p[1] * e0, options);
      return 0.5 * dot(x, x) + dot(x, q);
    };
  };
  const auto dense_loss = [&](const auto& p) {
    const auto values = lap + p[0] * diag_mask + p[1] * diag_ramp;
    // The same matrix, dense: A = sum_k values_k e_{i(k)} e_{j(k)}^T, built by a matmul with a
    // constant scatter matrix.
    DenseMatrix scatter(n * n, pattern.nnz());
    for (std::size_t i = 0; i < n; ++i)
      for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) scatter(i + n * static_cast<std::size_t>(ci[k]), static_cast<std::size_t>(k)) = 1.0;
    const auto a = reshape(matvec(scatter, values), n, n);
    const auto x = solve(a, p[2] * ones + p[1] * e0);
    return 0.5 * dot(x, x) + dot(x, q);
  };
  const Vector p{0.4, 0.8, 1.5};
  const DenseMatrix reference = hessian_by_hvp(dense_loss, p);
  for (const auto method : {SparseSolveMethod::lu, SparseSolveMethod::cholesky, SparseSolveMethod::cg, SparseSolveMethod::gmres}) {
    BOOST_TEST_CONTEXT("method " << static_cast<int>(method)) {
      const auto loss = make_loss(method);
      const DenseMatrix h = hessian_by_hvp(loss, p);
      BOOST_TEST(relative_distance(h, reference) <= 1e-11);
      const DenseMatrix fd = hessian_by_differences([&](const Vector& t) { return grad(loss, t); }, p, 1e-5);
      BOOST_TEST(relative_distance(h, fd) <= 1e-7);
      BOOST_TEST(std::abs(h(0, 2) - h(2, 0)) <= 1e-12 * std::abs(h(0, 2)));
    }
  }
}

BOOST_AUTO_TEST_CASE(hessian_through_a_least_squares_solve) {
  // L(p) = ||x(p)||^2 / 2 + <x(p), q>, x(p) = argmin ||A(p) x - b(p)|| with a tall sparse A(p) = A_0 +
  // p_0 D_0 + p_1 D_1 and b(p) = p_2 f + p_1 g, b not in A's range (so the residual terms count):
  // the Hessian by hvp through sparse_lstsq against central differences of its gradient, and its
  // symmetry.
  const std::size_t m = 30, n = 10;
  std::vector<SparseIndex> rows, cols;
  for (std::size_t i = 0; i < m; ++i)
    for (const std::size_t j : {i % n, (3 * i + 1) % n, (7 * i + 2) % n}) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
    }
  Random rng(29);
  const CsrMatrix pattern = CsrMatrix::from_triplets(m, n, rows, cols, rng.gaussian_vector(rows.size()));
  const Vector a0(pattern.values().begin(), pattern.values().end());
  const Vector d0 = rng.gaussian_vector(pattern.nnz()), d1 = rng.gaussian_vector(pattern.nnz());
  const Vector f = rng.gaussian_vector(m), g = rng.gaussian_vector(m), q = rng.gaussian_vector(n);
  const auto loss = [&](const auto& p) {
    const auto x = sparse_lstsq(pattern, a0 + p[0] * d0 + p[1] * d1, p[2] * f + p[1] * g);
    return 0.5 * dot(x, x) + dot(x, q);
  };
  const Vector p{0.3, -0.2, 1.1};
  const DenseMatrix h = hessian_by_hvp(loss, p);
  const DenseMatrix fd = hessian_by_differences([&](const Vector& t) { return grad(loss, t); }, p, 1e-5);
  BOOST_TEST(relative_distance(h, fd) <= 1e-7);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < i; ++j) BOOST_TEST(std::abs(h(i, j) - h(j, i)) <= 1e-11 * std::abs(h(i, j)) + 1e-14);
  // The rule's two parts separately: in b alone, and in the values alone.
  const Vector b0 = rng.gaussian_vector(m);
  const auto in_b = [&](const auto& b) { return 0.5 * sum(square(sparse_lstsq(pattern, a0, b))); };
  const Vector v = rng.gaussian_vector(m);
  Vector hv_fd = grad(in_b, b0 + 1e-5 * v);
  axpy(-1.0, grad(in_b, b0 - 1e-5 * v), hv_fd);
  scale(0.5e5, hv_fd);
  BOOST_TEST(relative_error(hvp(in_b, b0, v), hv_fd) <= 1e-7);
  const auto in_values = [&](const auto& values) { return dot(sparse_lstsq(pattern, values, f), q); };
  const Vector dv = rng.gaussian_vector(pattern.nnz());
  Vector hdv_fd = grad(in_values, a0 + 1e-5 * dv);
  axpy(-1.0, grad(in_values, a0 - 1e-5 * dv), hdv_fd);
  scale(0.5e5, hdv_fd);
  BOOST_TEST(relative_error(hvp(in_values, a0, dv), hdv_fd) <= 1e-6);
}

BOOST_AUTO_TEST_SUITE_END()
