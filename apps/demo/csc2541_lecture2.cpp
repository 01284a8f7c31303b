// csc2541-lecture2: CSC 2541 Lecture 2, "Taylor Approximations" (seed 004) with frechet. Every
// computation on the slides: JVPs and VJPs of the slides' examples, grad as a VJP, a JVP as a VJP of
// a VJP, the Hessian, Rayleigh quotients and the classification of stationary points, gradient
// descent near an optimum, the HVP by forward-over-reverse, Lanczos spectra, the regularised linear
// autoencoder at its optimum, the Gauss-Newton product, conjugate gradient, and the response Jacobian
// of an argmin solved by CG.
//
// The slides publish no data: where they print numbers (the autoencoder's two Rayleigh quotients)
// their data set is unknown, so this app generates data of the same shape, says so, and checks what
// does not depend on the data: the closed forms against the Hessian-vector products.

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <tuple>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/implicit/argmin_sensitivity.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/newton.hpp"
#include "frechet/optim/objective.hpp"
#include "report.hpp"

using namespace frechet;
using demo::format;

namespace {

double rel(ConstVectorView a, ConstVectorView b) {
  Vector d(a.begin(), a.end());
  axpy(-1.0, b, d);
  return norm2(d) / std::max(norm2(b), 1e-300);
}

DenseMatrix gaussian_matrix(Random& random, std::size_t rows, std::size_t cols) {
  DenseMatrix a(rows, cols);
  random.fill_gaussian(a.values());
  return a;
}

// A random orthogonal matrix: the eigenvectors of a random symmetric one.
DenseMatrix random_orthogonal(Random& random, std::size_t n) {
  const DenseMatrix b = gaussian_matrix(random, n, n);
  DenseMatrix s = b;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) s(i, j) += b(j, i);
  return symmetric_eigen(s).vectors;
}

// A one-hidden-layer tanh network on scalar inputs x_i, its weights w flattened as
// (W1 (1 x h), b1 (h), W2 (h x 1), b2): the predictions f(x_i; w) for every i.
struct Mlp {
  DenseMatrix inputs;  // N x 1
  std::size_t hidden;
  std::size_t size() const { return 3 * hidden + 1; }
  template <class W> auto operator()(const W& w) const {
    const std::size_t h = hidden;
    const auto z = broadcast_add(matmul(inputs, reshape(slice(w, 0, h), 1, h)), slice(w, h, h));
    return flatten(matmul(tanh(z), reshape(slice(w, 2 * h, h), h, 1))) + w[3 * h];
  }
};

Mlp make_mlp(const Vector& x, std::size_t hidden) {
  DenseMatrix inputs(x.size(), 1);
  for (std::size_t i = 0; i < x.size(); ++i) inputs(i, 0) = x[i];
  return {inputs, hidden};
}

std::string curve_script(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
  return "set title '" + title + "'; set xlabel '" + xlabel + "'; set ylabel '" + ylabel + "'; set grid; set key outside right\n";
}

// ---------------------------------------------------------------------------------------------
void jacobians(demo::Report& report) {
  Random random(1);
  const DenseMatrix w = gaussian_matrix(random, 3, 4);
  const Vector x = random.gaussian_vector(4), v = random.gaussian_vector(4), u = random.gaussian_vector(3);

  report.section("Q1", "Jacobian: the Jacobian of z = W x is W, of y = exp(z) is diag(exp(z)); J v without J");
  const auto linear = [&](const auto& xv) { return matvec(w, xv); };
  const DenseMatrix j_linear = jacobian(linear, x);
  report.check("jacobian(z = W x) = W, by rows (reverse) and by columns (forward)",
               relative_distance(j_linear, w) == 0.0 &&
                   relative_distance(jacobian(linear, x, {.mode = JacobianMode::forward}), w) == 0.0,
               format("relative distance %.1e", relative_distance(j_linear, w)));
  report.check("JVP of W x is W v, VJP is W^T u (to rounding)",
               rel(jvp(linear, x, v).tangent, matvec(w, v)) < 1e-15 &&
                   rel(vjp(linear, x).pullback(u), matvec_transpose(w, u)) < 1e-15,
               "");
  const Vector z = matvec(w, x);
  const auto elementwise = [](const auto& zv) { return exp(zv); };
  const DenseMatrix j_exp = jacobian(elementwise, z);
  double off_diagonal = 0.0, diagonal = 0.0;
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < 3; ++k) {
      if (i == k) diagonal = std::max(diagonal, std::abs(j_exp(i, i) / std::exp(z[i]) - 1));
      else off_diagonal = std::max(off_diagonal, std::abs(j_exp(i, k)));
    }
  report.check("jacobian(exp) = diag(exp(z)): exp(z_i) on the diagonal, exact zeros off it",
               off_diagonal == 0.0 && diagonal <= 1e-15, format("off-diagonal %.1e, diagonal relative error %.1e", off_diagonal, diagonal));
  const Vector vz = random.gaussian_vector(3);
  report.check("J v of exp is exp(z) o v, the slide's product without the D x D matrix",
               rel(jvp(elementwise, z, vz).tangent, exp(z) * vz) < 1e-15, "");

  // The linearisation f(x0 + dx) = f(x0) + J dx + o(||dx||): for f = exp(W x) the remainder is O(h^2).
  report.section("Q2", "Linearization: First-order Taylor: ||f(x0 + h d) - f(x0) - h J d|| = O(h^2)");
  const auto f = [&](const auto& xv) { return exp(matvec(w, xv)); };
  const Vector jd = jvp(f, x, v).tangent;
  Vector remainders;
  for (double h : {1e-1, 1e-2, 1e-3}) {
    Vector xh = x;
    axpy(h, v, xh);
    Vector r = f(xh);
    axpy(-1.0, f(x), r);
    axpy(-h, jd, r);
    remainders.push_back(norm2(r));
  }
  report.value("taylor1_remainders", "remainder at h = 1e-1, 1e-2, 1e-3", remainders, "%.3e");
  const double slope = std::log10(remainders[1] / remainders[2]);
  report.check("the remainder falls by 100 per decade of h (slope 2)", std::abs(slope - 2) < 0.05, format("slope %.3f", slope));
  const double lhs = dot(u, jd), rhs = dot(vjp(f, x).pullback(u), v);
  report.check("duality <u, J v> = <J^T u, v> for f = exp(W x)", std::abs(lhs - rhs) <= 1e-14 * std::abs(lhs),
               format("%.15g against %.15g", lhs, rhs));
}

// ---------------------------------------------------------------------------------------------
void gradients(demo::Report& report) {
  Random random(2);
  const DenseMatrix a = gaussian_matrix(random, 5, 4);
  const Vector t = random.gaussian_vector(5), w0 = random.gaussian_vector(4), dw = random.gaussian_vector(4);
  // A cost J(w) = 1/2 ||tanh(A w) - t||^2.
  const auto cost = [&](const auto& w) {
    const auto r = tanh(matvec(a, w)) - t;
    return 0.5 * dot(r, r);
  };

  report.section("Q3", "Gradient: grad is a VJP with the length-1 cotangent (1); the first-order Taylor model of J");
  const auto [value, pullback] = vjp(cost, w0);
  const Vector my_grad = pullback(1.0);
  const Vector g = grad(cost, w0);
  report.value("grad", "grad J(w0)", g, "%.8f");
  report.check("my_grad(f)(w) = vjp(f, w)[1](1.) equals grad", rel(my_grad, g) == 0.0, format("relative distance %.1e", rel(my_grad, g)));
  const DenseMatrix row = jacobian(cost, w0);
  report.check("the Jacobian of a scalar J is the 1 x n row grad J^T", row.rows() == 1 && rel(row.values(), g) < 1e-15,
               format("%zu x %zu", row.rows(), row.cols()));
  Vector remainders;
  for (double h : {1e-2, 1e-3}) {
    Vector w = w0;
    axpy(h, dw, w);
    remainders.push_back(std::abs(cost(w) - value - h * dot(g, dw)));
  }
  report.check("J(w0 + h d) - J(w0) - h grad^T d = O(h^2)", std::abs(std::log10(remainders[0] / remainders[1]) - 2) < 0.05,
               format("remainders %.3e, %.3e", remainders[0], remainders[1]));

  report.section("Q4", "R-operator: The directional derivative R_dw f(w) = J dw, by forward mode");
  const auto f = [&](const auto& w) { return tanh(matvec(a, w)); };
  const Vector r_op = jvp(f, w0, dw).tangent;
  Vector errors, literal;
  for (double h : {1e-2, 1e-4, 1e-6}) {
    Vector wh = w0, w1 = w0;
    axpy(h, dw, wh);
    axpy(1.0, dw, w1);
    Vector q = f(wh);
    axpy(-1.0, f(w0), q);
    scale(1 / h, q);
    errors.push_back(rel(q, r_op));
    Vector s = f(w1);  // the slide's formula as printed: f(w + dw), not f(w + h dw)
    axpy(-1.0, f(w0), s);
    literal.push_back(norm2(s) / h);
  }
  report.value("r_operator", "R_dw f(w) = J dw (jvp)", r_op, "%.8f");
  report.value("difference_quotient_errors", "relative error of (f(w + h dw) - f(w)) / h at h = 1e-2, 1e-4, 1e-6", errors, "%.2e");
  report.check("(f(w + h dw) - f(w)) / h -> J dw as h -> 0", errors[1] < errors[0] && errors[1] < 1e-3, "");
  report.value("literal_quotient_norms", "||(f(w + dw) - f(w)) / h|| at h = 1e-2, 1e-4, 1e-6 (the slide's formula)", literal, "%.3e");
  report.note("the slide defines R_dw f(w) = lim_{h->0} (f(w + dw) - f(w)) / h; as printed the numerator does not "
              "depend on h and the quotient diverges (the norms above grow as 1/h). The perturbation must be scaled "
              "by h: lim_{h->0} (f(w + h dw) - f(w)) / h = J dw, which is what the app checks.");
}

