// econ622-ps2: ECON622 Problem Set 2 (seed 002) with frechet. Q1: the Hutchinson estimator of the
// trace of a Hessian from Hessian-vector products (forward over reverse), dense and matrix-free, and
// beyond the seed Hutch++ at equal budgets and a sparse operator with 10^6 unknowns; Q2: the
// equilibrium price of a supply and demand system by root finding, a log-likelihood written through
// it, its gradient by the implicit function theorem (the root is one tape node, Newton is never
// unrolled), and maximum likelihood by Adam and BFGS, with the Hessian at the estimate.
//
// The seed draws its data from JAX's and NumPy's PRNGs; this app draws from frechet's Random, so the
// random numbers differ and only the checks carry over. Every deterministic number the seed prints is
// recomputed, and the seed's random outputs are checked for consistency with each other where they
// share a deterministic part (the price's derivatives).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/optim/adam.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/objective.hpp"
#include "report.hpp"

using namespace frechet;
using demo::format;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double trace(const DenseMatrix& a) {
  double t = 0.0;
  for (std::size_t i = 0; i < a.rows(); ++i) t += a(i, i);
  return t;
}

// ---- Question 1 ---------------------------------------------------------------------------------

// Sample variance of the estimates.
double sample_variance(const std::vector<double>& v) {
  double mean = 0.0, s = 0.0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  for (double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size() - 1);
}

// The estimate with M probes (M = 1 included: its standard error is NaN, the estimate is one sample).
double hutchinson(const OperatorPtr& h, int m, std::uint64_t seed) {
  return hutchinson_trace(h, {.probes = m, .seed = seed}).estimate;
}

