#pragma once
// Helpers of the krylov test suites: a dense operator, a Jacobi preconditioner, an operator that
// turns non-finite on request, generated problems, and one entry point for every linear solver.

#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <memory>
#include <optional>
#include <string>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/krylov/bicgstab.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/krylov/lsmr.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "frechet/krylov/minres.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "test_support.hpp"

namespace frechet {
// So that Boost.Test can print a Reason in a failed BOOST_TEST (found by argument-dependent lookup).
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << reason_name(reason); }
}  // namespace frechet

namespace frechet::testing {

/// A DenseMatrix as a LinearOperator (the library's own dense operator lives in linop/operators.hpp).
class DenseTestOperator final : public LinearOperator {
public:
  explicit DenseTestOperator(DenseMatrix a, OperatorTraits traits = {})
      : LinearOperator(a.rows(), a.cols(), traits), a_(std::move(a)) {}
  const DenseMatrix& matrix() const { return a_; }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    gemv(1.0, a_, Transpose::no, x, 0.0, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    gemv(1.0, a_, Transpose::yes, x, 0.0, y);
  }
  DenseMatrix a_;
};

/// y = d .* x: a diagonal operator (Jacobi preconditioner when d = 1 / diag(A)).
class DiagonalTestOperator final : public LinearOperator {
public:
  explicit DiagonalTestOperator(Vector d)
      : LinearOperator(d.size(), d.size(), {.symmetric = true}), d_(std::move(d)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    for (std::size_t i = 0; i < d_.size(); ++i) y[i] = d_[i] * x[i];
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }
  Vector d_;
};

/// The Jacobi preconditioner M^{-1} = diag(1 / a_ii).
inline OperatorPtr jacobi_inverse(ConstVectorView diagonal) {
  Vector inv(diagonal.size());
  for (std::size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / diagonal[i];
  return std::make_shared<DiagonalTestOperator>(std::move(inv));
}

/// Wraps an operator and returns NaN from its `poison_after`-th product on (counting both apply and
/// apply_adjoint): a stand-in for a matrix-free operator that overflows. Test-only mutable state.
class PoisonedOperator final : public LinearOperator {
public:
  PoisonedOperator(const LinearOperator& inner, int poison_after)
      : LinearOperator(inner.rows(), inner.cols(), inner.traits()), inner_(inner), left_(poison_after) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    inner_.apply(x, y);
    poison(y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    inner_.apply_adjoint(x, y);
    poison(y);
  }
  void poison(VectorView y) const {
    if (left_-- <= 0) y[y.size() / 2] = std::numeric_limits<double>::quiet_NaN();
  }
  const LinearOperator& inner_;
  mutable int left_;
};

/// Q diag(eigenvalues) Q^T with a random orthogonal Q.
inline DenseMatrix with_spectrum(ConstVectorView eigenvalues, Random& rng) {
  const std::size_t n = eigenvalues.size();
  const auto eig = symmetric_eigen(random_spd(n, rng));  // its eigenvectors: a random orthogonal Q
  DenseMatrix qd = eig.vectors;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) qd(i, j) *= eigenvalues[j];
  DenseMatrix a = matmul(qd, eig.vectors, Transpose::no, Transpose::yes);
  for (std::size_t j = 0; j < n; ++j)  // exact symmetry, so Lanczos sees a symmetric matrix
    for (std::size_t i = j + 1; i < n; ++i) a(j, i) = a(i, j);
  return a;
}

/// c I + G / sqrt(n) with G Gaussian: nonsymmetric, eigenvalues in the disc |z - c| <~ 1.
inline DenseMatrix random_nonsymmetric(std::size_t n, double c, Random& rng) {
  DenseMatrix a = random_dense(n, n, rng);
  const double s = 1.0 / std::sqrt(static_cast<double>(n));
  for (double& v : a.values()) v *= s;
  for (std::size_t i = 0; i < n; ++i) a(i, i) += c;
  return a;
}

/// ||b - A x||_2 computed here, independently of the solvers.
inline double true_residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x) {
  Vector r = a.apply(x);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
  return norm2(r);
}

/// ||A^T (b - A x) - lambda^2 x||_2 computed here.
inline double normal_residual(const LinearOperator& a, ConstVectorView b, ConstVectorView x,
                              double lambda = 0.0) {
  Vector r = a.apply(x);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = b[i] - r[i];
  Vector g = a.apply_adjoint(r);
  for (std::size_t i = 0; i < g.size(); ++i) g[i] -= lambda * lambda * x[i];
  return norm2(g);
}

/// Every linear solver behind one signature, so a test can sweep over them.
enum class Method { cg, minres, gmres, fgmres, bicgstab, lsqr, lsmr };
inline const Method square_methods[] = {Method::cg, Method::minres, Method::gmres, Method::fgmres,
                                        Method::bicgstab};
inline const Method all_methods[] = {Method::cg,       Method::minres, Method::gmres, Method::fgmres,
                                     Method::bicgstab, Method::lsqr,   Method::lsmr};

inline std::string method_name(Method m) {
  switch (m) {
    case Method::cg: return "cg";
    case Method::minres: return "minres";
    case Method::gmres: return "gmres";
    case Method::fgmres: return "fgmres";
    case Method::bicgstab: return "bicgstab";
    case Method::lsqr: return "lsqr";
    case Method::lsmr: return "lsmr";
  }
  return "?";
}

/// SolverOptions with the tests' default rtol; `restart` goes to gmres and fgmres only (the other
/// solvers reject a restart they do not use).
struct CommonOptions {
  double rtol = 1e-10;
  double atol = 0.0;
  std::optional<int> max_iterations{};
  Vector x0{};
  OperatorPtr preconditioner{};
  Monitor monitor{};
  int restart = 30;  // gmres, fgmres only
};

inline SolveResult solve(Method m, const LinearOperator& a, ConstVectorView b, const CommonOptions& o) {
  SolverOptions s{.rtol = o.rtol, .atol = o.atol, .max_iterations = o.max_iterations, .x0 = o.x0,
                  .preconditioner = o.preconditioner, .monitor = o.monitor};
  switch (m) {
    case Method::cg: return cg(a, b, s);
    case Method::minres: return minres(a, b, s);
    case Method::bicgstab: return bicgstab(a, b, s);
    case Method::gmres: s.restart = o.restart; return gmres(a, b, s);
    case Method::fgmres: s.restart = o.restart; return fgmres(a, b, s);
    case Method::lsqr: return lsqr(a, b, s);
    case Method::lsmr: return lsmr(a, b, s);
  }
  throw std::logic_error("unknown method");
}

}  // namespace frechet::testing