// ---------------------------------------------------------------------------------------------
void jvp_by_vjp_of_vjp(demo::Report& report) {
  Random random(3);
  const DenseMatrix w1 = gaussian_matrix(random, 6, 4), w2 = gaussian_matrix(random, 3, 6);
  const Vector w = random.gaussian_vector(4), r_w = random.gaussian_vector(4);
  const auto f = [&](const auto& x) { return softmax(matvec(w2, tanh(matvec(w1, x)))); };

  report.section("Q5", "JVP-by-VJP: A JVP is the VJP of a VJP: the pullback g(v) = J^T v has Jacobian J^T");
  // The slide's my_jvp: ans, f_vjp = vjp(f, w); _, f_vjp_vjp = vjp(f_vjp, zeros_like(ans)); f_vjp_vjp(R_w).
  const auto [ans, f_vjp] = vjp(f, w);
  const auto [unused, f_vjp_vjp] = vjp(f_vjp, Vector(ans.size(), 0.0));
  const Vector my_jvp = f_vjp_vjp(r_w);
  const Vector forward = jvp(f, w, r_w).tangent;
  report.value("my_jvp", "my_jvp(f, w, R_w): the VJP of the VJP", my_jvp, "%.10f");
  report.value("jvp", "jvp(f, w, R_w): forward mode", forward, "%.10f");
  report.check("the VJP of the VJP equals forward mode's JVP", rel(my_jvp, forward) < 1e-14,
               format("relative distance %.1e", rel(my_jvp, forward)));
  Vector wp = w, wm = w;
  axpy(1e-6, r_w, wp);
  axpy(-1e-6, r_w, wm);
  Vector fd = f(wp);
  axpy(-1.0, f(wm), fd);
  scale(0.5e6, fd);
  report.check("and central differences", rel(my_jvp, fd) < 1e-7, format("relative distance %.1e", rel(my_jvp, fd)));
  const Vector u = random.gaussian_vector(3);
  report.check("the pullback's pullback is its transpose: <u, J v> = <J^T u, v>",
               std::abs(dot(u, my_jvp) - dot(f_vjp(u), r_w)) <= 1e-15 * 10 * norm2(u) * norm2(my_jvp) + 1e-300,
               format("%.3e against %.3e", dot(u, my_jvp), dot(f_vjp(u), r_w)));
  // The slide's catch: the VJP of a VJP is efficient only if the framework simplifies what it records.
  report.print("The slide's catch (efficient only where the framework optimises the nested recording): frechet records");
  report.print("nothing for the second VJP. The pullback is linear in its cotangent, so its pullback is the");
  report.print("transposed reverse pass, one forward sweep over the tape the first VJP recorded.");
}

// ---------------------------------------------------------------------------------------------
// J(w) = logsumexp(A w) + mu/2 ||w||^2: convex, mu-strongly convex.
void hessians(demo::Report& report) {
  Random random(4);
  const std::size_t n = 5;
  const DenseMatrix a = gaussian_matrix(random, 8, n);
  const double mu = 0.1;
  const auto cost = [&](const auto& w) { return logsumexp(matvec(a, w)) + 0.5 * mu * dot(w, w); };
  const Vector w0 = random.gaussian_vector(n), v = random.gaussian_vector(n);

  report.section("Q6", "Hessian: H = grad^2 J, symmetric; the second-order Taylor model; the Rayleigh quotient as curvature");
  const DenseMatrix h = hessian(cost, w0);
  report.check("H is symmetric (d2J/dwi dwj = d2J/dwj dwi)", relative_distance(h, h.transposed()) < 1e-14,
               format("relative asymmetry %.1e", relative_distance(h, h.transposed())));
  const double e0 = cost(w0);
  const Vector g = grad(cost, w0);
  const double vhv = dot(v, matvec(h, v));
  Vector remainders;
  for (double t : {1e-1, 1e-2}) {
    Vector w = w0;
    axpy(t, v, w);
    remainders.push_back(std::abs(cost(w) - e0 - t * dot(g, v) - 0.5 * t * t * vhv));
  }
  report.check("the second-order remainder is O(h^3)", std::abs(std::log10(remainders[0] / remainders[1]) - 3) < 0.1,
               format("remainders %.3e, %.3e", remainders[0], remainders[1]));
  const auto rayleigh_quotient = [&](const Vector& d) { return dot(hvp(cost, w0, d), d) / dot(d, d); };
  const double rq = rayleigh_quotient(v);
  // The curvature of t -> J(w0 + t v/||v||) at 0, by central differences of J.
  Vector unit = v;
  scale(1 / norm2(v), unit);
  const double step = 1e-4;
  Vector wp = w0, wm = w0;
  axpy(step, unit, wp);
  axpy(-step, unit, wm);
  const double curvature = (cost(wp) - 2 * e0 + cost(wm)) / (step * step);
  report.value("rayleigh_quotient", "v^T H v / ||v||^2", rq, "%.8f");
  report.check("the Rayleigh quotient is the second derivative of J along v/||v||", std::abs(rq - curvature) < 1e-6,
               format("finite differences %.8f", curvature));
  const Vector eig = symmetric_eigen(h).values;
  report.value("hessian_eigenvalues", "eigenvalues of H", eig, "%.6f");
  report.check("lambda_min <= Rayleigh quotient <= lambda_max", eig.front() <= rq && rq <= eig.back(), "");
  // Convex iff H is PSD; here H >= mu I everywhere (logsumexp's Hessian is PSD).
  double smallest = 1e300, worst_gap = -1e300;
  for (int k = 0; k < 20; ++k) {
    const Vector w1 = random.gaussian_vector(n), w2 = random.gaussian_vector(n);
    smallest = std::min(smallest, symmetric_eigen(hessian(cost, w1)).values.front());
    const double lambda = random.uniform();
    Vector mid = w1;
    scale(lambda, mid);
    axpy(1 - lambda, w2, mid);
    worst_gap = std::max(worst_gap, cost(mid) - lambda * cost(w1) - (1 - lambda) * cost(w2));
  }
  report.check("H >= mu I at 20 random points (strongly convex with mu = 0.1)", smallest >= mu - 1e-12,
               format("smallest eigenvalue %.6f", smallest));
  report.check("and the convexity inequality holds at 20 random pairs", worst_gap <= 0.0, format("largest gap %.3e", worst_gap));
}

// ---------------------------------------------------------------------------------------------
void stationary_points(demo::Report& report) {
  report.section("Q7", "Stationary points: Classifying the critical point at the origin by the spectrum of H");
  struct Case {
    const char* formula;
    std::function<Vector(const Vector&)> eig;  // eigenvalues of the Hessian at 0
    std::function<double(double, double)> f;
  };
  const auto spectrum = [](auto fn) {
    return [fn](const Vector& w) { return symmetric_eigen(hessian(fn, w)).values; };
  };
  const auto bowl = [](const auto& w) { return w[0] * w[0] + w[1] * w[1]; };
  const auto cap = [](const auto& w) { return -(w[0] * w[0]) - w[1] * w[1]; };
  const auto saddle = [](const auto& w) { return w[0] * w[0] - w[1] * w[1]; };
  const auto quartic_min = [](const auto& w) { return w[0] * w[0] + w[1] * w[1] * w[1] * w[1]; };
  const auto cubic = [](const auto& w) { return w[0] * w[0] + w[1] * w[1] * w[1]; };
  const auto quartic_max = [](const auto& w) { return -(w[0] * w[0] * w[0] * w[0]) - w[1] * w[1] * w[1] * w[1]; };
  const std::vector<Case> cases{
      {"x^2 + y^2", spectrum(bowl), [](double x, double y) { return x * x + y * y; }},
      {"-x^2 - y^2", spectrum(cap), [](double x, double y) { return -x * x - y * y; }},
      {"x^2 - y^2", spectrum(saddle), [](double x, double y) { return x * x - y * y; }},
      {"x^2 + y^4", spectrum(quartic_min), [](double x, double y) { return x * x + y * y * y * y; }},
      {"x^2 + y^3", spectrum(cubic), [](double x, double y) { return x * x + y * y * y; }},
      {"-x^4 - y^4", spectrum(quartic_max), [](double x, double y) { return -x * x * x * x - y * y * y * y; }},
  };
  bool agree = true;
  std::string inconclusive;
  for (const Case& c : cases) {
    const Vector ev = c.eig(Vector{0.0, 0.0});
    std::string by_h;
    if (ev.front() > 0) by_h = "minimum";
    else if (ev.back() < 0) by_h = "maximum";
    else if (ev.front() < 0 && ev.back() > 0) by_h = "saddle";
    else by_h = "PSD/NSD with a zero eigenvalue: inconclusive";
    // The truth, from f on a small circle: above f(0) everywhere, below everywhere, or both.
    int above = 0, below = 0;
    for (int k = 0; k < 360; ++k) {
      const double th = 2 * std::numbers::pi * k / 360;
      const double fv = c.f(1e-2 * std::cos(th), 1e-2 * std::sin(th));
      above += fv > 0;
      below += fv < 0;
    }
    const std::string truth = below == 0 ? "minimum" : above == 0 ? "maximum" : "neither";
    report.print(format("  %-11s eigenvalues of H [%g, %g]: %s; on a circle of radius 0.01: %s", c.formula, ev[0], ev[1],
                        by_h.c_str(), truth.c_str()));
    if (by_h == "minimum" || by_h == "maximum") agree = agree && by_h == truth;
    else if (by_h == "saddle") agree = agree && truth == "neither";
    else inconclusive += std::string(inconclusive.empty() ? "" : ", ") + truth;
  }
  report.check("a definite or indefinite H classifies the point correctly (minimum, maximum, saddle)", agree, "");
  report.check("a PSD H with a zero eigenvalue leaves it open: x^2 + y^4 is a minimum, x^2 + y^3 neither, -x^4 - y^4 "
               "(H = 0) a maximum",
               inconclusive == "minimum, neither, maximum", inconclusive);
  report.note("the slide says a PSD Hessian with zero eigenvalues 'could be a maximum or minimum (or neither)'. A "
              "maximum needs v^T H v <= 0 in every direction, so with a PSD H it is possible only when H = 0 (as for "
              "-x^4 - y^4); a PSD H with any positive eigenvalue gives a minimum or neither.");
}


