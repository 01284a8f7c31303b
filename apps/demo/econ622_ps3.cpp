// econ622-ps3: ECON622 Problem Set 3 (seed 000) with frechet. Q1: gradient descent on
// f(x) = 1/2 x^T P x, P = Q(theta) diag(Lambda) Q(theta)^T, plain and Jacobi-preconditioned, with the
// seed's stopping rule; Q2: the JVP and VJP of f(A, x) = A x in both arguments; Q3: the adjoint of
// linear least squares and the sensitivity of beta_hat_0 to every observation and to X.
//
// The seed draws its data from JAX's PRNG; this app draws from frechet's Random, so the random numbers
// differ and only the checks carry over. Every deterministic number the seed prints is recomputed.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/precond/jacobi.hpp"
#include "report.hpp"

using namespace frechet;
using demo::format;

namespace {

constexpr double tolerance = 1e-6;  // the seed's tol: stop when ||x|| < 1e-6
constexpr int max_iter = 5000;      // the seed's max_iter
const Vector x0{0.9, 0.0};
constexpr double eta = 0.5;

// P = Q diag(lambda) Q^T, Q the rotation by theta (the seed's make_P).
DenseMatrix make_P(const Vector& lambda, double theta) {
  const double c = std::cos(theta), s = std::sin(theta);
  const DenseMatrix q{{c, -s}, {s, c}};
  const DenseMatrix ql{{c * lambda[0], -s * lambda[1]}, {s * lambda[0], c * lambda[1]}};
  return matmul(ql, q, Transpose::no, Transpose::yes);
}

// Fixed-step gradient descent x <- x - step D^{-1} P x by the optimiser layer, every iterate kept.
// atol = 1e-300: the library's gradient rule holds only far past the seed's ||x_k|| < 1e-6.
OptimizeResult descend(const DenseMatrix& p, double step, int iterations, OperatorPtr preconditioner = {}) {
  const Objective f = differentiable_objective([p](const auto& x) { return 0.5 * quad_form(x, p); });
  return gradient_descent(f, x0,
                          {.atol = 1e-300,
                           .max_iterations = iterations,
                           .line_search = LineSearchKind::fixed,
                           .step_size = step,
                           .preconditioner = std::move(preconditioner),
                           .record_path = true});
}

// The seed's count: the first i with ||x_i|| < tol, or max_iter. The optimiser layer has no stopping
// rule on the distance to a known minimiser, so the rule is applied to the recorded path.
int seed_count(const OptimizeResult& r) {
  for (std::size_t i = 0; i < r.path.size(); ++i)
    if (norm2(r.path[i]) < tolerance) return static_cast<int>(i);
  return max_iter;
}

// The diagonal of P as frechet's Jacobi preconditioner finds it (exactly, by probing the operator).
std::shared_ptr<const JacobiPreconditioner> jacobi(const DenseMatrix& p) {
  return jacobi_preconditioner(dense_operator(p));
}

// D^{-1/2} P D^{-1/2} with D the preconditioner's diagonal.
DenseMatrix scaled(const DenseMatrix& p, const Vector& d) {
  DenseMatrix s = p;
  for (std::size_t j = 0; j < p.cols(); ++j)
    for (std::size_t i = 0; i < p.rows(); ++i) s(i, j) /= std::sqrt(d[i] * d[j]);
  return s;
}

double max_path_distance(const std::vector<Vector>& a, const std::vector<Vector>& b) {
  double d = 0.0;
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i) d = std::max(d, std::abs(a[k][i] - b[k][i]));
  return d;
}

// The seed's plot_gd_steps: contours of f on [-1, 1]^2 (20 levels) and the first gradient-descent steps.
demo::Figure contour_figure(const std::string& name, const std::string& title, const DenseMatrix& p,
                            const std::vector<Vector>& path) {
  std::string grid, steps;
  for (int i = 0; i < 100; ++i) {
    const double x1 = -1.0 + 2.0 * i / 99.0;
    for (int j = 0; j < 100; ++j) {
      const double x2 = -1.0 + 2.0 * j / 99.0;
      grid += format("%.6g %.6g %.6g\n", x1, x2, 0.5 * (p(0, 0) * x1 * x1 + 2 * p(0, 1) * x1 * x2 + p(1, 1) * x2 * x2));
    }
    grid += "\n";
  }
  for (std::size_t k = 0; k + 1 < path.size(); ++k)
    steps += format("%.9g %.9g %.9g %.9g\n", path[k][0], path[k][1], path[k + 1][0] - path[k][0], path[k + 1][1] - path[k][1]);
  return {.name = name,
          .title = title,
          .data = {{name + "_grid.dat", grid}, {name + "_steps.dat", steps}},
          .script = "set table '" + name + "_contours.dat'\n"
                    "set contour base; set cntrparam levels 20; unset surface; set view map\n"
                    "splot '" + name + "_grid.dat' using 1:2:3 with lines\n"
                    "unset table; unset contour\n"
                    "set size ratio -1; set xrange [-1:1]; set yrange [-1:1]\n"
                    "set xlabel 'x1'; set ylabel 'x2'; set title '" + title + "'\n" +
                    demo::viridis_palette + "unset colorbox\n"
                    "plot '" + name + "_contours.dat' using 1:2:3 with lines lc palette notitle, \\\n"
                    "     '" + name + "_steps.dat' using 1:2:3:4 with vectors head filled size 0.03,20 lc rgb 'red' lw 1.5 notitle\n",
          .width = 600,
          .height = 520};
}