void question_1(demo::Report& report) {
  report.section("Q1.1", "The trace of the Hessian of f(x) = 1/2 x^T P x, P = A^T A, N = 100");
  report.note("the seed's A, x and probes come from JAX's PRNG (keys 0 and 42); ours from frechet's Random, so "
              "the traces and estimates differ from the seed's and only the checks carry over.");
  const std::size_t n = 100;
  Random random(0);
  DenseMatrix a(n, n);
  random.fill_gaussian(a.values());
  const DenseMatrix p = matmul(a, a, Transpose::yes, Transpose::no);
  const Vector x = random.gaussian_vector(n);
  const auto f = [p](const auto& v) { return 0.5 * quad_form(v, p); };
  const DenseMatrix h = hessian(f, x);
  const double true_trace = trace(p);
  report.value("trace_hessian", "trace of the Hessian (dense, by the AD layer)", trace(h), "%.3f", "10240.816");
  report.value("trace_P", "sum of diag(P)", true_trace, "%.3f", "10240.817");
  report.check("the AD Hessian of 1/2 x^T P x is P", relative_distance(h, p) < 1e-14,
               format("relative distance %.1e", relative_distance(h, p)));
  report.check("trace(Hessian) = sum diag(P) (the seed's two prints differ in the last digit: float32 rounding)",
               std::abs(trace(h) - trace(p)) <= 1e-13 * trace(p), format("difference %.1e", trace(h) - trace(p)));

  // The Hessian as an operator: H v by forward over reverse (the seed's jvp of grad), never formed.
  const OperatorPtr hess = hessian_operator(f, x);
  const Vector probe = random.rademacher_vector(n);
  Vector diff = hess->apply(probe);
  axpy(-1.0, matvec(p, probe), diff);
  report.check("the Hessian-vector product is P v", norm_inf(diff) < 1e-12 * true_trace,
               format("max difference %.1e", norm_inf(diff)));

  // Var(v^T P v) for one probe: 2 (||P||_F^2 - sum_i P_ii^2) with Rademacher v, 2 ||P||_F^2 with
  // Gaussian v (Hutchinson 1990; Avron and Toledo 2011).
  double frobenius2 = 0.0, diagonal2 = 0.0;
  for (double e : p.values()) frobenius2 += e * e;
  for (std::size_t i = 0; i < n; ++i) diagonal2 += p(i, i) * p(i, i);
  const double variance_rademacher = 2 * (frobenius2 - diagonal2), variance_gaussian = 2 * frobenius2;

  report.value("true_trace", "True trace", true_trace, "%.4f", "10240.8164");
  const int ms[] = {1, 10, 100, 1000};
  const char* seed_estimates[] = {"10229.5576", "10182.5596", "10503.5107", "10209.1455"};
  const char* seed_errors[] = {"11.2588", "58.2568", "262.6943", "31.6709"};
  for (int i = 0; i < 4; ++i) {
    const int m = ms[i];
    const auto start = std::chrono::steady_clock::now();
    const double estimate = hutchinson(hess, m, 42 + i);
    const double ms_elapsed = 1e3 * seconds_since(start);
    const double error = std::abs(estimate - true_trace), se = std::sqrt(variance_rademacher / m);
    report.print(format("M=%-4d: estimate=%.4f, error=%.4f, standard error %.1f, time=%.3fms", m, estimate, error, se,
                        ms_elapsed));
    report.value(format("estimate_M_%d", m), format("M = %d: estimate", m), estimate, "%.4f", seed_estimates[i]);
    report.value(format("error_M_%d", m), format("M = %d: error", m), error, "%.4f", seed_errors[i]);
    report.check(format("M = %d: the error is within 4 standard errors sqrt(2 (||P||_F^2 - sum P_ii^2) / M)", m),
                 error <= 4 * se, format("error %.1f, standard error %.1f", error, se));
  }

  // The variance of the estimator: 200 repetitions per M. The products are the same P v; the dense
  // operator makes the 10^5 products of the repetitions cheap.
  const OperatorPtr dense = dense_operator(p, {.symmetric = true});
  const int repetitions = 200;
  std::string spread;
  std::vector<double> scaled_variances;
  for (int m : {1, 10, 100}) {
    std::vector<double> estimates;
    for (int r = 0; r < repetitions; ++r) estimates.push_back(hutchinson(dense, m, 1000 + r));
    const double variance = sample_variance(estimates);
    scaled_variances.push_back(m * variance / variance_rademacher);
    report.value(format("variance_M_%d", m), format("M = %d: variance of %d estimates", m, repetitions), variance, "%.4g");
    for (double e : estimates) spread += format("%d %.6e\n", m, std::abs(e - true_trace));
  }
  report.value("variance_theory_one_probe", "2 (||P||_F^2 - sum P_ii^2): the variance of one Rademacher sample",
               variance_rademacher, "%.4g");
  report.check("the variance falls as 1/M (M x variance / theory within 25% for M = 1, 10, 100)",
               std::ranges::all_of(scaled_variances, [](double s) { return std::abs(s - 1) < 0.25; }),
               format("M x variance / theory: %.3f, %.3f, %.3f", scaled_variances[0], scaled_variances[1], scaled_variances[2]));
  const TraceResult rademacher = hutchinson_trace(dense, {.probes = 20000, .seed = 7});
  const TraceResult gaussian = hutchinson_trace(dense, {.probes = 20000, .distribution = ProbeDistribution::gaussian, .seed = 7});
  report.value("sample_variance_rademacher", "variance of one sample, Rademacher (20000 probes)", rademacher.variance, "%.4g");
  report.value("sample_variance_gaussian", "variance of one sample, Gaussian (20000 probes); theory 2 ||P||_F^2",
               gaussian.variance, "%.4g");
  report.check("Rademacher probes have the lower variance, as the seed says, by the predicted ratio (within 10%)",
               rademacher.variance < gaussian.variance &&
                   std::abs((gaussian.variance / rademacher.variance) / (variance_gaussian / variance_rademacher) - 1) < 0.1,
               format("sample ratio %.3f, predicted 1 + sum P_ii^2 / sum_{i!=j} P_ij^2 = %.3f",
                      gaussian.variance / rademacher.variance, variance_gaussian / variance_rademacher));
  report.note(format("the seed's table cannot show its claim 'variance decreases as O(1/M)': it is one draw per M, and "
                     "its errors go 11.3, 58.3, 262.7, 31.7. One Rademacher sample here has standard deviation %.0f, "
                     "so 11.3 at M = 1 was luck and 262.7 at M = 100 is about two standard errors. The variance needs "
                     "repetitions, as above.",
                     std::sqrt(variance_rademacher)));

  // Beyond the seed: Hutch++ against Hutchinson at equal budgets of 99 products, 200 repetitions each.
  std::vector<double> errors_hutchinson, errors_hutchpp;
  for (int r = 0; r < repetitions; ++r) {
    errors_hutchinson.push_back(hutchinson_trace(dense, {.probes = 99, .seed = 5000u + r}).estimate - true_trace);
    errors_hutchpp.push_back(hutchpp_trace(dense, {.operator_products = 99, .seed = 5000u + r}).estimate - true_trace);
  }
  const auto rms = [](const std::vector<double>& e) { return std::sqrt(dot(e, e) / static_cast<double>(e.size())); };
  report.value("rms_error_hutchinson_99", "beyond the seed: RMS error of Hutchinson, 99 products (200 runs)",
               rms(errors_hutchinson), "%.2f");
  report.value("rms_error_hutchpp_99", "RMS error of Hutch++, 99 products (200 runs)", rms(errors_hutchpp), "%.2f");
  report.check("Hutch++ beats Hutchinson at an equal budget of products on P = A^T A",
               rms(errors_hutchpp) < rms(errors_hutchinson),
               format("RMS errors %.2f and %.2f", rms(errors_hutchpp), rms(errors_hutchinson)));
  report.figure({.name = "q1_1_hutchinson_error",
                 .title = "Hutchinson: |estimate − trace| of 200 runs per M, and the standard error",
                 .data = {{"q1_1_hutchinson_error.dat", spread}},
                 .script = format("set logscale xy; set xrange [0.5:200]; set xlabel 'probes M'; set ylabel '|estimate - tr(P)|'\n"
                                  "set title 'Hutchinson estimator of tr(P), N = 100, 200 runs per M'; set key bottom left\n"
                                  "plot 'q1_1_hutchinson_error.dat' using ($1*(1+0.25*(rand(0)-0.5))):2 with points pt 7 ps 0.3 "
                                  "lc rgb '#1f77b4' title '|error| of one run', "
                                  "%.9g/sqrt(x) with lines lw 2 lc rgb 'red' title 'standard error sqrt(2(||P||_F^2 - Σ P_{ii}^2)/M)'\n",
                                  std::sqrt(variance_rademacher))});

  report.section("Q1.2", "Matrix-free: f(x) = 1/2 ||A x||^2 without forming P, N = 1000");
  const std::size_t big = 1000;
  Random random_big(0);
  DenseMatrix a_big(big, big);
  random_big.fill_gaussian(a_big.values());
  const Vector x_big = random_big.gaussian_vector(big);
  const OperatorPtr hess_big = hessian_operator(
      [a_big](const auto& v) {
        const auto av = matvec(a_big, v);
        return 0.5 * dot(av, av);
      },
      x_big);
  const TraceResult estimate_big = hutchinson_trace(hess_big, {.probes = 20, .seed = 42});
  const double trace_big = dot(a_big.values(), a_big.values());  // tr(A^T A) = ||A||_F^2
  report.value("estimate_N_1000", "Estimated trace for N=1000 (M = 20)", estimate_big.estimate, "%.2f", "1002486.69");
  report.value("trace_N_1000", "exact trace ||A||_F^2 (the seed does not print it)", trace_big, "%.2f");
  report.check("N = 1000: the estimate is within 4 of its standard errors of ||A||_F^2",
               std::abs(estimate_big.estimate - trace_big) <= 4 * estimate_big.standard_error,
               format("error %.0f, standard error %.0f", estimate_big.estimate - trace_big, estimate_big.standard_error));
  report.note("the seed says that not materialising P makes much larger problems feasible. With its dense A the memory "
              "is the same (A has N^2 entries, as P does) and each product costs two O(N^2) products with A: what is "
              "saved is the O(N^3) product A^T A. Larger N needs a sparse or structured A, as below.");

  // Beyond the seed: N = 10^6, A the 5-point Laplacian of a 1000 x 1000 grid (sparse, 5 x 10^6
  // entries), P = A^T A applied as two sparse products; tr(P) = ||A||_F^2 exactly.
  report.section("Q1.2-large", "Beyond the seed: tr(A^T A) for a sparse A with N = 10^6, Hutchinson and Hutch++");
  const CsrMatrix laplacian = laplacian_2d(1000, 1000);
  const double exact = dot(laplacian.values(), laplacian.values());
  const OperatorPtr normal = normal_operator(sparse_operator(laplacian));
  const int budget = 30;
  const auto start = std::chrono::steady_clock::now();
  const TraceResult hutch = hutchinson_trace(normal, {.probes = budget, .seed = 1});
  const double seconds_hutch = seconds_since(start);
  const auto start_pp = std::chrono::steady_clock::now();
  const TraceResult hutchpp = hutchpp_trace(normal, {.operator_products = budget, .seed = 1});
  const double seconds_pp = seconds_since(start_pp);
  report.value("N", "N", static_cast<double>(normal->rows()), "%.0f");
  report.value("exact_trace", "exact trace ||A||_F^2", exact, "%.1f");
  report.value("hutchinson_estimate", format("Hutchinson, %d products", budget), hutch.estimate, "%.1f");
  report.value("hutchinson_relative_error", "its relative error", std::abs(hutch.estimate / exact - 1), "%.2e");
  report.value("hutchinson_seconds", "its seconds", seconds_hutch, "%.2f");
  report.value("hutchpp_estimate", format("Hutch++, %d products", budget), hutchpp.estimate, "%.1f");
  report.value("hutchpp_relative_error", "its relative error", std::abs(hutchpp.estimate / exact - 1), "%.2e");
  report.value("hutchpp_seconds", "its seconds", seconds_pp, "%.2f");
  report.check("N = 10^6: Hutchinson within 4 standard errors of the exact trace",
               std::abs(hutch.estimate - exact) <= 4 * hutch.standard_error,
               format("error %.1f, standard error %.1f", hutch.estimate - exact, hutch.standard_error));
  report.check("N = 10^6: Hutch++ within 4 standard errors of the exact trace",
               std::abs(hutchpp.estimate - exact) <= 4 * hutchpp.standard_error,
               format("error %.1f, standard error %.1f", hutchpp.estimate - exact, hutchpp.standard_error));
  report.print("A^T A of the Laplacian has a flat spectrum (its 10 largest eigenvalues, about 64 each, are 3e-5 of");
  report.print("the trace): Hutch++ spends two thirds of its budget on a sketch that captures almost nothing and");
  report.print("leaves 10 probes to Hutchinson. It wins where the spectrum decays (P = A^T A above).");
}