// ---------------------------------------------------------------------------------------------
// Near a minimum w* of J(w) = 1/2 (w - w*)^T A (w - w*) + 1/4 sum (w_i - w*_i)^4, H(w*) = A.
void gd_dynamics(demo::Report& report) {
  const std::size_t n = 4;
  Random random(5);
  const DenseMatrix q = random_orthogonal(random, n);
  const Vector h_tilde{2.0, 1.0, 0.25, 0.05};  // the curvatures h~_i
  DenseMatrix a(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) a(i, j) += q(i, k) * h_tilde[k] * q(j, k);
  const Vector w_star = random.gaussian_vector(n);
  const auto cost = [&](const auto& w) {
    const auto d = w - w_star;
    return 0.5 * quad_form(d, a) + 0.25 * sum(square(square(d)));
  };
  const auto quadratic = [&](const auto& w) {
    const auto d = w - w_star;
    return 0.5 * quad_form(d, a);
  };

  report.section("Q8", "GD dynamics: Near a minimum: w_k = w* + (I - alpha H)^k (w_0 - w*), per eigendirection (1 - alpha h~_i)^k");
  const DenseMatrix h = hessian(cost, w_star);
  report.check("H(w*) = A for the quartic cost", relative_distance(h, a) < 1e-14, "");
  const double alpha = 0.9;  // below 2 / h~_max = 1
  Vector w0 = w_star;
  const Vector offset = random.gaussian_vector(n);
  axpy(1e-3, offset, w0);
  const int steps = 60;
  const OptimizeResult run = gradient_descent(differentiable_objective(cost), w0,
                                              {.atol = 1e-300, .max_iterations = steps,
                                               .line_search = LineSearchKind::fixed, .step_size = alpha, .record_path = true});
  const OptimizeResult run_quadratic = gradient_descent(
      differentiable_objective(quadratic), w0,
      {.atol = 1e-300, .max_iterations = steps, .line_search = LineSearchKind::fixed, .step_size = alpha, .record_path = true});
  // The rotated coordinates w~ = Q^T (w - w*) and the model (1 - alpha h~_i)^k w~_i(0).
  const auto rotated = [&](const Vector& w) {
    Vector d = w;
    axpy(-1.0, w_star, d);
    return matvec_transpose(q, d);
  };
  const Vector d0 = rotated(w0);
  double model_error_quadratic = 0.0, model_error = 0.0, scale0 = norm2(d0);
  std::string data;
  for (int k = 0; k <= steps; ++k) {
    const Vector dk = rotated(run.path[k]), dq = rotated(run_quadratic.path[k]);
    Vector model(n);
    for (std::size_t i = 0; i < n; ++i) model[i] = std::pow(1 - alpha * h_tilde[i], k) * d0[i];
    model_error_quadratic = std::max(model_error_quadratic, rel(dq, model) * norm2(model) / scale0);
    model_error = std::max(model_error, rel(dk, model) * norm2(model) / scale0);
    data += format("%d", k);
    for (std::size_t i = 0; i < n; ++i) data += format(" %.6e %.6e", std::abs(dk[i]), std::abs(model[i]));
    data += "\n";
  }
  report.check("on the quadratic, GD's iterates are w* + (I - alpha H)^k (w0 - w*) (60 steps)", model_error_quadratic < 1e-12,
               format("largest deviation / ||w0 - w*|| = %.1e", model_error_quadratic));
  report.check("on the quartic cost, 1e-3 from w*, the second-order model predicts GD to O(||w0 - w*||^2)",
               model_error < 1e-4, format("largest deviation / ||w0 - w*|| = %.1e", model_error));
  report.value("rates", "per-direction rates |1 - alpha h~_i| at alpha = 0.9",
               Vector{std::abs(1 - alpha * h_tilde[0]), std::abs(1 - alpha * h_tilde[1]), std::abs(1 - alpha * h_tilde[2]),
                      std::abs(1 - alpha * h_tilde[3])},
               "%.3f");
  std::string plot = curve_script("GD near a minimum: |w~_i(k) - w~_i*| per eigendirection", "iteration k", "|w~_i - w~_i*|") +
                     "set logscale y; set format y '10^{%L}'\nplot ";
  for (std::size_t i = 0; i < n; ++i)
    plot += format("'gd_dynamics.dat' using 1:%zu with points pt 7 ps 0.6 lc %zu title 'GD, h~ = %g', "
                   "'' using 1:%zu with lines lc %zu dt 2 notitle%s",
                   2 + 2 * i, i + 1, h_tilde[i], 3 + 2 * i, i + 1, i + 1 < n ? ", " : "\n");
  report.figure({.name = "gd_dynamics", .title = "GD near a minimum against (1 - α h̃_i)^k", .data = {{"gd_dynamics.dat", data}}, .script = plot});

  // Stability: alpha < 2 / h~_max. Just below the threshold GD converges, just above it diverges.
  const double threshold = 2 / h_tilde[0];
  double last_below = 0, last_above = 0;
  for (double factor : {0.98, 1.02}) {
    const OptimizeResult r = gradient_descent(differentiable_objective(quadratic), w0,
                                              {.atol = 1e-300, .max_iterations = 400, .line_search = LineSearchKind::fixed,
                                               .step_size = factor * threshold});
    Vector d = r.x;
    axpy(-1.0, w_star, d);
    (factor < 1 ? last_below : last_above) = norm2(d) / norm2(d0);
  }
  report.value("stability_threshold", "2 / h~_max", threshold, "%.4f");
  report.check("alpha = 0.98 * 2/h~_max: ||w_400 - w*|| shrinks; alpha = 1.02 * 2/h~_max: it grows", last_below < 1 && last_above > 1,
               format("ratios %.2e and %.2e", last_below, last_above));

  // A saddle J = 1/2 (x^2 - y^2): GD leaves it along the negative-curvature direction, by (1 + alpha)^k.
  const auto saddle = [](const auto& w) { return 0.5 * (w[0] * w[0] - w[1] * w[1]); };
  const OptimizeResult esc = gradient_descent(differentiable_objective(saddle), Vector{1.0, 1e-8},
                                              {.atol = 1e-300, .max_iterations = 30, .line_search = LineSearchKind::fixed,
                                               .step_size = 0.5, .record_path = true});
  report.check("from (1, 1e-8), GD leaves the saddle of x^2 - y^2 as y_k = 1.5^k y_0",
               std::abs(esc.x[1] / (1e-8 * std::pow(1.5, 30)) - 1) < 1e-12 && std::abs(esc.x[0]) < 1e-8,
               format("y_30 = %.6e, x_30 = %.1e", esc.x[1], esc.x[0]));
}

