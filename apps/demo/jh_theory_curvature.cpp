// jh-theory, sections 14-21 of the theory notebook (seed 003, lines ~817-1188): K-FAC's Kronecker
// structure, the coupling layer's log-determinant, gradient checking, residual Jacobians, the
// condition number against the rate of gradient descent, the rank of a LoRA gradient, the Jacobian of
// the unit-normalisation map, and power iteration with Hessian-vector products.
//
// The seed's random data comes from NumPy's generator; these sections draw from frechet's Random, so
// its random outputs (norms, ranks for 90% of the energy, step counts) differ and only the checks and
// the data-independent values carry over. Deterministic values (sections 15, 16 and 20) are compared
// with what the seed's code prints.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "affine_coupling.hpp"
#include "frechet/frechet.hpp"
#include "jh_theory.hpp"
#include "matrix_helpers.hpp"
#include "report.hpp"

using namespace frechet;
using demo::format;
using demo::Fisher;
using demo::fisher;
using demo::frobenius_distance;
using demo::inverse;
using demo::row;
using demo::semilog_script;
using demo::shifted;
using jh_theory::allclose;
using jh_theory::distance;
using jh_theory::matrix;

namespace {

DenseMatrix gaussian_matrix(Random& random, std::size_t m, std::size_t n, double s = 1.0) {
  DenseMatrix a(m, n);
  random.fill_gaussian(a.values());
  scale(s, a.values());
  return a;
}

double norm2_distance(ConstVectorView a, ConstVectorView b) {
  Vector d(a.begin(), a.end());
  axpy(-1.0, b, d);
  return norm2(d);
}

double kfac_error(const Fisher& f) { return frobenius_distance(f.exact, kron(f.a, f.g)) / norm2(f.exact.values()); }

void section_14(demo::Report& report) {
  report.section("Q14", "Section 14: K-FAC, the Fisher block of a linear layer y = W a against A (x) G");
  const std::size_t n_in = 4, n_out = 3, n_samples = 200;
  Random random(42);
  const DenseMatrix activations = gaussian_matrix(random, n_samples, n_in);
  const DenseMatrix back_grads = gaussian_matrix(random, n_samples, n_out, 0.5);
  // The per-sample weight gradient by AD: for L = g^T W a, grad_W L = g a^T, vec(g a^T) = a (x) g.
  const Vector a0 = row(activations, 0), g0 = row(back_grads, 0);
  const DenseMatrix grad_w = grad([&](const auto& w) { return dot(g0, matvec(w, a0)); }, DenseMatrix(n_out, n_in, 0.0));
  DenseMatrix a0m(n_in, 1), g0m(n_out, 1);
  std::copy(a0.begin(), a0.end(), a0m.data());
  std::copy(g0.begin(), g0.end(), g0m.data());
  report.check("vec(grad_W) = a (x) g, grad_W of g^T W a by AD (the seed's kron(a, g_y))",
               distance(grad_w.values(), kron(a0m, g0m).values()) == 0.0, "");
  const Fisher f = fisher(activations, back_grads);
  const DenseMatrix f_kfac = kron(f.a, f.g);
  report.print(format("FIM shape: (%zu, %zu); A shape: (%zu, %zu), G shape: (%zu, %zu)", f.exact.rows(), f.exact.cols(),
                      f.a.rows(), f.a.cols(), f.g.rows(), f.g.cols()));
  const double rel_err = kfac_error(f);
  report.value("frob_exact", "||FIM_exact||_F", norm2(f.exact.values()), "%.4f");
  report.value("frob_kfac", "||FIM_kfac||_F", norm2(f_kfac.values()), "%.4f");
  report.value("relative_error", "Relative error ||FIM_exact - A (x) G||_F / ||FIM_exact||_F", rel_err, "%.4f");
  // a and g_y are drawn independently: E[a a^T (x) g g^T] = E[a a^T] (x) E[g g^T] exactly, and the error
  // above is sampling noise, falling like 1/sqrt(n). With g = (u^T a) z, z independent of a, |u| = 1,
  // E[(u^T a)^2 a a^T] = I + 2 u u^T (Isserlis) against E[a a^T] E[(u^T a)^2] = I: the error tends to
  // ||2 u u^T||_F / ||I + 2 u u^T||_F = 2 / sqrt(n_in + 8), whatever the sample size.
  Random large(7);
  const std::size_t n_large = 20000;
  const DenseMatrix acts_large = gaussian_matrix(large, n_large, n_in), z = gaussian_matrix(large, n_large, n_out, 0.5);
  const double err_independent = kfac_error(fisher(acts_large, z));
  DenseMatrix dependent = z;
  for (std::size_t i = 0; i < n_large; ++i)
    for (std::size_t j = 0; j < n_out; ++j) dependent(i, j) *= acts_large(i, 0);
  const double err_dependent = kfac_error(fisher(acts_large, dependent));
  const double err_dependent_limit = 2.0 / std::sqrt(n_in + 8.0);
  report.value("relative_error_independent_20000", "relative error, independent a and g, 20000 samples", err_independent, "%.4f");
  report.value("relative_error_dependent_20000", "relative error, g = a_0 z (dependent), 20000 samples", err_dependent, "%.4f");
  report.value("relative_error_dependent_limit", "its limit 2 / sqrt(n_in + 8)", err_dependent_limit, "%.4f");
  report.check("independent a and g: the error is sampling noise (20000 samples cut it at least 5-fold)", err_independent < rel_err / 5,
               format("%.4f against %.4f", err_independent, rel_err));
  report.check("dependent a and g: the error stays at 2 / sqrt(n_in + 8) (within 0.03)", std::abs(err_dependent - err_dependent_limit) < 0.03,
               format("%.4f against %.4f", err_dependent, err_dependent_limit));
  report.note("the seed says the error 'comes from A (x) G != E[aa^T (x) gg^T] exactly'. With its data (a and g_y drawn "
              "independently) A (x) G is the exact Fisher block in expectation; the printed error is sampling noise that "
              "falls like 1/sqrt(n). K-FAC is biased only when a and g_y are dependent, as in a real network: with "
              "g = (u^T a) z the error tends to 2/sqrt(n_in + 8) = 0.577 (checked above with 20000 samples).");
  // The inverse identity, and what the seed's damped comparison compares.
  const double damping = 1e-3;
  const DenseMatrix a_inv = inverse(shifted(f.a, damping)), g_inv = inverse(shifted(f.g, damping));
  const DenseMatrix kfac_inv = kron(a_inv, g_inv);
  const DenseMatrix direct_inv = inverse(shifted(f_kfac, damping));
  double gap = 0.0;
  for (std::size_t i = 0; i < kfac_inv.size(); ++i) gap = std::max(gap, std::abs(kfac_inv.data()[i] - direct_inv.data()[i]));
  const bool seed_ok = allclose(kfac_inv.values(), direct_inv.values(), 1e-4);
  report.value("seed_inverse_gap", "max |(A+λI)^-1 (x) (G+λI)^-1 - (A (x) G + λI)^-1| (the seed's check, atol 1e-4)", gap, "%.3e");
  report.check("the seed's check '(A (x) G)^-1 = A^-1 (x) G^-1' at atol 1e-4 fails, as it must (two different matrices)", !seed_ok,
               format("max difference %.2e", gap));
  report.note(format("the seed's check compares (A+λI)^-1 (x) (G+λI)^-1 with (A (x) G + λI)^-1, which differ by the cross "
                     "terms λ(A (x) I + I (x) G - I) + λ^2 I of (A+λI) (x) (G+λI): with A ~ I and G ~ I/4 about λ/4 on the "
                     "diagonal, amplified by ||(A (x) G)^-1||^2 ~ 16 in the inverses (measured: %.1e > 1e-4), so it prints "
                     "False. The identity holds undamped and with the damping put on each factor; both are checked.", gap));
  const double undamped = relative_distance(inverse(f_kfac), kron(inverse(f.a), inverse(f.g)));
  report.check("(A (x) G)^-1 = A^-1 (x) G^-1", undamped < 1e-11, format("relative distance %.1e", undamped));
  const double damped = relative_distance(inverse(kron(shifted(f.a, damping), shifted(f.g, damping))), kfac_inv);
  report.check("((A+λI) (x) (G+λI))^-1 = (A+λI)^-1 (x) (G+λI)^-1", damped < 1e-11, format("relative distance %.1e", damped));
  // The K-FAC update, matrix form G^-1 grad_W A^-1 against the vec form and the library's preconditioner.
  const DenseMatrix grad_test = gaussian_matrix(random, n_out, n_in);
  const DenseMatrix delta_matrix = matmul(matmul(g_inv, grad_test), a_inv);
  const Vector delta_vec = matvec(kfac_inv, grad_test.values());
  const Vector delta_kfac = kfac_preconditioner(f.a, f.g, {.damping = damping})->apply(grad_test.values());
  report.check("matrix form = vec form of the K-FAC update (the seed's atol 1e-8)", allclose(delta_matrix.values(), delta_vec, 1e-8),
               format("relative distance %.1e", distance(delta_vec, delta_matrix.values())));
  report.check("kfac_preconditioner gives the same update (1e-12)", distance(delta_kfac, delta_matrix.values()) < 1e-12,
               format("relative distance %.1e", distance(delta_kfac, delta_matrix.values())));
}

void section_15(demo::Report& report) {
  report.section("Q15", "Section 15: the RealNVP coupling layer: triangular Jacobian and log|det J| = sum s(x1)");
  const DenseMatrix w_s{{0.5, -0.2}, {0.3, 0.1}}, w_t{{0.1, 0.0}, {0.0, -0.2}};
  const auto s_net = [&](const auto& x1) { return matvec(w_s, x1); };
  const auto t_net = [&](const auto& x1) { return matvec(w_t, x1); };
  const auto coupling = [&](const auto& x) { return demo::affine_coupling(x, 2, s_net, t_net).y; };
  const auto coupling_inv = [&](const Vector& y) {
    const Vector y1{y[0], y[1]};
    const Vector s = s_net(y1), t = t_net(y1);
    return Vector{y[0], y[1], (y[2] - t[0]) * std::exp(-s[0]), (y[3] - t[1]) * std::exp(-s[1])};
  };
  const Vector x{1.0, 0.5, -0.3, 2.0};
  const auto layer = demo::affine_coupling(x, 2, s_net, t_net);
  const Vector x_rec = coupling_inv(layer.y);
  report.value("y", "Output y", layer.y, "%.6f");
  report.compare("y_2", "y_2 = -0.3 e^0.4 + 0.1", layer.y[2], "%.6f", "-0.347547");
  report.compare("y_3", "y_3 = 2 e^0.35 - 0.1", layer.y[3], "%.6f", "2.738135");
  report.check("invertible (the seed's atol 1e-10)", distance(x_rec, x) < 1e-10, format("relative distance %.1e", distance(x_rec, x)));
  const DenseMatrix j = jacobian(coupling, x);
  const DenseMatrix j_fd = finite_difference_jacobian(coupling, x, 1e-5);  // the seed's jacobian_fd
  matrix(report, "jacobian", "Jacobian of the coupling layer (AD)", j, "%.4f");
  report.check("the AD Jacobian matches the seed's finite differences (1e-9 relative)", relative_distance(j_fd, j) < 1e-9,
               format("relative distance %.1e", relative_distance(j_fd, j)));
  double upper_right = 0.0, upper_right_fd = 0.0;
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 2; c < 4; ++c) {
      upper_right = std::max(upper_right, std::abs(j(r, c)));
      upper_right_fd = std::max(upper_right_fd, std::abs(j_fd(r, c)));
    }
  report.check("triangular structure: dy1/dx2 = 0 (exactly by AD; the seed's atol 1e-8 for finite differences)",
               upper_right == 0.0 && upper_right_fd < 1e-8, format("finite differences %.1e", upper_right_fd));
  const double log_det_fd = LuFactorization(j_fd).log_abs_determinant();
  const double log_det_ad = LuFactorization(j).log_abs_determinant();
  report.compare("log_det_direct", "log|det J| (direct: LU of the seed's finite-difference Jacobian)", log_det_fd, "%.6f", "0.750000");
  report.compare("log_det_ad", "log|det J| (LU of the AD Jacobian)", log_det_ad, "%.6f", "0.750000");
  report.compare("log_det_formula", "log|det J| (formula: sum s(x1), s = [0.4, 0.35])", layer.log_det, "%.6f", "0.750000");
  report.check("log-det formula (the seed's atol 1e-6)", std::abs(log_det_fd - layer.log_det) < 1e-6,
               format("difference %.1e", log_det_fd - layer.log_det));
  report.check("the AD Jacobian's log-det equals sum s(x1) to rounding (1e-15)", std::abs(log_det_ad - layer.log_det) < 1e-15,
               format("difference %.1e", log_det_ad - layer.log_det));
}

