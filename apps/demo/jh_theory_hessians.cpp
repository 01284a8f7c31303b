// jh-theory, sections 6-13 of seed 003: Hessians by finite differences and by AD, Clairaut's symmetry
// and Peano's counterexample, critical points, second-order Taylor models, Newton against gradient
// descent, the Hessian spectrum of a small ReLU network, HVPs and power iteration, the stability
// threshold 2 / lambda_max of gradient descent, and SAM's sharpness of two quadratics.
//
// The seed's cells were saved without their outputs: the values beside ours are those its code
// computes deterministically (recomputed by hand from its formulas). Sections 6.2, 10, 11 and 12 draw
// random data from NumPy's generator; here it comes from frechet's Random, so their numbers differ
// and only the checks carry over.

#include <algorithm>
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

// Prints the rows of `a` at the seed's precision beside the rows the seed prints (numpy's, brackets
// dropped) and checks that they read the same.
void compare_rows(demo::Report& report, const std::string& name, const std::string& label, const DenseMatrix& a,
                  const std::vector<std::string>& seed_rows) {
  report.print(label + ":");
  bool same = true;
  for (std::size_t i = 0; i < a.rows(); ++i) {
    std::string row;
    for (std::size_t j = 0; j < a.cols(); ++j) {
      std::string entry = format("%.6f", a(i, j));
      if (entry == "-0.000000") entry = "0.000000";  // numpy's round(6) prints -0. and 0. alike here
      row += (j ? " " : "") + entry;
    }
    report.value(format("%s_row_%zu", name.c_str(), i), format("  row %zu", i), row + "   (seed: " + seed_rows[i] + ")");
    same = same && row == seed_rows[i];
  }
  report.check(label + " as the seed prints it (6 decimals)", same, "");
}

// max |A - A^T|
double asymmetry(const DenseMatrix& a) {
  const DenseMatrix d = a - a.transposed();
  return norm_inf(d.values());
}

// Contour lines of the data file's third column, written by gnuplot to `table` for a 2-D plot.
std::string contour_table(const std::string& grid, const std::string& table, int levels) {
  return format("set table '%s'\nset contour base; set cntrparam levels %d; unset surface; set view map\n"
                "splot '%s' using 1:2:3 with lines\nunset table; unset contour\n",
                table.c_str(), levels, grid.c_str());
}

// f sampled on an n x n grid of [x0, x1] x [y0, y1], one "x y f" line per point, blocks by x.
template <class F> std::string grid_data(F f, double x0, double x1, double y0, double y1, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    const double x = x0 + (x1 - x0) * i / (n - 1);
    for (int j = 0; j < n; ++j) {
      const double y = y0 + (y1 - y0) * j / (n - 1);
      s += format("%.6g %.6g %.9g\n", x, y, f(Vector{x, y}));
    }
    s += "\n";
  }
  return s;
}

// ---- Section 6 ------------------------------------------------------------------------------