// ---------------------------------------------------------------------------------------------
void hvp_and_lanczos(demo::Report& report) {
  Random random(6);
  const std::size_t count = 40;
  Vector x(count), t(count);
  random.fill_uniform(x, -2.0, 2.0);
  for (std::size_t i = 0; i < count; ++i) t[i] = std::sin(2 * x[i]) + 0.1 * random.gaussian();
  const Mlp mlp = make_mlp(x, 16);
  const auto cost = [mlp, t](const auto& w) {
    const auto r = mlp(w) - t;
    return (0.5 / static_cast<double>(t.size())) * dot(r, r);
  };
  const Vector w = random.gaussian_vector(mlp.size()), v = random.gaussian_vector(mlp.size());

  report.section("Q9", "HVP: Hessian-vector products by forward-over-reverse, jvp(grad(J))");
  const Vector hv = hvp(cost, w, v);
  const DenseMatrix h = hessian(cost, w);
  report.check("hvp(J, w, v) = H v with H formed column by column", rel(hv, matvec(h, v)) < 1e-13,
               format("relative distance %.1e", rel(hv, matvec(h, v))));
  const double step = 1e-5;
  Vector wp = w, wm = w;
  axpy(step, v, wp);
  axpy(-step, v, wm);
  Vector fd = grad(cost, wp);
  axpy(-1.0, grad(cost, wm), fd);
  scale(1 / (2 * step), fd);
  report.check("hvp is the directional derivative of grad (central differences)", rel(hv, fd) < 1e-7,
               format("relative distance %.1e", rel(hv, fd)));
  const Vector u = random.gaussian_vector(mlp.size());
  const double uhv = dot(u, hv), huv = dot(hvp(cost, w, u), v);
  report.check("symmetry <u, H v> = <H u, v>", std::abs(uhv - huv) <= 1e-13 * std::abs(uhv), format("%.15g against %.15g", uhv, huv));

  report.section("Q10", "Lanczos: Hessian spectra from HVPs: Lanczos and stochastic Lanczos quadrature");
  const auto op = hessian_operator(cost, w);
  const Vector exact = symmetric_eigen(h).values;
  const LanczosResult top = lanczos(op, {.count = 3, .target = EigenTarget::largest});
  const LanczosResult bottom = lanczos(op, {.count = 3, .target = EigenTarget::smallest});
  const std::size_t n = exact.size();
  report.value("lanczos_largest", "Lanczos, 3 largest", top.eigenvalues, "%.8f");
  report.value("exact_largest", "dense, 3 largest", Vector{exact[n - 1], exact[n - 2], exact[n - 3]}, "%.8f");
  report.value("lanczos_smallest", "Lanczos, 3 smallest", bottom.eigenvalues, "%.8f");
  report.value("exact_smallest", "dense, 3 smallest", Vector{exact[0], exact[1], exact[2]}, "%.8f");
  double worst = 0.0;
  for (int k = 0; k < 3; ++k) {
    worst = std::max(worst, std::abs(top.eigenvalues[k] - exact[n - 1 - k]));
    worst = std::max(worst, std::abs(bottom.eigenvalues[k] - exact[k]));
  }
  report.check("Lanczos on the Hessian operator finds the extreme eigenvalues of the dense Hessian",
               top.converged && bottom.converged && worst < 1e-8 * std::abs(exact[n - 1]), format("largest error %.1e", worst));
  report.value("negative_eigenvalues", "negative eigenvalues of H at a random w (of 49)",
               static_cast<double>(std::count_if(exact.begin(), exact.end(), [](double e) { return e < 0; })), "%.0f");
  const SpectralDensityResult density = lanczos_quadrature_spectral_density(
      op, {.probes = 40, .lanczos_steps = 30, .points = 300, .seed = 7});
  double mass = 0.0, mean = 0.0;
  const double dt = density.points[1] - density.points[0];
  for (std::size_t j = 0; j < density.points.size(); ++j) {
    mass += density.density[j] * dt;
    mean += density.points[j] * density.density[j] * dt;
  }
  double trace = 0.0;
  for (double e : exact) trace += e;
  report.check("the SLQ density integrates to 1", std::abs(mass - 1) < 0.02, format("%.4f", mass));
  report.check("its mean is tr(H)/n within 10% of the spread of the spectrum",
               std::abs(mean - trace / n) < 0.1 * (exact[n - 1] - exact[0]), format("%.5f against %.5f", mean, trace / n));
  std::string hist, dens;
  for (double e : exact) hist += format("%.9e\n", e);
  for (std::size_t j = 0; j < density.points.size(); ++j) dens += format("%.6e %.6e\n", density.points[j], density.density[j]);
  report.figure({.name = "hessian_spectrum",
                 .title = "Hessian spectrum of a small tanh MLP: exact eigenvalues and the SLQ density",
                 .data = {{"hessian_eigenvalues.dat", hist}, {"hessian_slq.dat", dens}},
                 .script = curve_script("Hessian spectrum: histogram of exact eigenvalues and SLQ density", "eigenvalue", "density") +
                           format("binwidth = %.6e\nbin(x) = binwidth * floor(x / binwidth) + binwidth / 2\n"
                                  "set boxwidth binwidth; set style fill solid 0.4; set key inside top right\n"
                                  "plot 'hessian_eigenvalues.dat' using (bin($1)):(1.0 / (%zu * binwidth)) smooth freq with boxes "
                                  "lc rgb '#1f77b4' title 'exact (histogram)', 'hessian_slq.dat' using 1:2 with lines lw 2 "
                                  "lc rgb '#d62728' title 'stochastic Lanczos quadrature'\n",
                                  (exact[n - 1] - exact[0]) / 40, n)});
  report.note("the slide's figure (Ghorbani et al. 2019, a ResNet-32 on CIFAR-10 during training) needs a network and "
              "data the seed does not give; the method is shown on a 49-weight tanh MLP, where the exact spectrum "
              "can be formed to check it.");
}


// ---------------------------------------------------------------------------------------------
// The regularised linear autoencoder: W1 (K x D), W2 (D x K) flattened column by column into w.
struct Autoencoder {
  std::size_t d, k;
  DenseMatrix data;  // the points as columns: X (D x N), or any L with L L^T = X X^T
  double weight;     // 1/N for X
  Vector penalty;    // lambda_i for every entry of W1 (row i) and of W2 (column i)
  template <class W> auto w1(const W& w) const { return reshape(slice(w, 0, k * d), k, d); }
  template <class W> auto w2(const W& w) const { return reshape(slice(w, k * d, d * k), d, k); }
  // weight/2 ||(W2 W1 - I) data||_F^2 + 1/2 ||Lambda^{1/2} W1||_F^2 + 1/2 ||W2 Lambda^{1/2}||_F^2: the
  // slide's 1/(2N) sum_i ||W2 W1 x_i - x_i||^2 + ... with data = X and weight = 1/N.
  template <class W> auto operator()(const W& w) const {
    const auto r = flatten(matmul(w2(w), matmul(w1(w), data)) - data);
    return (0.5 * weight) * dot(r, r) + 0.5 * dot(square(w), penalty);
  }
};

Vector flat(const DenseMatrix& w1, const DenseMatrix& w2) {
  Vector w(w1.values().begin(), w1.values().end());
  w.insert(w.end(), w2.values().begin(), w2.values().end());
  return w;
}