void section_16(demo::Report& report) {
  report.section("Q16", "Section 16: gradient checking of a correct and of a wrong (sign-flipped) MSE gradient");
  const std::size_t m = 20, n = 8;
  Random random(42);
  const DenseMatrix x = gaussian_matrix(random, m, n);
  const Vector y = random.gaussian_vector(m);
  const auto mse = [&](const auto& w) {
    const auto r = matvec(x, w) - y;
    return (0.5 / m) * dot(r, r);
  };
  const auto mse_grad = [&](ConstVectorView w) {
    Vector r = matvec(x, w);
    axpy(-1.0, y, r);
    Vector g = matvec_transpose(x, r);
    scale(1.0 / m, g);
    return g;
  };
  const auto mse_grad_buggy = [&](ConstVectorView w) {
    Vector g = mse_grad(w);
    scale(-1.0, g);
    return g;
  };
  const Vector w = random.gaussian_vector(n);
  // The seed's measure ||g_a - g_n|| / (||g_a|| + ||g_n||), g_n by central differences with h = 1e-5.
  const Vector g_num = finite_difference_gradient(mse, w, 1e-5);
  const auto seed_error = [&](const Vector& g) {
    Vector d = g;
    axpy(-1.0, g_num, d);
    return norm2(d) / (norm2(g) + norm2(g_num) + 1e-15);
  };
  const double rel_err = seed_error(mse_grad(w)), rel_err_bug = seed_error(mse_grad_buggy(w));
  report.value("relative_error_correct", "MSE gradient check, relative error", rel_err, "%.2e");
  report.check("correct gradient (the seed's rel_err < 1e-5)", rel_err < 1e-5, format("%.2e", rel_err));
  report.compare("relative_error_buggy", "Buggy gradient (sign error), relative error ||-g - g|| / 2||g|| = 1", rel_err_bug, "%.2e", "1.00e+00");
  report.check("the sign error is detected (the seed's rel_err > 0.1)", rel_err_bug > 0.1, format("%.2e", rel_err_bug));
  // The library's checks: check_gradient for the AD gradient, check_custom_rule for a hand-written one
  // (its VJP is the gradient, compared with central differences of the loss in every coordinate).
  const DerivativeCheckResult ad_check = check_gradient(mse, w, {.step = 1e-5});
  report.check("check_gradient: the AD gradient against central differences", ad_check.passed,
               format("relative error %.1e", ad_check.relative_error));
  const auto hand_written = [&](const auto& gradient, const char* name) {
    CustomRule<> rule{.name = name,
                      .primal = [&](CustomInputs in, std::monostate&) { return Vector{mse(Vector(in[0].begin(), in[0].end()))}; },
                      .jvp = {},
                      .vjp = [&, gradient](CustomInputs in, ConstVectorView, const std::monostate&, ConstVectorView y_bar,
                                           CustomCotangents x_bar) { axpy(y_bar[0], gradient(in[0]), x_bar[0]); }};
    return check_custom_rule(rule, {w}, {.step = 1e-5});
  };
  const RuleCheckResult correct = hand_written(mse_grad, "mse_grad"), buggy = hand_written(mse_grad_buggy, "mse_grad_buggy");
  report.check("check_custom_rule passes the hand-written gradient", correct.passed, correct.message);
  report.check("check_custom_rule rejects the sign-flipped gradient", !buggy.passed && buggy.jvp[0].relative_error > 1.9,
               buggy.message);
  // The seed's stochastic check: one random direction, two evaluations of f whatever n.
  Vector v = random.gaussian_vector(n);
  scale(1.0 / norm2(v), v);
  Vector wp = w, wm = w;
  axpy(1e-5, v, wp);
  axpy(-1e-5, v, wm);
  const double directional_fd = (mse(wp) - mse(wm)) / 2e-5, directional_ana = dot(mse_grad(w), v);
  report.value("directional_fd", "Directional derivative (FD, 2 evaluations)", directional_fd, "%.8f");
  report.value("directional_analytical", "Directional derivative (analytical)", directional_ana, "%.8f");
  report.check("directional check (the seed's |difference| < 1e-7)", std::abs(directional_fd - directional_ana) < 1e-7,
               format("%.1e", std::abs(directional_fd - directional_ana)));
  const DerivativeCheckResult random_direction = check_gradient(mse, w, {.step = 1e-5, .directions = 1, .seed = 3});
  report.check("check_gradient with one random direction (the same test in the library)", random_direction.passed,
               format("relative error %.1e", random_direction.relative_error));
}

