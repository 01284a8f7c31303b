// sparse_lstsq by LSQR (SparseLstsqMethod::lsqr): LSQR's minimum-norm solve (from zero and from a
// start in range(A), and what a start outside it does), the values and derivatives against the SPQR
// path (JVP against central differences, VJP against the JVP by duality and against central
// differences, hvp against central differences of the gradient), at 10^4 columns, unconverged solves
// and rank deficiency reported, warm starts, the tape's bytes, and bad options.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <tuple>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/sparse_solve.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "implicit_test_support.hpp"
#include "sparse_solve_test_support.hpp"

using namespace frechet;
using frechet::testing::message_has;
using frechet::testing::relative_error;
using namespace frechet::testing::sparse;

namespace {

const auto column_scaling = [](const CsrMatrix& a) { return inverse_column_norms(a); };

// [L; D] for L = laplacian_2d(nx, ny) and D = diag(d): a tall pattern of 2n rows and n columns, with
// masks (in its CSR order) of L's diagonal and of D. Stacking D under L makes A^T A = L^2 + D^2, so A
// has full column rank and, with d in [1, 2], a condition number below 9 whatever the grid: LSQR
// converges in a few dozen iterations at any n, while SPQR factors the same A as reference.
struct Stacked {
  CsrMatrix pattern;
  Vector values, l_diagonal, d_diagonal;
};
Stacked stacked_laplacian(std::size_t nx, std::size_t ny, const Vector& d) {
  const CsrMatrix l = laplacian_2d(nx, ny);
  const std::size_t n = l.rows();
  std::vector<SparseIndex> rows, cols;
  Vector values;
  const auto ro = l.row_offsets();
  const auto ci = l.col_indices();
  const auto lv = l.values();
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(ci[k]);
      values.push_back(lv[k]);
    }
  for (std::size_t i = 0; i < n; ++i) {
    rows.push_back(static_cast<SparseIndex>(n + i));
    cols.push_back(static_cast<SparseIndex>(i));
    values.push_back(d[i]);
  }
  Stacked s{CsrMatrix::from_triplets(2 * n, n, rows, cols, values), {}, {}, {}};
  s.values.assign(s.pattern.values().begin(), s.pattern.values().end());
  s.l_diagonal.assign(s.pattern.nnz(), 0.0);
  s.d_diagonal.assign(s.pattern.nnz(), 0.0);
  const auto sro = s.pattern.row_offsets();
  const auto sci = s.pattern.col_indices();
  for (std::size_t i = 0; i < 2 * n; ++i)
    for (SparseIndex k = sro[i]; k < sro[i + 1]; ++k) {
      if (i < n && static_cast<std::size_t>(sci[k]) == i) s.l_diagonal[k] = 1.0;
      if (i >= n) s.d_diagonal[k] = 1.0;
    }
  return s;
}

// The pullbacks of one cotangent u through f and through reference, at (values, b), to tol.
template <class F, class G>
void check_pullbacks_agree(const F& f, const G& reference, const Vector& values, const Vector& b, Random& rng, double tol) {
  const auto [x, pullback] = vjp(f, values, b);
  const auto [x_reference, pullback_reference] = vjp(reference, values, b);
  BOOST_TEST(relative_error(x, x_reference) <= tol);
  const Vector u = rng.gaussian_vector(x.size());
  const auto [v_bar, b_bar] = pullback(u);
  const auto [v_bar_reference, b_bar_reference] = pullback_reference(u);
  BOOST_TEST(relative_error(v_bar, v_bar_reference) <= tol);
  BOOST_TEST(relative_error(b_bar, b_bar_reference) <= tol);
}