void autoencoder(demo::Report& report) {
  const std::size_t d = 10, k = 4, count = 2000;
  const Vector variances{4.0, 3.0, 2.2, 1.6, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02};
  const Vector lambda{0.1, 0.2, 0.3, 0.4};  // increasing penalties
  Random random(8);
  const DenseMatrix basis = random_orthogonal(random, d);
  DenseMatrix x(d, count);
  for (std::size_t i = 0; i < count; ++i) {
    Vector g = random.gaussian_vector(d);
    for (std::size_t j = 0; j < d; ++j) g[j] *= std::sqrt(variances[j]);
    const Vector xi = matvec(basis, g);
    std::copy(xi.begin(), xi.end(), x.col(i).begin());
  }
  for (std::size_t j = 0; j < d; ++j) {  // centre
    double mean = 0.0;
    for (std::size_t i = 0; i < count; ++i) mean += x(j, i);
    for (std::size_t i = 0; i < count; ++i) x(j, i) -= mean / count;
  }
  Vector penalty(2 * k * d);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = 0; i < k; ++i) {
      penalty[i + k * j] = lambda[i];           // W1(i, j)
      penalty[k * d + j + d * i] = lambda[i];   // W2(j, i)
    }
  const Autoencoder slide_loss{d, k, x, 1.0 / count, penalty};

  report.section("Q11", "Autoencoder optimum: The regularised linear autoencoder: W1* = P (I - Lambda S^-2)^{1/2} U^T, W2* = U (I - Lambda S^-2)^{1/2} P");
  report.note("the slides' data set is not published (the JAX code is in the course readings): this app draws N = 2000 "
              "centred points in D = 10 with covariance eigenvalues 4, 3, 2.2, 1.6, 0.5, ..., K = 4, Lambda = "
              "diag(0.1, 0.2, 0.3, 0.4). The Rayleigh quotients therefore differ from the slides' 1.3586808 and "
              "0.00041926137; what is checked is what holds for any data: the optimum and the closed forms of both "
              "quotients against the HVPs.");
  // S^2: the top K eigenvalues of the empirical covariance X X^T / N, U their eigenvectors.
  DenseMatrix cov = matmul(x, x, Transpose::no, Transpose::yes);
  for (double& e : cov.values()) e /= static_cast<double>(count);
  const SymmetricEigenResult pca = symmetric_eigen(cov);
  // The same loss on L = V diag(sqrt(mu)) (L L^T = X X^T / N): D columns instead of N, for the
  // thousands of gradients below.
  DenseMatrix l = pca.vectors;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = 0; i < d; ++i) l(i, j) *= std::sqrt(std::max(pca.values[j], 0.0));
  const Autoencoder fobj{d, k, l, 1.0, penalty};
  {
    const Vector w_test = random.gaussian_vector(2 * k * d);
    const auto a1 = value_and_grad(slide_loss, w_test), a2 = value_and_grad(fobj, w_test);
    report.check("the slide's loss over the N points = the same loss on L (L L^T = X X^T / N), value and gradient",
                 std::abs(a1.value - a2.value) < 1e-12 * a1.value && rel(a1.gradient, a2.gradient) < 1e-12,
                 format("values %.15g and %.15g", a1.value, a2.value));
  }
  Vector s2(k), d2(k);
  DenseMatrix u(d, k);
  for (std::size_t i = 0; i < k; ++i) {
    s2[i] = pca.values[d - 1 - i];
    d2[i] = 1 - lambda[i] / s2[i];
    for (std::size_t j = 0; j < d; ++j) u(j, i) = pca.vectors(j, d - 1 - i);
  }
  report.value("s_squared", "S^2, top-K eigenvalues of the empirical covariance", s2, "%.6f");
  DenseMatrix w1(k, d), w2(d, k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      w1(i, j) = std::sqrt(d2[i]) * u(j, i);
      w2(j, i) = std::sqrt(d2[i]) * u(j, i);
    }
  const Vector w_opt = flat(w1, w2);
  const ValueAndGradResult<Vector> at_opt = value_and_grad(fobj, w_opt);
  report.value("loss_at_optimum", "loss at the closed-form optimum (P = I)", at_opt.value, "%.10f");
  report.check("the gradient vanishes at the closed-form optimum", norm2(at_opt.gradient) < 1e-12,
               format("||grad|| = %.1e", norm2(at_opt.gradient)));
  const Vector h_eig = symmetric_eigen(hessian(fobj, w_opt)).values;
  report.value("hessian_extremes", "smallest and largest eigenvalues of H at the optimum", Vector{h_eig.front(), h_eig.back()}, "%.6e");
  report.check("H is positive definite there: a strict local minimum (the signs P are the only symmetry left)",
               h_eig.front() > 0, format("lambda_min = %.3e", h_eig.front()));
  // Global: BFGS from a random start reaches the same loss.
  Vector start = random.gaussian_vector(2 * k * d);
  scale(0.1, start);
  // BFGS, finished by Newton (its line search stalls at the rounding floor of the loss, ~1e-16).
  const Objective objective_ae = differentiable_objective(fobj);
  const OptimizeResult fit = newton(objective_ae, bfgs(objective_ae, start, {.atol = 1e-6, .max_iterations = 2000}).x,
                                    {.atol = 1e-12, .max_iterations = 50});
  report.check("BFGS and Newton from a random start reach the closed form's loss", fit.converged && std::abs(fit.value - at_opt.value) < 1e-10,
               format("%.12f against %.12f (%s after %d iterations)", fit.value, at_opt.value, reason_name(fit.reason).c_str(), fit.iterations));
  // Without the penalty the linear autoencoder is PCA: W2 W1 is the projector onto the top-K principal
  // subspace and the loss the discarded variance, 1/2 sum_{j>K} s_j^2.
  const Autoencoder unregularised{d, k, l, 1.0, Vector(2 * k * d, 0.0)};
  const OptimizeResult pca_fit = bfgs(differentiable_objective(unregularised), start, {.atol = 1e-10, .max_iterations = 5000});
  const DenseMatrix projector = matmul(reshape(slice(pca_fit.x, k * d, d * k), d, k), reshape(slice(pca_fit.x, 0, k * d), k, d));
  double discarded = 0.0;
  for (std::size_t j = 0; j + k < d; ++j) discarded += 0.5 * pca.values[j];
  report.check("without the penalty, BFGS finds PCA: W2 W1 = U U^T and the loss is 1/2 sum_{j>K} s_j^2",
               relative_distance(projector, matmul(u, u, Transpose::no, Transpose::yes)) < 1e-6 &&
                   std::abs(pca_fit.value - discarded) < 1e-10 * discarded,
               format("||W2 W1 - U U^T|| / ||U U^T|| = %.1e, loss %.12f against %.12f",
                      relative_distance(projector, matmul(u, u, Transpose::no, Transpose::yes)), pca_fit.value, discarded));
  // The symmetry T_A of the unregularised problem, broken by the non-uniform penalty.
  const Autoencoder plain{d, k, x, 1.0 / count, Vector(2 * k * d, 0.0)};
  DenseMatrix a = gaussian_matrix(random, k, k);
  for (std::size_t i = 0; i < k; ++i) a(i, i) += 3.0;
  const DenseMatrix a_inv = LuFactorization(a).solve(DenseMatrix::identity(k));
  const Vector w_a = flat(matmul(a, w1), matmul(w2, a_inv));
  report.check("T_A(W1, W2) = (A W1, W2 A^-1) leaves the reconstruction error unchanged",
               std::abs(plain(w_a) - plain(w_opt)) < 1e-12 * plain(w_opt), format("difference %.1e", plain(w_a) - plain(w_opt)));
  report.check("and changes the regularised loss (the penalty breaks the symmetry)", fobj(w_a) > fobj(w_opt) + 1e-3,
               format("%.6f against %.6f", fobj(w_a), fobj(w_opt)));

  report.section("Q12", "Autoencoder curvature: Rayleigh quotients at the optimum: scaling against rotation of the latent space");
  const auto rayleigh_quotient = [&](const Vector& v) { return dot(hvp(fobj, w_opt, v), v) / dot(v, v); };
  // v_scale: the derivative of gamma -> (gamma W1, gamma W2) at gamma = 1, by jvp as on the slide.
  const auto rescale = [&](const auto& gamma) { return concat(gamma * flatten(fobj.w1(w_opt)), gamma * flatten(fobj.w2(w_opt))); };
  const Vector v_scale = jvp(rescale, 1.0, 1.0).tangent;
  // v_rot: the derivative of theta -> (Q_theta W1, W2 Q_theta^T) at theta = 0, Q_theta the Givens
  // rotation of the first two latent units.
  const auto rotate = [&](const auto& theta) {
    using T = std::remove_cvref_t<decltype(theta)>;
    const T c = cos(theta), s = sin(theta);
    std::vector<T> q(k * k, T(0.0));  // column-major, block_diag(rot, I)
    q[0] = c;
    q[1] = s;
    q[k] = -s;
    q[k + 1] = c;
    for (std::size_t i = 2; i < k; ++i) q[i + k * i] = T(1.0);
    const auto qm = reshape(stack(q), k, k);
    return concat(flatten(matmul(qm, w1)), flatten(matmul(w2, qm, Transpose::no, Transpose::yes)));
  };
  const Vector v_rot = jvp(rotate, 0.0, 1.0).tangent;
  const double rq_scale = rayleigh_quotient(v_scale), rq_rot = rayleigh_quotient(v_rot);
  report.value("rayleigh_quotient_scale", "Rayleigh quotient, scaling direction", rq_scale, "%.8g", "1.3586808 (the slides' data)");
  report.value("rayleigh_quotient_rotation", "Rayleigh quotient, rotation direction", rq_rot, "%.8g", "0.00041926137 (the slides' data)");
  // Closed forms. Along gamma: 1/2 sum s_i^2 (gamma^2 d_i^2 - 1)^2 + gamma^2 sum lambda_i d_i^2 has second
  // derivative 4 sum s_i^2 d_i^4 at gamma = 1 (using s_i^2 (1 - d_i^2) = lambda_i), and ||v||^2 = 2 sum d_i^2.
  // Along theta only the penalty changes, tr(Q^T Lambda Q D^2), whose second derivative at 0 is
  // 2 (lambda_2 - lambda_1)(d_1^2 - d_2^2); ||v||^2 = 2 (d_1^2 + d_2^2). (At a stationary point the
  // curve's acceleration adds nothing: grad = 0.)
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    num += 4 * s2[i] * d2[i] * d2[i];
    den += 2 * d2[i];
  }
  const double closed_scale = num / den;
  const double closed_rot = (lambda[1] - lambda[0]) * (d2[0] - d2[1]) / (d2[0] + d2[1]);
  report.value("closed_form_scale", "closed form 2 sum s_i^2 d_i^4 / sum d_i^2", closed_scale, "%.8g");
  report.value("closed_form_rotation", "closed form (lambda_2 - lambda_1)(d_1^2 - d_2^2)/(d_1^2 + d_2^2)", closed_rot, "%.8g");
  report.check("the scaling quotient by HVP is its closed form", std::abs(rq_scale / closed_scale - 1) < 1e-12,
               format("relative difference %.1e", rq_scale / closed_scale - 1));
  report.check("the rotation quotient by HVP is its closed form", std::abs(rq_rot / closed_rot - 1) < 1e-9,
               format("relative difference %.1e", rq_rot / closed_rot - 1));
  // Every pair (i, j) of latent units: (lambda_j - lambda_i)(d_i^2 - d_j^2)/(d_i^2 + d_j^2).
  double worst_pair = 0.0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i + 1; j < k; ++j) {
      DenseMatrix g(k, k);
      g(j, i) = 1.0;
      g(i, j) = -1.0;
      const Vector v = flat(matmul(g, w1), matmul(w2, g, Transpose::no, Transpose::yes));
      const double expected = (lambda[j] - lambda[i]) * (d2[i] - d2[j]) / (d2[i] + d2[j]);
      worst_pair = std::max(worst_pair, std::abs(rayleigh_quotient(v) / expected - 1));
    }
  report.check("the same closed form holds for the rotation of every pair of latent units (6 pairs)", worst_pair < 1e-9,
               format("largest relative difference %.1e", worst_pair));
  const double seed_ratio = 1.3586808 / 0.00041926137;
  report.value("curvature_ratio", "scaling / rotation curvature", rq_scale / rq_rot, "%.1f");
  report.check("the slides' 'about 3000 times smaller' matches their printed quotients (ratio within 10% of 3000)",
               std::abs(seed_ratio / 3000 - 1) < 0.1, format("1.3586808 / 0.00041926137 = %.1f", seed_ratio));
  report.check("here too rotation is the low-curvature direction (ratio > 100)", rq_scale / rq_rot > 100,
               format("ratio %.1f", rq_scale / rq_rot));

  // Gradient descent from a small random start: the subspace is found quickly, the individual
  // principal directions slowly (the angle between row i of W1 and u_i).
  report.section("Q13", "Autoencoder GD: Gradient descent: the angle between each row of W1 and its principal component");
  Vector w = random.gaussian_vector(2 * k * d);
  scale(0.01, w);
  const double alpha = 0.05;
  const Objective objective = differentiable_objective(fobj);
  std::string data;
  int iteration = 0, loss_done = -1, angles_done = -1;
  Vector final_angles(k);
  for (int chunk = 0; iteration < 40000; ++chunk) {
    const int steps = std::min(40000 - iteration, std::max(1, iteration / 10));
    const OptimizeResult r = gradient_descent(objective, w, {.atol = 1e-300, .max_iterations = steps,
                                                             .line_search = LineSearchKind::fixed, .step_size = alpha});
    w = r.x;
    iteration += steps;
    data += format("%d %.9e", iteration, r.value - at_opt.value);
    double worst_angle = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
      double dot_u = 0.0, norm_row = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        dot_u += w[i + k * j] * u(j, i);
        norm_row += w[i + k * j] * w[i + k * j];
      }
      final_angles[i] = std::acos(std::min(1.0, std::abs(dot_u) / std::sqrt(norm_row))) * 180 / std::numbers::pi;
      worst_angle = std::max(worst_angle, final_angles[i]);
      data += format(" %.6e", final_angles[i]);
    }
    data += "\n";
    if (loss_done < 0 && r.value - at_opt.value < 1e-3 * at_opt.value) loss_done = iteration;
    if (angles_done < 0 && worst_angle < 1.0) angles_done = iteration;
  }
  report.value("angles_final", "angles (degrees) after 40000 steps, alpha = 0.05", final_angles, "%.4f");
  report.value("iterations_loss_within_0_1_percent", "iterations until the loss is within 0.1% of the optimum", loss_done, "%.0f");
  if (angles_done > 0) {
    report.value("iterations_angles_below_1_degree", "iterations until every angle is below 1 degree", angles_done, "%.0f");
  } else {
    report.value("iterations_angles_below_1_degree", "iterations until every angle is below 1 degree", "not within 40000");
  }
  report.check("the loss settles long before the directions do (the rotation direction has low curvature)",
               loss_done > 0 && (angles_done < 0 || angles_done > 5 * loss_done),
               format("%d against %d iterations", loss_done, angles_done));
  std::string plot = "set multiplot layout 1,2\n" +
                     curve_script("angle between row i of W1 and u_i", "iteration", "degrees") +
                     "set logscale x\nplot ";
  for (std::size_t i = 0; i < k; ++i)
    plot += format("'autoencoder_gd.dat' using 1:%zu with lines lw 2 title 'unit %zu'%s", 3 + i, i + 1, i + 1 < k ? ", " : "\n");
  plot += curve_script("loss - optimal loss", "iteration", "") + "set logscale y; set format y '10^{%L}'\n"
          "plot 'autoencoder_gd.dat' using 1:2 with lines lw 2 notitle\nunset multiplot\n";
  report.figure({.name = "autoencoder_gd", .title = "GD on the regularised linear autoencoder: angles to the principal components",
                 .data = {{"autoencoder_gd.dat", data}}, .script = plot, .width = 1100, .height = 440});
}