void section_17(demo::Report& report) {
  report.section("Q17", "Section 17: the residual Jacobian I + J_F against the plain J_F through depth (L = 50, d = 10)");
  const std::size_t depth = 50, d = 10;
  const double scale_f = 0.15;
  Random random(42);
  const DenseMatrix identity = DenseMatrix::identity(d);
  DenseMatrix plain = identity, residual = identity, first_jf;
  Vector s_plain{1.0}, s_residual{1.0};
  std::size_t first_active = 0;
  for (std::size_t l = 0; l < depth; ++l) {
    // J_F = diag(mask) W, the Jacobian of relu(W x) where W x > 0 on the mask (about half the units).
    DenseMatrix jf = gaussian_matrix(random, d, d, scale_f);
    std::size_t active = 0;
    for (std::size_t i = 0; i < d; ++i) {
      const bool on = random.gaussian() > 0;
      active += on;
      if (!on)
        for (std::size_t j = 0; j < d; ++j) jf(i, j) = 0.0;
    }
    if (l == 0) {
      first_jf = jf;
      first_active = active;
    }
    plain = matmul(jf, plain);
    residual = matmul(add(identity, jf), residual);
    s_plain.push_back(spectral_norm(plain));
    s_residual.push_back(spectral_norm(residual));
  }
  report.value("plain_norm_depth_50", "Plain network depth-50 Jacobian spectral norm", s_plain[depth], "%.2e");
  report.value("residual_norm_depth_50", "Residual network depth-50 Jacobian spectral norm", s_residual[depth], "%.4f");
  report.check("the plain product vanishes (< 1e-10 at depth 50)", s_plain[depth] < 1e-10, format("%.2e", s_plain[depth]));
  const double residual_min = *std::min_element(s_residual.begin(), s_residual.end());
  report.check("the residual product does not vanish (its norm stays >= 0.5 at every depth)", residual_min >= 0.5,
               format("smallest %.3f", residual_min));
  // One block: the singular values of J_F and of I + J_F. J_F has rank = active units; by Weyl's
  // inequality the singular values of I + J_F lie in [1 - ||J_F||, 1 + ||J_F||].
  const Vector sv_plain = singular_values(first_jf), sv_residual = singular_values(add(identity, first_jf));
  const double jf_norm = sv_plain[0];
  report.value("singular_values_plain_block", "singular values of one block's J_F", sv_plain, "%.3f");
  report.value("singular_values_residual_block", "singular values of I + J_F", sv_residual, "%.3f");
  report.check("rank J_F = the number of active units", matrix_rank(first_jf) == first_active,
               format("rank %zu, %zu active", matrix_rank(first_jf), first_active));
  report.check("Weyl: the singular values of I + J_F lie in [1 - ||J_F||, 1 + ||J_F||]",
               sv_residual[0] <= 1 + jf_norm + 1e-14 && sv_residual[d - 1] >= 1 - jf_norm - 1e-14,
               format("[%.3f, %.3f] within [%.3f, %.3f]", sv_residual[d - 1], sv_residual[0], 1 - jf_norm, 1 + jf_norm));
  // The same Jacobians by AD, of a block x -> x + relu(W x) at a point, and of a whole depth-10
  // residual network against the product of its blocks' Jacobians (the chain rule through depth).
  const Vector x0 = random.gaussian_vector(d);
  std::vector<DenseMatrix> ws;
  for (int l = 0; l < 10; ++l) ws.push_back(gaussian_matrix(random, d, d, scale_f));
  const auto block = [](const DenseMatrix& w) { return [&w](const auto& v) { return v + relu(matvec(w, v)); }; };
  const auto network = [&](const auto& v) {
    auto h = block(ws[0])(v);
    for (std::size_t l = 1; l < ws.size(); ++l) h = block(ws[l])(h);
    return h;
  };
  DenseMatrix product = identity, expected_block = identity;
  Vector h = x0;
  for (std::size_t l = 0; l < ws.size(); ++l) {
    const DenseMatrix jl = jacobian(block(ws[l]), h);
    if (l == 0) {
      const Vector z = matvec(ws[0], x0);
      for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) expected_block(i, j) += z[i] > 0 ? ws[0](i, j) : 0.0;
      report.check("AD: the Jacobian of x + relu(W x) is I + diag(1[W x > 0]) W", relative_distance(jl, expected_block) == 0.0, "");
    }
    product = matmul(jl, product);
    h = block(ws[l])(h);
  }
  const DenseMatrix j_network = jacobian(network, x0);
  report.check("AD: the depth-10 residual network's Jacobian = the product of its blocks' (I + D_l W_l)",
               relative_distance(j_network, product) < 1e-14, format("relative distance %.1e", relative_distance(j_network, product)));
  const double growth = std::log(s_residual[depth] / s_residual[10]) / (depth - 10);
  report.value("residual_log_growth_per_layer", "residual: log-growth of the norm per layer (layers 10-50)", growth, "%.4f");
  report.value("residual_mean_square_growth", "E||(I + J_F) x||^2 / ||x||^2 = 1 + s^2 d / 2", 1 + scale_f * scale_f * d / 2, "%.4f");
  report.note(format("the seed concludes that the residual network 'keeps the gradient norm near 1 even at depth 50'. It keeps "
                     "it from vanishing, but not near 1: E[(I + J_F)^T (I + J_F)] = (1 + s^2 d/2) I, so E||J x||^2 = "
                     "1.1125^L ||x||^2 exactly, an r.m.s. gain of 1.1125^25 = %.1f at depth 50; this draw's spectral norm is "
                     "%.1f (log-growth %.4f per layer). With larger blocks (s^2 d/2 of order 1) it explodes as the plain "
                     "product vanishes. Also, its comment says F(x) = W relu(x) while J_F = diag(mask) W is the Jacobian "
                     "of relu(W x) (that of W relu(x) is W diag(mask)).",
                     std::pow(1 + scale_f * scale_f * d / 2, depth / 2.0), s_residual[depth], growth));
  std::string data;
  for (std::size_t l = 0; l <= depth; ++l) data += format("%zu %.9e %.9e\n", l, s_plain[l], s_residual[l]);
  report.figure({.name = "q17_residual_vs_plain",
                 .title = "Spectral norm of the cumulative Jacobian: plain J_L⋯J_1 against residual ∏(I + J_F)",
                 .data = {{"q17_norms.dat", data}},
                 .script = semilog_script("q17_norms.dat", "Gradient norm through depth: plain vs residual", "Depth (layer)",
                                          "Spectral norm of cumulative Jacobian",
                                          {{"2", "Plain network (J = J_L⋯J_1)", "lines lw 2 lc rgb '#CC3311'"},
                                           {"3", "Residual network (J = ∏(I + J_F))", "lines lw 2 lc rgb '#009988'"}},
                                          "bottom left"),
                 .width = 900,
                 .height = 440});
}