void section_6(demo::Report& report) {
  report.section("Q6", "Section 6.1: the Hessian by central differences (h = 1e-4) and by AD");
  const DenseMatrix a_quad{{3, 1, 0}, {1, 4, 2}, {0, 2, 5}};
  const auto f_quad = [&](const auto& x) { return 0.5 * quad_form(x, a_quad); };
  const Vector x0{1.0, -1.0, 2.0};
  const DenseMatrix h_fd = finite_difference_hessian(f_quad, x0, 1e-4);  // the seed's hessian_fd
  const DenseMatrix h_ad = hessian(f_quad, x0);
  compare_rows(report, "hessian_quadratic_fd", "Hessian of 0.5 x^T A x (FD)", h_fd,
               {"3.000000 1.000000 0.000000", "1.000000 4.000000 2.000000", "0.000000 2.000000 5.000000"});
  report.check("FD Hessian = A (the seed's allclose, atol 1e-6)", allclose(h_fd.values(), a_quad.values(), 1e-6),
               format("relative distance %.1e", relative_distance(h_fd, a_quad)));
  report.check("the AD Hessian is A exactly", relative_distance(h_ad, a_quad) == 0.0, "");

  const auto lse = [](const auto& x) { return logsumexp(x); };
  const Vector z0{1.0, 2.0, 0.5};
  const Vector p = softmax(z0);
  DenseMatrix h_lse(3, 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) h_lse(i, j) = (i == j ? p[i] : 0.0) - p[i] * p[j];
  const DenseMatrix h_lse_fd = finite_difference_hessian(lse, z0, 1e-4);
  const DenseMatrix h_lse_ad = hessian(lse, z0);
  matrix(report, "hessian_lse_fd", "Hessian of log-sum-exp (FD)", h_lse_fd);
  compare_rows(report, "hessian_lse_analytical", "Hessian of log-sum-exp (analytical diag(p) - p p^T)", h_lse,
               {"0.177759 -0.145332 -0.032428", "-0.145332 0.233480 -0.088148", "-0.032428 -0.088148 0.120576"});
  report.check("FD Hessian = diag(p) - p p^T (the seed's atol 1e-6)", allclose(h_lse_fd.values(), h_lse.values(), 1e-6),
               format("relative distance %.1e", relative_distance(h_lse_fd, h_lse)));
  report.check("the AD Hessian of logsumexp is diag(p) - p p^T (the softmax Jacobian)",
               relative_distance(h_lse_ad, h_lse) < 1e-15, format("relative distance %.1e", relative_distance(h_lse_ad, h_lse)));

  report.section("Q6.2", "Section 6.2: Clairaut's theorem, and Peano's counterexample xy(x^2 - y^2)/(x^2 + y^2)");
  Random random(0);
  DenseMatrix q(5, 5);
  random.fill_gaussian(q.values());
  q = 0.5 * (q + q.transposed());
  const auto f_random = [&](const auto& x) { return 0.5 * quad_form(x, q) + sum(sin(x)); };
  const Vector x_test = random.gaussian_vector(5);
  const DenseMatrix h_seed = finite_difference_hessian(f_random, x_test, 1e-4);
  report.compare("asymmetry_seed_rule", "Max asymmetry |H - H^T| of the seed's hessian_fd", asymmetry(h_seed),
                 "%.2e", "0.00e+00");
  report.note("the seed's Clairaut check cannot fail: hessian_fd computes H[i,j] for j >= i only and copies it to "
              "H[j,i] ('# symmetry'), so |H - H^T| is 0 for any f. Below the two orders of differentiation are "
              "computed independently.");
  // Column c of the AD Hessian is d/dx_c grad f (one HVP with e_c): entry (i, c) = d_c d_i f, entry
  // (c, i) = d_i d_c f, from another product. The FD Jacobian of the AD gradient has (i, j) = d_j d_i f.
  const DenseMatrix h_ad_random = hessian(f_random, x_test);
  const DenseMatrix h_mixed_fd = finite_difference_jacobian([&](const Vector& x) { return grad(f_random, x); }, x_test, 1e-5);
  DenseMatrix h_exact = q;
  for (std::size_t i = 0; i < 5; ++i) h_exact(i, i) -= std::sin(x_test[i]);
  const double asym_ad = asymmetry(h_ad_random);
  const double asym_fd = asymmetry(h_mixed_fd);
  report.value("asymmetry_ad", "Max asymmetry of the AD Hessian (columns by HVPs)", asym_ad, "%.2e");
  report.value("asymmetry_fd_of_grad", "Max asymmetry of the FD Jacobian of the gradient (h = 1e-5)", asym_fd, "%.2e");
  report.check("Clairaut: d_i d_j f = d_j d_i f by AD (atol 1e-14)", asym_ad < 1e-14, format("%.1e", asym_ad));
  report.check("Clairaut: d_i d_j f = d_j d_i f by differences of the gradient (the seed's tol 1e-6)", asym_fd < 1e-6, format("%.1e", asym_fd));
  report.check("the AD Hessian is Q - diag(sin x)", relative_distance(h_ad_random, h_exact) < 1e-14,
               format("relative distance %.1e", relative_distance(h_ad_random, h_exact)));

  // Peano's f is C^1 with f = 0 at the origin (the seed's guard); no stencil below evaluates it there.
  const auto peano = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T value = x[0] * x[1] * (x[0] * x[0] - x[1] * x[1]) / (x[0] * x[0] + x[1] * x[1]);
    return value;
  };
  const double h = 1e-4;
  const double mixed_seed = (peano(Vector{h, h}) - peano(Vector{h, -h}) - peano(Vector{-h, h}) + peano(Vector{-h, -h})) / (4 * h * h);
  report.compare("peano_mixed_seed_stencil", "Mixed partial at 0 by the seed's four-point stencil (h = 1e-4)", mixed_seed, "%.4f", "0.0000");
  // Inner differences with step k << h, then outer ones with h: entry (i, j) = d_j (d_i f).
  const double k = 1e-7;
  const DenseMatrix nested = finite_difference_jacobian([&](const Vector& x) { return finite_difference_gradient(peano, x, k); }, Vector{0.0, 0.0}, h);
  report.value("peano_d_dx_df_dy", "d/dx (df/dy) at 0, nested differences (inner 1e-7, outer 1e-4)", nested(1, 0), "%.6f");
  report.value("peano_d_dy_df_dx", "d/dy (df/dx) at 0, nested differences", nested(0, 1), "%.6f");
  report.check("d/dx (df/dy)(0) = +1 (df/dy(x, 0) = x): the seed's d^2f/dxdy = +1", std::abs(nested(1, 0) - 1) < 1e-5, format("%.8f", nested(1, 0)));
  report.check("d/dy (df/dx)(0) = -1 (df/dx(0, y) = -y): the seed's d^2f/dydx = -1", std::abs(nested(0, 1) + 1) < 1e-5, format("%.8f", nested(0, 1)));
  // Away from 0, f is smooth and its mixed partial (x^2 - y^2)(x^4 + 10 x^2 y^2 + y^4) / (x^2 + y^2)^3 is
  // +1 on the x axis and -1 on the y axis: discontinuous at 0, the hypothesis Schwarz's theorem needs.
  const double t = 1e-3;
  const double on_x = hessian(peano, Vector{t, 0.0})(0, 1), on_y = hessian(peano, Vector{0.0, t})(0, 1);
  report.value("peano_mixed_on_x_axis", "AD mixed partial at (1e-3, 0)", on_x, "%.6f");
  report.value("peano_mixed_on_y_axis", "AD mixed partial at (0, 1e-3)", on_y, "%.6f");
  report.check("the mixed partial is +1 on the x axis and -1 on the y axis near 0 (discontinuous at 0)",
               std::abs(on_x - 1) < 1e-12 && std::abs(on_y + 1) < 1e-12, "");
  report.note(format("the seed's stencil [f(h,h) - f(h,-h) - f(-h,h) + f(-h,-h)] / 4h^2 is exactly 0 for every h, since f "
                     "vanishes on both diagonals: it averages the two orders, (+1 - 1)/2. Its claim that finite h cannot "
                     "see the asymmetry is wrong: nested differences with an inner step k << h give (h^2 - k^2)/(h^2 + k^2) "
                     "-> +1 in one order and -1 in the other (%.6f and %.6f above). Its limits +1 and -1 are right.",
                     nested(1, 0), nested(0, 1)));
}

// ---- Section 7 ------------------------------------------------------------------------------