// ---------------------------------------------------------------------------------------------
// A tanh MLP on 2-D inputs with `classes` outputs: the logits, an N x classes matrix flattened by columns.
struct Classifier {
  DenseMatrix inputs;  // N x 2
  std::size_t hidden, classes;
  std::size_t size() const { return 2 * hidden + hidden + hidden * classes + classes; }
  template <class W> auto operator()(const W& w) const {
    const std::size_t h = hidden, c = classes;
    const auto a = tanh(broadcast_add(matmul(inputs, reshape(slice(w, 0, 2 * h), 2, h)), slice(w, 2 * h, h)));
    return flatten(broadcast_add(matmul(a, reshape(slice(w, 3 * h, h * c), h, c)), slice(w, 3 * h + h * c, c)));
  }
};

// The slide's gnhvp: z, R_z = jvp(f, w, v); R_gz = hvp(L, z, R_z); return vjp(f, w)(R_gz).
template <class F, class L> Vector gnhvp(const F& f, const L& loss, const Vector& w, const Vector& v) {
  const auto [z, r_z] = jvp(f, w, v);
  const Vector r_gz = hvp(loss, z, r_z);
  return vjp(f, w).pullback(r_gz);
}

void gauss_newton(demo::Report& report) {
  Random random(9);
  const std::size_t count = 30;
  Vector x(count), t(count);
  random.fill_uniform(x, -2.0, 2.0);
  for (std::size_t i = 0; i < count; ++i) t[i] = std::sin(2 * x[i]) + 0.1 * random.gaussian();
  const Mlp f = make_mlp(x, 8);
  const auto loss = [t](const auto& z) {
    const auto r = z - t;
    return 0.5 * dot(r, r);
  };
  const auto cost = [f, loss](const auto& w) { return loss(f(w)); };
  const Vector w = random.gaussian_vector(f.size()), v = random.gaussian_vector(f.size());

  report.section("Q14", "Gauss-Newton: G = J^T H_z J: the slide's gnhvp, the library's operator, and H = G + sum_a dL/dz_a grad^2 f_a");
  const Vector z = f(w);
  const DenseMatrix j = jacobian(f, w);
  const DenseMatrix hz = hessian(loss, z);
  const DenseMatrix g_dense = matmul(j, matmul(hz, j), Transpose::yes);
  const auto g_op = gauss_newton_operator(f, loss, w);
  Vector gv(f.size());
  g_op->apply(v, gv);
  const Vector slide = gnhvp(f, loss, w, v);
  report.check("the slide's gnhvp (jvp, hvp of L, vjp) = the library's gauss_newton_operator", rel(slide, gv) < 1e-13,
               format("relative distance %.1e", rel(slide, gv)));
  report.check("= J^T H_z J v with J and H_z formed", rel(gv, matvec(g_dense, v)) < 1e-13,
               format("relative distance %.1e", rel(gv, matvec(g_dense, v))));
  report.check("squared error 1/2 ||z - t||^2: H_z = I", relative_distance(hz, DenseMatrix::identity(count)) < 1e-15, "");
  const DenseMatrix jtj = matmul(j, j, Transpose::yes);
  report.check("so G = J^T J, an n_w x n_w matrix", relative_distance(g_dense, jtj) < 1e-14,
               format("G is %zu x %zu; J J^T would be %zu x %zu", g_dense.rows(), g_dense.cols(), count, count));
  report.note("the slide writes G = J_zw J_zw^T for squared error; with J_zw of shape n_z x n_w that is the n_z x n_z "
              "output-space matrix. The Gauss-Newton matrix is G = J_zw^T J_zw (n_w x n_w), and H_z = I holds for "
              "L = 1/2 ||z - t||^2 (the 'L = ||x - x~||^2' of the autoencoder slides gives H_z = 2I).");
  // The decomposition: H v = G v + sum_a (dL/dz_a) grad^2 f_a v, the second term an HVP of <g, f(w)> with g fixed.
  Vector dl_dz = z;
  axpy(-1.0, t, dl_dz);
  const Vector second = hvp([f, dl_dz](const auto& wv) { return dot(f(wv), dl_dz); }, w, v);
  Vector sum = gv;
  axpy(1.0, second, sum);
  const Vector hv = hvp(cost, w, v);
  report.check("H v = G v + sum_a (dL/dz_a) grad^2 f_a v", rel(hv, sum) < 1e-12, format("relative distance %.1e", rel(hv, sum)));
  const Vector eig_g = symmetric_eigen(g_dense).values, eig_h = symmetric_eigen(hessian(cost, w)).values;
  report.value("eigenvalue_range_G", "smallest and largest eigenvalue of G", Vector{eig_g.front(), eig_g.back()}, "%.4e");
  report.value("eigenvalue_range_H", "smallest and largest eigenvalue of H", Vector{eig_h.front(), eig_h.back()}, "%.4e");
  report.check("G is PSD (to rounding) where H is indefinite", eig_g.front() >= -1e-12 * eig_g.back() && eig_h.front() < 0,
               format("lambda_min(G) = %.2e, lambda_min(H) = %.2e", eig_g.front(), eig_h.front()));

  // Classification: logits z, softmax-cross-entropy L; H_z = diag(p) - p p^T per example, PSD.
  const std::size_t n_cls = 24, classes = 3;
  DenseMatrix inputs(n_cls, 2);
  random.fill_gaussian(inputs.values());
  std::vector<std::size_t> labels(n_cls);
  Vector onehot(n_cls * classes, 0.0);
  for (std::size_t i = 0; i < n_cls; ++i) {
    labels[i] = static_cast<std::size_t>(random.uniform() * classes) % classes;
    onehot[i + n_cls * labels[i]] = 1.0;
  }
  const Classifier net{inputs, 6, classes};
  const auto cross_entropy = [n_cls, onehot](const auto& logits) {
    std::remove_cvref_t<decltype(dot(logits, onehot))> total = -dot(logits, onehot);
    for (std::size_t i = 0; i < n_cls; ++i) total = total + logsumexp(slice(logits, i, classes, n_cls));
    return total;
  };
  const Vector wc = random.gaussian_vector(net.size()), vc = random.gaussian_vector(net.size());
  const auto gc = gauss_newton_operator(net, cross_entropy, wc);
  Vector gcv(net.size());
  gc->apply(vc, gcv);
  report.check("softmax-cross-entropy on the logits: gnhvp = the library's operator", rel(gnhvp(net, cross_entropy, wc, vc), gcv) < 1e-13,
               format("relative distance %.1e", rel(gnhvp(net, cross_entropy, wc, vc), gcv)));
  DenseMatrix gc_dense(net.size(), net.size());
  for (std::size_t c = 0; c < net.size(); ++c) {
    Vector e(net.size(), 0.0), col(net.size());
    e[c] = 1.0;
    gc->apply(e, col);
    std::copy(col.begin(), col.end(), gc_dense.col(c).begin());
  }
  const Vector eig_gc = symmetric_eigen(gc_dense).values;
  report.check("and it is PSD (cross-entropy is convex in the logits)", eig_gc.front() >= -1e-12 * eig_gc.back(),
               format("lambda_min = %.2e, lambda_max = %.3e", eig_gc.front(), eig_gc.back()));
}

// ---------------------------------------------------------------------------------------------
double quadratic_value(const DenseMatrix& a, const Vector& b, const Vector& x) { return 0.5 * dot(x, matvec(a, x)) - dot(b, x); }