void section_18(demo::Report& report) {
  report.section("Q18", "Section 18: condition number against the convergence rate of GD with the optimal step");
  const std::size_t n = 20, steps = 500;
  const std::array<double, 4> kappas{1, 5, 25, 100};
  Random random(0);
  std::vector<Vector> errors;
  for (const double kappa : kappas) {
    Vector eig(n);
    for (std::size_t i = 0; i < n; ++i) eig[i] = 1 + (kappa - 1) * i / (n - 1.0);
    const DenseMatrix q = random_orthogonal(n, random);
    DenseMatrix qd = q;
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) qd(i, j) *= eig[j];
    const DenseMatrix h = matmul(qd, q, Transpose::no, Transpose::yes);
    Vector g = random.gaussian_vector(n);
    scale(0.1, g);
    const Vector x0 = random.gaussian_vector(n);
    Vector x_star = CholeskyFactorization(h).solve(g);
    scale(-1.0, x_star);
    const double eta = 2 / (eig[0] + eig[n - 1]), rho = (kappa - 1) / (kappa + 1);
    const auto f = [&](const auto& x) { return 0.5 * dot(x, matvec(h, x)) + dot(g, x); };
    const OptimizeResult gd = gradient_descent(differentiable_objective(f), x0,
                                               {.atol = 1e-300, .max_iterations = static_cast<int>(steps),
                                                .line_search = LineSearchKind::fixed, .step_size = eta, .record_path = true});
    Vector e;
    for (const Vector& xk : gd.path) e.push_back(norm2_distance(xk, x_star));
    const std::size_t reached = std::find_if(e.begin(), e.end(), [](double v) { return v < 0.01; }) - e.begin();
    const int seed_theory = e[0] > 0.01 ? static_cast<int>(kappa * std::log(e[0] / 0.01)) : 0;
    const std::string k = format("kappa_%.0f", kappa);
    report.value("steps_" + k, format("κ=%3.0f: steps to ||x - x*|| < 0.01", kappa), static_cast<double>(reached), "%.0f");
    report.value("seed_theory_" + k, format("κ=%3.0f: the seed's 'theory' int(κ log(e_0 / 0.01))", kappa), seed_theory, "%.0f");
    if (kappa == 1) {
      report.check("κ = 1: η = 1/λ and H = I, one step lands on x* (1e-14 relative)", e[1] < 1e-14 * e[0], format("%.1e", e[1] / e[0]));
    } else {
      // ||I - η H||_2 = ρ: ||e_t|| <= ρ^t ||e_0||, and the rate, measured past the transient between
      // the first steps below 1e-3 e_0 and 1e-9 e_0, is ρ (the components on λ_min and λ_max).
      const double bound = std::ceil(std::log(e[0] / 0.01) / -std::log(rho));
      report.value("bound_" + k, format("κ=%3.0f: ceil(log(e_0 / 0.01) / log(1/ρ)) (the bound at rate ρ)", kappa), bound, "%.0f");
      report.check(format("κ = %.0f: steps <= the bound at rate ρ = %.4f", kappa, rho), reached <= bound, format("%zu <= %.0f", reached, bound));
      const auto first_below = [&](double level) {
        return static_cast<std::size_t>(std::find_if(e.begin(), e.end(), [&](double v) { return v < level * e[0]; }) - e.begin());
      };
      const std::size_t t1 = first_below(1e-3), t2 = std::min(first_below(1e-9), e.size() - 1);
      const double rate = std::pow(e[t2] / e[t1], 1.0 / (t2 - t1));
      report.value("rate_" + k, format("κ=%3.0f: measured contraction per step", kappa), rate, "%.4f");
      report.value("rho_" + k, format("κ=%3.0f: (κ - 1)/(κ + 1)", kappa), rho, "%.4f");
      report.check(format("κ = %.0f: the measured rate is (κ - 1)/(κ + 1) (within 1%%)", kappa), std::abs(rate / rho - 1) < 0.01,
                   format("%.4f against %.4f", rate, rho));
    }
    errors.push_back(std::move(e));
  }
  report.note("the seed's 'theory O(κ log(1/ε))' count κ log(e_0/ε) is the bound for the step 1/λ_max (rate 1 - 1/κ). "
              "With its optimal step 2/(λ_min + λ_max) the rate is (κ - 1)/(κ + 1) and the count log(e_0/ε) / log(1/ρ) "
              "≈ (κ/2) log(e_0/ε): half the seed's figure, and for κ = 1 (ρ = 0) a single step, where its count gives "
              "log(e_0/ε) (both printed above). The measured counts stay below log(e_0/ε) / log(1/ρ), since ||I - ηH||_2 = ρ.");
  std::string data;
  for (std::size_t t = 0; t <= steps; ++t) {
    data += format("%zu", t);
    for (const Vector& e : errors) data += t < e.size() && e[t] > 0 ? format(" %.9e", e[t]) : std::string(" NaN");
    data += "\n";
  }
  report.figure({.name = "q18_condition_number",
                 .title = "GD with the optimal step: ||x_t − x*|| for κ = 1, 5, 25, 100",
                 .data = {{"q18_errors.dat", data}},
                 .script = semilog_script("q18_errors.dat", "GD convergence rate vs condition number κ", "Gradient descent steps",
                                          "||x_t - x*|| (log scale)",
                                          {{"2", "κ=1, ρ=0.00", "lines lw 2 lc rgb 'forest-green'"},
                                           {"3", "κ=5, ρ=0.67", "lines lw 2 lc rgb 'blue'"},
                                           {"4", "κ=25, ρ=0.92", "lines lw 2 lc rgb 'orange'"},
                                           {"5", "κ=100, ρ=0.98", "lines lw 2 lc rgb 'red'"}},
                                          "outside right"),
                 .width = 900,
                 .height = 440});
}