// ---- Question 2 ---------------------------------------------------------------------------------

constexpr double sigma = 0.01;
const Vector c_true{0.5, 0.15};  // (c_d, c_s)
const Vector price_guess{5.0};   // the seed's y0 for Newton
// Newton to ||F|| <= 1e-12 (|P - p| < 1e-13): the gradient checks below compare to 1e-10, and the
// likelihood's (p_hat - p) / sigma^2 magnifies an error in p by 10^4. The default relative rule
// 1e-10 ||F(P0)|| leaves ~1e-10 in p.
const NewtonOptions newton{.rtol = 0.0, .atol = 1e-12};

// The seed's equilibrium condition, demand 100 - 2 P^{c_d} minus supply 5 * 3^{c_s P}, in the form
// root_find and the implicit-function transforms take: f(price, c), both vectors, either one active.
const auto excess_demand = [](const auto& price, const auto& c) {
  using std::exp;
  using std::pow;
  using P = scalar_t<std::remove_cvref_t<decltype(price)>>;
  using C = scalar_t<std::remove_cvref_t<decltype(c)>>;
  using T = std::conditional_t<std::is_same_v<P, double>, C, P>;  // the active argument's scalar
  const T p = price[0], cd = c[0], cs = c[1];
  return std::vector<T>{100.0 - 2.0 * pow(p, cd) - 5.0 * exp(cs * p * std::log(3.0))};
};

double demand(double price, const Vector& c) { return 100.0 - 2.0 * std::pow(price, c[0]); }
double supply(double price, const Vector& c) { return 5.0 * std::pow(3.0, c[1] * price); }

// The equilibrium price p(c) by the seed's scipy route: TOMS 748 on the bracket [0, 100].
double equilibrium_price(const Vector& c) {
  return bracket_root([&c](double price) { return demand(price, c) - supply(price, c); }, 0.0, 100.0).root;
}

// dp/dc = -F_c / F_P by hand, for F(P, c) = 100 - 2 P^{c_d} - 5 exp(c_s P ln 3).
Vector price_derivative_by_hand(double price, const Vector& c) {
  const double ln3 = std::log(3.0), s = supply(price, c);
  const double f_p = -2.0 * c[0] * std::pow(price, c[0] - 1) - s * ln3 * c[1];
  const double f_cd = -2.0 * std::pow(price, c[0]) * std::log(price), f_cs = -s * ln3 * price;
  return {-f_cd / f_p, -f_cs / f_p};
}

// log L(p_hat | c) = -1/2 log(2 pi sigma^2) - (p_hat - p(c))^2 / (2 sigma^2), p(c) the root: under grad
// one tape node whose pullback is the implicit function theorem's adjoint solve.
auto log_likelihood(double p_hat) {
  return [p_hat](const auto& c) {
    const auto r = root_find(excess_demand, price_guess, c, newton) - Vector{p_hat};
    return -0.5 * std::log(2 * std::numbers::pi * sigma * sigma) - 0.5 * dot(r, r) / (sigma * sigma);
  };
}