void conjugate_gradient(demo::Report& report) {
  Random random(10);
  const std::size_t n = 40;
  // A = Q diag(mu) Q^T with eigenvalues from 1e-2 to 1e2 (kappa = 1e4).
  const DenseMatrix q = random_orthogonal(random, n);
  DenseMatrix a(n, n);
  for (std::size_t k = 0; k < n; ++k) {
    const double mu = std::pow(10.0, -2.0 + 4.0 * k / (n - 1));
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) a(i, j) += mu * q(i, k) * q(j, k);
  }
  const Vector b = random.gaussian_vector(n);
  const auto op = dense_operator(a);

  report.section("Q15", "CG: Conjugate gradient: x_k = argmin of 1/2 x^T A x - b^T x over the Krylov space K_k(A, b)");
  // An orthonormal basis of K_k by Gram-Schmidt (twice) and the minimiser over it, V (V^T A V)^{-1} V^T b.
  std::vector<Vector> basis;
  Vector next = b;
  double worst = 0.0;
  Vector j_cg, j_krylov;
  for (int k = 1; k <= 8; ++k) {
    for (int pass = 0; pass < 2; ++pass)
      for (const Vector& e : basis) axpy(-dot(e, next), e, next);
    scale(1 / norm2(next), next);
    basis.push_back(next);
    next = matvec(a, basis.back());
    DenseMatrix av(k, k);
    Vector vb(k);
    for (int i = 0; i < k; ++i) {
      vb[i] = dot(basis[i], b);
      for (int jj = 0; jj < k; ++jj) av(i, jj) = dot(basis[i], matvec(a, basis[jj]));
    }
    const Vector c = LuFactorization(av).solve(vb);
    Vector x_krylov(n, 0.0);
    for (int i = 0; i < k; ++i) axpy(c[i], basis[i], x_krylov);
    const SolveResult cg_k = cg(op, b, {.rtol = 1e-300, .max_iterations = k});
    worst = std::max(worst, rel(cg_k.x, x_krylov));
    j_cg.push_back(quadratic_value(a, b, cg_k.x));
    j_krylov.push_back(quadratic_value(a, b, x_krylov));
  }
  report.value("objective_cg", "J(x_k) of CG, k = 1..8", j_cg, "%.8f");
  report.check("CG's k-th iterate is the minimiser over K_k(A, b), k = 1..8", worst < 1e-8, format("largest relative distance %.1e", worst));
  // Gradient descent from 0 stays in K_k, so it can only do worse.
  const Objective quadratic = differentiable_objective([a, b](const auto& x) { return 0.5 * quad_form(x, a) - dot(b, x); });
  const OptimizeResult gd = gradient_descent(quadratic, Vector(n, 0.0), {.atol = 1e-300, .max_iterations = 30,
                                                                         .line_search = LineSearchKind::fixed,
                                                                         .step_size = 1.0 / 100.0, .record_path = true});
  bool gd_worse = true;
  for (int k = 1; k <= 30; ++k)
    gd_worse = gd_worse && quadratic_value(a, b, gd.path[k]) >= quadratic_value(a, b, cg(op, b, {.rtol = 1e-300, .max_iterations = k}).x) - 1e-12;
  report.check("J(GD_k) >= J(CG_k) for k = 1..30 (GD with alpha = 1/lambda_max from 0)", gd_worse, "");

  // The slide's approx_solve(A_mvp, b, niter): cg with max_iterations = niter.
  Vector objective, residual;
  for (int niter : {1, 2, 5, 10, 20, 40, 80}) {
    const SolveResult r = cg(op, b, {.rtol = 1e-300, .max_iterations = niter});
    objective.push_back(quadratic_value(a, b, r.x));
    residual.push_back(r.residual_norm / norm2(b));
  }
  report.value("approx_solve_objective", "J(approx_solve(A, b, niter)), niter = 1, 2, 5, 10, 20, 40, 80", objective, "%.6f");
  report.value("approx_solve_residual", "||b - A x|| / ||b||", residual, "%.2e");
  report.check("J decreases with niter (nested Krylov spaces)", std::is_sorted(objective.rbegin(), objective.rend()), "");
  // In exact arithmetic CG ends in n steps; in floating point, at kappa = 1e4, its directions lose
  // conjugacy and it needs more (Greenbaum, Iterative Methods for Solving Linear Systems, ch. 4).
  const SolveResult full = cg(op, b, {.rtol = 1e-10, .max_iterations = static_cast<int>(20 * n)});
  report.value("cg_iterations_to_rtol_1e_10", format("iterations to ||r|| <= 1e-10 ||b|| (n = %zu, kappa = 1e4)", n), full.iterations, "%.0f");
  report.check("CG reaches ||r|| <= 1e-10 ||b||", full.converged, format("%d iterations", full.iterations));

  // O(sqrt(kappa)) against O(kappa): eigenvalues spread evenly over [1, kappa], rtol 1e-6. CG on
  // 10^5 of them: with fewer, CG's superlinear convergence on a discrete spectrum beats the sqrt(kappa)
  // bound at large kappa; GD's rate depends on the extreme eigenvalues only, and 10^3 suffice.
  Vector kappas{10, 100, 1000, 10000}, cg_its, gd_its;
  std::string data;
  for (double kappa : kappas) {
    const auto spread = [kappa](std::size_t m) {
      Vector diag(m);
      for (std::size_t i = 0; i < m; ++i) diag[i] = 1 + (kappa - 1) * static_cast<double>(i) / (m - 1);
      return diag;
    };
    cg_its.push_back(cg(diagonal_operator(spread(100000)), Vector(100000, 1.0), {.rtol = 1e-6}).iterations);
    const std::size_t m = 1000;
    const Vector diag = spread(m), rhs(m, 1.0);
    if (kappa > 1000) {  // GD would need some 70000 iterations: CG only
      data += format("%g %g NaN\n", kappa, cg_its.back());
      break;
    }
    const OptimizeResult r = gradient_descent(
        differentiable_objective([diag, rhs](const auto& x) { return 0.5 * dot(x, diag * x) - dot(rhs, x); }), Vector(m, 0.0),
        {.atol = 1e-6 * norm2(rhs), .max_iterations = 100000, .line_search = LineSearchKind::fixed, .step_size = 2 / (1 + kappa)});
    gd_its.push_back(r.iterations);
    data += format("%g %g %g\n", kappa, cg_its.back(), gd_its.back());
  }
  report.value("cg_iterations", "CG iterations to ||r|| <= 1e-6 ||b||, n = 10^5, kappa = 10, 100, 1000, 10000", cg_its, "%.0f");
  report.value("gd_iterations", "GD iterations (best fixed step 2/(1 + kappa)), same rule, n = 10^3, kappa = 10, 100, 1000", gd_its, "%.0f");
  const double cg_slope = std::log10(cg_its[3] / cg_its[1]) / 2, gd_slope = std::log10(gd_its[2] / gd_its[0]) / 2;
  report.value("slopes", "log-log slopes of iterations against kappa (CG over 100-10000, GD over 10-1000)",
               Vector{cg_slope, gd_slope}, "%.3f");
  report.check("CG needs O(sqrt(kappa)) iterations (slope 0.5 +- 0.1), GD O(kappa) (slope 1 +- 0.1)",
               std::abs(cg_slope - 0.5) < 0.1 && std::abs(gd_slope - 1) < 0.1, format("%.3f and %.3f", cg_slope, gd_slope));
  report.figure({.name = "cg_vs_gd",
                 .title = "Iterations against the condition number: CG and GD",
                 .data = {{"cg_vs_gd.dat", data}},
                 .script = curve_script("iterations to ||r|| <= 1e-6 ||b||", "condition number κ", "iterations") +
                           "set logscale xy\nplot 'cg_vs_gd.dat' using 1:2 with linespoints lw 2 pt 7 title 'CG', "
                           "'' using 1:3 with linespoints lw 2 pt 7 title 'GD', "
                           "'' using 1:(3.5*sqrt($1)) with lines dt 2 title '∝ √κ', '' using 1:(7*$1) with lines dt 2 title '∝ κ'\n"});
  report.note("the slide says 'SGD requires O(kappa) iterations'; lecture 1's result, and the comparison with CG, is "
              "for full-batch gradient descent (GD), as measured here.");
  report.note("the slide says CG minimises 1/2 x^T A x - b^T x 'for PSD A'. For a singular PSD A with b outside its "
              "range the quadratic is unbounded below and has no minimiser; CG needs A positive definite (or b in the "
              "range of A).");
}

