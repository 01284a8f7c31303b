// jh-theory: the "Jacobians and Hessians" theory notebook (seed 003) with frechet, all 21 sections.
// This file has sections 1-5 (Jacobians and the chain rule, JVP and VJP, the softmax and LayerNorm
// Jacobians, gradient flow through depth) and main; jh_theory_hessians.cpp sections 6-13 and
// jh_theory_curvature.cpp sections 14-21 (jh_theory.hpp; doc/exercises.md lists every section).
//
// The seed's cells were saved without their outputs: the values beside ours are those its code
// computes deterministically, derived here by hand. Its random data comes from NumPy's generator; this
// app draws from frechet's Random, so those numbers differ and only the checks carry over.

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "frechet/frechet.hpp"
#include "jh_theory.hpp"
#include "report.hpp"

using namespace frechet;
using demo::format;
using jh_theory::allclose;
using jh_theory::distance;
using jh_theory::matrix;

namespace {

// The seed's f_example: R^3 -> R^2, written once for every mode.
const auto f_example = [](const auto& x) {
  using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
  using std::exp;
  const T a = x[0] * x[0] + x[1] * x[2];
  const T b = exp(x[0]) - x[2] * x[2];
  return std::vector<T>{a, b};
};

DenseMatrix j_analytical(const Vector& x) { return DenseMatrix{{2 * x[0], x[2], x[1]}, {std::exp(x[0]), 0.0, -2 * x[2]}}; }

void section_1(demo::Report& report) {
  report.section("Q1.1", "Section 1.1: the Jacobian by finite differences (h = 1e-5) against the analytic one");
  const Vector x0{1.0, 2.0, 0.5};
  const DenseMatrix j_fd = finite_difference_jacobian(f_example, x0, 1e-5);
  const DenseMatrix j_ana = j_analytical(x0);
  const DenseMatrix j_ad = jacobian(f_example, x0);
  matrix(report, "jacobian_fd", "Jacobian (finite diff)", j_fd, "%.8f");
  matrix(report, "jacobian_analytical", "Jacobian (analytical) [[2, 0.5, 2], [e, 0, -1]]", j_ana, "%.8f");
  report.check("Jacobians match (the seed's allclose, atol 1e-8)", allclose(j_fd.values(), j_ana.values(), 1e-8),
               format("relative distance %.1e", relative_distance(j_fd, j_ana)));
  report.check("the AD Jacobian equals the analytic one", relative_distance(j_ad, j_ana) == 0.0, "");

  report.section("Q1.2", "Section 1.2: special cases (gradient, linear map, elementwise map)");
  const auto f_scalar = [](const auto& x) { return 0.5 * (x[0] * x[0] + 3.0 * x[1] * x[1]); };
  const Vector x1{2.0, 1.0};
  const DenseMatrix j_scalar = finite_difference_jacobian(f_scalar, x1, 1e-5);
  report.value("gradient_as_jacobian_row", "Gradient (as Jacobian row)", j_scalar.values(), "%.8f");
  report.value("gradient_analytical", "Gradient (analytical) [x0, 3 x1]", Vector{2.0, 3.0}, "%g");
  report.check("the 1 x n Jacobian of a scalar f is the gradient", allclose(j_scalar.values(), Vector{2.0, 3.0}, 1e-8), "");
  report.check("the AD gradient is [2, 3]", grad(f_scalar, x1) == Vector{2.0, 3.0}, "");
  const DenseMatrix a{{1, 2, 3}, {4, 5, 6}};
  Random random(0);
  const Vector x2 = random.gaussian_vector(3);
  const DenseMatrix j_linear = finite_difference_jacobian([&](const auto& x) { return matvec(a, x); }, x2, 1e-5);
  matrix(report, "jacobian_linear", "Jacobian of A x (should equal A)", j_linear, "%.6f");
  report.check("the Jacobian of A x is A (finite differences)", allclose(j_linear.values(), a.values(), 1e-8), "");
  report.check("the Jacobian of A x is A (AD, exactly)", jacobian([&](const auto& x) { return matvec(a, x); }, x2) == a, "");
  const Vector x3{0.5, -1.0, 2.0};
  const DenseMatrix j_sig = finite_difference_jacobian([](const auto& x) { return sigmoid(x); }, x3, 1e-5);
  DenseMatrix j_sig_ana(3, 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const double s = 1 / (1 + std::exp(-x3[i]));
    j_sig_ana(i, i) = s * (1 - s);
  }
  matrix(report, "jacobian_sigmoid", "Sigmoid Jacobian (should be diagonal)", j_sig, "%.6f");
  report.check("the sigmoid Jacobian is diag(sigma'(x)) (the seed's atol 1e-7)", allclose(j_sig.values(), j_sig_ana.values(), 1e-7), "");

  report.section("Q1.3", "Section 1.3: the chain rule J_{f o g} = J_f(g(x)) J_g(x)");
  DenseMatrix a_g(2, 3), a_f(2, 2);
  random.fill_gaussian(a_g.values());
  random.fill_gaussian(a_f.values());
  const Vector b_g = random.gaussian_vector(2), b_f = random.gaussian_vector(2), x = random.gaussian_vector(3);
  const auto g = [&](const auto& v) { return matvec(a_g, v) + b_g; };
  const auto f = [&](const auto& y) { return sigmoid(matvec(a_f, y) + b_f); };
  const auto fog = [&](const auto& v) { return f(g(v)); };
  const DenseMatrix j_fog_fd = finite_difference_jacobian(fog, x, 1e-5);
  const DenseMatrix j_chain = matmul(jacobian(f, g(x)), jacobian(g, x));
  const DenseMatrix j_fog_ad = jacobian(fog, x);
  matrix(report, "jacobian_fog_fd", "J_{f o g} via finite differences", j_fog_fd);
  matrix(report, "jacobian_fog_chain", "J_{f o g} via the chain rule (AD Jacobians of f at g(x) and of g)", j_chain);
  report.check("chain rule verified (the seed's atol 1e-7)", allclose(j_fog_fd.values(), j_chain.values(), 1e-7),
               format("relative distance %.1e", relative_distance(j_fog_fd, j_chain)));
  report.check("the AD Jacobian of f o g equals the product of the factors' Jacobians", relative_distance(j_fog_ad, j_chain) < 1e-15,
               format("relative distance %.1e", relative_distance(j_fog_ad, j_chain)));
}

void section_2(demo::Report& report) {
  report.section("Q2", "Section 2: the Jacobian by n JVPs (forward mode) or m VJPs (reverse mode)");
  const Vector x0{1.0, 2.0, 0.5};
  const DenseMatrix j_ana = j_analytical(x0);
  // Column j is the JVP with e_j (n = 3 forward passes); row i the VJP with e_i (m = 2 reverse passes).
  DenseMatrix by_jvp(2, 3), by_vjp(2, 3);
  for (std::size_t j = 0; j < 3; ++j) {
    Vector e(3, 0.0);
    e[j] = 1.0;
    const Vector column = jvp(f_example, x0, e).tangent;
    for (std::size_t i = 0; i < 2; ++i) by_jvp(i, j) = column[i];
  }
  const auto [y, pullback] = vjp(f_example, x0);
  for (std::size_t i = 0; i < 2; ++i) {
    Vector e(2, 0.0);
    e[i] = 1.0;
    const Vector r = pullback(e);
    for (std::size_t j = 0; j < 3; ++j) by_vjp(i, j) = r[j];
  }
  matrix(report, "jacobian_jvp", "Jacobian via JVP (n = 3 forward passes)", by_jvp);
  matrix(report, "jacobian_vjp", "Jacobian via VJP (m = 2 reverse passes, one recording)", by_vjp);
  report.check("the Jacobian by JVPs equals the analytic one (the seed's atol 1e-7; here exact)", relative_distance(by_jvp, j_ana) == 0.0, "");
  report.check("the Jacobian by VJPs equals the analytic one (the seed's atol 1e-7; here exact)", relative_distance(by_vjp, j_ana) == 0.0, "");
  // For a scalar loss one VJP is the whole gradient.
  const auto loss = [](const auto& x) { return sum(exp(x)) + dot(x, x); };
  const Vector g = grad(loss, x0);
  Vector g_ana(3);
  for (std::size_t i = 0; i < 3; ++i) g_ana[i] = std::exp(x0[i]) + 2 * x0[i];
  report.check("for a scalar loss (m = 1) one VJP gives the full gradient", distance(g, g_ana) < 1e-15, "");
  report.note("the seed's compute_jvp_buildup and compute_vjp_buildup are finite differences (central differences along e_j, "
              "and jacobian_fd of each output: 2n evaluations per row), so neither is a JVP or a VJP and the "
              "'m = 2 passes' of its VJP build-up cost 2mn = 12 evaluations of f. Here the columns are true JVPs (forward "
              "mode) and the rows true VJPs (one reverse-mode recording, pulled back twice).");
}

void section_3(demo::Report& report) {
  report.section("Q3", "Section 3: the softmax Jacobian at z = [1, 2, 0, -1]");
  const Vector z{1.0, 2.0, 0.0, -1.0};
  const std::size_t k = z.size();
  const Vector p = softmax(z);
  const DenseMatrix j = jacobian([](const auto& x) { return softmax(x); }, z);
  report.value("p", "Softmax probs", p, "%.4f");
  // exp(z) / sum exp(z) by hand: e^1, e^2, 1, e^-1 over their sum.
  const double total = std::exp(1.0) + std::exp(2.0) + 1.0 + std::exp(-1.0);
  report.check("p = e^z / sum e^z", distance(p, Vector{std::exp(1.0) / total, std::exp(2.0) / total, 1 / total, std::exp(-1.0) / total}) < 1e-15, "");
  report.value("p_sum", "Sum of probs", p[0] + p[1] + p[2] + p[3], "%.6f");
  matrix(report, "jacobian", "Softmax Jacobian (AD)", j);
  const Vector null_test = matvec(j, Vector(k, 1.0));
  report.check("null space: J 1 = 0 (atol 1e-10)", norm_inf(null_test) < 1e-10, format("%.1e", norm_inf(null_test)));
  report.check("J is symmetric", relative_distance(j, j.transposed()) == 0.0, "");
  const Vector eig = symmetric_eigen(j).values;
  report.value("eigenvalues", "Eigenvalues (ascending)", eig, "%.6g");
  report.check("PSD (all >= -1e-10)", eig[0] >= -1e-10, format("smallest %.1e", eig[0]));
  const std::size_t rank = matrix_rank(j);
  report.value("rank", "Rank", static_cast<double>(rank), "%.0f");
  report.check("rank: K - 1 = 3", rank == k - 1, "");
  bool diagonal = true;
  for (std::size_t i = 0; i < k; ++i) diagonal = diagonal && std::abs(j(i, i) - p[i] * (1 - p[i])) < 1e-16;
  report.check("diagonal = p (1 - p)", diagonal, "");
}

void section_4(demo::Report& report) {
  report.section("Q4", "Section 4: the LayerNorm Jacobian at x = [1, 2, 3, 4]");
  const Vector x{1.0, 2.0, 3.0, 4.0};
  const std::size_t d = x.size();
  const double mu = 2.5, sigma = std::sqrt(1.25);
  Vector x_hat(d);
  for (std::size_t i = 0; i < d; ++i) x_hat[i] = (x[i] - mu) / sigma;
  DenseMatrix j_ana(d, d);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t c = 0; c < d; ++c) j_ana(i, c) = ((i == c) - 1.0 / d - x_hat[i] * x_hat[c] / d) / sigma;
  const auto ln = [](const auto& v) { return layer_norm(v); };
  const DenseMatrix j_fd = finite_difference_jacobian(ln, x, 1e-5);
  const DenseMatrix j_ad = jacobian(ln, x);
  matrix(report, "jacobian_analytical", "LayerNorm Jacobian (analytical)", j_ana);
  matrix(report, "jacobian_fd", "LayerNorm Jacobian (finite diff)", j_fd);
  report.check("the finite-difference Jacobian matches the analytic one (the seed's atol 1e-7)", allclose(j_fd.values(), j_ana.values(), 1e-7),
               format("relative distance %.1e", relative_distance(j_fd, j_ana)));
  report.check("the AD Jacobian equals the analytic one", relative_distance(j_ad, j_ana) < 1e-15, "");
  report.check("null space 1 (atol 1e-10)", norm_inf(matvec(j_ana, Vector(d, 1.0))) < 1e-10, "");
  report.check("null space x_hat (atol 1e-10)", norm_inf(matvec(j_ana, x_hat)) < 1e-10, "");
  const std::size_t rank = matrix_rank(j_ana);
  report.value("rank", "Rank", static_cast<double>(rank), "%.0f");
  report.check("rank: d - 2 = 2", rank == d - 2, "");
}

