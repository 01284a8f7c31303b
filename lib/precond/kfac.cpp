#include "frechet/precond/kfac.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/blas.hpp"
#include "core/lapack.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "linop/scratch_pool.hpp"

namespace frechet {
namespace {

using blas::blas_int;
using blas::to_blas_int;

// Relative asymmetry tolerated in a factor: a factor computed as X^T X / N by dgemm may differ
// from its transpose in the last bits, never by more.
constexpr double symmetry_rtol = 1e-10;

std::string shape(const DenseMatrix& a) { return std::to_string(a.rows()) + "x" + std::to_string(a.cols()); }

std::string format(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

void check_factor(const char* name, const DenseMatrix& f) {
  const std::string what = std::string("kfac_preconditioner: factor ") + name;
  if (f.rows() != f.cols() || f.rows() == 0) {
    throw ShapeError(what + ": expected a nonempty square matrix, got " + shape(f));
  }
  check_finite(what.c_str(), f.values());
  const double tol = symmetry_rtol * max_abs(f);
  for (std::size_t j = 0; j < f.cols(); ++j) {
    for (std::size_t i = j + 1; i < f.rows(); ++i) {
      if (std::abs(f(i, j) - f(j, i)) > tol) {
        throw ArgumentError(what + ": expected a symmetric matrix, got entries (" + std::to_string(i) + "," +
                            std::to_string(j) + ") = " + format(f(i, j)) + " and (" + std::to_string(j) +
                            "," + std::to_string(i) + ") = " + format(f(j, i)));
      }
    }
  }
}

double mean_eigenvalue(const DenseMatrix& f) {
  double trace = 0.0;
  for (std::size_t i = 0; i < f.rows(); ++i) trace += f(i, i);
  return trace / static_cast<double>(f.rows());
}

// f + shift I, overwritten by its lower Cholesky factor (dpotrf reads only the lower triangle).
DenseMatrix damped_cholesky(const char* name, DenseMatrix f, double shift) {
  for (std::size_t i = 0; i < f.rows(); ++i) f(i, i) += shift;
  const blas_int n = to_blas_int(f.rows(), "kfac_preconditioner");
  blas_int info = 0;
  lapack::dpotrf_("L", &n, f.data(), &n, &info, 1);
  if (info > 0) {
    throw NumericalError(std::string("kfac_preconditioner: ") + name + " + " + format(shift) +
                         " I is not positive definite (leading minor of order " + std::to_string(info) +
                         " is not positive); raise options.damping");
  }
  return f;
}

// B = F^{-1} B for the lower Cholesky factor F of an n x n matrix and B of n x nrhs (dpotrs).
void cholesky_solve(const DenseMatrix& factor, std::size_t nrhs, double* b) {
  const blas_int n = to_blas_int(factor.rows(), "KfacPreconditioner");
  const blas_int m = to_blas_int(nrhs, "KfacPreconditioner");
  blas_int info = 0;
  lapack::dpotrs_("L", &n, &m, factor.data(), &n, b, &n, &info, 1);
}

// out = in^T for `in` of rows x cols, both column-major. Blocked so that both sides stay in cache.
void transpose(const double* in, std::size_t rows, std::size_t cols, double* out) {
  constexpr std::size_t block = 32;
  for (std::size_t jb = 0; jb < cols; jb += block) {
    const std::size_t je = std::min(cols, jb + block);
    for (std::size_t ib = 0; ib < rows; ib += block) {
      const std::size_t ie = std::min(rows, ib + block);
      for (std::size_t j = jb; j < je; ++j)
        for (std::size_t i = ib; i < ie; ++i) out[j + i * cols] = in[i + j * rows];
    }
  }
}

struct Shifts {
  double a, g;
};

Shifts split_damping(const DenseMatrix& a, const DenseMatrix& g, const KfacOptions& options) {
  const double lambda = options.damping;
  if (!std::isfinite(lambda)) {
    throw NonFiniteError("kfac_preconditioner: expected a finite options.damping, got " + format(lambda));
  }
  if (lambda < 0.0) {
    throw ArgumentError("kfac_preconditioner: expected options.damping >= 0, got " + format(lambda));
  }
  switch (options.rule) {
    case KfacDamping::each_factor:
      return {lambda, lambda};
    case KfacDamping::factored_tikhonov: {
      if (lambda == 0.0) return {0.0, 0.0};
      const double mean_a = mean_eigenvalue(a), mean_g = mean_eigenvalue(g);
      if (!(mean_a > 0.0) || !(mean_g > 0.0)) {
        throw ArgumentError("kfac_preconditioner: factored Tikhonov damping needs tr(A) > 0 and tr(G) > 0, got "
                            "tr(A)/p = " + format(mean_a) + " and tr(G)/q = " + format(mean_g));
      }
      const double pi = std::sqrt(mean_a / mean_g);
      const double gamma = std::sqrt(lambda);
      return {pi * gamma, gamma / pi};
    }
  }
  throw ArgumentError("kfac_preconditioner: unknown options.rule");
}

}  // namespace

KfacPreconditioner::KfacPreconditioner(DenseMatrix a, DenseMatrix g, const KfacOptions& options)
    : LinearOperator(a.rows() * g.rows(), a.rows() * g.rows(),
                     {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}),
      damping_(options.damping),
      scratch_(std::make_shared<const detail::ScratchPool>()) {
  check_factor("A", a);
  check_factor("G", g);
  const Shifts shifts = split_damping(a, g, options);
  damping_a_ = shifts.a;
  damping_g_ = shifts.g;
  a_factor_ = damped_cholesky("A", std::move(a), damping_a_);
  g_factor_ = damped_cholesky("G", std::move(g), damping_g_);
}

// Y = (G + lambda_G I)^{-1} X (A + lambda_A I)^{-1} for X = reshape(x, q, p): the right solve runs
// on the transpose, (X A'^{-1})^T = A'^{-1} X^T, so both are left solves with many right-hand sides.
void KfacPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const std::size_t p = input_dimension(), q = output_dimension();
  const auto work = scratch_->lease(p * q);
  double* t = work.view().data();
  transpose(x.data(), q, p, t);       // T = X^T, p x q
  cholesky_solve(a_factor_, q, t);    // T = A'^{-1} X^T
  transpose(t, p, q, y.data());       // Y = X A'^{-1}, q x p
  cholesky_solve(g_factor_, p, y.data());  // Y = G'^{-1} X A'^{-1}
}

void KfacPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::shared_ptr<const KfacPreconditioner> kfac_preconditioner(DenseMatrix a, DenseMatrix g,
                                                              const KfacOptions& options) {
  return std::shared_ptr<const KfacPreconditioner>(new KfacPreconditioner(std::move(a), std::move(g), options));
}

}  // namespace frechet