// ---------------------------------------------------------------------------------------------
void sensitivity(demo::Report& report) {
  report.section("Q16", "Response Jacobian: dw*/dtheta = -[grad_w^2 J]^-1 grad_w theta^2 J; the slide's J(w; lambda) = g(w) + lambda w");
  // g(w) = w^2/2 + w^4/4: w*(lambda) solves w + w^3 + lambda = 0, and dw*/dlambda = -1 / g''(w*).
  const auto toy = [](const auto& w, const auto& lam) { return 0.5 * dot(w, w) + 0.25 * sum(square(square(w))) + dot(lam, w); };
  const auto argmin_toy = [](double lam) { return bracket_root([lam](double w) { return w + w * w * w + lam; }, -10, 10).root; };
  Vector toy_rows;
  double toy_worst = 0.0;
  for (double lam : {0.0, 3.0}) {
    const double w_star = argmin_toy(lam);
    const ArgminSensitivityResult s = argmin_jvp(toy, Vector{w_star}, Vector{lam}, Vector{1.0});
    const double closed = -1 / (1 + 3 * w_star * w_star);
    const double fd = (argmin_toy(lam + 1e-6) - argmin_toy(lam - 1e-6)) / 2e-6;
    toy_worst = std::max({toy_worst, std::abs(s.value[0] - closed), std::abs(s.value[0] - fd)});
    toy_rows.push_back(w_star);
    toy_rows.push_back(s.value[0]);
  }
  report.value("toy", "w*(0), dw*/dlambda(0), w*(3), dw*/dlambda(3)", toy_rows, "%.8f");
  report.check("argmin_jvp = -1/g''(w*) = finite differences of the argmin, at lambda = 0 and 3", toy_worst < 1e-8,
               format("largest difference %.1e", toy_worst));
  report.value("toy_linear_prediction", "w*(0) + 3 dw*/dlambda(0), against w*(3)", toy_rows[0] + 3 * toy_rows[1], "%.6f");
  std::string curve;
  for (int i = 0; i <= 200; ++i) {
    const double w = -2.5 + 4.0 * i / 200;
    curve += format("%.4f %.6f %.6f\n", w, 0.5 * w * w + 0.25 * w * w * w * w, 0.5 * w * w + 0.25 * w * w * w * w + 3 * w);
  }
  const std::string minima = format("%.6f %.6f\n%.6f %.6f\n", toy_rows[0], 0.0, toy_rows[2],
                                    0.5 * toy_rows[2] * toy_rows[2] + 0.25 * std::pow(toy_rows[2], 4) + 3 * toy_rows[2]);
  report.figure({.name = "toy_response", .title = "J(w; λ) = g(w) + λw for λ = 0 and λ = 3, and their minimisers",
                 .data = {{"toy_response.dat", curve}, {"toy_minima.dat", minima}},
                 .script = curve_script("J(w; λ) = w²/2 + w⁴/4 + λw", "w", "J") +
                           "plot 'toy_response.dat' using 1:2 with lines lw 2 title 'λ = 0', '' using 1:3 with lines lw 2 "
                           "title 'λ = 3', 'toy_minima.dat' with points pt 7 ps 1.5 lc rgb 'black' title 'w*(λ)'\n"});

  report.section("Q17", "Sensitivity: A tanh MLP fitted by gradient descent, and how its fit responds to one training target");
  Random random(11);
  const std::size_t count = 12;
  Vector x(count), t(count);
  for (std::size_t i = 0; i < count; ++i) x[i] = -1 + 2.0 * i / (count - 1);
  for (std::size_t i = 0; i < count; ++i) t[i] = std::sin(std::numbers::pi * x[i]) + 0.1 * random.gaussian();
  const Mlp f = make_mlp(x, 8);
  const double decay = 1e-3;
  // J(w; theta) = 1/(2N) ||f(w) - theta||^2 + decay/2 ||w||^2, theta the training targets.
  const auto objective = [f, decay](const auto& w, const auto& theta) {
    const auto r = f(w) - theta;
    return (0.5 / static_cast<double>(f.inputs.rows())) * dot(r, r) + 0.5 * decay * dot(w, w);
  };
  // Refits by BFGS, finished by Newton (Cholesky): the finite differences below divide its error by 2 eps.
  const auto fit = [&](const Vector& theta, const Vector& start) {
    const Objective o = differentiable_objective([&objective, theta](const auto& w) { return objective(w, theta); });
    return newton(o, bfgs(o, start, {.atol = 1e-9, .max_iterations = 5000}).x, {.atol = 1e-14, .max_iterations = 50});
  };
  Vector w0 = random.gaussian_vector(f.size());
  const OptimizeResult gd = gradient_descent(differentiable_objective([&objective, t](const auto& w) { return objective(w, t); }), w0,
                                             {.atol = 1e-8, .max_iterations = 20000, .line_search = LineSearchKind::fixed, .step_size = 0.2});
  const OptimizeResult polished = fit(t, gd.x);
  const Vector w_star = polished.x;
  report.value("gd_gradient_norm", "||grad J|| after gradient descent (20000 steps, alpha = 0.2)", gd.gradient_norm, "%.3e");
  report.value("polished_gradient_norm", "||grad J|| after BFGS and Newton from there", polished.gradient_norm, "%.3e");
  report.note("the implicit function theorem linearises the stationarity condition grad_w J = 0; at a GD iterate "
              "where it does not hold the formula describes a point that is not the argmin, so the app finishes the "
              "fit with BFGS and Newton (the gradient norms above) before differentiating.");
  const Vector h_eig = symmetric_eigen(hessian([&objective, t](const auto& w) { return objective(w, t); }, w_star)).values;
  report.check("the Hessian at w* is positive definite (a strict minimum: the IFT applies)", h_eig.front() > 0,
               format("eigenvalues from %.3e to %.3e", h_eig.front(), h_eig.back()));
  // Perturb the target of one point: theta_dot = e_i.
  const std::size_t i0 = 7;
  Vector e(count, 0.0);
  e[i0] = 1.0;
  const Vector mixed = mixed_hvp(objective, w_star, t, e);
  Vector closed = vjp(f, w_star).pullback(e);  // d2J/dw dtheta e_i = -(1/N) grad_w f(x_i; w)
  scale(-1.0 / count, closed);
  report.check("d2J/dw dtheta . e_i (mixed_hvp, forward over reverse in theta) = -(1/N) grad_w f(x_i)", rel(mixed, closed) < 1e-14,
               format("relative distance %.1e", rel(mixed, closed)));
  Vector rhs = mixed;
  scale(-1.0, rhs);
  const auto h_op = hessian_operator([&objective, t](const auto& w) { return objective(w, t); }, w_star);
  const SolveResult solved = cg(h_op, rhs, {.rtol = 1e-12});
  const ArgminSensitivityResult response = argmin_jvp(objective, w_star, t, e, {.rtol = 1e-12});
  report.check("CG on (H, -mixed_hvp) = the library's argmin_jvp", solved.converged && response.converged && rel(solved.x, response.value) < 1e-9,
               format("relative distance %.1e (CG iterations %d)", rel(solved.x, response.value), response.iterations));
  const double eps = 1e-3;
  Vector tp = t, tm = t;
  tp[i0] += eps;
  tm[i0] -= eps;
  Vector fd = fit(tp, w_star).x;
  axpy(-1.0, fit(tm, w_star).x, fd);
  scale(1 / (2 * eps), fd);
  report.check("dw*/dtheta_i against refitting at theta_i +- 1e-3 (central differences)", rel(response.value, fd) < 1e-5,
               format("relative distance %.1e", rel(response.value, fd)));
  // CG at several iteration counts: the truncated response.
  Vector errors, its;
  for (int k : {1, 2, 5, 10, 15, 20}) {
    const ArgminSensitivityResult r = argmin_jvp(objective, w_star, t, e, {.rtol = 1e-12, .max_iterations = k});
    errors.push_back(rel(r.value, response.value));
    its.push_back(k);
  }
  report.value("cg_iterations", "CG iterations", its, "%.0f");
  report.value("truncated_errors", "||dw_k - dw*|| / ||dw*||", errors, "%.2e");
  report.check("the error of CG's truncated response falls with every iteration (CG's error is monotone)",
               std::is_sorted(errors.rbegin(), errors.rend()), "");
  // First order: the refitted w*(theta + eps e_i) - w* - eps dw is O(eps^2).
  Vector gaps;
  for (double step : {0.1, 0.05}) {
    Vector te = t;
    te[i0] += step;
    Vector gap = fit(te, w_star).x;
    axpy(-1.0, w_star, gap);
    axpy(-step, response.value, gap);
    gaps.push_back(norm2(gap));
  }
  report.check("the linear response is first-order accurate: the refit's deviation falls 4x when eps halves",
               gaps[0] / gaps[1] > 3 && gaps[0] / gaps[1] < 5, format("%.3e and %.3e (ratio %.2f)", gaps[0], gaps[1], gaps[0] / gaps[1]));
  // The influence of every target on the prediction at x = 0.3: one argmin_vjp against N argmin_jvps.
  const Mlp at_test = make_mlp(Vector{0.3}, 8);
  const Vector grad_test = vjp(at_test, w_star).pullback(Vector{1.0});
  const ArgminSensitivityResult influence = argmin_vjp(objective, w_star, t, grad_test, {.rtol = 1e-12});
  double influence_worst = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    Vector ei(count, 0.0);
    ei[i] = 1.0;
    influence_worst = std::max(influence_worst, std::abs(dot(grad_test, argmin_jvp(objective, w_star, t, ei, {.rtol = 1e-12}).value) - influence.value[i]));
  }
  report.value("influence_at_x_0_3", "d prediction(0.3) / d theta_i, every i (one argmin_vjp)", influence.value, "%.5f");
  report.check("one argmin_vjp gives what 12 argmin_jvps give", influence_worst < 1e-8, format("largest difference %.1e", influence_worst));
  // The family of perturbed predictions: linearised, f(x; w* + eps dw), against refitted.
  std::string family, points;
  const std::size_t grid = 101;
  Vector xs(grid);
  for (std::size_t g = 0; g < grid; ++g) xs[g] = -1.1 + 2.2 * g / (grid - 1);
  const Mlp on_grid = make_mlp(xs, 8);
  const std::vector<double> eps_family{-0.6, -0.3, 0.0, 0.3, 0.6};
  std::vector<Vector> predicted, refitted;
  for (double s : eps_family) {
    Vector wl = w_star;
    axpy(s, response.value, wl);
    predicted.push_back(on_grid(wl));
    Vector te = t;
    te[i0] += s;
    refitted.push_back(on_grid(fit(te, w_star).x));
  }
  for (std::size_t g = 0; g < grid; ++g) {
    family += format("%.4f", xs[g]);
    for (std::size_t k = 0; k < eps_family.size(); ++k) family += format(" %.6f %.6f", predicted[k][g], refitted[k][g]);
    family += "\n";
  }
  for (std::size_t i = 0; i < count; ++i) points += format("%.4f %.6f\n", x[i], t[i]);
  std::string plot = curve_script(format("perturbing the target of point %zu by ε: linear response (dashed) and refit (solid)", i0),
                                  "x", "prediction") + "plot 'sensitivity_points.dat' with points pt 7 ps 1.2 lc rgb 'black' title 'data', ";
  for (std::size_t k = 0; k < eps_family.size(); ++k)
    plot += format("'sensitivity_family.dat' using 1:%zu with lines lw 2 lc %zu title 'ε = %g', '' using 1:%zu with lines dt 2 lw 2 lc %zu notitle%s",
                   3 + 2 * k, k + 1, eps_family[k], 2 + 2 * k, k + 1, k + 1 < eps_family.size() ? ", " : "\n");
  report.figure({.name = "sensitivity_family", .title = "The family of perturbed predictions: response Jacobian against refitting",
                 .data = {{"sensitivity_family.dat", family}, {"sensitivity_points.dat", points}}, .script = plot, .width = 900});
}

}  // namespace

int main(int argc, char** argv) {
  demo::Report report("004_3f66c6073192df8b.txt: CSC 2541 Lecture 2, Taylor Approximations");
  if (const auto status = report.parse(argc, argv)) return *status;
  try {
    jacobians(report);
    gradients(report);
    jvp_by_vjp_of_vjp(report);
    hessians(report);
    stationary_points(report);
    gd_dynamics(report);
    hvp_and_lanczos(report);
    autoencoder(report);
    gauss_newton(report);
    conjugate_gradient(report);
    sensitivity(report);
  } catch (const std::exception& e) {
    report.check("the app ran to the end", false, e.what());
  }
  return report.finish();
}