void section_7(demo::Report& report) {
  report.section("Q7", "Section 7: critical points of f(x, y) = x^3 + 3xy - y^3 classified by Hessian eigenvalues");
  const auto f = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T value = x[0] * x[0] * x[0] + 3.0 * x[0] * x[1] - x[1] * x[1] * x[1];
    return value;
  };
  const Vector points[] = {Vector{0.0, 0.0}, Vector{1.0, -1.0}};
  const char* seed_eigenvalues[][2] = {{"-3", "3"}, {"3", "9"}};
  const char* seed_types[] = {"SADDLE POINT", "LOCAL MINIMUM"};
  SymmetricEigenResult at_minimum;
  for (int c = 0; c < 2; ++c) {
    const Vector& cp = points[c];
    const std::string tag = c == 0 ? "origin" : "1_m1";
    const Vector g = grad(f, cp);
    const DenseMatrix h_fd = finite_difference_hessian(f, cp, 1e-4);  // the seed's hessian_fd
    const DenseMatrix h_ad = hessian(f, cp);
    const SymmetricEigenResult eig = symmetric_eigen(h_ad);
    const Vector eig_fd = symmetric_eigen(h_fd).values;
    report.print(format("Point (%g, %g):", cp[0], cp[1]));
    report.value("gradient_" + tag, "  gradient (AD)", g, "%g");
    report.check(format("the gradient vanishes at (%g, %g)", cp[0], cp[1]), norm_inf(g) == 0.0, "");
    report.check(format("the AD Hessian at (%g, %g) is [[6x, 3], [3, -6y]]", cp[0], cp[1]),
                 relative_distance(h_ad, DenseMatrix{{6 * cp[0], 3}, {3, -6 * cp[1]}}) == 0.0, "");
    for (int i = 0; i < 2; ++i)
      report.compare(format("eigenvalue_%d_%s", i, tag.c_str()), format("  Hessian eigenvalue %d (FD, round(6))", i), eig_fd[i], "%.6g",
                     seed_eigenvalues[c][i]);
    const std::string type = eig.values[0] > 0 ? "LOCAL MINIMUM" : eig.values[1] < 0 ? "LOCAL MAXIMUM" : "SADDLE POINT";
    report.value("type_" + tag, "  classification", type);
    report.check(format("(%g, %g) is a %s, as the seed's loop prints", cp[0], cp[1], seed_types[c]), type == seed_types[c], type);
    if (c == 1) at_minimum = eig;
  }
  report.note("the seed's figure calls (1, -1) the saddle ('Saddle point (1,-1)', title 'near saddle (1,-1)'), against "
              "its own loop, which prints LOCAL MINIMUM there: the Hessian [[6, 3], [3, 6]] has eigenvalues 3 and 9, "
              "both eigenvector arrows are 'min' directions. The saddle is (0, 0) (eigenvalues -3 and 3). The minimum "
              "is only local: f(x, 0) = x^3 is unbounded below. The figure below labels (1, -1) correctly.");
  std::string arrows;
  for (int i = 0; i < 2; ++i)
    arrows += format("1 -1 %.6f %.6f\n", 0.3 * at_minimum.vectors(0, i), 0.3 * at_minimum.vectors(1, i));
  report.figure({.name = "q7_critical_point",
                 .title = "f = x³ + 3xy − y³ near (1, −1), a local minimum, with its Hessian eigenvectors (λ = 3, 9)",
                 .data = {{"q7_grid.dat", grid_data(f, 0.2, 1.8, -1.8, -0.2, 81)}, {"q7_arrows.dat", arrows}},
                 .script = contour_table("q7_grid.dat", "q7_contours.dat", 30) +
                           "set size ratio -1; set xrange [0.2:1.8]; set yrange [-1.8:-0.2]\nset xlabel 'x'; set ylabel 'y'\n"
                           "set title 'f = x^3 + 3xy - y^3 near the local minimum (1,-1)'\n" + demo::viridis_palette +
                           "unset colorbox\n"
                           "plot 'q7_contours.dat' using 1:2:3 with lines lc palette notitle, \\\n"
                           "     'q7_arrows.dat' every ::0::0 using 1:2:3:4 with vectors head filled lc rgb '#009988' lw 3 title 'λ = 3 (curvature up)', \\\n"
                           "     'q7_arrows.dat' every ::1::1 using 1:2:3:4 with vectors head filled lc rgb '#0077BB' lw 3 title 'λ = 9 (curvature up)', \\\n"
                           "     '+' using (1):(-1) every ::0::0 with points pt 7 ps 2 lc rgb 'black' title 'local minimum (1,-1)'\n",
                 .width = 640,
                 .height = 600});
}

// ---- Section 8 ------------------------------------------------------------------------------