// The negative log-likelihood of IID observations p_hat_i ~ N(p(c), sigma^2).
auto negative_log_likelihood(const Vector& data) {
  return [data](const auto& c) {
    const auto r = data - sum(root_find(excess_demand, price_guess, c, newton));
    return 0.5 * static_cast<double>(data.size()) * std::log(2 * std::numbers::pi * sigma * sigma) +
           0.5 * dot(r, r) / (sigma * sigma);
  };
}

void question_2_1(demo::Report& report) {
  report.section("Q2.1", "The equilibrium price: demand 100 - 2 P^c_d = supply 5 * 3^(c_s P), c = (0.5, 0.15)");
  const ScalarRootResult bracketed = bracket_root(
      [](double price) { return demand(price, c_true) - supply(price, c_true); }, 0.0, 100.0);
  report.compare("price_bracketed", "Equilibrium Price (TOMS 748 on [0, 100], the seed's brentq)", bracketed.root, "%.2f", "17.65");
  report.compare("quantity_bracketed", "Equilibrium Quantity", demand(bracketed.root, c_true), "%.2f", "91.60");
  report.value("bracket_evaluations", "its evaluations of f", bracketed.function_evaluations, "%.0f");
  // The seed's Optimistix route: Newton from y0 = 5 on the system F(P; c) = 0 (derivative by the AD layer).
  const NewtonResult newton_result =
      root_find([](const auto& price) { return excess_demand(price, c_true); }, price_guess, newton);
  report.compare("price_newton", "Equilibrium Price (Newton from P0 = 5, the seed's optimistix.Newton)", newton_result.x[0], "%.2f", "17.65");
  report.compare("quantity_newton", "Equilibrium Quantity", demand(newton_result.x[0], c_true), "%.2f", "91.60");
  report.value("newton_iterations", "its Newton iterations", newton_result.iterations, "%.0f");
  const ScalarRootResult safeguarded = newton_root(
      [](const auto& price) {
        using std::pow;
        using std::exp;
        return 100.0 - 2.0 * pow(price, c_true[0]) - 5.0 * exp(c_true[1] * price * std::log(3.0));
      },
      0.0, 100.0, {.x0 = 5.0});
  report.value("price_newton_root", "Equilibrium Price (safeguarded scalar Newton)", safeguarded.root, "%.12f");
  report.value("price_full", "Equilibrium Price to full precision (TOMS 748)", bracketed.root, "%.12f");
  report.check("Newton converged, and the three roots agree to 1e-12",
               newton_result.converged && safeguarded.converged && std::abs(newton_result.x[0] - bracketed.root) < 1e-12 &&
                   std::abs(safeguarded.root - bracketed.root) < 1e-12,
               format("differences %.1e and %.1e", newton_result.x[0] - bracketed.root, safeguarded.root - bracketed.root));
  report.check("demand equals supply at the root", std::abs(demand(bracketed.root, c_true) - supply(bracketed.root, c_true)) < 1e-12,
               format("demand - supply = %.1e", demand(bracketed.root, c_true) - supply(bracketed.root, c_true)));

  std::string curves;
  for (int i = 1; i <= 300; ++i) {
    const double price = 0.1 * i;
    curves += format("%.3f %.9g %.9g\n", price, demand(price, c_true), supply(price, c_true));
  }
  report.figure({.name = "q2_1_equilibrium",
                 .title = "Demand and supply, c_d = 0.5, c_s = 0.15, and the equilibrium",
                 .data = {{"q2_1_equilibrium.dat", curves},
                          {"q2_1_point.dat", format("%.9g %.9g\n", bracketed.root, demand(bracketed.root, c_true))}},
                 .script = "set xlabel 'price P'; set ylabel 'quantity'; set yrange [0:150]; set grid; set key top left\n"
                           "set title 'Equilibrium: 100 - 2 P^{c_d} = 5 · 3^{c_s P}'\n"
                           "plot 'q2_1_equilibrium.dat' using 1:2 with lines lw 2 title 'demand 100 - 2 P^{0.5}', "
                           "'' using 1:3 with lines lw 2 title 'supply 5 · 3^{0.15 P}', "
                           "'q2_1_point.dat' with points pt 7 ps 1.5 lc rgb 'black' title 'equilibrium'\n"});
}

// The equilibrium price p(c) as a user's custom rule: the primal by the safeguarded scalar Newton,
// the JVP and the VJP by dp/dc = -F_c / F_P. vjp_sign = -1 plants a sign error in the VJP.
CustomRule<> user_price_rule(double vjp_sign) {
  CustomRule<> rule;
  rule.name = "equilibrium_price";
  rule.primal = [](CustomInputs in, std::monostate&) {
    const Vector c(in[0].begin(), in[0].end());
    return Vector{newton_root([&c](const auto& q) {
                    using std::exp;
                    using std::pow;
                    return 100.0 - 2.0 * pow(q, c[0]) - 5.0 * exp(c[1] * q * std::log(3.0));
                  },
                  0.0, 100.0, {.x0 = 5.0})
                      .root};
  };
  rule.jvp = [](CustomInputs in, ConstVectorView p, const std::monostate&, CustomInputs dc) {
    return Vector{dot(price_derivative_by_hand(p[0], Vector(in[0].begin(), in[0].end())), dc[0])};
  };
  rule.vjp = [vjp_sign](CustomInputs in, ConstVectorView p, const std::monostate&, ConstVectorView p_bar,
                        CustomCotangents c_bar) {
    if (c_bar[0].empty()) return;
    axpy(vjp_sign * p_bar[0], price_derivative_by_hand(p[0], Vector(in[0].begin(), in[0].end())), c_bar[0]);
  };
  return rule;
}

// A function of c recorded on a tape: its size, and the gradient by one reverse pass.
struct Recording {
  std::size_t nodes = 0;
  std::size_t statements = 0;
  Vector gradient;
};

template <class F> Recording record(const F& f) {
  Tape<double> tape;
  const TapeVector<double> c = tape.variable_view(c_true);
  const TapeScalar<double> y = f(c);
  Recording out{tape.node_count(), tape.statement_count(), {}};
  tape.seed(y, 1.0);
  tape.backward();
  out.gradient = tape.adjoint(c);
  return out;
}

