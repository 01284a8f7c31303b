#pragma once
/// \file
/// Derivatives of an implicit function x*(theta), defined by F(x*(theta), theta) = 0 with F_x =
/// dF/dx invertible at the root, by the implicit function theorem: differentiating F(x*, theta) = 0
/// gives F_x dx + F_theta dtheta = 0, so
///     implicit_jvp:  dx = -F_x^{-1} (F_theta dtheta)
///     implicit_vjp:  theta_bar = F_theta^T w   with   F_x^T w = -x_bar,
/// each one linear solve with F_x or F_x^T at the root, never a differentiation through the
/// iterations that found it. root_find(f, x0, theta) makes the root a primitive of the AD layer, so
/// that grad, vjp and jvp of a function written through x*(theta) use these rules, and hvp their
/// derivative (the second-order rule at root_find).
///
/// F is written once as a generic callable f(x, theta) of two vectors (`const auto&` parameters):
/// the library calls it with either argument a DualVector or TapeVector and the other a Vector.
///
/// Reference: S. G. Krantz and H. R. Parks, "The Implicit Function Theorem", Birkhauser 2002; for
/// the adjoint in automatic differentiation, B. Christianson, "Reverse accumulation and attractive
/// fixed points", Optim. Methods Softw. 3(4), 1994, and M. Blondel et al., "Efficient and modular
/// implicit differentiation", NeurIPS 2022.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "frechet/ad/custom_rule.hpp"
#include "frechet/ad/transforms.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/implicit_operators.hpp"

namespace frechet {

/// How implicit derivatives solve with F_x and F_x^T.
struct ImplicitOptions {
  /// dense_lu: F_x formed by the AD layer (n pullbacks of one recording) and factored once; every
  /// jvp and vjp of a linearization is then two triangular solves. sparse_lu, sparse_cholesky: F_x in
  /// CSR by colouring jacobian_pattern (one JVP per colour and one to verify) and factored once by
  /// UMFPACK or CHOLMOD; every product is then one sparse solve (the LU's transposed solve
  /// backward). gmres: F_x as the Jacobian operator (F_x v by a JVP, F_x^T u by a VJP of a tape
  /// recorded once), one GMRES solve per product.
  NewtonLinearSolver linear_solver = NewtonLinearSolver::dense_lu;
  // ---- sparse_lu and sparse_cholesky only (required there) ----
  /// The structure of F_x, n x n (values ignored), as NewtonOptions::jacobian_pattern.
  std::shared_ptr<const CsrMatrix> jacobian_pattern{};
  // ---- gmres only ----
  /// GMRES stopping rule per solve: ||b - A y|| <= max(rtol ||b||, atol), A = F_x or F_x^T.
  double rtol = 1e-10;
  double atol = 0.0;
  std::optional<int> max_iterations{};  ///< GMRES iterations per solve; unset: GMRES's default
  int restart = 30;                     ///< GMRES(m) cycle length
  /// M^{-1} ~ F_x^{-1}, applied on the right in the forward solves; the adjoint solves use its
  /// adjoint M^{-T} (apply_adjoint), so the backward solve is preconditioned as well as the forward.
  /// NewtonResult::preconditioner, the forward solve's last factors or preconditioner, is the one to
  /// give: with a sparse direct Newton's kept factors each product takes one or two iterations.
  OperatorPtr preconditioner{};
};

namespace detail {
/// One direction's memory of a sequence of Krylov solves with the same matrix: the last right-hand
/// side c_prev and solution y_prev. The next solve, with right-hand side c, starts from
///     y_0 = alpha y_prev,   alpha = <c, c_prev> / ||c_prev||^2,
/// which minimises ||c - alpha c_prev|| and so ||c - A y_0|| up to the previous solve's residual: a
/// repeated (or parallel) right-hand side starts at its answer, an orthogonal one from zero, and no
/// start is worse than zero by more than the previous solve's residual. Used by ImplicitLinearization
/// and by sparse_solve's and sparse_lstsq's Krylov paths.
struct KrylovWarmStart {
  Vector rhs, solution;
  /// The start for right-hand side c: alpha y_prev, or empty (zero) before the first solve or when
  /// alpha is 0.
  Vector start(ConstVectorView c) const;
  /// Remembers a converged solve's right-hand side and solution.
  void remember(ConstVectorView c, Vector y);
  std::size_t bytes() const noexcept { return (rhs.capacity() + solution.capacity()) * sizeof(double); }
};
}  // namespace detail

/// F linearised at a root (x*, theta): F_x factored (dense_lu) or as an operator (gmres), and
/// F_theta's JVP and VJP (the latter a tape recorded once). Made by implicit_linearization; apply
/// jvp and vjp as often as needed at the cost of one solve each. With gmres, each direction (the
/// solves with F_x, those with F_x^T) starts from its previous solution scaled to the new right-hand
/// side (detail::KrylovWarmStart), so a repeated product costs one residual. Not for concurrent calls
/// (the products reuse tapes and the warm starts).
class ImplicitLinearization {
public:
  /// The parts, as implicit_linearization assembles them from f.
  struct Parts {
    std::size_t state_size = 0;      ///< n, the size of x
    std::size_t parameter_size = 0;  ///< p, the size of theta
    double residual_norm = 0.0;      ///< ||F(x*, theta)||_2 at the linearization point
    std::optional<LuFactorization> lu;            ///< dense_lu: F_x factored
    OperatorPtr jacobian_x_inverse;               ///< sparse_lu, sparse_cholesky: F_x^{-1} by its sparse factors
    OperatorPtr jacobian_x;                       ///< gmres: F_x as an operator
    std::function<Vector(ConstVectorView)> theta_jvp;  ///< dtheta -> F_theta dtheta
    std::function<Vector(ConstVectorView)> theta_vjp;  ///< w -> F_theta^T w
    std::size_t theta_tape_bytes = 0;  ///< the memory_bytes() of the tape theta_vjp pulls back
    ImplicitOptions options;
  };
  explicit ImplicitLinearization(Parts parts);