void section_8(demo::Report& report) {
  report.section("Q8", "Section 8: the second-order Taylor model of Rosenbrock's function at (0.5, 0.2)");
  const auto rosenbrock = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T r = x[1] - x[0] * x[0];
    const T value = (1.0 - x[0]) * (1.0 - x[0]) + 100.0 * r * r;
    return value;
  };
  const Vector x0{0.5, 0.2};
  const double f0 = rosenbrock(x0);
  const Vector g0 = grad(rosenbrock, x0);
  const DenseMatrix h0 = hessian(rosenbrock, x0);
  const DenseMatrix h0_fd = finite_difference_hessian(rosenbrock, x0, 1e-4);
  report.value("gradient", "grad f(x0) (AD; analytic [-2(1-x) - 400x(y-x^2), 200(y-x^2)] = [9, -10])", g0, "%.12g");
  matrix(report, "hessian", "Hessian (AD)", h0, "%.9g");
  matrix(report, "hessian_fd", "Hessian (the seed's FD, h = 1e-4)", h0_fd, "%.9g");
  report.check("the AD gradient is [9, -10]", distance(g0, Vector{9.0, -10.0}) < 1e-15, "");
  report.check("the AD Hessian is [[2 + 1200x^2 - 400y, -400x], [-400x, 200]] = [[222, -200], [-200, 200]]",
               relative_distance(h0, DenseMatrix{{222, -200}, {-200, 200}}) < 1e-15, "");
  // The four-point rule's error on d^2/dx^2 is (2h)^2 f''''/12 = 4e-8 * 2400 / 12 = 8e-6.
  report.check("the FD Hessian is off by the four-point rule's truncation error (2h)^2 f_xxxx / 12 = 8e-6 in H_xx",
               std::abs(h0_fd(0, 0) - 222 - 8e-6) < 1e-7 && std::abs(h0_fd(1, 1) - 200) < 1e-7, format("H_xx - 222 = %.3e", h0_fd(0, 0) - 222));
  const Vector d{1.0 / std::sqrt(1.25), 0.5 / std::sqrt(1.25)};
  const auto q = [&](double alpha) {
    const Vector delta = alpha * d;
    return f0 + dot(g0, delta) + 0.5 * dot(delta, matvec(h0, delta));
  };
  report.note("the seed says it compares f and q 'along a random direction'; the direction is the fixed [1, 0.5]/||[1, 0.5]||.");
  // f is a quartic: along x0 + a d, f - q = 100 (d0^4 a^4 - 2 s d0^2 a^3) with s = d1 - 2 x0 d0 exactly.
  const double s = d[1] - 2 * x0[0] * d[0];
  const double alphas[] = {0.01, 0.05, 0.1, 0.2, 0.3};
  const char* seed_rows[][3] = {{"0.538729", "0.538657", "7.22e-05"}, {"0.760230", "0.750885", "9.34e-03"}, {"1.223725", "1.145771", "7.80e-02"},
                                {"3.042375", "2.367542", "6.75e-01"}, {"6.615675", "4.165313", "2.45e+00"}};
  double worst = 0.0;
  for (int i = 0; i < 5; ++i) {
    const double a = alphas[i];
    const double f_true = rosenbrock(Vector(x0 + a * d)), f_quad = q(a), err = std::abs(f_true - f_quad);
    report.print(format("step size %.3f:", a));
    report.compare(format("f_true_%d", i), format("  true f (step %.3f)", a), f_true, "%.6f", seed_rows[i][0]);
    report.compare(format("f_quad_%d", i), format("  quadratic model (step %.3f)", a), f_quad, "%.6f", seed_rows[i][1]);
    report.compare(format("error_%d", i), format("  |f - q| (step %.3f)", a), err, "%.2e", seed_rows[i][2]);
    const double remainder = 100 * (std::pow(d[0], 4) * std::pow(a, 4) - 2 * s * d[0] * d[0] * std::pow(a, 3));
    worst = std::max(worst, std::abs(err - remainder) / remainder);
  }
  report.check("|f - q| is the exact Taylor remainder 100 (d0^4 a^4 - 2 s d0^2 a^3) at every step (rtol 1e-9)", worst < 1e-9,
               format("largest relative gap %.1e", worst));
  std::string curve;
  for (int i = 0; i < 200; ++i) {
    const double a = -0.3 + 0.6 * i / 199;
    curve += format("%.6f %.9g %.9g\n", a, rosenbrock(Vector(x0 + a * d)), q(a));
  }
  report.figure({.name = "q8_taylor",
                 .title = "Rosenbrock's f along x₀ + αv and its second-order Taylor model",
                 .data = {{"q8_curve.dat", curve}},
                 .script = format("set grid; set xlabel 'Step size α'; set ylabel 'Function value'\n"
                                  "set title 'True function vs quadratic approximation (Rosenbrock)'\nset key top center\n"
                                  "set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb 'black'\n"
                                  "plot 'q8_curve.dat' using 1:2 with lines lw 2 lc rgb '#0077BB' title 'f(x_0 + αv)', \\\n"
                                  "     'q8_curve.dat' using 1:3 with lines lw 2 dt 2 lc rgb '#CC3311' title 'quadratic model q(α)', \\\n"
                                  "     '+' using (0):(%.9g) every ::0::0 with points pt 7 ps 1.5 lc rgb 'black' title 'expansion point'\n",
                                  f0),
                 .width = 800,
                 .height = 420});
}

// ---- Section 9 ------------------------------------------------------------------------------

void section_9(demo::Report& report) {
  report.section("Q9", "Section 9: Newton against gradient descent on f = 0.5 (x^2 + 25 y^2), kappa = 25");
  const auto f = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T value = 0.5 * (x[0] * x[0] + 25.0 * x[1] * x[1]);
    return value;
  };
  const Objective objective = differentiable_objective(f);
  const Vector x_init{1.0, 1.0};
  const double eta = 2.0 / (1 + 25);
  const OptimizeResult gd = gradient_descent(objective, x_init,
                                             {.atol = 1e-300, .max_iterations = 50, .line_search = LineSearchKind::fixed, .step_size = eta,
                                              .record_history = true, .record_path = true});
  const char* seed_f[] = {"13.000000", "11.076923", "9.438325", "8.042123", "6.852460", "5.838782", "4.975057", "4.239102", "3.612016", "3.077694"};
  report.print("GD convergence (first 10 steps), eta = 2 / (1 + 25):");
  for (int i = 0; i < 10; ++i) report.compare(format("gd_f_%d", i), format("  step %2d: f", i), gd.value_history[i], "%.6f", seed_f[i]);
  // With eta = 2 / (mu + L) both coordinates contract by (kappa - 1)/(kappa + 1) = 12/13 per step (y
  // changing sign), so f_k = 13 (12/13)^(2k).
  double worst = 0.0;
  for (int k = 0; k <= 50; ++k) worst = std::max(worst, std::abs(gd.value_history[k] / (13 * std::pow(144.0 / 169.0, k)) - 1));
  report.check("GD at eta = 2/(mu + L) gives f_k = 13 (12/13)^(2k) for k = 0..50 (rate (kappa-1)/(kappa+1) per coordinate)", worst < 1e-13,
               format("largest relative gap %.1e", worst));
  report.value("gd_f_50", "GD: f after 50 steps", gd.value, "%.3e");
  const OptimizeResult nt = newton(objective, x_init, {.atol = 1e-12, .record_path = true});
  report.compare("newton_f_1", "Newton: f after 1 step", nt.value, "%.2e", "0.00e+00");
  report.check("Newton (Cholesky, unit step accepted) lands on the minimum (0, 0) in one step and stops there",
               nt.converged && nt.iterations == 1 && norm_inf(nt.x) == 0.0, format("%d iterations, ||x||_inf = %.1e", nt.iterations, norm_inf(nt.x)));
  report.print("The seed's one-step claim holds for any strictly convex quadratic: x - H^{-1} grad f(x) = x - H^{-1} H (x - x*) = x*.");
  std::string gd_path, nt_path;
  for (const Vector& p : gd.path) gd_path += format("%.9g %.9g\n", p[0], p[1]);
  for (const Vector& p : nt.path) nt_path += format("%.9g %.9g\n", p[0], p[1]);
  const std::string panel = std::string("plot 'q9_contours.dat' using 1:2:3 with lines lc palette notitle, \\\n") +
                            "     '%s' using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 lc rgb '%s' title '%s', \\\n"
                            "     '+' using (0):(0) every ::0::0 with points pt 3 ps 3 lc rgb 'red' title 'minimum (0,0)', \\\n"
                            "     '+' using (1):(1) every ::0::0 with points pt 5 ps 1.5 lc rgb 'black' title 'start'\n";
  report.figure({.name = "q9_newton_vs_gd",
                 .title = "Gradient descent (50 steps, η = 2/26) and Newton (1 step) on f = ½(x² + 25y²)",
                 .data = {{"q9_grid.dat", grid_data(f, -0.2, 1.2, -1.2, 1.2, 81)}, {"q9_gd.dat", gd_path}, {"q9_newton.dat", nt_path}},
                 .script = contour_table("q9_grid.dat", "q9_contours.dat", 20) + demo::viridis_palette +
                           "unset colorbox; set xrange [-0.2:1.2]; set yrange [-1.2:1.2]; set xlabel 'x'; set ylabel 'y'\n"
                           "set key bottom right\nset multiplot layout 1,2 title 'GD vs Newton on f = 0.5(x^2 + 25y^2)'\n"
                           "set title 'Gradient descent (50 steps, κ = 25)'\n" +
                           format(panel.c_str(), "q9_gd.dat", "#0077BB", "GD") + "set title 'Newton (1 step)'\n" +
                           format(panel.c_str(), "q9_newton.dat", "#EE7733", "Newton") + "unset multiplot\n",
                 .width = 1100,
                 .height = 520});
}