void question_2_2_and_3(demo::Report& report) {
  const double p = equilibrium_price(c_true);
  const double z = Random(0).gaussian();
  const double p_hat = p + sigma * z;
  const double ll_max = -0.5 * std::log(2 * std::numbers::pi * sigma * sigma);
  const auto ll = log_likelihood(p_hat);

  report.section("Q2.2", "The log-likelihood of a noisy price p_hat ~ N(p(c), sigma^2), sigma = 0.01");
  report.note("the seed's p_hat comes from NumPy's and JAX's PRNGs; ours is p + sigma z with z from frechet's Random, "
              "so the log-likelihood differs from the seed's.");
  report.value("p_hat", "p_hat", p_hat, "%.6f");
  const double value = ll(c_true);
  report.value("log_likelihood", "Log likelihood", value, "%.4f", "2.4813 (scipy), 2.3698 (JAX)");
  report.check("log L = -1/2 log(2 pi sigma^2) - z^2 / 2 for the drawn z", std::abs(value - (ll_max - 0.5 * z * z)) < 1e-9,
               format("difference %.1e", value - (ll_max - 0.5 * z * z)));
  // The seed's two values must not exceed the maximum -1/2 log(2 pi sigma^2) = 3.6862, reached at p_hat = p;
  // they imply the draws |z| = sqrt(2 (max - log L)).
  report.value("log_likelihood_max", "max over p_hat: -1/2 log(2 pi sigma^2)", ll_max, "%.4f");
  const double z_scipy = std::sqrt(2 * (ll_max - 2.481313032717602)), z_jax = std::sqrt(2 * (ll_max - 2.3698));
  report.value("seed_z_implied", "|z| the seed's two values imply (scipy, JAX)", Vector{z_scipy, z_jax}, "%.4f");
  report.check("the seed's log-likelihoods are below the maximum (plausible draws of |z|)", 2.481313032717602 < ll_max && 2.3698 < ll_max,
               format("|z| = %.3f and %.3f", z_scipy, z_jax));

  report.section("Q2.3", "The gradient of log L in (c_d, c_s) through the root, by the implicit function theorem");
  const Recording near = record(ll);
  const Vector& g = near.gradient;
  report.value("gradient", "Gradient w.r.t. (c_d, c_s)", g, "%.6f");
  report.value("gradient_seed", "the seed's (its p_hat)", "[-255.215134 -18792.078125]");
  // By hand: d log L / dc = (p_hat - p) / sigma^2 dp/dc, dp/dc = -F_c / F_P.
  const Vector dp_dc = price_derivative_by_hand(p, c_true);
  Vector by_hand = dp_dc;
  scale((p_hat - p) / (sigma * sigma), by_hand);
  report.value("dp_dc", "dp/dc = -F_c / F_P (deterministic)", dp_dc, "%.8f");
  const auto distance = [](const Vector& u, const Vector& v) {
    Vector d = u;
    axpy(-1.0, v, d);
    return norm2(d) / norm2(v);
  };
  report.check("grad through root_find equals (p_hat - p)/sigma^2 (-F_c / F_P) by hand", distance(g, by_hand) < 1e-10,
               format("relative distance %.1e", distance(g, by_hand)));
  // Forward mode through the same primitive: d log L / dc_j by one JVP (implicit_jvp inside).
  const Vector forward{jvp(ll, c_true, Vector{1.0, 0.0}).tangent, jvp(ll, c_true, Vector{0.0, 1.0}).tangent};
  report.check("grad (reverse, implicit_vjp) equals two JVPs through root_find (forward, implicit_jvp)",
               distance(g, forward) < 1e-12, format("relative distance %.1e", distance(g, forward)));
  const Vector dp_dc_implicit{implicit_jvp(excess_demand, Vector{p}, c_true, Vector{1.0, 0.0})[0],
                              implicit_jvp(excess_demand, Vector{p}, c_true, Vector{0.0, 1.0})[0]};
  report.check("implicit_jvp's dp/dc equals -F_c / F_P by hand", distance(dp_dc_implicit, dp_dc) < 1e-12,
               format("relative distance %.1e", distance(dp_dc_implicit, dp_dc)));
  const DerivativeCheckResult fd = check_gradient(ll, c_true, {.step = 1e-7});
  report.check("grad through root_find matches central differences of the whole solve", fd.passed,
               format("relative error %.1e", fd.relative_error));
  const Vector adjoint = implicit_vjp(excess_demand, Vector{p}, c_true, Vector{(p_hat - p) / (sigma * sigma)});
  report.check("grad equals implicit_vjp at the root (one adjoint solve with F_P)", distance(g, adjoint) < 1e-12,
               format("relative distance %.1e", distance(g, adjoint)));
  // What Optimistix does inside, written by a user: p(c) as a custom rule (the analogue of
  // jax.custom_jvp/custom_vjp) with the primal by newton_root and both derivatives -F_c / F_P, checked
  // by the library against finite differences and by duality before it is trusted.
  const auto price_rule = std::make_shared<const CustomRule<>>(user_price_rule(1.0));
  const RuleCheckResult rule_check = check_custom_rule(*price_rule, {c_true});
  report.check("a user-written rule for p(c) (newton_root; JVP and VJP -F_c / F_P) passes check_custom_rule",
               rule_check.passed,
               rule_check.passed ? format("largest duality error %.1e", rule_check.duality_errors[0]) : rule_check.message);
  const Vector g_rule = grad(
      [&](const auto& c) {
        const auto r = apply_custom(price_rule, c) - Vector{p_hat};
        return -0.5 * dot(r, r) / (sigma * sigma);
      },
      c_true);
  report.check("grad through the user's rule equals grad through root_find", distance(g_rule, g) < 1e-12,
               format("relative distance %.1e", distance(g_rule, g)));
  const RuleCheckResult wrong_check = check_custom_rule(user_price_rule(-1.0), {c_true});
  report.print("the same rule with the VJP's sign flipped: " + wrong_check.message);
  report.check("check_custom_rule rejects the rule with a sign error in its VJP, naming it", !wrong_check.passed &&
               wrong_check.message.find("VJP in argument 0") != std::string::npos, wrong_check.message);

  // Not unrolled: the tape is the same whether Newton takes a few iterations or many.
  const Recording far = record([p_hat](const auto& c) {
    const auto r = root_find(excess_demand, Vector{60.0}, c, newton) - Vector{p_hat};
    return -0.5 * std::log(2 * std::numbers::pi * sigma * sigma) - 0.5 * dot(r, r) / (sigma * sigma);
  });
  const auto iterations_from = [](double start) {
    return root_find([](const auto& q) { return excess_demand(q, c_true); }, Vector{start}, newton).iterations;
  };
  report.value("tape_nodes", "vector nodes on the tape of log L", static_cast<double>(near.nodes), "%.0f");
  report.value("tape_statements", "scalar statements on it", static_cast<double>(near.statements), "%.0f");
  report.check("Newton is not unrolled: the same tape from P0 = 5 and P0 = 60, whatever Newton's iterations",
               near.nodes == far.nodes && near.statements == far.statements && near.nodes > 0 &&
                   iterations_from(5.0) != iterations_from(60.0) && distance(far.gradient, g) < 1e-12,
               format("%zu and %zu nodes, %zu and %zu statements; %d and %d Newton iterations", near.nodes, far.nodes,
                      near.statements, far.statements, iterations_from(5.0), iterations_from(60.0)));

  // The seed's printed gradient is (p_hat - p)/sigma^2 dp/dc with its own p_hat: its ratio is
  // dp/dc_d / dp/dc_s, deterministic, and it implies a draw z = (p_hat - p)/sigma that must give the
  // log-likelihood it printed in Q2.2 with the same key.
  const Vector seed_gradient{-255.215134, -18792.078125};
  const double seed_ratio = seed_gradient[0] / seed_gradient[1], ratio = dp_dc[0] / dp_dc[1];
  report.value("gradient_ratio", "dp/dc_d / dp/dc_s", ratio, "%.7f", format("%.7f", seed_ratio));
  report.check("the seed's gradient has the deterministic ratio dp/dc_d / dp/dc_s (float32, within 1e-4)",
               std::abs(seed_ratio / ratio - 1) < 1e-4, format("relative difference %.1e", seed_ratio / ratio - 1));
  const double seed_z = seed_gradient[1] * sigma / dp_dc[1];
  const double seed_ll = ll_max - 0.5 * seed_z * seed_z;
  report.value("seed_ll_from_gradient", "log L that the seed's gradient implies (z = grad sigma / dp/dc_s)", seed_ll,
               "%.4f", "2.3698");
  report.check("the seed's gradient and its Q2.2 log-likelihood agree (float32, within 2e-3)",
               std::abs(seed_ll - 2.3698) < 2e-3, format("%.5f against 2.3698", seed_ll));
}