void section_19(demo::Report& report) {
  report.section("Q19", "Section 19: the rank of a LoRA weight gradient (m = 64, n = 32, 100 samples)");
  const std::size_t m = 64, n = 32, samples = 100;
  Random random(42);
  const DenseMatrix x = gaussian_matrix(random, samples, n);
  const DenseMatrix delta = gaussian_matrix(random, samples, m, 0.1);
  // grad_W = (1/N) sum_i delta_i x_i^T: each term the AD gradient of delta_i^T W x_i, of rank 1.
  DenseMatrix grad_w(m, n, 0.0);
  std::vector<std::size_t> partial_ranks;
  for (std::size_t i = 0; i < samples; ++i) {
    const Vector xi = row(x, i), di = row(delta, i);
    const DenseMatrix gi = grad([&](const auto& w) { return dot(di, matvec(w, xi)); }, DenseMatrix(m, n, 0.0));
    if (i == 0) report.check("one sample's gradient delta x^T has rank 1", matrix_rank(gi) == 1, format("rank %zu", matrix_rank(gi)));
    axpy(1.0 / samples, gi.values(), grad_w.values());
    if (i + 1 == 8 || i + 1 == 16) partial_ranks.push_back(matrix_rank(grad_w));
  }
  const double gap = relative_distance(grad_w, [&] {
    DenseMatrix g = matmul(delta, x, Transpose::yes);
    scale(1.0 / samples, g.values());
    return g;
  }());
  report.check("the sum of the AD per-sample gradients is delta^T X / N", gap < 1e-14, format("relative distance %.1e", gap));
  report.check("a batch of k <= 32 samples gives rank k (k = 8, 16)", partial_ranks == std::vector<std::size_t>{8, 16}, "");
  const SvdResult s = svd(grad_w);
  const Vector& sv = s.singular_values;
  Vector cumulative(sv.size());
  double total = 0.0, running = 0.0;
  for (double v : sv) total += v * v;
  for (std::size_t i = 0; i < sv.size(); ++i) cumulative[i] = (running += sv[i] * sv[i]) / total;
  const auto rank_for = [&](double level) {
    return static_cast<std::size_t>(std::find_if(cumulative.begin(), cumulative.end(), [&](double c) { return c >= level; }) -
                                    cumulative.begin()) + 1;
  };
  const std::size_t r90 = rank_for(0.90), r99 = rank_for(0.99), rank = matrix_rank(grad_w);
  report.print(format("Weight gradient shape: (%zu, %zu)", m, n));
  report.value("rank", "Gradient matrix rank (matrix_rank; the seed prints min(m, n) = 32)", static_cast<double>(rank), "%.0f");
  report.check("the batch gradient has full rank min(m, n) = 32 (100 samples > 32)", rank == 32, format("rank %zu", rank));
  report.value("rank_90", "Rank for 90% energy", static_cast<double>(r90), "%.0f");
  report.value("rank_99", "Rank for 99% energy", static_cast<double>(r99), "%.0f");
  report.value("energy_rank_8", "energy captured by rank 8 (LoRA r = 8)", cumulative[7], "%.3f");
  report.value("sigma_ratio", "sigma_1 / sigma_32", sv[0] / sv[n - 1], "%.2f");
  // Eckart-Young: the best rank-8 approximation's error is the energy of the discarded singular values.
  DenseMatrix best8(m, n, 0.0);
  for (std::size_t k = 0; k < 8; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < m; ++i) best8(i, j) += s.u(i, k) * sv[k] * s.v(j, k);
  const double err8 = frobenius_distance(grad_w, best8) / norm2(grad_w.values());
  report.check("Eckart-Young: ||grad_W - (rank-8 SVD truncation)||_F^2 / ||grad_W||_F^2 = 1 - energy(8)",
               std::abs(err8 * err8 - (1 - cumulative[7])) < 1e-12, format("%.6f against %.6f", err8 * err8, 1 - cumulative[7]));
  report.note(format("the seed claims the gradient's effective rank is << min(m, n) and that 'LoRA with r=8 captures most of the "
                     "gradient update'. With its data (independent Gaussian x_i and deltas, 100 > 32 samples) the gradient is a "
                     "full-rank random matrix with a spread-out spectrum: rank 8 holds %.0f%% of the energy, 90%% needs r = %zu "
                     "and 99%% r = %zu of 32. A weight gradient is low-rank when the batch is small (rank <= batch size, checked "
                     "above) or when the deltas or inputs concentrate in a few directions, as in real fine-tuning; not here.",
                     100 * cumulative[7], r90, r99));
  std::string data;
  for (std::size_t i = 0; i < sv.size(); ++i) data += format("%zu %.9e %.9e\n", i, sv[i], cumulative[i]);
  report.figure({.name = "q19_lora_gradient",
                 .title = "Singular values of the weight gradient and their cumulative energy",
                 .data = {{"q19_sv.dat", data}},
                 .script = "set multiplot layout 1,2\nset grid\n"
                           "set xlabel 'Singular value index'; set ylabel 'Singular value'; set title 'Singular values of weight gradient'\n"
                           "set style fill solid 0.8; set boxwidth 0.8\nset xrange [-1:32]; set yrange [0:*]\n"
                           "plot 'q19_sv.dat' using 1:2 with boxes lc rgb 'steelblue' notitle\n"
                           "set xlabel 'Rank r'; set ylabel 'Cumulative energy captured'\nset xrange [0:33]\n"
                           "set title 'LoRA: cumulative energy of gradient singular values'\nset yrange [0:1.05]; set key bottom right\n"
                           "plot 'q19_sv.dat' using ($1 + 1):3 with linespoints pt 7 ps 0.6 lc rgb 'forest-green' title 'cumulative', \\\n"
                           "     0.9 with lines dt 2 lc rgb 'red' title '90% energy', \\\n"
                           "     0.99 with lines dt 2 lc rgb 'orange' title '99% energy'\n"
                           "unset multiplot\n",
                 .width = 1100,
                 .height = 420});
}