// The VJP against central differences: <u, (f(v + h dv, b + h db) - f(v - h dv, b - h db)) / 2h> =
// <v_bar, dv> + <b_bar, db>, with (v_bar, b_bar) the pullback of u.
template <class F> void check_vjp_by_differences(const F& f, const Vector& values, const Vector& b, Random& rng, double tol) {
  const Vector dv = rng.gaussian_vector(values.size()), db = rng.gaussian_vector(b.size());
  const auto [x, pullback] = vjp(f, values, b);
  const Vector u = rng.gaussian_vector(x.size());
  const auto [v_bar, b_bar] = pullback(u);
  const double by_differences = dot(u, central_difference(f, values, b, dv, db));
  const double by_vjp = dot(v_bar, dv) + dot(b_bar, db);
  BOOST_TEST(std::abs(by_vjp - by_differences) <= tol * (norm2(v_bar) * norm2(dv) + norm2(b_bar) * norm2(db)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sparse_lstsq_lsqr)

BOOST_AUTO_TEST_CASE(lsqr_finds_the_minimum_norm_solution_from_a_start_in_range_a) {
  // A^T z = v with a tall A of full column rank (400 x 120) is consistent and underdetermined; its
  // minimum-norm solution is z* = A (A^T A)^{-1} v, SPQR's solve_transpose.
  Random rng(31);
  const CsrMatrix pattern = tall_pattern(400, 120);
  const Vector values = random_values(pattern, 1.0, rng);
  const auto a = std::make_shared<const CsrMatrix>(with_values(pattern, values));
  const SparseQrFactorization qr(*a);
  const Vector v = rng.gaussian_vector(120);
  const Vector z_star = qr.solve_transpose(v);
  const SolveResult from_zero = lsqr(transposed(a), v, {.rtol = 1e-13});
  BOOST_TEST(from_zero.converged);
  BOOST_TEST(relative_error(from_zero.x, z_star) <= 1e-10);
  // From a start in range(A) the correction stays there too: z* again.
  const SolveResult from_range = lsqr(transposed(a), v, {.rtol = 1e-13, .x0 = a->apply(rng.gaussian_vector(120))});
  BOOST_TEST(from_range.converged);
  BOOST_TEST(relative_error(from_range.x, z_star) <= 1e-10);
  // From a start q in null(A^T) (the least-squares residual of a random y): LSQR keeps q, and returns
  // the solution z* + q, not the minimum-norm one. Why the backward warm start must lie in range(A).
  const Vector y = rng.gaussian_vector(400);
  Vector q = y;
  axpy(-1.0, a->apply(qr.solve(y)), q);
  BOOST_TEST(norm2(a->apply_adjoint(q)) <= 1e-10 * norm2(q));
  BOOST_TEST(norm2(q) >= 0.5 * norm2(y));
  const SolveResult from_outside = lsqr(transposed(a), v, {.rtol = 1e-13, .x0 = q});
  BOOST_TEST(from_outside.converged);
  Vector z_plus_q = z_star;
  axpy(1.0, q, z_plus_q);
  BOOST_TEST(relative_error(from_outside.x, z_plus_q) <= 1e-10);

  // The rule's pseudo-inverse: its minimum-norm solves, the first from zero and the second warm-started
  // from a multiple of the first (its right-hand side is not orthogonal to the first's), with and
  // without a preconditioner, and its least-squares solve, all against SPQR's.
  const Vector b = rng.gaussian_vector(400);
  Vector v2 = rng.gaussian_vector(120);
  axpy(3.0, v, v2);
  for (const bool preconditioned : {false, true}) {
    BOOST_TEST_CONTEXT("preconditioned " << preconditioned) {
      const auto rule = detail::sparse_lstsq_rule(
          pattern, {.method = SparseLstsqMethod::lsqr, .rtol = 1e-13, .preconditioner = preconditioned ? inverse_column_norms(*a) : nullptr});
      const std::array<ConstVectorView, 2> inputs{ConstVectorView(values), ConstVectorView(b)};
      detail::SparseLstsqSaved saved;
      const Vector x = rule->primal(inputs, saved);
      BOOST_TEST(relative_error(x, qr.solve(b)) <= 1e-10);
      BOOST_TEST(relative_error(saved.pseudo_inverse->apply_adjoint(v), z_star) <= 1e-10);
      BOOST_TEST(relative_error(saved.pseudo_inverse->apply_adjoint(v2), qr.solve_transpose(v2)) <= 1e-10);
    }
  }
}

BOOST_AUTO_TEST_CASE(lsqr_values_and_derivatives_match_qr) {
  // A 40 x 12 A and a b not in its range (so that the r w^T term of the gradient matters), LSQR with
  // and without column scaling against SPQR, and each path's own derivative checks.
  Random rng(11);
  const CsrMatrix pattern = tall_pattern(40, 12);
  const Vector values = random_values(pattern, 1.0, rng);
  const Vector b = rng.gaussian_vector(40);
  const auto by_qr = [&](const auto& v, const auto& rhs) { return sparse_lstsq(pattern, v, rhs); };
  for (const bool preconditioned : {false, true}) {
    BOOST_TEST_CONTEXT("preconditioned " << preconditioned) {
      SparseLstsqOptions options{.method = SparseLstsqMethod::lsqr, .rtol = 1e-13};
      if (preconditioned) options.preconditioner_update = column_scaling;
      const auto by_lsqr = [&](const auto& v, const auto& rhs) { return sparse_lstsq(pattern, v, rhs, options); };
      check_pullbacks_agree(by_lsqr, by_qr, values, b, rng, 1e-10);
      check_derivatives(by_lsqr, values, b, rng, 1e-6, 1e-10);
      check_vjp_by_differences(by_lsqr, values, b, rng, 1e-7);
    }
  }
}

BOOST_AUTO_TEST_CASE(lsqr_gradients_match_qr_at_ten_thousand_columns) {
  // L(p) = ||x||^2 / 2 + <g, x>, x = argmin ||A(p) x - b(p)|| with A(p) = [L + p_0 I; D + p_1 I]
  // (2 10^4 x 10^4, L the Laplacian of a 100 x 100 grid, D = diag(1 + i/(n-1))) and b(p) = p_2 f,
  // f random (not in A's range). The gradient by LSQR (column-scaled) against SPQR's and central
  // differences; the pullback of a random cotangent in A's values and b against SPQR's.
  const std::size_t n = 100 * 100;
  Vector d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = 1.0 + static_cast<double>(i) / static_cast<double>(n - 1);
  const Stacked a = stacked_laplacian(100, 100, d);
  BOOST_TEST(a.pattern.cols() == n);
  Random rng(23);
  const Vector f = rng.gaussian_vector(2 * n), g = rng.gaussian_vector(n);
  const SparseLstsqOptions lsqr_options{.method = SparseLstsqMethod::lsqr, .rtol = 1e-12, .preconditioner_update = column_scaling};
  const auto loss_with = [&](const SparseLstsqOptions& options) {
    return [&, options](const auto& p) {
      const auto x = sparse_lstsq(a.pattern, a.values + p[0] * a.l_diagonal + p[1] * a.d_diagonal, p[2] * f, options);
      return 0.5 * dot(x, x) + dot(g, x);
    };
  };
  const auto by_lsqr = loss_with(lsqr_options);
  const auto by_qr = loss_with({});
  const Vector p{0.2, -0.3, 1.5};
  const Vector g_lsqr = grad(by_lsqr, p);
  BOOST_TEST(relative_error(g_lsqr, grad(by_qr, p)) <= 1e-9);
  for (std::size_t i = 0; i < 3; ++i) {
    const double h = 1e-5;
    Vector pp = p, pm = p;
    pp[i] += h;
    pm[i] -= h;
    BOOST_TEST(std::abs(g_lsqr[i] - (by_lsqr(pp) - by_lsqr(pm)) / (2 * h)) <= 1e-6 * std::abs(g_lsqr[i]));
  }
  check_pullbacks_agree([&](const auto& v, const auto& rhs) { return sparse_lstsq(a.pattern, v, rhs, lsqr_options); },
                        [&](const auto& v, const auto& rhs) { return sparse_lstsq(a.pattern, v, rhs); }, a.values, f, rng, 1e-9);
}

BOOST_AUTO_TEST_CASE(hessian_through_lsqr_against_qr_and_differences) {
  // L(p) = ||x(p)||^2 / 2 + <x(p), q>, x(p) = argmin ||A(p) x - b(p)|| with A(p) = A_0 + p_0 D_0 + p_1 D_1
  // (30 x 10) and b(p) = p_2 f + p_1 g, as test_second_order.cpp takes it through SPQR: the Hessian by
  // hvp through LSQR against SPQR's, central differences of LSQR's gradient, and its symmetry.
  Random rng(29);
  const CsrMatrix pattern = tall_pattern(30, 10);
  const Vector a0 = random_values(pattern, 1.0, rng);
  const Vector d0 = rng.gaussian_vector(pattern.nnz()), d1 = rng.gaussian_vector(pattern.nnz());
  const Vector f = rng.gaussian_vector(30), g = rng.gaussian_vector(30), q = rng.gaussian_vector(10);
  const auto loss_with = [&](const SparseLstsqOptions& options) {
    return [&, options](const auto& p) {
      const auto x = sparse_lstsq(pattern, a0 + p[0] * d0 + p[1] * d1, p[2] * f + p[1] * g, options);
      return 0.5 * dot(x, x) + dot(x, q);
    };
  };
  const Vector p{0.3, -0.2, 1.1};
  const auto by_qr = loss_with({});
  for (const bool preconditioned : {false, true}) {
    BOOST_TEST_CONTEXT("preconditioned " << preconditioned) {
      SparseLstsqOptions options{.method = SparseLstsqMethod::lsqr, .rtol = 1e-13};
      if (preconditioned) options.preconditioner_update = column_scaling;
      const auto by_lsqr = loss_with(options);
      DenseMatrix h(3, 3);
      for (std::size_t j = 0; j < 3; ++j) {
        Vector e(3, 0.0);
        e[j] = 1.0;
        const Vector column = hvp(by_lsqr, p, e);
        BOOST_TEST(relative_error(column, hvp(by_qr, p, e)) <= 1e-9);
        const double step = 1e-5;
        Vector fd = grad(by_lsqr, p + step * e);
        axpy(-1.0, grad(by_lsqr, p - step * e), fd);
        scale(0.5 / step, fd);
        BOOST_TEST(relative_error(column, fd) <= 1e-6);
        for (std::size_t i = 0; i < 3; ++i) h(i, j) = column[i];
      }
      for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < i; ++j) BOOST_TEST(std::abs(h(i, j) - h(j, i)) <= 1e-9 * (std::abs(h(i, j)) + 1e-3));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unconverged_lsqr_solve_throws_forward_or_backward) {
  // A = [L; 2 I] on a 30 x 20 grid and b = A s, s L's lowest eigenvector: A^T A s = (lambda^2 + 4) s,
  // so the least-squares solve converges in one iteration; the minimum-norm solve of a random
  // cotangent does not in two, and must not return a gradient.
  const std::size_t nx = 30, ny = 20, n = nx * ny;
  const Stacked a = stacked_laplacian(nx, ny, Vector(n, 2.0));
  Vector s(n);
  for (std::size_t j = 0; j < ny; ++j)
    for (std::size_t i = 0; i < nx; ++i)
      s[i + nx * j] = std::sin(std::numbers::pi * static_cast<double>(i + 1) / static_cast<double>(nx + 1)) *
                      std::sin(std::numbers::pi * static_cast<double>(j + 1) / static_cast<double>(ny + 1));
  const Vector b = with_values(a.pattern, a.values).apply(s);
  Random rng(3);
  const Vector w = rng.gaussian_vector(n);
  const SparseLstsqOptions options{.method = SparseLstsqMethod::lsqr, .max_iterations = 2};
  const auto loss = [&](const auto& p) { return dot(w, sparse_lstsq(a.pattern, a.values + p[0] * a.d_diagonal, b, options)); };
  const Vector p{0.0};
  BOOST_TEST(std::abs(loss(p) - dot(w, s)) <= 1e-8 * norm2(w) * norm2(s));  // forward: converged, x = s
  BOOST_CHECK_EXCEPTION(grad(loss, p), NumericalError, [](const NumericalError& e) {
    return message_has(e, "lsqr did not converge in the minimum-norm solve with A^T") && message_has(e, "max_iterations after 2") &&
           message_has(e, "relative residual");
  });
  BOOST_CHECK_EXCEPTION(sparse_lstsq(a.pattern, a.values, rng.gaussian_vector(2 * n), options), NumericalError,
                        [](const NumericalError& e) {
                          return message_has(e, "did not converge in the least-squares solve with A") &&
                                 message_has(e, "max_iterations after 2") && message_has(e, "relative normal residual");
                        });
}

BOOST_AUTO_TEST_CASE(a_rank_deficient_a_throws_at_the_first_derivative) {
  // A = [c c] with c = (1, 2, 3): rank 1. The primal returns LSQR's minimum-norm least-squares
  // solution x_1 = x_2 = c^T b / (2 c^T c); the derivative of <u, x> for u outside range(A^T) =
  // span{(1, 1)} needs the inconsistent A^T z = u, and throws.
  const std::vector<SparseIndex> rows{0, 0, 1, 1, 2, 2}, cols{0, 1, 0, 1, 0, 1};
  const CsrMatrix twins = CsrMatrix::from_triplets(3, 2, rows, cols, Vector(6, 1.0));
  const Vector values{1.0, 1.0, 2.0, 2.0, 3.0, 3.0}, b{1.0, 0.0, 1.0};
  const SparseLstsqOptions options{.method = SparseLstsqMethod::lsqr};
  BOOST_TEST(relative_error(sparse_lstsq(twins, values, b, options), Vector{1.0 / 7.0, 1.0 / 7.0}) <= 1e-12);
  const Vector u{1.0, 0.0};
  BOOST_CHECK_EXCEPTION(grad([&](const auto& v) { return dot(u, sparse_lstsq(twins, v, b, options)); }, values), NumericalError,
                        [](const NumericalError& e) { return message_has(e, "rank deficient"); });
}

BOOST_AUTO_TEST_CASE(a_repeated_cotangent_starts_at_its_answer) {
  // The second pullback of one cotangent starts both of its solves from the first one's solutions:
  // a handful of preconditioner products (the checks of the starts), where the first takes many.
  Random rng(9);
  const CsrMatrix pattern = tall_pattern(600, 200);
  const Vector values = random_values(pattern, 1.0, rng);
  const Vector b = rng.gaussian_vector(600);
  int count = 0;
  const OperatorPtr m = std::make_shared<const CountingPreconditioner>(inverse_column_norms(with_values(pattern, values)), count);
  const auto f = [&](const auto& v, const auto& rhs) {
    return sparse_lstsq(pattern, v, rhs, {.method = SparseLstsqMethod::lsqr, .preconditioner = m});
  };
  const auto [x, pullback] = vjp(f, values, b);
  const Vector u = rng.gaussian_vector(200);
  count = 0;
  const auto first = pullback(u);
  const int cold = count;
  count = 0;
  const auto second = pullback(u);
  BOOST_TEST(cold >= 40);
  BOOST_TEST(count <= 10);
  BOOST_TEST(relative_error(std::get<1>(second), std::get<1>(first)) <= 1e-9);
}

BOOST_AUTO_TEST_CASE(a_tape_counts_what_lsqr_keeps) {
  // A (a value and a column index per entry), the warm starts (two directions, a right-hand side and
  // a solution each: 2 (m + n) values) and the residual (m values).
  Random rng(4);
  const CsrMatrix pattern = tall_pattern(400, 120);
  Tape<double> tape;
  const TapeVector<double> v = tape.variable(random_values(pattern, 1.0, rng));
  const TapeVector<double> b = tape.variable(rng.gaussian_vector(400));
  const std::size_t before = tape.memory_bytes();
  const TapeVector<double> x = sparse_lstsq(pattern, v, b, {.method = SparseLstsqMethod::lsqr});
  BOOST_TEST(tape.memory_bytes() - before >=
             pattern.nnz() * (sizeof(double) + sizeof(SparseIndex)) + (2 * (400 + 120) + 400) * sizeof(double));
  BOOST_TEST(x.size() == 120u);
}

BOOST_AUTO_TEST_CASE(bad_lstsq_options_throw_naming_the_field) {
  const CsrMatrix pattern = tall_pattern(12, 5);
  Random rng(2);
  const Vector values = random_values(pattern, 1.0, rng);
  const Vector b(12, 1.0);
  const OperatorPtr n = inverse_column_norms(with_values(pattern, values));
  const auto update = [](const CsrMatrix& a) { return inverse_column_norms(a); };
  const auto throws_naming = [&](const SparseLstsqOptions& options, const std::string& field) {
    BOOST_CHECK_EXCEPTION(sparse_lstsq(pattern, values, b, options), ArgumentError,
                          [&](const ArgumentError& e) { return message_has(e, field); });
  };
  // LSQR's fields with qr.
  throws_naming({.rtol = 1e-6}, "rtol is used by method = lsqr only");
  throws_naming({.atol = 1e-9}, "atol");
  throws_naming({.max_iterations = 10}, "max_iterations");
  throws_naming({.preconditioner = n}, "preconditioner");
  throws_naming({.preconditioner_update = update}, "preconditioner_update");
  // Values out of range with lsqr.
  throws_naming({.method = SparseLstsqMethod::lsqr, .rtol = -1.0}, "rtol");
  throws_naming({.method = SparseLstsqMethod::lsqr, .atol = std::nan("")}, "atol");
  throws_naming({.method = SparseLstsqMethod::lsqr, .rtol = 0.0}, "rtol and atol are both 0");
  throws_naming({.method = SparseLstsqMethod::lsqr, .max_iterations = -1}, "max_iterations");
  throws_naming({.method = SparseLstsqMethod::lsqr, .preconditioner = n, .preconditioner_update = update}, "preconditioner_update");
  // A preconditioner that is not n x n (n = A's columns), given or built.
  BOOST_CHECK_EXCEPTION(sparse_lstsq(pattern, values, b, {.method = SparseLstsqMethod::lsqr, .preconditioner = identity_operator(12)}),
                        ShapeError, [](const ShapeError& e) { return message_has(e, "preconditioner") && message_has(e, "5 x 5"); });
  BOOST_CHECK_EXCEPTION(
      sparse_lstsq(pattern, values, b,
                   {.method = SparseLstsqMethod::lsqr, .preconditioner_update = [](const CsrMatrix&) { return identity_operator(4); }}),
      ShapeError, [](const ShapeError& e) { return message_has(e, "preconditioner_update"); });
}

BOOST_AUTO_TEST_SUITE_END()