// p(c) = target for c_s at given c_d: the curve along which the likelihood of prices is constant.
double c_s_on_level_curve(double c_d, double target) {
  return bracket_root([&](double c_s) { return equilibrium_price(Vector{c_d, c_s}) - target; }, 0.05, 0.4).root;
}

void question_2_4(demo::Report& report) {
  report.section("Q2.4", "Maximum likelihood from 50 prices: Adam (Optax) and BFGS (Optimistix)");
  const std::size_t n_obs = 50;
  const double p_true = equilibrium_price(c_true);
  Vector data = Random(42).gaussian_vector(n_obs);
  scale(sigma, data);
  for (double& d : data) d += p_true;
  const double mean = sum(data) / static_cast<double>(n_obs);
  const auto nll = negative_log_likelihood(data);
  const Vector c0{0.6, 0.18};

  // Adam, lr = 0.01, 100 steps, as the seed (optax.adam's defaults otherwise).
  Adam adam(2, {.learning_rate = 0.01});
  Vector c_adam = c0;
  std::vector<Vector> adam_path{c_adam};
  Tape<double> tape;
  for (int step = 0; step < 100; ++step) {
    adam.step(value_and_grad(tape, nll, c_adam).gradient, c_adam);
    adam_path.push_back(c_adam);
  }
  report.value("c_true", "True values (c_d, c_s)", c_true, "%g");
  report.value("adam_estimate", "Adam, 100 steps: (c_d, c_s)", c_adam, "%.4f");
  report.value("adam_estimate_seed", "the seed's (its data)", "[0.5615 0.1491]");
  const OptimizeResult bfgs_result = bfgs(differentiable_objective(nll), c0, {.rtol = 1e-10, .atol = 0.0, .record_path = true});
  const Vector& c_bfgs = bfgs_result.x;
  report.value("bfgs_estimate", "BFGS: (c_d, c_s)", c_bfgs, "%.4f");
  report.value("bfgs_estimate_seed", "the seed's (its data)", "[0.5995 0.1520]");
  report.value("bfgs_iterations", "BFGS iterations", bfgs_result.iterations, "%.0f");
  report.check("BFGS converged (||grad|| <= 1e-10 ||grad_0||)", bfgs_result.converged, bfgs_result.message);
  report.value("mean_price", "mean of the 50 prices", mean, "%.6f");
  report.value("price_at_bfgs", "p(c) at the BFGS estimate", equilibrium_price(c_bfgs), "%.6f");
  report.value("price_at_adam", "p(c) at the Adam estimate", equilibrium_price(c_adam), "%.6f");
  report.check("the BFGS estimate prices the data's mean: p(c_hat) = mean(p_hat), the first-order condition",
               std::abs(equilibrium_price(c_bfgs) - mean) < 1e-8, format("difference %.1e", equilibrium_price(c_bfgs) - mean));

  // Only p(c) enters the likelihood, so every c on the curve p(c) = mean(p_hat) is a maximiser.
  const double c_s_at_true_c_d = c_s_on_level_curve(c_true[0], mean);
  const Vector c_other{c_true[0], c_s_at_true_c_d};
  report.value("nll_bfgs", "-log L at the BFGS estimate", nll(c_bfgs), "%.6f");
  report.value("nll_other", format("-log L at (0.5, %.6f), another point of the curve p(c) = mean", c_s_at_true_c_d), nll(c_other), "%.6f");
  report.value("nll_true", "-log L at the true c", nll(c_true), "%.6f");
  report.check("two different points of the curve p(c) = mean have the same likelihood (the maximum)",
               std::abs(nll(c_bfgs) - nll(c_other)) < 1e-6 && std::abs(c_bfgs[0] - c_other[0]) > 0.05,
               format("difference %.1e at c_d = %.4f and %.4f", nll(c_bfgs) - nll(c_other), c_bfgs[0], c_other[0]));

  // The Hessian at the estimate through the root solve: hvp (forward over reverse) through the root
  // primitive, whose second-order rule differentiates the adjoint solve (two solves with F_P and one
  // HVP of <w, F> per product), checked against central differences of the exact implicit gradient
  // and against the Gauss-Newton matrix J^T H_z J of p(c) -> -log L through the root.
  DenseMatrix hess(2, 2), hess_fd(2, 2);
  const auto gradient = [&nll](const Vector& c) { return grad(nll, c); };
  for (std::size_t j = 0; j < 2; ++j) {
    Vector e(2, 0.0);
    e[j] = 1.0;
    const Vector column = hvp(nll, c_bfgs, e);
    const double h = 1e-6 * std::abs(c_bfgs[j]);
    Vector up = c_bfgs, down = c_bfgs;
    up[j] += h;
    down[j] -= h;
    Vector difference = gradient(up);
    axpy(-1.0, gradient(down), difference);
    for (std::size_t i = 0; i < 2; ++i) {
      hess(i, j) = column[i];
      hess_fd(i, j) = difference[i] / (2 * h);
    }
  }
  report.check("the Hessian by hvp through root_find is symmetric (its second-order rule's duality)",
               std::abs(hess(0, 1) - hess(1, 0)) <= 1e-8 * std::abs(hess(0, 1)),
               format("H_01 - H_10 = %.1e of %.3e", hess(0, 1) - hess(1, 0), hess(0, 1)));
  report.check("the Hessian by hvp through root_find equals central differences of grad through it",
               relative_distance(hess, hess_fd) < 1e-5, format("relative distance %.1e", relative_distance(hess, hess_fd)));
  const OperatorPtr gauss_newton = gauss_newton_operator(
      [](const auto& c) { return root_find(excess_demand, price_guess, c, newton); },
      [data](const auto& price) {
        const auto r = data - sum(price);
        return 0.5 * dot(r, r) / (sigma * sigma);
      },
      c_bfgs);
  DenseMatrix gn(2, 2);
  for (std::size_t j = 0; j < 2; ++j) {
    Vector e(2, 0.0);
    e[j] = 1.0;
    const Vector column = gauss_newton->apply(e);
    gn(0, j) = column[0];
    gn(1, j) = column[1];
  }
  const SymmetricEigenResult eigen = symmetric_eigen(hess);
  const Vector grad_p = price_derivative_by_hand(equilibrium_price(c_bfgs), c_bfgs);
  const double lambda_theory = static_cast<double>(n_obs) * dot(grad_p, grad_p) / (sigma * sigma);
  report.value("hessian_row_0", "beyond the seed: Hessian of -log L at the BFGS estimate (hvp through the root), row 0",
               Vector{hess(0, 0), hess(0, 1)}, "%.6e");
  report.value("hessian_row_1", "row 1", Vector{hess(1, 0), hess(1, 1)}, "%.6e");
  report.value("hessian_eigenvalues", "its eigenvalues", eigen.values, "%.6e");
  report.value("hessian_eigenvalue_theory", "n ||grad p||^2 / sigma^2", lambda_theory, "%.6e");
  report.check("the Hessian at the estimate is the Gauss-Newton matrix n grad p grad p^T / sigma^2 (rank one)",
               relative_distance(hess, gn) < 1e-5 && std::abs(eigen.values[1] / lambda_theory - 1) < 1e-5,
               format("relative distance %.1e; largest eigenvalue / theory - 1 = %.1e", relative_distance(hess, gn),
                      eigen.values[1] / lambda_theory - 1));
  report.check("the smallest eigenvalue is zero to the accuracy of the estimate (|lambda_min| < 1e-7 lambda_max)",
               std::abs(eigen.values[0]) < 1e-7 * eigen.values[1], format("lambda_min / lambda_max = %.1e", eigen.values[0] / eigen.values[1]));
  const double alignment = std::abs(eigen.vectors(0, 0) * grad_p[0] + eigen.vectors(1, 0) * grad_p[1]) / norm2(grad_p);
  report.check("the flat direction is orthogonal to grad p, i.e. along the curve p(c) = mean", alignment < 1e-6,
               format("|cos(flat direction, grad p)| = %.1e", alignment));
  report.value("standard_error_price", "standard error of the identified p(c): sigma / sqrt(n)", sigma / std::sqrt(n_obs), "%.6f");

  // The seed's estimates come from JAX's data, whose mean is within a few sigma / sqrt(n) of p_true: a
  // maximiser prices it, p(c) = p_true to the estimate's printed digits and that noise.
  const auto off_curve = [&](const Vector& c) {
    const double price = equilibrium_price(c);
    const Vector dp = price_derivative_by_hand(price, c);
    const double tolerance = 5e-5 * (std::abs(dp[0]) + std::abs(dp[1])) + 4 * sigma / std::sqrt(n_obs);
    return std::pair{price - p_true, tolerance};
  };
  const auto [adam_gap, adam_tolerance] = off_curve(Vector{0.5615, 0.1491});
  const auto [bfgs_gap, bfgs_tolerance] = off_curve(Vector{0.5995, 0.1520});
  report.value("seed_adam_price_gap", "p(c) - p_true at the seed's Adam estimate", adam_gap, "%.4f");
  report.value("seed_bfgs_price_gap", "p(c) - p_true at the seed's BFGS estimate", bfgs_gap, "%.4f");
  report.check("the seed's Adam estimate lies on the curve of maximisers (printed digits + 4 sigma/sqrt(n))",
               std::abs(adam_gap) <= adam_tolerance, format("p - p_true = %.4f, tolerance %.4f", adam_gap, adam_tolerance));
  report.check("the seed's BFGS estimate is off that curve, so no maximiser (the NOTE below)", std::abs(bfgs_gap) > bfgs_tolerance,
               format("p - p_true = %.4f = %.0f sigma/sqrt(n), tolerance %.4f", bfgs_gap,
                      bfgs_gap / (sigma / std::sqrt(n_obs)), bfgs_tolerance));
  report.note(format("the seed's BFGS estimate (0.5995, 0.1520) is not a maximum likelihood estimate: its price p(c) = "
                     "%.4f is %.2f below the true price, %.0f standard errors of the mean price, so -log L there "
                     "exceeds the minimum by about n (p - p_true)^2 / (2 sigma^2) = %.0f. Why Optimistix stopped there the "
                     "seed does not show (its BFGS tests the changes of y and f against rtol = atol = 1e-6, not the "
                     "gradient, and the seed computes in float32). Run to ||grad|| <= 1e-10 ||grad_0|| from the same "
                     "start, BFGS reaches c = (%.4f, %.4f) above: the seed's c_d, but c_s = %.4f.",
                     p_true + bfgs_gap, -bfgs_gap, -bfgs_gap / (sigma / std::sqrt(n_obs)),
                     0.5 * n_obs * bfgs_gap * bfgs_gap / (sigma * sigma), c_bfgs[0], c_bfgs[1], c_bfgs[1]));
  report.note("the seed concludes that with 50 observations 'the noise is reduced enough to recover parameters "
              "accurately'. It is not: prices identify only p(c_d, c_s), one number, so every (c_d, c_s) on the curve "
              "p(c) = mean(p_hat) maximises the likelihood, and more observations only pin that curve down. The "
              "Hessian at the estimate has rank one (eigenvalue 0 along the curve); Adam and BFGS stop at different "
              "points of the curve (c_d = 0.56 and 0.60 here and in the seed, against the true 0.5), each where its "
              "path meets it: BFGS moves almost only along grad p, nearly the c_s axis, from its start c_d = 0.6.");
  report.note("the seed prints c_s = 0.15000000596046448: the float32 nearest 0.15, printed as a double.");

  // The likelihood surface, the curve of maximisers and the two optimisers' paths.
  std::string grid;
  const double nll_min = nll(c_bfgs);
  for (int i = 0; i <= 60; ++i) {
    const double c_d = 0.3 + 0.4 * i / 60.0;
    for (int j = 0; j <= 60; ++j) {
      const double c_s = 0.13 + 0.06 * j / 60.0;
      const double r = equilibrium_price(Vector{c_d, c_s}) - mean;
      // -log L - min = n (mean - p(c))^2 / (2 sigma^2) exactly; the floor keeps log10 finite.
      grid += format("%.6g %.6g %.6g\n", c_d, c_s, std::log10(std::max(0.5 * n_obs * r * r / (sigma * sigma), 1e-3)));
    }
    grid += "\n";
  }
  std::string curve, adam_steps, bfgs_steps;
  for (int i = 0; i <= 40; ++i) {
    const double c_d = 0.3 + 0.4 * i / 40.0;
    curve += format("%.6g %.9g\n", c_d, c_s_on_level_curve(c_d, mean));
  }
  for (const Vector& c : adam_path) adam_steps += format("%.9g %.9g\n", c[0], c[1]);
  for (const Vector& c : bfgs_result.path) bfgs_steps += format("%.9g %.9g\n", c[0], c[1]);
  report.value("nll_min", "-log L at the maximum", nll_min, "%.6f");
  report.figure({.name = "q2_4_likelihood",
                 .title = "log10(−log L − min) over (c_d, c_s): the curve of maximisers, Adam's and BFGS's paths",
                 .data = {{"q2_4_grid.dat", grid},
                          {"q2_4_curve.dat", curve},
                          {"q2_4_adam.dat", adam_steps},
                          {"q2_4_bfgs.dat", bfgs_steps},
                          {"q2_4_points.dat", format("%g %g\n%.9g %.9g\n", c_true[0], c_true[1], c_other[0], c_other[1])}},
                 .script = "set table 'q2_4_contours.dat'\n"
                           "set contour base; set cntrparam levels incremental -2,1,8; unset surface; set view map\n"
                           "splot 'q2_4_grid.dat' using 1:2:3 with lines\n"
                           "unset table; unset contour\n"
                           "set xrange [0.3:0.7]; set yrange [0.13:0.19]; set xlabel 'c_d'; set ylabel 'c_s'\n"
                           "set title 'log_{10}(-log L - min): the likelihood is flat along p(c_d, c_s) = mean price'\n" +
                           std::string(demo::viridis_palette) +
                           "set key top right\n"
                           "plot 'q2_4_contours.dat' using 1:2:3 with lines lc palette notitle, "
                           "'q2_4_curve.dat' with lines lw 3 lc rgb 'black' dt 2 title 'maximisers p(c) = mean', "
                           "'q2_4_adam.dat' with linespoints pt 7 ps 0.4 lc rgb 'red' title 'Adam (100 steps)', "
                           "'q2_4_bfgs.dat' with linespoints pt 5 ps 0.8 lc rgb 'blue' title 'BFGS', "
                           "'q2_4_points.dat' every ::0::0 with points pt 3 ps 2 lc rgb 'black' title 'true c'\n",
                 .width = 760,
                 .height = 560});
}

}  // namespace

int main(int argc, char** argv) {
  demo::Report report("002_c488c9e34a3a6c58.txt: ECON622 Problem Set 2");
  if (const auto status = report.parse(argc, argv)) return *status;
  try {
    question_1(report);
    question_2_1(report);
    question_2_2_and_3(report);
    question_2_4(report);
  } catch (const std::exception& e) {
    report.check("the app ran to the end", false, e.what());
  }
  return report.finish();
}