void section_20(demo::Report& report) {
  report.section("Q20", "Section 20: the Jacobian of x / ||x|| at x = [3, 4, 0]: (I - x̂x̂^T) / ||x||");
  const Vector x{3.0, 4.0, 0.0};
  const std::size_t n = x.size();
  const auto unit_norm = [](const auto& v) { return v / sqrt(dot(v, v)); };
  const double norm_x = norm2(x);
  DenseMatrix p = DenseMatrix::identity(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) p(i, j) -= x[i] * x[j] / (norm_x * norm_x);
  DenseMatrix j_ana = p;
  scale(1.0 / norm_x, j_ana.values());
  const DenseMatrix j_fd = finite_difference_jacobian(unit_norm, x, 1e-5);
  const DenseMatrix j_ad = jacobian(unit_norm, x);
  matrix(report, "jacobian_analytical", "Unit norm Jacobian (analytical)", j_ana);
  matrix(report, "jacobian_fd", "Unit norm Jacobian (FD)", j_fd);
  report.compare("j00", "J_00 = (1 - 0.36) / 5", j_ad(0, 0), "%.6f", "0.128000");
  report.compare("j01", "J_01 = -0.48 / 5", j_ad(0, 1), "%.6f", "-0.096000");
  report.compare("j11", "J_11 = (1 - 0.64) / 5", j_ad(1, 1), "%.6f", "0.072000");
  report.compare("j22", "J_22 = 1 / 5", j_ad(2, 2), "%.6f", "0.200000");
  report.check("analytic = finite differences (the seed's atol 1e-7)", allclose(j_ana.values(), j_fd.values(), 1e-7),
               format("relative distance %.1e", relative_distance(j_fd, j_ana)));
  report.check("the AD Jacobian equals the analytic one (1e-15)", relative_distance(j_ad, j_ana) < 1e-15,
               format("relative distance %.1e", relative_distance(j_ad, j_ana)));
  const Vector jx = matvec(j_ad, x);
  report.value("j_times_x", "J @ x (should be 0)", jx, "%.10f");
  report.check("null space: J x = 0 (the seed's atol 1e-10)", norm_inf(jx) < 1e-10, format("%.1e", norm_inf(jx)));
  report.check("P = I - x̂x̂^T is idempotent and symmetric, and J = P / ||x||",
               relative_distance(matmul(p, p), p) < 1e-15 && relative_distance(p, p.transposed()) == 0.0, "");
  // The spectrum: 0 on span{x}, 1/||x|| on its orthogonal complement; rank n - 1.
  const SymmetricEigenResult eig = symmetric_eigen(j_ad);
  report.value("eigenvalues", "eigenvalues of J (ascending)", eig.values, "%.6f");
  report.check("spectrum {0, 1/||x||, 1/||x||} (1e-15)",
               std::abs(eig.values[0]) < 1e-15 && std::abs(eig.values[1] - 0.2) < 1e-15 && std::abs(eig.values[2] - 0.2) < 1e-15, "");
  report.check("rank n - 1 = 2: the null space is one-dimensional", matrix_rank(j_ad) == n - 1, format("rank %zu", matrix_rank(j_ad)));
  double alignment = 0.0;
  for (std::size_t i = 0; i < n; ++i) alignment += eig.vectors(i, 0) * x[i] / norm_x;
  report.check("the null eigenvector is ±x̂", std::abs(std::abs(alignment) - 1) < 1e-15, format("|<v_0, x̂>| = %.16f", std::abs(alignment)));
  // A JVP along x vanishes (scaling x does not move x/||x||); a VJP is J u (J is symmetric).
  const Vector u{1.0, -2.0, 0.5};
  report.check("JVP along x is 0 and the VJP J^T u equals J u (J symmetric)",
               norm_inf(jvp(unit_norm, x, x).tangent) < 1e-15 && distance(vjp(unit_norm, x).pullback(u), matvec(j_ana, u)) < 1e-15, "");
}