  /// dx = -F_x^{-1} F_theta dtheta. Throws ShapeError if dtheta does not have p entries and
  /// NumericalError if the GMRES solve does not converge (naming its reason and residual).
  Vector jvp(ConstVectorView theta_dot) const;
  /// theta_bar = F_theta^T w with F_x^T w = -x_bar. Throws as jvp.
  Vector vjp(ConstVectorView x_bar) const;
  /// dx = -F_x^{-1} b for a given b = F_theta dtheta (the solve alone, for callers that have b).
  Vector solve(ConstVectorView b) const;
  /// w = -F_x^{-T} x_bar (the adjoint solve alone).
  Vector solve_adjoint(ConstVectorView x_bar) const;
  /// F_theta^T w (the product alone, for callers that solved for w). Throws ShapeError if w does not
  /// have n entries.
  Vector theta_vjp(ConstVectorView w) const;

  std::size_t state_size() const noexcept { return parts_.state_size; }
  std::size_t parameter_size() const noexcept { return parts_.parameter_size; }
  /// ||F(x*, theta)||_2: how far the linearization point is from a root (the derivatives are those
  /// of the implicit function only insofar as this is small).
  double residual_norm() const noexcept { return parts_.residual_norm; }
  /// GMRES iterations over every solve so far (0 for the direct solvers).
  int linear_iterations() const noexcept { return linear_iterations_; }
  /// Bytes the linearization keeps: F_x's dense LU or sparse factors, F_theta's tape, the warm starts
  /// and itself (not the Jacobian operator of gmres, whose tape an operator does not report).
  std::size_t memory_bytes() const noexcept;

private:
  Parts parts_;
  mutable int linear_iterations_ = 0;
  mutable detail::KrylovWarmStart forward_start_, adjoint_start_;  // gmres only
};

namespace detail {
/// Throws ArgumentError for options the linear solver does not use or values out of range.
void check_implicit_options(const char* what, const ImplicitOptions& options);
/// A^{-1} by UMFPACK (sparse_lu) or CHOLMOD (sparse_cholesky) as an operator (apply_adjoint solves
/// with A^T); the factorizations' errors.
OperatorPtr sparse_inverse(const CsrMatrix& a, NewtonLinearSolver solver);
/// The bytes an operator from the preconditioner layer keeps: a sparse LU or Cholesky
/// factorization's memory_bytes(), an ILU(0)/ILUT or IC(0) factor's bytes(); 0 for any other operator
/// (or null), whose memory an operator does not report.
std::size_t preconditioner_bytes(const OperatorPtr& m);
}  // namespace detail

/// Linearises F at (x_star, theta): the Jacobian F_x in the form options.linear_solver needs, and
/// F_theta's products. Throws ShapeError if f(x_star, theta) does not have x_star's size or the
/// pattern is not n x n, NumericalError if F_x is singular (an exactly zero pivot: x*(theta) is then
/// not differentiable by the theorem) or, for sparse_cholesky, not positive definite, ArgumentError
/// for bad options or a pattern that misses a nonzero. f is copied into the linearization.
template <class F>
ImplicitLinearization implicit_linearization(F f, const Vector& x_star, const Vector& theta,
                                             const ImplicitOptions& options = {}) {
  detail::check_implicit_options("implicit_linearization", options);
  ImplicitLinearization::Parts parts;
  parts.state_size = x_star.size();
  parts.parameter_size = theta.size();
  parts.options = options;
  auto shared = std::make_shared<F>(std::move(f));
  const Vector value(detail::plain_output((*shared)(x_star, theta)));
  check_size("implicit_linearization: size of f(x_star, theta) (F must map R^n to R^n)", x_star.size(), value.size());
  parts.residual_norm = norm2(value);

  auto of_x = [shared, theta](const auto& x) { return (*shared)(x, theta); };
  if (options.linear_solver == NewtonLinearSolver::dense_lu) {
    parts.lu.emplace(jacobian(of_x, x_star, {.mode = JacobianMode::reverse}));
  } else if (options.linear_solver != NewtonLinearSolver::gmres) {
    const CsrMatrix& pattern = *options.jacobian_pattern;
    check_size("implicit_linearization: rows of jacobian_pattern (the size of x_star)", x_star.size(), pattern.rows());
    const CsrMatrix j = sparse_jacobian(of_x, x_star, pattern, column_coloring(pattern));
    parts.jacobian_x_inverse = detail::sparse_inverse(j, options.linear_solver);
  } else {
    parts.jacobian_x = jacobian_operator(of_x, x_star);
  }
  parts.theta_jvp = [shared, x_star, theta](ConstVectorView v) {
    auto of_theta = [&](const auto& t) { return (*shared)(x_star, t); };
    return Vector(jvp(of_theta, theta, Vector(v.begin(), v.end())).tangent);
  };
  auto pullback = vjp([shared, x_star](const auto& t) { return (*shared)(x_star, t); }, theta).pullback;
  parts.theta_tape_bytes = pullback.tape_bytes();
  parts.theta_vjp = [pullback = std::move(pullback)](ConstVectorView w) { return Vector(pullback(w)); };
  return ImplicitLinearization(std::move(parts));
}

/// dx*/dtheta applied to theta_dot, at a root x_star of f(., theta): one linearization, one solve.
template <class F>
Vector implicit_jvp(F f, const Vector& x_star, const Vector& theta, ConstVectorView theta_dot,
                    const ImplicitOptions& options = {}) {
  return implicit_linearization(std::move(f), x_star, theta, options).jvp(theta_dot);
}

/// (dx*/dtheta)^T x_bar, at a root x_star of f(., theta): one linearization, one adjoint solve.
template <class F>
Vector implicit_vjp(F f, const Vector& x_star, const Vector& theta, ConstVectorView x_bar,
                    const ImplicitOptions& options = {}) {
  return implicit_linearization(std::move(f), x_star, theta, options).vjp(x_bar);
}

namespace detail {

/// What the root primitive keeps for its derivatives: the linearization, made at the first
/// derivative request and shared by the later ones (a jacobian() through the root pulls back m
/// times).
struct RootSaved {
  std::shared_ptr<std::optional<ImplicitLinearization>> linearization;
  /// The forward solve's NewtonResult::preconditioner, for gmres derivatives not given one.
  OperatorPtr forward_preconditioner;
  std::size_t forward_preconditioner_bytes = 0;  ///< its preconditioner_bytes()
  /// For Tape::memory_bytes: this struct, the forward solve's kept preconditioner, and the
  /// linearization once a derivative has made it.
  std::size_t bytes() const noexcept {
    return sizeof(*this) + forward_preconditioner_bytes +
           (linearization && *linearization ? sizeof(std::optional<ImplicitLinearization>) + (*linearization)->memory_bytes() : 0);
  }
};

[[noreturn]] void throw_not_converged(const NewtonResult& result);

}  // namespace detail

/// x*(theta), the root of f(., theta) found by root_find(f(., theta), x0, newton), as a primitive
/// of the AD layer: theta may be a Vector (the root as a Vector), a DualVector (jvp: the tangent
/// by implicit_jvp) or a TapeVector (grad, vjp: one node whose pullback is implicit_vjp), so a loss
/// written through the root is differentiated without unrolling the Newton iterations. The
/// derivatives linearise f at the root once (see ImplicitOptions) and reuse it for every product;
/// with implicit.linear_solver = gmres and no preconditioner they are preconditioned by the forward
/// solve's (NewtonResult::preconditioner: a sparse direct Newton's kept factors, or Newton-Krylov's
/// last preconditioner), so the adjoint reuses what the forward solve built.
/// Throws NumericalError if the Newton iteration does not converge, naming its reason: a
/// derivative there would be that of a wrong point (call root_find(f, x0, options) for a result
/// with the reason instead).
///
/// Second order: under hvp (theta a TapeVector<Dual<double>>) the root carries its tangent
/// dx = implicit_jvp(dtheta), and the pullback of (x_bar, x_bar_dot) differentiates the adjoint
/// theta_bar = F_theta^T w, F_x^T w = -x_bar, along (dx, dtheta):
///     h = D^2 <w, F>(x*, theta)[(dx, dtheta)]          (one HVP of the scalar <w, F>, split (h_x, h_theta))
///     F_x^T w_dot = -(x_bar_dot + h_x),   theta_bar_dot = F_theta^T w_dot + h_theta,
/// two adjoint solves with the same linearization and no second derivative matrix, so the Hessian of
/// a reduced objective L(x*(theta)) costs a Newton solve and three linear solves per product. f is
/// then also called with both arguments TapeVector<Dual<double>>.
template <class F, class Theta>
  requires(!std::is_same_v<std::remove_cvref_t<Theta>, NewtonOptions>)
auto root_find(F f, const Vector& x0, const Theta& theta, const NewtonOptions& newton = {},
               const ImplicitOptions& implicit = {}) {
  detail::check_implicit_options("root_find", implicit);
  auto shared = std::make_shared<F>(std::move(f));
  auto rule = std::make_shared<CustomRule<detail::RootSaved>>();
  rule->name = "root_find";
  rule->primal = [shared, x0, newton](CustomInputs in, detail::RootSaved& saved) {
    const Vector t(in[0].begin(), in[0].end());
    const NewtonResult r = root_find([&](const auto& x) { return (*shared)(x, t); }, x0, newton);
    if (!r.converged) detail::throw_not_converged(r);
    saved.linearization = std::make_shared<std::optional<ImplicitLinearization>>();
    saved.forward_preconditioner = r.preconditioner;
    saved.forward_preconditioner_bytes = detail::preconditioner_bytes(r.preconditioner);
    return r.x;
  };
  const auto linearized = [shared, implicit](CustomInputs in, ConstVectorView x, const detail::RootSaved& saved)
      -> const ImplicitLinearization& {
    if (!*saved.linearization) {
      ImplicitOptions options = implicit;
      if (options.linear_solver == NewtonLinearSolver::gmres && !options.preconditioner)
        options.preconditioner = saved.forward_preconditioner;
      saved.linearization->emplace(implicit_linearization([shared](const auto& y, const auto& t) { return (*shared)(y, t); },
                                                          Vector(x.begin(), x.end()), Vector(in[0].begin(), in[0].end()),
                                                          options));
    }
    return **saved.linearization;
  };
  rule->jvp = [linearized](CustomInputs in, ConstVectorView x, const detail::RootSaved& saved, CustomInputs dtheta) {
    return linearized(in, x, saved).jvp(dtheta[0]);
  };
  rule->vjp = [linearized](CustomInputs in, ConstVectorView x, const detail::RootSaved& saved, ConstVectorView x_bar,
                           CustomCotangents theta_bar) {
    if (theta_bar[0].empty()) return;
    axpy(1.0, linearized(in, x, saved).vjp(x_bar), theta_bar[0]);
  };
  rule->vjp_second_order = [shared, linearized](CustomInputs in, CustomInputs dtheta, ConstVectorView x,
                                                 ConstVectorView dx, const detail::RootSaved& saved,
                                                 ConstVectorView x_bar, ConstVectorView x_bar_dot,
                                                 CustomCotangents theta_bar, CustomCotangents theta_bar_dot) {
    if (theta_bar[0].empty()) return;
    const ImplicitLinearization& lin = linearized(in, x, saved);
    const Vector w = lin.solve_adjoint(x_bar);
    axpy(1.0, lin.theta_vjp(w), theta_bar[0]);
    // The derivative of F_x^T w and F_theta^T w along the curve (x*(theta), theta): both blocks of
    // one Hessian-vector product of the scalar <w, F(x, theta)> in the direction (dx, dtheta).
    const auto [h_x, h_theta] = hvp(
        [&](const auto& y, const auto& t) { return dot(detail::tape_output<Dual<double>>((*shared)(y, t)), w); },
        std::tuple<Vector, Vector>{Vector(x.begin(), x.end()), Vector(in[0].begin(), in[0].end())},
        std::tuple<Vector, Vector>{Vector(dx.begin(), dx.end()), Vector(dtheta[0].begin(), dtheta[0].end())});
    Vector rhs(x_bar_dot.begin(), x_bar_dot.end());
    axpy(1.0, h_x, rhs);
    axpy(1.0, lin.theta_vjp(lin.solve_adjoint(rhs)), theta_bar_dot[0]);
    axpy(1.0, h_theta, theta_bar_dot[0]);
  };
  return apply_custom(std::shared_ptr<const CustomRule<detail::RootSaved>>(std::move(rule)), theta);
}

}  // namespace frechet