// ---- Section 10 -----------------------------------------------------------------------------

void section_10(demo::Report& report) {
  report.section("Q10", "Section 10: the Hessian spectrum of a 2-layer ReLU MLP (8-15-1, 151 parameters) on 50 points");
  const std::size_t n_in = 8, n_h = 15, m = 50;
  const std::size_t n_params = n_in * n_h + n_h + n_h + 1;
  Random random(42);
  DenseMatrix x_data(m, n_in);
  random.fill_gaussian(x_data.values());
  Vector y_data(m);
  for (double& y : y_data) y = random.gaussian() > 0 ? 1.0 : 0.0;
  Vector params0 = random.gaussian_vector(n_params);
  scale(0.3, params0);
  // The seed's layout (W1 as n_h x n_in row-major, b1, W2, b2): W1's entries read column-major are W1^T.
  const auto logits = [=](const auto& w) {
    const auto hidden = relu(broadcast_add(matmul(x_data, reshape(slice(w, 0, n_in * n_h), n_in, n_h)), slice(w, n_in * n_h, n_h)));
    return flatten(matmul(hidden, reshape(slice(w, n_in * n_h + n_h, n_h), n_h, 1))) + w[n_params - 1];
  };
  // Binary cross-entropy of sigmoid(z): -y log p - (1 - y) log(1 - p) = softplus(z) - y z.
  const auto loss = [=](const auto& w) {
    const auto z = logits(w);
    return sum(softplus(z) - y_data * z) / static_cast<double>(m);
  };
  const double max_logit = norm_inf(logits(params0));
  report.check("the seed's clip of p to [1e-7, 1 - 1e-7] is inactive (|z| < 16), so its loss is softplus(z) - y z",
               max_logit < 16, format("max |z| = %.2f", max_logit));
  const DenseMatrix h = hessian(loss, params0);
  const DenseMatrix h_fd = finite_difference_hessian(loss, params0, 1e-4);
  report.value("n_params", "Network params", static_cast<double>(n_params), "%.0f", "151");
  report.check("the FD Hessian (the seed's, h = 1e-4) matches the AD one (atol 1e-5)", allclose(h_fd.values(), h.values(), 1e-5),
               format("relative distance %.1e", relative_distance(h_fd, h)));
  const Vector eig = symmetric_eigen(h).values;  // ascending
  Vector top(10), bottom(10);
  for (std::size_t i = 0; i < 10; ++i) {
    top[i] = eig[n_params - 1 - i];
    bottom[i] = eig[9 - i];
  }
  report.value("top_10", "Top 10 eigenvalues", top, "%.4f");
  report.value("bottom_10", "Bottom 10 eigenvalues", bottom, "%.4f");
  const double lambda_max = eig[n_params - 1];
  report.value("lambda_max", "Max eigenvalue (lambda_max)", lambda_max, "%.4f");
  report.value("eta_bound", "2 / lambda_max", 2 / lambda_max, "%.4f");
  const OperatorPtr h_op = hessian_operator(loss, params0);
  const LanczosResult largest = lanczos(h_op, {.count = 3, .target = EigenTarget::largest});
  const LanczosResult smallest = lanczos(h_op, {.count = 1, .target = EigenTarget::smallest});
  report.value("lanczos_top_3", "Lanczos on the HVP operator: top 3", largest.eigenvalues, "%.6f");
  report.value("lanczos_operator_products", "  HVPs", static_cast<double>(largest.operator_products), "%.0f");
  report.check("Lanczos (HVPs only) finds the 3 largest and the smallest eigenvalue of the dense spectrum (rtol 1e-8)",
               largest.converged && smallest.converged &&
                   distance(largest.eigenvalues, Vector{eig[n_params - 1], eig[n_params - 2], eig[n_params - 3]}) < 1e-8 &&
                   std::abs(smallest.eigenvalues[0] - eig[0]) < 1e-8 * lambda_max,
               format("smallest %.6f against %.6f", smallest.eigenvalues[0], eig[0]));
  // ReLU'' = 0, so the Hessian of z_i in the weights has only the W2 x (W1, b1) cross block, and
  // H = J^T diag(p(1-p)) J / m + [[0, B], [B^T, 0]]-type terms: rank <= m + 2 n_h = 80 < 151.
  const std::size_t rank = matrix_rank(h);
  const auto negative = std::count_if(eig.begin(), eig.end(), [&](double e) { return e < -1e-10 * lambda_max; });
  report.value("rank", "rank of H", static_cast<double>(rank), "%.0f");
  report.value("negative_eigenvalues", "negative eigenvalues", static_cast<double>(negative), "%.0f");
  report.check("rank H <= m + 2 n_h = 80 (Gauss-Newton part rank <= m, ReLU's second-order part rank <= 2 n_h)", rank <= m + 2 * n_h,
               format("rank %zu", rank));
  report.check("the Hessian at random parameters is indefinite", negative > 0, format("%td negative eigenvalues", negative));
  report.note(format("the seed's comment says 'n_in=10, hidden=20', its code uses 8 and 15 (151 parameters; this app follows "
                     "the code). Its parameters N(0, 0.3^2) are 'near convergence' in no sense: the gradient norm is %.3f and H "
                     "has %td negative eigenvalues, so 2/lambda_max is no stable learning rate here, only the bound for a "
                     "quadratic model. The 'bulk' is mostly an exact zero eigenvalue of multiplicity >= %zu (rank <= 80): ReLU "
                     "has no curvature.",
                     norm2(grad(loss, params0)), negative, n_params - (m + 2 * n_h)));
  std::string bars, histogram;
  for (std::size_t i = 0; i < n_params; ++i) bars += format("%zu %.9g\n", i, eig[n_params - 1 - i]);
  const double lo = eig[0], width = (lambda_max - lo) / 20;
  std::vector<int> counts(20, 0);
  for (double e : eig) ++counts[std::min<std::size_t>(19, static_cast<std::size_t>((e - lo) / width))];
  for (int b = 0; b < 20; ++b) histogram += format("%.9g %d\n", lo + (b + 0.5) * width, counts[b]);
  report.figure({.name = "q10_hessian_spectrum",
                 .title = "Hessian eigenvalues of the 8-15-1 ReLU MLP: sorted, and their histogram",
                 .data = {{"q10_sorted.dat", bars}, {"q10_histogram.dat", histogram}},
                 .script = "set multiplot layout 1,2\nset grid\n"
                           "set title 'Hessian eigenspectrum (sorted)'; set xlabel 'Eigenvalue index'; set ylabel 'Eigenvalue'\n"
                           "plot 'q10_sorted.dat' using 1:2 with impulses lw 2 lc rgb '#0077BB' notitle, 0 with lines dt 2 lc rgb 'black' notitle\n"
                           "set title 'Eigenvalue density (20 bins)'; set xlabel 'Eigenvalue'; set ylabel 'Count'; set style fill solid 0.8\n"
                           "set logscale y; set yrange [0.8:*]\n"
                           "plot 'q10_histogram.dat' using 1:2 with boxes lc rgb '#0077BB' notitle\nunset multiplot\n",
                 .width = 1100,
                 .height = 440});
}