void section_21(demo::Report& report) {
  report.section("Q21", "Section 21: power iteration with Hessian-vector products (n = 15, 40 iterations)");
  const std::size_t n = 15;
  const int iterations = 40;
  Random random(42);
  const DenseMatrix a = gaussian_matrix(random, n, n);
  const DenseMatrix h = shifted(matmul(a, a, Transpose::yes), 1.0);
  const auto f = [h](const auto& x) { return 0.5 * dot(x, matvec(h, x)); };
  const Vector eig = symmetric_eigen(h).values;
  const double true_lambda = eig[n - 1];
  Vector v0 = random.gaussian_vector(n);
  scale(1.0 / norm2(v0), v0);
  // HVPs by forward-over-reverse, 40 products, the Rayleigh quotient v_k^T H v_k of each kept.
  const PowerIterationResult power =
      power_iteration(hessian_operator(f, Vector(n, 0.0)), {.rtol = 0.0, .atol = 0.0, .max_iterations = iterations, .x0 = v0});
  const Vector& est = power.eigenvalue_history;
  report.value("true_lambda_max", "True lambda_max (symmetric_eigen)", true_lambda, "%.6f");
  report.value("estimate_10", "After 10 iterations", est[9], "%.6f");
  report.value("estimate_20", "After 20 iterations", est[19], "%.6f");
  report.value("estimate_40", "After 40 iterations", est[39], "%.6f");
  report.value("lambda_ratio", "lambda_2 / lambda_max (the convergence ratio)", eig[n - 2] / true_lambda, "%.4f");
  report.check("|estimate_40 - lambda_max| < 0.01 (the seed's test)", std::abs(est[39] - true_lambda) < 0.01,
               format("%.2e", std::abs(est[39] - true_lambda)));
  const double ratio = eig[n - 2] / true_lambda, e10 = true_lambda - est[9], e20 = true_lambda - est[19];
  report.check("the Rayleigh quotient error falls at least like (lambda_2/lambda_1)^2 per step, from step 10 to 20",
               e20 <= 1.5 * e10 * std::pow(ratio, 20) + 1e-12 * true_lambda,
               format("error %.2e at 10, %.2e at 20, bound %.2e", e10, e20, e10 * std::pow(ratio, 20)));
  // The seed's HVP: central differences (h = 1e-4) of a central-difference gradient (h = 1e-4).
  const auto fd_gradient = [&](const Vector& x) { return finite_difference_gradient(f, x, 1e-4); };
  const Vector hv_fd = finite_difference_hvp(fd_gradient, Vector(n, 0.0), v0, 1e-4);
  report.check("the seed's finite-difference HVP matches the AD HVP (1e-6 relative)", distance(hv_fd, hvp(f, Vector(n, 0.0), v0)) < 1e-6,
               format("relative distance %.1e", distance(hv_fd, hvp(f, Vector(n, 0.0), v0))));
  report.value("operator_products", "HVPs used by power_iteration", power.operator_products, "%.0f");
  report.note(format("the seed prints 'Cost: 40 iterations × 2 HVPs = 80 backward passes'. Each iteration is one HVP (%d in all). "
                     "Its hvp_fd is two finite-difference gradients of 2n = 30 evaluations of f each: 60 evaluations of f per "
                     "HVP, 2400 in all, and no backward pass. By forward-over-reverse (hessian_operator) one HVP is one "
                     "recording of f on dual numbers and one reverse pass, a few times the cost of a gradient.",
                     power.operator_products));
  std::string data;
  for (std::size_t k = 0; k < est.size(); ++k) data += format("%zu %.12e\n", k, est[k]);
  report.figure({.name = "q21_power_iteration",
                 .title = "Power iteration with HVPs: the Rayleigh-quotient estimate of λ_max per iteration",
                 .data = {{"q21_estimates.dat", data}},
                 .script = format("set grid\nset xlabel 'Iteration'; set ylabel 'λ_{max} estimate'\n"
                                  "set title 'Power iteration convergence for λ_{max}(H)'\nset key bottom right\n"
                                  "plot 'q21_estimates.dat' using 1:2 with linespoints pt 7 ps 0.6 lc rgb 'blue' title 'Power iteration estimate', \\\n"
                                  "     %.9e with lines dt 2 lw 2 lc rgb 'red' title 'True λ_{max} = %.4f'\n",
                                  true_lambda, true_lambda),
                 .width = 800,
                 .height = 440});
}

}  // namespace

void jh_theory::curvature_sections(demo::Report& report) {
  section_14(report);
  section_15(report);
  section_16(report);
  section_17(report);
  section_18(report);
  section_19(report);
  section_20(report);
  section_21(report);
}