void question_1(demo::Report& report) {
  const double theta = std::numbers::pi / 6;
  const char* conditioning[] = {"well-conditioned", "moderately conditioned", "poorly conditioned"};

  report.section("Q1.1", "Explore conditioning visually (5 GD steps, eta = 0.5, x0 = [0.9, 0])");
  const int kappas[] = {2, 10, 100};
  for (int i = 0; i < 3; ++i) {
    const DenseMatrix p = make_P({1.0, 1.0 / kappas[i]}, theta);
    const OptimizeResult r = descend(p, eta, 5);
    report.value(format("x5_kappa_%d", kappas[i]), format("kappa = %d: x after 5 steps", kappas[i]), r.x, "%.6f");
    report.figure(contour_figure(format("q1_1_contours_kappa_%d", kappas[i]),
                                 format("κ = %d: %s", kappas[i], conditioning[i]), p, r.path));
  }
  report.print("Narrow ellipses: the gradient is normal to the contours, so it points across the valley, and a");
  report.print("step small enough for the steep direction barely moves along the flat one.");

  report.section("Q1.2", "Count iterations to convergence (the seed's rule ||x_k|| < 1e-6, max_iter 5000)");
  const char* seed_counts[] = {"46", "254", "2597"};
  int counts[3];
  for (int i = 0; i < 3; ++i) {
    const double kappa = kappas[i];
    const DenseMatrix p = make_P({1.0, 1.0 / kappa}, theta);
    const OptimizeResult r = descend(p, eta, max_iter);
    counts[i] = seed_count(r);
    report.compare(format("gd_iterations_kappa_%d", kappas[i]), format("kappa = %d: iterations", kappas[i]), counts[i],
                   "%.0f", seed_counts[i]);
    // Once the fast component has died, ||x_k|| ~ |c_min| (1 - eta lambda_min)^k, c_min the component of
    // x0 along the eigenvector of lambda_min = 1/kappa: Q's second column [-sin, cos].
    const double c_min = std::abs(-std::sin(theta) * x0[0] + std::cos(theta) * x0[1]);
    const double predicted = std::ceil(std::log(c_min / tolerance) / -std::log(1.0 - eta / kappa));
    report.check(format("kappa = %d: the count is the rate's prediction ceil(log(|c_min|/tol) / -log(1 - eta/kappa))", kappas[i]),
                 std::abs(counts[i] - predicted) <= 1, format("%d against %.0f", counts[i], predicted));
  }
  const double per_kappa_lo = std::min({counts[0] / 2.0, counts[1] / 10.0, counts[2] / 100.0});
  const double per_kappa_hi = std::max({counts[0] / 2.0, counts[1] / 10.0, counts[2] / 100.0});
  report.check("the count grows linearly with kappa, as the seed says (iterations / kappa within 15%)",
               per_kappa_hi <= 1.15 * per_kappa_lo, format("iterations / kappa from %.1f to %.1f", per_kappa_lo, per_kappa_hi));
  const OptimizeResult library_rule = gradient_descent(
      differentiable_objective([p = make_P({1.0, 0.01}, theta)](const auto& x) { return 0.5 * quad_form(x, p); }), x0,
      {.atol = tolerance, .line_search = LineSearchKind::fixed, .step_size = eta});
  report.value("gd_iterations_kappa_100_gradient_rule", "kappa = 100 with the library's default rule ||P x_k|| <= 1e-6",
               library_rule.iterations, "%.0f");

  report.section("Q1.3", "Preconditioned GD is GD on the transformed problem x~ = D^{1/2} x");
  {
    const DenseMatrix p = make_P({1.0, 0.01}, theta);
    const auto d = jacobi(p);
    const DenseMatrix pt = scaled(p, d->diagonal());
    report.value("diag_P_tilde", "diag(D^{-1/2} P D^{-1/2}) with D = diag(P)", Vector{pt(0, 0), pt(1, 1)}, "%.15g");
    report.check("the diagonal of P~ is all ones", std::abs(pt(0, 0) - 1) < 1e-14 && std::abs(pt(1, 1) - 1) < 1e-14, "");
    // Plain GD on P~ from x~0 = D^{1/2} x0, mapped back by D^{-1/2}, against preconditioned GD on P.
    const Objective ft = differentiable_objective([pt](const auto& x) { return 0.5 * quad_form(x, pt); });
    const Vector sqrt_d{std::sqrt(d->diagonal()[0]), std::sqrt(d->diagonal()[1])};
    const Vector xt0{sqrt_d[0] * x0[0], sqrt_d[1] * x0[1]};
    OptimizeResult transformed = gradient_descent(
        ft, xt0, {.atol = 1e-300, .max_iterations = 200, .line_search = LineSearchKind::fixed, .step_size = eta, .record_path = true});
    for (Vector& x : transformed.path) x = Vector{x[0] / sqrt_d[0], x[1] / sqrt_d[1]};
    const double gap = max_path_distance(transformed.path, descend(p, eta, 200, d).path);
    report.check("200 iterates of Jacobi-preconditioned GD on P equal D^{-1/2} times those of GD on P~", gap < 1e-13,
                 format("largest difference %.2e", gap));
  }

  report.section("Q1.4", "Diagonal (Jacobi) preconditioning, kappa = 100, theta = pi/6");
  const DenseMatrix p30 = make_P({1.0, 0.01}, theta);
  const auto d30 = jacobi(p30);
  const OptimizeResult plain30 = descend(p30, eta, max_iter);
  const OptimizeResult jacobi30 = descend(p30, eta, max_iter, d30);
  const int n_plain30 = seed_count(plain30), n_jacobi30 = seed_count(jacobi30);
  report.compare("gd_iterations_plain", "without preconditioning: iterations", n_plain30, "%.0f", "2597");
  report.compare("gd_iterations_jacobi", "with preconditioning: iterations", n_jacobi30, "%.0f", "1042");
  report.compare("speedup", "speedup", static_cast<double>(n_plain30) / n_jacobi30, "%.1f", "2.5");

  report.section("Q1.5", "Condition numbers before and after Jacobi scaling, theta = pi/6");
  const DenseMatrix pt30 = scaled(p30, d30->diagonal());
  const double cond_p30 = condition_number(p30), cond_pt30 = condition_number(pt30);
  report.compare("cond_P", "cond(P)", cond_p30, "%.2f", "100.00");
  report.compare("cond_P_preconditioned", "cond(P_precond)", cond_pt30, "%.2f", "75.49");
  report.value("diag_P_preconditioned", "diagonal of P_precond", Vector{pt30(0, 0), pt30(1, 1)}, "%.0f");
  // Where the 2.5x comes from: the rate of fixed-step GD is max_i |1 - eta mu_i| over the eigenvalues mu
  // of the iteration matrix (P, or D^{-1} P ~ P~). At each method's best fixed step 2/(mu_min + mu_max)
  // the rate is (kappa - 1)/(kappa + 1), which is all that the condition number governs.
  const Vector mu = symmetric_eigen(p30).values, mut = symmetric_eigen(pt30).values;
  const int best_plain = seed_count(descend(p30, 2.0 / (mu[0] + mu[1]), max_iter));
  const int best_jacobi = seed_count(descend(p30, 2.0 / (mut[0] + mut[1]), max_iter, d30));
  report.value("gd_iterations_plain_best_step", "plain GD at its best fixed step 2/(lambda_min + lambda_max): iterations",
               best_plain, "%.0f");
  report.value("gd_iterations_jacobi_best_step", "Jacobi GD at its best fixed step: iterations", best_jacobi, "%.0f");
  report.value("speedup_best_steps", "speedup at the best steps", static_cast<double>(best_plain) / best_jacobi, "%.2f");
  report.note(format("the seed calls the improvement 'dramatic'; cond falls by a quarter only (100 to %.2f). Most of "
                     "the 2.5x speedup at eta = 0.5 is a longer effective step (D^{-1} = diag(%.2f, %.2f) enlarges it): "
                     "with each method at its best fixed step the speedup is %.2f, close to the ratio of condition "
                     "numbers %.2f, and plain GD at its best step needs %d iterations, fewer than Jacobi at eta = 0.5.",
                     cond_pt30, 1 / d30->diagonal()[0], 1 / d30->diagonal()[1],
                     static_cast<double>(best_plain) / best_jacobi, cond_p30 / cond_pt30, best_plain));
  report.check("at the best fixed steps the speedup is the ratio of condition numbers (within 10%)",
               std::abs(static_cast<double>(best_plain) / best_jacobi / (cond_p30 / cond_pt30) - 1) < 0.1,
               format("%.3f against %.3f", static_cast<double>(best_plain) / best_jacobi, cond_p30 / cond_pt30));

  report.section("Q1.6", "When diagonal preconditioning fails: theta = pi/4");
  const DenseMatrix p45 = make_P({1.0, 0.01}, std::numbers::pi / 4);
  const auto d45 = jacobi(p45);
  const OptimizeResult plain45 = descend(p45, eta, max_iter);
  const OptimizeResult jacobi45 = descend(p45, eta, max_iter, d45);
  const int n_plain45 = seed_count(plain45), n_jacobi45 = seed_count(jacobi45);
  report.compare("gd_iterations_plain", "without preconditioning: iterations", n_plain45, "%.0f", "2667");
  report.compare("gd_iterations_jacobi", "with preconditioning: iterations", n_jacobi45, "%.0f", "1344");
  report.compare("speedup", "speedup", static_cast<double>(n_plain45) / std::max(n_jacobi45, 1), "%.1f", "2.0");
  report.compare("P00", "P[0,0]", p45(0, 0), "%.4f", "0.5050");
  report.compare("P11", "P[1,1]", p45(1, 1), "%.4f", "0.5050");
  const DenseMatrix pt45 = scaled(p45, d45->diagonal());
  const double cond_p45 = condition_number(p45), cond_pt45 = condition_number(pt45);
  report.compare("cond_P", "cond(P)", cond_p45, "%.2f", "100.00");
  report.compare("cond_P_preconditioned", "cond(P_precond)", cond_pt45, "%.2f", "100.00");
  // D = (lambda_1 + lambda_2)/2 I, so Jacobi GD is plain GD with eta' = 2 eta / (lambda_1 + lambda_2).
  const double eta_prime = 2 * eta / (1.0 + 0.01);
  report.value("eta_effective", "effective step eta' = 2 eta / (lambda_1 + lambda_2)", eta_prime, "%.4f");
  const double gap = max_path_distance(jacobi45.path, descend(p45, eta_prime, max_iter).path);
  report.check("Jacobi GD at pi/4 is plain GD with eta' (5000 iterates)", gap < 1e-12, format("largest difference %.2e", gap));
  const double rate_plain = 1 - eta * 0.01, rate_jacobi = 1 - eta_prime * 0.01;
  report.value("rate_plain", "rate max|1 - eta lambda| of plain GD", rate_plain, "%.6f");
  report.value("rate_jacobi", "rate max|1 - eta' lambda| of Jacobi GD", rate_jacobi, "%.6f");
  const double predicted = std::log(rate_jacobi) / std::log(rate_plain);
  report.check("the iteration ratio is the ratio of the log rates (within 1%)",
               std::abs(static_cast<double>(n_plain45) / n_jacobi45 / predicted - 1) < 0.01,
               format("%.4f against %.4f", static_cast<double>(n_plain45) / n_jacobi45, predicted));
  report.note(format("the seed says the convergence rate 'governed by kappa' is identical with and without Jacobi at "
                     "pi/4. kappa is identical, the rate is not: fixed-step GD contracts by max|1 - eta lambda|, "
                     "%.6f at eta = 0.5 and %.6f at eta' = %.4f, which is exactly the 2x. Only at the best step "
                     "2/(lambda_min + lambda_max) does the rate, (kappa-1)/(kappa+1), depend on kappa alone.",
                     rate_plain, rate_jacobi, eta_prime));

  // Beyond the seed: ||x_k|| for the four runs of Q1.4 and Q1.6 on a log scale.
  std::string data;
  for (int k = 0; k <= 3000; k += 10)
    data += format("%d %.6e %.6e %.6e %.6e\n", k, norm2(plain30.path[k]), norm2(jacobi30.path[k]), norm2(plain45.path[k]),
                   norm2(jacobi45.path[k]));
  report.figure({.name = "q1_6_convergence",
                 .title = "||x_k|| of plain and Jacobi GD (eta = 0.5) at θ = π/6 and π/4",
                 .data = {{"q1_6_convergence.dat", data}},
                 .script = "set logscale y; set format y '10^{%L}'; set xlabel 'iteration k'; set ylabel '||x_k||'\n"
                           "set yrange [1e-7:2]; set grid; set key top right\n"
                           "set arrow from graph 0, first 1e-6 to graph 1, first 1e-6 nohead dt 2\n"
                           "set title '||x_k|| of plain and Jacobi-preconditioned GD, κ = 100'\n"
                           "plot 'q1_6_convergence.dat' using 1:2 with lines lw 2 title 'plain, θ = π/6', "
                           "'' using 1:3 with lines lw 2 title 'Jacobi, θ = π/6', "
                           "'' using 1:4 with lines lw 2 dt 2 title 'plain, θ = π/4', "
                           "'' using 1:5 with lines lw 2 dt 2 title 'Jacobi, θ = π/4'\n"});
}