// ---- Section 11 -----------------------------------------------------------------------------

void section_11(demo::Report& report) {
  report.section("Q11", "Section 11: HVPs by finite differences and by AD; power iteration on diag(1, 3, 5, 8, 10)");
  const Vector diagonal{1.0, 3.0, 5.0, 8.0, 10.0};
  const auto f = [&](const auto& x) { return 0.5 * dot(x, diagonal * x); };
  const Vector x_test(5, 0.0), v_test{1.0, 0.0, 1.0, 0.0, 1.0};
  // The seed's hvp_fd: central differences (h = 1e-4) of a central-difference gradient (h = 1e-4).
  const auto fd_gradient = [&](const Vector& x) { return finite_difference_gradient(f, x, 1e-4); };
  const Vector hvp_seed = finite_difference_hvp(fd_gradient, x_test, v_test, 1e-4);
  const Vector hvp_ad = hvp(f, x_test, v_test);
  const Vector direct = diagonal * v_test;
  report.value("hvp_fd", "HVP (finite diff)", hvp_seed, "%.6f");
  report.value("hvp_ad", "HVP (forward-over-reverse AD)", hvp_ad, "%.6f");
  report.value("hvp_direct", "HVP (direct A v)   (seed: [1, 0, 5, 0, 10])", direct, "%g");
  report.check("the FD HVP equals A v (the seed's atol 1e-5)", allclose(hvp_seed, direct, 1e-5), format("relative distance %.1e", distance(hvp_seed, direct)));
  report.check("the AD HVP equals A v exactly", distance(hvp_ad, direct) == 0.0, "");
  // 20 power-iteration steps, each one HVP, as the seed's power_iteration_hessian(n_iters=20).
  const PowerIterationResult power =
      power_iteration(hessian_operator(f, x_test), {.rtol = 0.0, .atol = 0.0, .max_iterations = 20, .seed = 1});
  report.value("lambda_max_power", "Power iteration lambda_max (20 HVPs)", power.eigenvalue, "%.6f");
  report.value("lambda_max_true", "True lambda_max", 10.0, "%.6f", "10.000000");
  report.check("power iteration within 0.01 of 10 (the seed's test)", std::abs(power.eigenvalue - 10) < 0.01, format("error %.2e", 10 - power.eigenvalue));
  // The Rayleigh quotient of a unit v is a weighted mean of the eigenvalues: below lambda_max.
  const double eta = 2 / power.eigenvalue;
  report.value("eta_bound", "Max stable learning rate: 2 / lambda_max (estimate)", eta, "%.4f", "0.2000 if its estimate is within 2.5e-3 of 10");
  report.value("top_mode_factor", "GD at that eta: |1 - eta * 10| on the top eigenvector", std::abs(1 - eta * 10), "%.9f");
  report.check("the Rayleigh quotient is below lambda_max, so 2/theta is above the true bound 2/lambda_max = 0.2", power.eigenvalue <= 10.0 && eta >= 0.2,
               format("theta = %.9f", power.eigenvalue));
  report.note("2/lambda_max is the supremum of stable steps, not a stable step: at eta = 2/lambda_max the top mode "
              "oscillates with factor -1 and never decays. With lambda_max estimated by power iteration it is worse: the "
              "Rayleigh quotient is a weighted mean of the eigenvalues, never above lambda_max, so the seed's 2/lambda_max "
              "lies above the true threshold and GD at that step diverges (slowly) along the top eigenvector. Use a step "
              "below, e.g. 1/lambda_max or 1.9/lambda_max.");
}

// ---- Section 12 -----------------------------------------------------------------------------