void section_5(demo::Report& report) {
  report.section("Q5", "Section 5: the spectral norm of the Jacobian W_L ... W_1 through depth (n = 20, L = 30)");
  const std::size_t n = 20, depth = 30;
  // Entries N(0, s^2): s = 1 ('random'), 1/sqrt(n) ('xavier'), 0.1 ('too small').
  const std::array<std::pair<const char*, double>, 3> inits{
      {{"random", 1.0}, {"xavier", 1.0 / std::sqrt(static_cast<double>(n))}, {"too_small", 0.1}}};
  // The growth of ||W_L ... W_1 x|| per layer tends to the top Lyapunov exponent of Gaussian matrices,
  // log s + (log 2 + psi(n/2)) / 2 (Newman, Comm. Math. Phys. 103, 1986), psi(10) = H_9 - gamma.
  double h9 = 0.0;
  for (int i = 1; i <= 9; ++i) h9 += 1.0 / i;
  const double psi = h9 - std::numbers::egamma;
  std::vector<Vector> norms;
  for (const auto& [name, s] : inits) {
    Random random(42);
    DenseMatrix product = DenseMatrix::identity(n);
    Vector history{1.0};
    for (std::size_t l = 0; l < depth; ++l) {
      DenseMatrix w(n, n);
      random.fill_gaussian(w.values());
      for (double& e : w.values()) e *= s;
      product = matmul(w, product);
      history.push_back(spectral_norm(product));
    }
    const double lyapunov = std::log(s) + 0.5 * (std::log(2.0) + psi);
    // From layer 10 to 30, past the transient of the start.
    const double measured = (std::log(history[depth]) - std::log(history[10])) / (depth - 10);
    report.value(format("norm_depth_30_%s", name), format("%s init, depth 30 Jacobian norm", name), history.back(), "%.4e");
    report.value(format("growth_per_layer_%s", name), format("%s init: log-growth per layer (layers 10-30)", name), measured, "%.4f");
    report.value(format("lyapunov_%s", name), format("%s init: top Lyapunov exponent log s + (log 2 + psi(n/2))/2", name), lyapunov, "%.4f");
    report.check(format("%s init: the growth per layer is the top Lyapunov exponent (within 0.1)", name),
                 std::abs(measured - lyapunov) < 0.1, format("%.4f against %.4f", measured, lyapunov));
    norms.push_back(std::move(history));
  }
  report.note(format("the seed labels Xavier 'stable' (norm near 1). At finite width the log-norm still drifts, with exponent "
                     "(log 2 + psi(n/2) - log n)/2 = %.4f per layer for n = 20 (a typical factor e^{-0.76} = 0.47 over 30 "
                     "layers), and fluctuates: Var log||W x|| = psi'(n/2)/4 = 0.026 per layer, a spread of about e^{0.9} over 30 "
                     "layers (this draw ends at %.2f). Only the mean square E||W x||^2 = ||x||^2 is preserved exactly.",
                     0.5 * (std::log(2.0) + psi) - 0.5 * std::log(static_cast<double>(n)), norms[1].back()));
  std::string data;
  for (std::size_t l = 0; l <= depth; ++l) data += format("%zu %.9e %.9e %.9e\n", l, norms[0][l], norms[1][l], norms[2][l]);
  report.figure({.name = "q5_gradient_flow",
                 .title = "Spectral norm of the cumulative Jacobian through depth",
                 .data = {{"q5_norms.dat", data}},
                 .script = "set logscale y; set format y '10^{%L}'; set grid\n"
                           "set xlabel 'Layer depth'; set ylabel 'Spectral norm of Jacobian'\n"
                           "set title 'Gradient flow: spectral norm of the cumulative Jacobian'\nset key left top\n"
                           "plot 'q5_norms.dat' using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#CC3311' title 'Random init (explodes)', \\\n"
                           "     'q5_norms.dat' using 1:3 with linespoints pt 5 ps 0.6 lc rgb '#009988' title 'Xavier init', \\\n"
                           "     'q5_norms.dat' using 1:4 with linespoints pt 9 ps 0.6 lc rgb '#0077BB' title 'Too small (vanishes)', \\\n"
                           "     1 with lines dt 2 lc rgb 'black' title 'Ideal = 1'\n",
                 .width = 800,
                 .height = 440});
}

}  // namespace

int main(int argc, char** argv) {
  demo::Report report("003_d8db70af5a8f06d3.txt: Jacobians and Hessians, theory");
  if (const auto status = report.parse(argc, argv)) return *status;
  try {
    section_1(report);
    section_2(report);
    section_3(report);
    section_4(report);
    section_5(report);
    jh_theory::hessian_sections(report);
    jh_theory::curvature_sections(report);
  } catch (const std::exception& e) {
    report.check("the app ran to the end", false, e.what());
  }
  return report.finish();
}
