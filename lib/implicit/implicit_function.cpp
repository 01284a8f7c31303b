#include "frechet/implicit/implicit_function.hpp"

#include <cmath>
#include <sstream>

#include "frechet/core/blas1.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"

namespace frechet {
namespace {

// One GMRES solve of a y = b with the linearization's options, warm-started from the direction's
// previous solve; a solve that does not converge throws, since a derivative from it would be
// silently wrong.
Vector checked_gmres(const char* what, const OperatorPtr& a, ConstVectorView b, const ImplicitOptions& o,
                     const OperatorPtr& preconditioner, detail::KrylovWarmStart& warm, int& iterations) {
  SolveResult r = gmres(a, b, {.rtol = o.rtol, .atol = o.atol, .max_iterations = o.max_iterations, .x0 = warm.start(b),
                               .preconditioner = preconditioner, .restart = o.restart});
  iterations += r.iterations;
  if (!r.converged) {
    std::ostringstream s;
    s << what << ": GMRES did not converge (" << reason_name(r.reason) << " after " << r.iterations
      << " iterations, relative residual " << (r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm)
      << "); raise max_iterations or restart, loosen rtol, or give a preconditioner";
    throw NumericalError(s.str());
  }
  warm.remember(b, r.x);
  return std::move(r.x);
}

}  // namespace

namespace detail {

Vector KrylovWarmStart::start(ConstVectorView c) const {
  if (rhs.empty()) return {};
  const double previous = frechet::dot(rhs, rhs);
  const double alpha = previous > 0 ? frechet::dot(c, rhs) / previous : 0.0;
  if (alpha == 0.0 || !std::isfinite(alpha)) return {};
  Vector x0 = solution;
  frechet::scale(alpha, x0);
  return x0;
}

void KrylovWarmStart::remember(ConstVectorView c, Vector y) {
  rhs.assign(c.begin(), c.end());
  solution = std::move(y);
}

void check_implicit_options(const char* what, const ImplicitOptions& o) {
  const std::string w(what);
  const bool sparse = o.linear_solver == NewtonLinearSolver::sparse_lu || o.linear_solver == NewtonLinearSolver::sparse_cholesky;
  if (sparse && !o.jacobian_pattern)
    throw ArgumentError(w + ": linear_solver = sparse_lu or sparse_cholesky needs jacobian_pattern, the structure of F_x");
  if (!sparse && o.jacobian_pattern)
    throw ArgumentError(w + ": jacobian_pattern is used by linear_solver = sparse_lu and sparse_cholesky only");
  if (o.linear_solver == NewtonLinearSolver::gmres) {
    if (!std::isfinite(o.rtol) || o.rtol < 0 || !std::isfinite(o.atol) || o.atol < 0)
      throw ArgumentError(w + ": rtol and atol must be finite and >= 0, got rtol = " + std::to_string(o.rtol) +
                          ", atol = " + std::to_string(o.atol));
    if (o.rtol == 0 && o.atol == 0) throw ArgumentError(w + ": rtol and atol are both 0; at least one must be > 0");
    if (o.max_iterations && *o.max_iterations < 0)
      throw ArgumentError(w + ": max_iterations must be >= 0, got " + std::to_string(*o.max_iterations));
    if (o.restart < 1) throw ArgumentError(w + ": restart must be >= 1, got " + std::to_string(o.restart));
    return;
  }
  const ImplicitOptions defaults;
  const char* unused = nullptr;
  if (o.rtol != defaults.rtol) unused = "rtol";
  if (o.atol != defaults.atol) unused = "atol";
  if (o.max_iterations) unused = "max_iterations";
  if (o.restart != defaults.restart) unused = "restart";
  if (o.preconditioner) unused = "preconditioner";
  if (unused != nullptr)
    throw ArgumentError(w + ": " + unused + " is used by linear_solver = gmres only; leave it at its default with a direct solver");
}

OperatorPtr sparse_inverse(const CsrMatrix& a, NewtonLinearSolver solver) {
  if (solver == NewtonLinearSolver::sparse_cholesky) return sparse_cholesky_preconditioner(a);
  return sparse_lu_preconditioner(a);
}

std::size_t preconditioner_bytes(const OperatorPtr& m) {
  if (const auto* lu = dynamic_cast<const SparseLuPreconditioner*>(m.get())) return lu->factorization().memory_bytes();
  if (const auto* llt = dynamic_cast<const SparseCholeskyPreconditioner*>(m.get())) return llt->factorization().memory_bytes();
  if (const auto* ilu = dynamic_cast<const IncompleteLuPreconditioner*>(m.get())) return ilu->bytes();
  if (const auto* ic = dynamic_cast<const Ic0Preconditioner*>(m.get())) return ic->bytes();
  return 0;
}

void throw_not_converged(const NewtonResult& r) {
  std::ostringstream s;
  s << "root_find: the Newton iteration did not converge (" << reason_name(r.reason) << " at iteration "
    << r.iterations << ", ||F(x)|| = " << r.residual_norm << " from " << r.initial_residual_norm
    << "); the root and its derivatives would be those of a wrong point. Call root_find(f, x0, options) "
       "without theta for the full result, or adjust x0 and the options";
  throw NumericalError(s.str());
}

}  // namespace detail

ImplicitLinearization::ImplicitLinearization(Parts parts) : parts_(std::move(parts)) {
  const NewtonLinearSolver solver = parts_.options.linear_solver;
  const bool has_x_part = solver == NewtonLinearSolver::dense_lu ? parts_.lu.has_value()
                          : solver == NewtonLinearSolver::gmres  ? parts_.jacobian_x != nullptr
                                                                 : parts_.jacobian_x_inverse != nullptr;
  if (!has_x_part)
    throw ArgumentError("ImplicitLinearization: the parts lack F_x in the form the linear solver needs");
  if (!parts_.theta_jvp || !parts_.theta_vjp)
    throw ArgumentError("ImplicitLinearization: the parts lack F_theta's products");
}

Vector ImplicitLinearization::solve(ConstVectorView b) const {
  check_size("ImplicitLinearization::solve: size of b", parts_.state_size, b.size());
  Vector dx;
  if (parts_.lu) {
    dx = parts_.lu->solve(b);
  } else if (parts_.jacobian_x_inverse) {
    dx = parts_.jacobian_x_inverse->apply(b);
  } else {
    dx = checked_gmres("implicit_jvp", parts_.jacobian_x, b, parts_.options, parts_.options.preconditioner, forward_start_,
                       linear_iterations_);
  }
  scale(-1.0, dx);
  return dx;
}

Vector ImplicitLinearization::solve_adjoint(ConstVectorView x_bar) const {
  check_size("implicit_vjp: size of x_bar", parts_.state_size, x_bar.size());
  Vector w;
  if (parts_.lu) {
    w = parts_.lu->solve_transpose(x_bar);
  } else if (parts_.jacobian_x_inverse) {
    w = parts_.jacobian_x_inverse->apply_adjoint(x_bar);
  } else {
    const OperatorPtr& m = parts_.options.preconditioner;
    w = checked_gmres("implicit_vjp", transposed(parts_.jacobian_x), x_bar, parts_.options,
                      m ? transposed(m) : OperatorPtr(), adjoint_start_, linear_iterations_);
  }
  scale(-1.0, w);
  return w;
}

std::size_t ImplicitLinearization::memory_bytes() const noexcept {
  const std::size_t n = parts_.state_size;
  std::size_t bytes = sizeof(*this) + parts_.theta_tape_bytes + detail::preconditioner_bytes(parts_.jacobian_x_inverse) +
                      forward_start_.bytes() + adjoint_start_.bytes();
  if (parts_.lu) bytes += n * n * sizeof(double) + n * sizeof(int);  // the LU factors and the pivots
  return bytes;
}

Vector ImplicitLinearization::jvp(ConstVectorView theta_dot) const {
  check_size("implicit_jvp: size of theta_dot", parts_.parameter_size, theta_dot.size());
  return solve(parts_.theta_jvp(theta_dot));
}

Vector ImplicitLinearization::vjp(ConstVectorView x_bar) const { return theta_vjp(solve_adjoint(x_bar)); }

Vector ImplicitLinearization::theta_vjp(ConstVectorView w) const {
  check_size("ImplicitLinearization::theta_vjp: size of w", parts_.state_size, w.size());
  return parts_.theta_vjp(w);
}

}  // namespace frechet