void section_12(demo::Report& report) {
  report.section("Q12", "Section 12: the stability threshold on the MSE loss: GD at 0.9 and 1.1 x 2/lambda_max");
  const std::size_t m = 30, n = 10;
  Random random(42);
  DenseMatrix x(m, n);
  random.fill_gaussian(x.values());
  const Vector true_w = random.gaussian_vector(n);
  Vector y = random.gaussian_vector(m);
  scale(0.1, y);
  axpy(1.0, matvec(x, true_w), y);
  const auto mse = [=](const auto& w) {
    const auto r = matvec(x, w) - y;
    return (0.5 / m) * dot(r, r);
  };
  const Vector w0(n, 0.0);
  const double lambda_max = symmetric_eigen(hessian(mse, w0)).values[n - 1];
  const double sigma_max = spectral_norm(x);
  const double lambda_lanczos = lanczos(hessian_operator(mse, w0)).eigenvalues[0];
  report.value("lambda_max", "lambda_max(H_MSE) (eigenvalues of the AD Hessian)", lambda_max, "%.4f");
  report.check("lambda_max = sigma_max(X)^2 / m (SVD)", std::abs(lambda_max / (sigma_max * sigma_max / m) - 1) < 1e-13,
               format("sigma_max^2 / m = %.12f", sigma_max * sigma_max / m));
  report.check("lambda_max by Lanczos on the HVP operator (rtol 1e-10)", std::abs(lambda_lanczos / lambda_max - 1) < 1e-10,
               format("%.12f", lambda_lanczos));
  const double eta_max = 2 / lambda_max;
  report.value("eta_max", "Max stable lr eta_max = 2/lambda_max", eta_max, "%.6f");
  const Objective objective = differentiable_objective(mse);
  const auto run = [&](double step) {
    return gradient_descent(objective, w0, {.atol = 1e-300, .max_iterations = 200, .line_search = LineSearchKind::fixed, .step_size = step, .record_history = true});
  };
  const OptimizeResult stable = run(0.9 * eta_max), unstable = run(1.1 * eta_max);
  const double clipped = std::min(unstable.value, 1e6);  // the seed clips at 1e6 for its plot and its print
  report.value("stable_final_loss", "Stable: final loss", stable.value, "%.6f");
  report.compare("unstable_final_loss_clipped", "Unstable: final loss (clipped at 1e6 as the seed)", clipped, "%.2e", "1.00e+06");
  report.value("unstable_final_loss", "Unstable: final loss, unclipped", unstable.value, "%.3e");
  report.check("stable convergence (the seed's test: loss < 0.1)", stable.value < 0.1, format("%.3e", stable.value));
  report.check("unstable divergence (the seed's test: loss > 1e3)", clipped > 1e3, format("%.3e", clipped));
  const Vector w_star = QrFactorization(x).solve_least_squares(y);
  report.check("stable GD reaches the least-squares solution (QR) to 1e-8", distance(stable.x, w_star) < 1e-8,
               format("relative distance %.1e", distance(stable.x, w_star)));
  // Along the top eigenvector the error is multiplied by 1 - 1.1 * 2 = -1.2 per step, the loss by 1.44.
  const double growth = std::sqrt(unstable.value_history[200] / unstable.value_history[199]);
  report.value("divergence_factor", "per-step growth of the unstable error, sqrt(L_200 / L_199)", growth, "%.9f");
  report.check("the divergence factor is |1 - 1.1 eta_max lambda_max| = 1.2", std::abs(growth - 1.2) < 1e-9, format("%.12f", growth));
  report.note("Cohen et al.'s 'Gradient descent on neural networks typically occurs at the edge of stability' is ICLR 2021 "
              "(arXiv:2103.00065), not 2022, and it is not the condition shown here: on neural losses the sharpness rises "
              "to 2/eta and hovers there while the loss keeps falling. On this quadratic the Hessian is constant, and what "
              "is shown is the classical stability condition eta < 2/lambda_max of gradient descent.");
  std::string data;
  for (std::size_t k = 1; k <= 200; ++k)
    data += format("%zu %.9e %.9e\n", k - 1, stable.value_history[k], std::min(unstable.value_history[k], 1e6));
  report.figure({.name = "q12_edge_of_stability",
                 .title = "MSE loss of GD at 0.9 η_max (converges) and 1.1 η_max (diverges, clipped at 10⁶)",
                 .data = {{"q12_losses.dat", data}},
                 .script = format("set logscale y; set format y '10^{%%L}'; set grid\nset xlabel 'Step'; set ylabel 'MSE loss (log scale)'\n"
                                  "set title 'Stability threshold: GD converges iff η < 2/λ_{max}'\nset key center right\n"
                                  "plot 'q12_losses.dat' using 1:2 with lines lw 2 lc rgb '#009988' title 'η = 0.9 η_{max} = %.5f (stable)', \\\n"
                                  "     'q12_losses.dat' using 1:3 with lines lw 2 lc rgb '#CC3311' title 'η = 1.1 η_{max} = %.5f (diverges)'\n",
                                  0.9 * eta_max, 1.1 * eta_max),
                 .width = 800,
                 .height = 420});
}

// ---- Section 13 -----------------------------------------------------------------------------