void question_2(demo::Report& report) {
  const std::size_t m = 4, n = 3;
  Random random(42);
  auto gaussian_matrix = [&](std::size_t rows, std::size_t cols) {
    DenseMatrix a(rows, cols);
    random.fill_gaussian(a.values());
    return a;
  };
  const DenseMatrix a = gaussian_matrix(m, n);
  const Vector x = random.gaussian_vector(n);
  const DenseMatrix a_dot = gaussian_matrix(m, n);
  const Vector x_dot = random.gaussian_vector(n);
  const Vector y_bar = Random(99).gaussian_vector(m);

  report.section("Q2.1-Q2.3", "The JVP of f(A, x) = A x in both arguments at once");
  report.note("the seed's data come from JAX's PRNG (keys 42 and 99); ours from frechet's Random, so the printed "
              "vectors differ from the seed's and only the checks carry over.");
  // The rule: y_dot = A_dot x + A x_dot.
  Vector rule = matvec(a_dot, x);
  axpy(1.0, matvec(a, x_dot), rule);
  // The AD layer's forward mode in both arguments at once: one pass pushes (A_dot, x_dot).
  const auto f = [](const auto& a_, const auto& x_) { return matvec(a_, x_); };
  const Vector ad = jvp(f, std::tuple{a, x}, std::tuple{a_dot, x_dot}).tangent;
  // Central differences along (A_dot, x_dot): exact up to rounding for a bilinear f.
  const double h = 1e-6;
  auto moved = [&](double t) {
    DenseMatrix at = a;
    Vector xt = x;
    axpy(t, a_dot.values(), at.values());
    axpy(t, x_dot, xt);
    return matvec(at, xt);
  };
  Vector fd = moved(h);
  axpy(-1.0, moved(-h), fd);
  scale(1.0 / (2 * h), fd);
  report.value("jvp_ad", "AD JVP result", ad, "%.8f");
  report.value("jvp_manual", "Manual JVP result", rule, "%.8f");
  report.value("jvp_seed", "the seed's (JAX's data)", "[0.30276608 0.11958396 2.7425175 -0.5717054]");
  auto distance = [](const Vector& u, const Vector& v) {
    Vector d = u;
    axpy(-1.0, v, d);
    return norm2(d) / std::max(norm2(v), 1e-300);
  };
  report.check("the JVP rule A_dot x + A x_dot matches the AD layer's JVP", distance(rule, ad) < 1e-14,
               format("relative distance %.1e", distance(rule, ad)));
  report.check("the JVP rule matches central differences", distance(rule, fd) < 1e-8,
               format("relative distance %.1e", distance(rule, fd)));

  report.section("Q2.2-Q2.4", "The VJP of A x: A_bar = y_bar x^T, x_bar = A^T y_bar");
  const auto [y, pullback] = vjp(f, a, x);
  const auto [a_bar_ad, x_bar_ad] = pullback(y_bar);
  DenseMatrix a_bar(m, n);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < m; ++i) a_bar(i, j) = y_bar[i] * x[j];
  const Vector x_bar = matvec_transpose(a, y_bar);
  report.check("A_bar = y_bar x^T matches the AD layer's pullback", relative_distance(a_bar, a_bar_ad) < 1e-14,
               format("relative distance %.1e", relative_distance(a_bar, a_bar_ad)));
  report.check("x_bar = A^T y_bar matches the AD layer's pullback", distance(x_bar, x_bar_ad) < 1e-14,
               format("relative distance %.1e", distance(x_bar, x_bar_ad)));
  report.value("x_bar_ad", "AD x_bar", x_bar_ad, "%.8f");
  report.value("x_bar_manual", "Manual x_bar (A^T y_bar)", x_bar, "%.8f");
  report.value("x_bar_seed", "the seed's (JAX's data)", "[0.02138905 0.06485057 3.1164155]");
  // Duality: <y_bar, y_dot> = <A_bar, A_dot> + <x_bar, x_dot>, the definition of the adjoint.
  const double lhs = dot(y_bar, rule);
  const double rhs = dot(a_bar.values(), a_dot.values()) + dot(x_bar, x_dot);
  report.value("duality_lhs", "<y_bar, y_dot>", lhs, "%.15g");
  report.value("duality_rhs", "<A_bar, A_dot> + <x_bar, x_dot>", rhs, "%.15g");
  report.check("duality <y_bar, J (A_dot, x_dot)> = <J^T y_bar, (A_dot, x_dot)>",
               std::abs(lhs - rhs) <= 1e-14 * (std::abs(lhs) + std::abs(rhs)), format("difference %.1e", lhs - rhs));
}

// A demo figure of the seed's Q3.5 and Q3.6 kind: observation index against a sensitivity.
std::string scatter(const std::string& file, const std::string& column, const std::string& ylabel, const std::string& title) {
  return "set xlabel 'Observation index i'; set ylabel '" + ylabel + "'; set title '" + title + "'\n"
         "set xzeroaxis lt 0 lc rgb 'black'\n"
         "plot '" + file + "' using 1:" + column + " with points pt 7 ps 0.35 lc rgb '#1f77b4' notitle\n";
}

void question_3(demo::Report& report) {
  const std::size_t n = 1000, p = 3;
  const Vector beta_true{2.0, -1.0, 0.5};
  Random random(123);
  DenseMatrix x(n, p);
  random.fill_gaussian(x.values());
  Vector y = random.gaussian_vector(n);
  scale(0.1, y);
  axpy(1.0, matvec(x, beta_true), y);

  report.section("Q3.1-Q3.2", "Linear least squares and its adjoint");
  const QrFactorization qr(x);
  const Vector beta_hat = qr.solve_least_squares(y);
  report.value("beta_true", "True beta", beta_true, "%g");
  report.value("beta_hat", "Estimated beta", beta_hat, "%.8f");
  report.value("beta_hat_seed", "the seed's (JAX's data)", "[2.0004642 -1.0009896 0.49019286]");
  // Standard errors 0.1 sqrt(diag (X^T X)^{-1}).
  double worst = 0.0;
  for (std::size_t j = 0; j < p; ++j) {
    Vector e(p, 0.0);
    e[j] = 1.0;
    worst = std::max(worst, std::abs(beta_hat[j] - beta_true[j]) / (0.1 * std::sqrt(qr.solve_normal(e)[j])));
  }
  report.check("beta_hat is within 4 standard errors of beta_true", worst < 4, format("largest |error| / se = %.2f", worst));

  report.section("Q3.3-Q3.4", "Sensitivity of beta_hat_0 to every y_i: one backward pass");
  const Vector beta_bar{1.0, 0.0, 0.0};
  const Vector g = qr.solve_normal(beta_bar);  // (X^T X)^{-1} beta_bar, by R, never forming X^T X
  Vector r = y;
  axpy(-1.0, matvec(x, beta_hat), r);
  const Vector y_bar = matvec(x, g);
  report.print(format("Shape of y_bar: (%zu,)", y_bar.size()));
  report.value("y_bar_first_10", "First 10 sensitivities", ConstVectorView(y_bar).first(10), "%.8f");
  report.value("y_bar_sum", "Sum of sensitivities", std::accumulate(y_bar.begin(), y_bar.end(), 0.0), "%.6f");
  const Vector xty = matvec_transpose(x, y_bar);
  report.check("X^T y_bar = e_0 (the adjoint solves the normal equations)",
               std::abs(xty[0] - 1) < 1e-12 && std::abs(xty[1]) < 1e-12 && std::abs(xty[2]) < 1e-12,
               format("X^T y_bar - e_0 = [%.1e, %.1e, %.1e]", xty[0] - 1, xty[1], xty[2]));
  // The AD layer: one recording of lstsq in both arguments, one pullback of e_0.
  const auto [beta_ad, pullback] = vjp([](const auto& x_, const auto& y_) { return lstsq(x_, y_); }, x, y);
  const auto [x_bar_ad, y_bar_ad] = pullback(beta_bar);
  Vector diff = y_bar;
  axpy(-1.0, y_bar_ad, diff);
  report.check("y_bar = X g matches the AD layer's pullback of lstsq", norm_inf(diff) < 1e-14 * norm_inf(y_bar) * n,
               format("max difference %.1e", norm_inf(diff)));
  // Finite differences of beta_hat_0 in a few y_i: beta is linear in y, so they are exact up to rounding.
  double fd_error = 0.0;
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, n / 2, n - 1}) {
    Vector yp = y;
    yp[i] += 1e-3;
    fd_error = std::max(fd_error, std::abs((qr.solve_least_squares(yp)[0] - beta_hat[0]) / 1e-3 - y_bar[i]));
  }
  report.check("y_bar matches finite differences of beta_hat_0 in y_0, y_1, y_500, y_999", fd_error < 1e-10,
               format("max difference %.1e", fd_error));

  report.section("Q3.5", "Influential observations");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto i, auto j) { return std::abs(y_bar[i]) < std::abs(y_bar[j]); });
  Vector top_index, top_sensitivity;
  for (std::size_t k = n - 5; k < n; ++k) {
    top_index.push_back(static_cast<double>(order[k]));
    top_sensitivity.push_back(y_bar[order[k]]);
    report.print(format("  observation %4zu: sensitivity %+.8f, X = [%+.6f %+.6f %+.6f]", order[k], y_bar[order[k]],
                        x(order[k], 0), x(order[k], 1), x(order[k], 2)));
  }
  report.value("most_influential_indices", "Most influential observation indices", top_index, "%.0f");
  report.value("most_influential_sensitivities", "Their sensitivities", top_sensitivity, "%.8f");
  // (x_i^T g)^2 <= (x_i^T (X^T X)^{-1} x_i) (g^T X^T X g) = h_ii g_0 by Cauchy-Schwarz in the X^T X
  // inner product: a large sensitivity needs a large leverage.
  const DenseMatrix xt = x.transposed();
  double ratio = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const ConstVectorView xi = xt.col(i);
    const double leverage = dot(xi, qr.solve_normal(xi));
    ratio = std::max(ratio, y_bar[i] * y_bar[i] / (leverage * g[0]));
  }
  report.check("every sensitivity is bounded by leverage: y_bar_i^2 <= h_ii [(X^T X)^{-1}]_00", ratio <= 1 + 1e-12,
               format("largest y_bar_i^2 / (h_ii g_0) = %.4f", ratio));
  // The seed's printed rows and sensitivities come from JAX's data, but they must agree with each other:
  // five sensitivities x_i^T g with one g in R^3 (printed to 8 decimals).
  const DenseMatrix seed_rows{{-2.851877, -0.3963519, -0.7369024},
                              {-2.8574488, 0.30645004, 0.1899148},
                              {3.0336585, -0.6308674, 0.83326805},
                              {-3.0904574, 0.59396833, -0.34163857},
                              {3.0960157, -1.7181016, -0.59638846}};
  const Vector seed_sensitivities{-0.00275735, -0.00278138, 0.00292967, -0.00299568, 0.00301899};
  const Vector seed_g = QrFactorization(seed_rows).solve_least_squares(seed_sensitivities);
  Vector seed_misfit = matvec(seed_rows, seed_g);
  axpy(-1.0, seed_sensitivities, seed_misfit);
  report.value("seed_g", "g = (X^T X)^{-1} e_0 that the seed's five printed rows and sensitivities imply", seed_g, "%.6e");
  report.check("the seed's printed sensitivities are x_i^T g for one g (to their printed digits)",
               norm_inf(seed_misfit) < 5e-8, format("largest misfit %.1e", norm_inf(seed_misfit)));
  report.note("the seed says high-leverage points have X values 'far from the mean'. The model has no intercept, so "
              "leverage h_ii = x_i^T (X^T X)^{-1} x_i measures the distance of x_i from the origin, not from the mean "
              "of the rows (the two coincide here only because the rows are drawn with mean zero).");
  std::string data;
  for (std::size_t i = 0; i < n; ++i) data += format("%zu %.9e\n", i, y_bar[i]);
  report.figure({.name = "q3_5_sensitivity",
                 .title = "Sensitivity of β̂₀ to each observation",
                 .data = {{"q3_5_sensitivity.dat", data}},
                 .script = scatter("q3_5_sensitivity.dat", "2", "∂β̂_0 / ∂y_i", "Sensitivity of β̂_0 to each observation"),
                 .width = 900,
                 .height = 380});

  report.section("Q3.6", "Sensitivity of beta_hat_0 to X: X_bar = r g^T - (X g) beta_hat^T");
  DenseMatrix x_bar(n, p);
  for (std::size_t j = 0; j < p; ++j)
    for (std::size_t i = 0; i < n; ++i) x_bar(i, j) = r[i] * g[j] - y_bar[i] * beta_hat[j];
  report.print(format("Shape of X_bar: (%zu, %zu)", x_bar.rows(), x_bar.cols()));
  report.value("x_bar_row_0", "X_bar[0,:]", Vector{x_bar(0, 0), x_bar(0, 1), x_bar(0, 2)}, "%.8f");
  report.check("X_bar matches the AD layer's pullback of lstsq (same backward pass as y_bar)",
               relative_distance(x_bar, x_bar_ad) < 1e-11, format("relative distance %.1e", relative_distance(x_bar, x_bar_ad)));
  double fd_x = 0.0;
  for (std::size_t j = 0; j < p; ++j) {
    const double h = 1e-6;
    DenseMatrix xp = x, xm = x;
    xp(0, j) += h;
    xm(0, j) -= h;
    const double d = (QrFactorization(xp).solve_least_squares(y)[0] - QrFactorization(xm).solve_least_squares(y)[0]) / (2 * h);
    fd_x = std::max(fd_x, std::abs(d - x_bar(0, j)));
  }
  report.check("X_bar[0,:] matches central differences of beta_hat_0 in X_00, X_01, X_02", fd_x < 1e-8,
               format("max difference %.1e", fd_x));
  // The seed's X_bar[0,:] = r_0 g - y_bar_0 beta_hat, with its printed y_bar_0 and beta_hat and the g
  // implied above: one unknown r_0 for three printed numbers.
  const Vector seed_beta{2.0004642, -1.0009896, 0.49019286};
  const Vector seed_x_bar_0{0.00078793, -0.00044138, 0.00021814};
  Vector seed_rg = seed_x_bar_0;
  axpy(-0.00044072, seed_beta, seed_rg);  // r_0 g = X_bar[0,:] + y_bar_0 beta_hat, y_bar_0 = -0.00044072
  const double seed_r0 = dot(seed_rg, seed_g) / dot(seed_g, seed_g);
  Vector seed_x_misfit = seed_rg;
  axpy(-seed_r0, seed_g, seed_x_misfit);
  report.value("seed_r0", "residual r_0 that the seed's printed X_bar[0,:] implies", seed_r0, "%.6f");
  report.check("the seed's printed X_bar[0,:] is r_0 g - y_bar_0 beta_hat for one r_0 (to its printed digits)",
               norm_inf(seed_x_misfit) < 5e-8, format("largest misfit %.1e", norm_inf(seed_x_misfit)));
  report.note("the seed's starter comment 'X_bar = r @ g.T - (X @ g) @ beta_hat.T' fails on its 1-D arrays (.T does "
              "nothing to a vector, and r @ g multiplies shapes (1000,) and (3,)); the outer products of its solution, "
              "jnp.outer(r, g) - jnp.outer(X @ g, beta_hat), are meant.");
  report.note("the seed's cost comparison: with its own counts, O(np (np^2 + p^3)) for finite differences against "
              "O(np + p^3) for the adjoint, the ratio for large n is n p^2 (9000 here), not 'n x p' (3000). And the "
              "adjoint's O(np + p^3) leaves out forming X^T X (O(np^2)); it holds when the backward pass reuses the "
              "forward solve's factorization, as here (the R of X's QR).");
  std::string xdata;
  for (std::size_t i = 0; i < n; ++i) xdata += format("%zu %.9e %.9e %.9e\n", i, x_bar(i, 0), x_bar(i, 1), x_bar(i, 2));
  std::string script = "set multiplot layout 1,3\n";
  for (std::size_t j = 0; j < p; ++j)
    script += scatter("q3_6_x_sensitivity.dat", std::to_string(j + 2), format("∂β̂_0 / ∂X_{i,%zu}", j),
                      format("Sensitivity to column %zu", j));
  report.figure({.name = "q3_6_x_sensitivity",
                 .title = "Sensitivity of β̂₀ to every entry of X, per column",
                 .data = {{"q3_6_x_sensitivity.dat", xdata}},
                 .script = script + "unset multiplot\n",
                 .width = 1200,
                 .height = 400});

  // Beyond the seed: the same sensitivities for a million observations, timed.
  report.section("Q3-large", "Beyond the seed: y_bar and X_bar for n = 10^6 observations");
  const std::size_t big = 1000000;
  DenseMatrix xb(big, p);
  random.fill_gaussian(xb.values());
  Vector yb = random.gaussian_vector(big);
  scale(0.1, yb);
  axpy(1.0, matvec(xb, beta_true), yb);
  const auto start = std::chrono::steady_clock::now();
  const QrFactorization qrb(xb);
  const Vector beta_b = qrb.solve_least_squares(yb);
  const Vector gb = qrb.solve_normal(beta_bar);
  const Vector y_bar_b = matvec(xb, gb);
  Vector rb = yb;
  axpy(-1.0, matvec(xb, beta_b), rb);
  DenseMatrix x_bar_b(big, p);
  for (std::size_t j = 0; j < p; ++j)
    for (std::size_t i = 0; i < big; ++i) x_bar_b(i, j) = rb[i] * gb[j] - y_bar_b[i] * beta_b[j];
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.value("n_large_seconds", "QR, beta_hat, y_bar and X_bar (3 x 10^6 entries), seconds", seconds, "%.3f");
  const Vector xtyb = matvec_transpose(xb, y_bar_b);
  report.check("n = 10^6: X^T y_bar = e_0", std::abs(xtyb[0] - 1) < 1e-10 && std::abs(xtyb[1]) < 1e-10 && std::abs(xtyb[2]) < 1e-10,
               format("X^T y_bar - e_0 = [%.1e, %.1e, %.1e]", xtyb[0] - 1, xtyb[1], xtyb[2]));
}

}  // namespace

int main(int argc, char** argv) {
  demo::Report report("000_e5652c17efd96e70.txt: ECON622 Problem Set 3");
  if (const auto status = report.parse(argc, argv)) return *status;
  try {
    question_1(report);
    question_2(report);
    question_3(report);
  } catch (const std::exception& e) {
    report.check("the app ran to the end", false, e.what());
  }
  return report.finish();
}