void section_13(demo::Report& report) {
  report.section("Q13", "Section 13: SAM sharpness max_{||e|| <= rho} f(x* + e) - f(x*) of a sharp and a flat quadratic");
  const auto f_sharp = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T value = 100.0 * x[0] * x[0] + x[1] * x[1];
    return value;
  };
  const auto f_flat = [](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    const T value = x[0] * x[0] + 0.01 * x[1] * x[1];
    return value;
  };
  const Vector x_star{0.0, 0.0};
  const double rho = 0.1;
  Random random(13);
  const auto study = [&](const auto& f, const std::string& tag, const char* seed_lambda, const char* seed_lr, const char* seed_sam,
                         const DenseMatrix& seed_hessian) {
    const DenseMatrix h = hessian(f, x_star);
    report.check("the AD Hessian of the " + tag + " quadratic is the seed's H_" + tag, relative_distance(h, seed_hessian) == 0.0, "");
    const PowerIterationResult top = power_iteration(hessian_operator(f, x_star), {.rtol = 1e-14, .seed = 1});
    report.print(tag + " minimum:");
    report.compare("lambda_max_" + tag, "  lambda_max (power iteration on the HVP)", top.eigenvalue, "%.2f", seed_lambda);
    report.compare("max_stable_lr_" + tag, "  Max stable lr = 2/lambda_max", 2 / top.eigenvalue, "%.5f", seed_lr);
    const double sam = 0.5 * rho * rho * top.eigenvalue;
    report.compare("sam_" + tag, format("  SAM sharpness 0.5 rho^2 lambda_max (rho = %g)", rho), sam, "%.4f", seed_sam);
    // f is a PSD quadratic, so the maximum over the ball is on the sphere: sample it finely.
    double sampled = 0.0;
    for (int i = 0; i < 3600; ++i) {
      const double a = 2 * std::numbers::pi * i / 3600;
      sampled = std::max(sampled, f(Vector{rho * std::cos(a), rho * std::sin(a)}) - f(x_star));
    }
    report.check("max of f(x* + e) - f(x*) over 3600 points of ||e|| = rho equals 0.5 rho^2 lambda_max (rtol 1e-9)",
                 std::abs(sampled / sam - 1) < 1e-9, format("%.12f against %.12f", sampled, sam));
    // The seed's sharpness(): projected gradient ascent on e (step 0.01, 20 iterations) from a random
    // e of norm rho/2. It defines it and never calls it.
    Vector e = random.gaussian_vector(2);
    scale(0.5 * rho / norm2(e), e);
    for (int it = 0; it < 20; ++it) {
      axpy(0.01, grad(f, Vector(x_star + e)), e);
      if (norm2(e) > rho) scale(rho / norm2(e), e);
    }
    const double ascent = f(Vector(x_star + e)) - f(x_star);
    report.value("seed_ascent_" + tag, "  the seed's sharpness() (20 ascent steps of 0.01, never called by it)", ascent, "%.4f");
    return std::pair{sam, ascent};
  };
  const auto [sam_sharp, ascent_sharp] = study(f_sharp, "sharp", "200.00", "0.01000", "1.0000", DenseMatrix{{200, 0}, {0, 2}});
  const auto [sam_flat, ascent_flat] = study(f_flat, "flat", "2.00", "1.00000", "0.0100", DenseMatrix{{2, 0}, {0, 0.02}});
  report.compare("ratio", "Ratio of the sharpnesses", sam_sharp / sam_flat, "%.1f", "100.0");
  report.check("the seed's ascent finds the sharp maximum (rtol 1e-3)", std::abs(ascent_sharp / sam_sharp - 1) < 1e-3, format("%.6f", ascent_sharp));
  report.check("the seed's ascent falls short on the flat one (its e grows by at most 1.02^20 = 1.49 from rho/2)", ascent_flat < 0.6 * sam_flat,
               format("%.6f against %.4f", ascent_flat, sam_flat));
  // Both are homogeneous quadratics (f(0) = 0, grad f(0) = 0), determined by their Hessians.
  const DenseMatrix h_flat_scaled = 100.0 * hessian(f_flat, x_star);
  report.check("f_flat = f_sharp / 100: both vanish with their gradients at 0, and 100 H_flat = H_sharp",
               f_flat(x_star) == 0.0 && f_sharp(x_star) == 0.0 && norm_inf(grad(f_flat, x_star)) == 0.0 &&
                   norm_inf(grad(f_sharp, x_star)) == 0.0 && relative_distance(h_flat_scaled, hessian(f_sharp, x_star)) == 0.0,
               "");
  report.note("the seed's comments place the flat minimum at (2, 0) as g = (x - 2)^2 + 0.01 y^2 'kappa=100 swapped'; its code "
              "puts both at (0, 0), and nothing is swapped: f_flat = x^2 + 0.01 y^2 = f_sharp / 100, both with kappa = 100 and "
              "the stiff direction x. The 'flat' minimum is the sharp one scaled down, so the ratio 100 is only the scale: "
              "sharpness is not invariant under rescaling the loss (or reparametrising the weights).");
  report.note(format("the seed's sharpness() is never called; run as written it underestimates the flat sharpness (%.4f for "
                     "%.4f): with step 0.01 and curvature 2 its perturbation grows by 2%% per step and never reaches the "
                     "sphere. The exact value 0.5 rho^2 lambda_max is attained at e = rho v_max.",
                     ascent_flat, sam_flat));
  std::string data;
  for (int i = 0; i < 200; ++i) {
    const double xv = -0.5 + 1.0 * i / 199;
    data += format("%.6f %.9g %.9g\n", xv, f_sharp(Vector{xv, 0.0}), f_flat(Vector{xv, 0.0}));
  }
  report.figure({.name = "q13_sam",
                 .title = "Sharp (λ_max = 200) and flat (λ_max = 2) quadratics along x, with the SAM neighbourhood ρ = 0.1",
                 .data = {{"q13_slices.dat", data}},
                 .script = format("set grid; set xlabel 'x'; set ylabel 'Loss'; set yrange [-0.1:3]\n"
                                  "set title 'Sharp vs flat minima: SAM penalises sharpness'\nset key top center\n"
                                  "set object 1 rect from %g, graph 0 to %g, graph 1 fc rgb '#AA3377' fs transparent solid 0.15 noborder\n"
                                  "plot 'q13_slices.dat' using 1:2 with lines lw 2.5 lc rgb '#CC3311' title 'sharp (λ_{max} = 200)', \\\n"
                                  "     'q13_slices.dat' using 1:3 with lines lw 2.5 lc rgb '#009988' title 'flat (λ_{max} = 2)', \\\n"
                                  "     NaN with boxes fs transparent solid 0.15 lc rgb '#AA3377' title 'SAM ρ = %g neighbourhood'\n",
                                  -rho, rho, rho),
                 .width = 800,
                 .height = 420});
}

}  // namespace

void jh_theory::hessian_sections(demo::Report& report) {
  section_6(report);
  section_7(report);
  section_8(report);
  section_9(report);
  section_10(report);
  section_11(report);
  section_12(report);
  section_13(report);
}
