#include "frechet/precond/nystrom.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "core/blas.hpp"
#include "core/lapack.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "linop/scratch_pool.hpp"

namespace frechet {
namespace {

using blas::blas_int;
using blas::to_blas_int;

constexpr const char* what = "nystrom_preconditioner";
constexpr std::size_t initial_adaptive_rank = 10;
constexpr std::size_t default_max_rank = 512;
constexpr double default_target_condition = 10.0;
// Power-method steps of the error estimate, as in the paper's adaptive algorithm.
constexpr int power_steps = 10;

std::string format(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

// Replaces the n x m matrix q (column-major) by the Q of its thin QR factorization (dgeqrf, dorgqr).
void orthonormalize(std::size_t n, std::size_t m, double* q) {
  const blas_int rows = to_blas_int(n, what), cols = to_blas_int(m, what);
  Vector tau(m);
  blas_int info = 0, lwork = -1;
  double query_qr = 0.0, query_q = 0.0;
  lapack::dgeqrf_(&rows, &cols, q, &rows, tau.data(), &query_qr, &lwork, &info);
  lapack::dorgqr_(&rows, &cols, &cols, q, &rows, tau.data(), &query_q, &lwork, &info);
  lwork = std::max<blas_int>(1, static_cast<blas_int>(std::max(query_qr, query_q)));
  Vector work(static_cast<std::size_t>(lwork));
  lapack::dgeqrf_(&rows, &cols, q, &rows, tau.data(), work.data(), &lwork, &info);
  lapack::dorgqr_(&rows, &cols, &cols, q, &rows, tau.data(), work.data(), &lwork, &info);
}

// The test matrix Omega and the sketch Y = A Omega, n x ell each, grown by blocks of columns.
struct Sketch {
  std::size_t n = 0, ell = 0;
  Vector omega, y;

  // Draws m Gaussian columns, orthonormalises them and sketches them. Each block is orthonormalised
  // on its own: A_nys depends only on the range of Omega, and Omega^T Y_nu stays positive definite
  // (it contains nu Omega^T Omega) for any Omega of full column rank.
  void grow(const LinearOperator& a, std::size_t m, Random& rng, int& products) {
    omega.resize(n * (ell + m));
    y.resize(n * (ell + m));
    const VectorView block = VectorView(omega).subspan(n * ell, n * m);
    rng.fill_gaussian(block);
    orthonormalize(n, m, block.data());
    for (std::size_t j = ell; j < ell + m; ++j) {
      const ConstVectorView oj = ConstVectorView(omega).subspan(n * j, n);
      const VectorView yj = VectorView(y).subspan(n * j, n);
      a.apply(oj, yj);
      ++products;
      if (!all_finite(yj)) {
        throw NonFiniteError(std::string(what) + ": the product of A with sketch column " + std::to_string(j) +
                             " is not finite");
      }
    }
    ell += m;
  }
};

struct Approximation {
  DenseMatrix u;  // n x ell
  Vector lambda;  // ell, descending
  double nu = 0.0;
};

// The stable Nyström approximation of Frangella, Tropp & Udell (2023), Algorithm 2.1.
Approximation nystrom_approximation(const Sketch& s) {
  const std::size_t n = s.n, ell = s.ell;
  Approximation result;
  // nu = sqrt(n) eps ||Y||: ||Y||_F >= ||Y||_2 errs on the safe side; the floor keeps nu > 0 (and
  // Omega^T Y_nu = nu I positive definite) when A Omega = 0.
  const double y_norm = std::max(blas::nrm2(what, n * ell, s.y.data()), std::numeric_limits<double>::min());
  result.nu = std::sqrt(static_cast<double>(n)) * std::numeric_limits<double>::epsilon() * y_norm;

  Vector y_nu = s.y;  // Y_nu = Y + nu Omega
  axpy(result.nu, s.omega, y_nu);
  DenseMatrix m(ell, ell);  // Omega^T Y_nu = L L^T
  blas::gemm(what, Transpose::yes, Transpose::no, ell, ell, n, 1.0, s.omega.data(), n, y_nu.data(), n, 0.0,
             m.data(), ell);
  const blas_int k = to_blas_int(ell, what), rows = to_blas_int(n, what);
  blas_int info = 0;
  lapack::dpotrf_("L", &k, m.data(), &k, &info, 1);
  if (info > 0) {
    throw NumericalError(std::string(what) + ": Omega^T (A Omega + nu Omega) is not positive definite (leading "
                         "minor of order " + std::to_string(info) +
                         "); is A, declared positive semidefinite, really so?");
  }
  // B = Y_nu L^{-T}, computed as B^T = L^{-1} Y_nu^T (a left triangular solve with n right-hand sides).
  DenseMatrix bt(ell, n);
  for (std::size_t j = 0; j < ell; ++j)
    for (std::size_t i = 0; i < n; ++i) bt(j, i) = y_nu[i + j * n];
  lapack::dtrtrs_("L", "N", "N", &k, &rows, m.data(), &k, bt.data(), &k, &info, 1, 1, 1);
  DenseMatrix b = bt.transposed();

  // Thin SVD B = U Sigma V^T (dgesdd); Lambda = max(0, Sigma^2 - nu).
  result.u = DenseMatrix(n, ell);
  Vector sigma(ell);
  DenseMatrix vt(ell, ell);
  std::vector<blas_int> iwork(8 * ell);
  blas_int lwork = -1;
  double query = 0.0;
  lapack::dgesdd_("S", &rows, &k, b.data(), &rows, sigma.data(), result.u.data(), &rows, vt.data(), &k, &query,
                  &lwork, iwork.data(), &info, 1);
  lwork = std::max<blas_int>(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  lapack::dgesdd_("S", &rows, &k, b.data(), &rows, sigma.data(), result.u.data(), &rows, vt.data(), &k,
                  work.data(), &lwork, iwork.data(), &info, 1);
  if (info != 0) {
    throw NumericalError(std::string(what) + ": LAPACK dgesdd failed to converge (info " + std::to_string(info) +
                         ")");
  }
  result.lambda = Vector(ell);
  for (std::size_t i = 0; i < ell; ++i) result.lambda[i] = std::max(0.0, sigma[i] * sigma[i] - result.nu);
  return result;
}

// An estimate of ||A - U Lambda U^T||_2 (a positive semidefinite matrix) by the power method: the
// Rayleigh quotient after power_steps products with A.
double estimate_error(const LinearOperator& a, const Approximation& approx, Random& rng, int& products) {
  const std::size_t n = approx.u.rows(), ell = approx.u.cols();
  Vector v = rng.gaussian_vector(n), w(n), t(ell);
  scale(1.0 / norm2(v), v);
  double estimate = 0.0;
  for (int step = 0; step < power_steps; ++step) {
    a.apply(v, w);
    ++products;
    blas::gemv(what, Transpose::yes, n, ell, 1.0, approx.u.data(), n, v.data(), 0.0, t.data());
    for (std::size_t i = 0; i < ell; ++i) t[i] *= approx.lambda[i];
    blas::gemv(what, Transpose::no, n, ell, -1.0, approx.u.data(), n, t.data(), 1.0, w.data());
    estimate = dot(v, w);
    const double norm = norm2(w);
    if (norm == 0.0) break;
    copy(w, v);
    scale(1.0 / norm, v);
  }
  return std::max(estimate, 0.0);
}

void check_options(const LinearOperator& a, const NystromOptions& o) {
  if (!a.is_square()) {
    throw ShapeError(std::string(what) + ": expected a square operator, got " + std::to_string(a.rows()) + "x" +
                     std::to_string(a.cols()));
  }
  if (!a.is_symmetric() || !a.is_positive_semidefinite()) {
    throw ArgumentError(std::string(what) +
                        ": expected an operator declared symmetric positive semidefinite (OperatorTraits), got "
                        "one declared " + (a.is_symmetric() ? "symmetric only" : "not symmetric"));
  }
  if (!std::isfinite(o.shift)) {
    throw NonFiniteError(std::string(what) + ": expected a finite shift, got " + format(o.shift));
  }
  if (o.shift < 0.0) throw ArgumentError(std::string(what) + ": expected shift >= 0, got " + format(o.shift));
  const std::size_t n = a.rows();
  if (o.rank) {
    if (*o.rank == 0 || *o.rank > n) {
      throw ArgumentError(std::string(what) + ": expected 1 <= rank <= n = " + std::to_string(n) + ", got " +
                          std::to_string(*o.rank));
    }
    if (o.max_rank || o.target_condition) {
      throw ArgumentError(std::string(what) +
                          ": max_rank and target_condition are for the adaptive rank; leave them unset with a "
                          "fixed rank");
    }
    return;
  }
  if (o.shift == 0.0) {
    throw ArgumentError(std::string(what) + ": the adaptive rank targets the condition number of A + mu I and needs "
                        "shift > 0; set a shift or a fixed rank");
  }
  if (o.max_rank && (*o.max_rank == 0 || *o.max_rank > n)) {
    throw ArgumentError(std::string(what) + ": expected 1 <= max_rank <= n = " + std::to_string(n) + ", got " +
                        std::to_string(*o.max_rank));
  }
  if (o.target_condition && !(*o.target_condition > 1.0)) {
    throw ArgumentError(std::string(what) + ": expected target_condition > 1, got " + format(*o.target_condition));
  }
}

}  // namespace

NystromPreconditioner::NystromPreconditioner(const LinearOperator& a, const NystromOptions& options)
    : LinearOperator(a.rows(), a.rows(), {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}),
      shift_(options.shift),
      scratch_(std::make_shared<const detail::ScratchPool>()) {
  check_options(a, options);
  const std::size_t n = a.rows();
  Random rng(options.seed);
  Sketch sketch;
  sketch.n = n;
  Approximation approx;
  if (options.rank) {
    sketch.grow(a, *options.rank, rng, operator_products_);
    approx = nystrom_approximation(sketch);
  } else {
    const std::size_t max_rank = options.max_rank.value_or(std::min(n, default_max_rank));
    const double target = options.target_condition.value_or(default_target_condition);
    std::size_t next = std::min(initial_adaptive_rank, max_rank);
    while (true) {
      sketch.grow(a, next - sketch.ell, rng, operator_products_);
      approx = nystrom_approximation(sketch);
      const double error = estimate_error(a, approx, rng, operator_products_);
      error_estimate_ = error;
      if ((approx.lambda.back() + shift_ + error) / shift_ <= target) {
        reached_target_ = true;
        break;
      }
      if (sketch.ell == max_rank) {
        reached_target_ = false;
        break;
      }
      next = std::min(2 * sketch.ell, max_rank);
    }
  }
  // The smallest eigenvalue of P^{-1} is (lambda_ell + mu) / (lambda_1 + mu); lambda_ell + mu at the
  // rounding level nu of the construction (A_nys of rank below ell and mu = 0) would make it noise.
  const double lambda_ell = approx.lambda.back();
  if (!(lambda_ell + shift_ > 10.0 * approx.nu)) {
    throw NumericalError(std::string(what) + ": lambda_ell + mu = " + format(lambda_ell + shift_) +
                         " is at the rounding level of the sketch (A has numerical rank below " +
                         std::to_string(sketch.ell) + "), so the preconditioner would be singular; set a shift > 0 "
                         "or lower the rank");
  }
  u_ = std::move(approx.u);
  eigenvalues_ = std::move(approx.lambda);
  nu_ = approx.nu;
  coefficients_ = Vector(eigenvalues_.size());
  // (lambda_ell + mu) / (lambda_i + mu) - 1, written without the cancellation.
  for (std::size_t i = 0; i < eigenvalues_.size(); ++i)
    coefficients_[i] = (lambda_ell - eigenvalues_[i]) / (eigenvalues_[i] + shift_);
}

// y = x + U diag(c) U^T x with c_i = (lambda_ell + mu) / (lambda_i + mu) - 1.
void NystromPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const std::size_t n = rows(), ell = rank();
  const auto work = scratch_->lease(ell);
  double* t = work.view().data();
  blas::gemv("NystromPreconditioner", Transpose::yes, n, ell, 1.0, u_.data(), n, x.data(), 0.0, t);
  for (std::size_t i = 0; i < ell; ++i) t[i] *= coefficients_[i];
  copy(x, y);
  blas::gemv("NystromPreconditioner", Transpose::no, n, ell, 1.0, u_.data(), n, t, 1.0, y.data());
}

void NystromPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::shared_ptr<const NystromPreconditioner> nystrom_preconditioner(const LinearOperator& a,
                                                                    const NystromOptions& options) {
  return std::shared_ptr<const NystromPreconditioner>(new NystromPreconditioner(a, options));
}

std::shared_ptr<const NystromPreconditioner> nystrom_preconditioner(const OperatorPtr& a,
                                                                    const NystromOptions& options) {
  if (!a) throw ArgumentError(std::string(what) + ": expected an operator, got a null pointer");
  return nystrom_preconditioner(*a, options);
}

}  // namespace frechet
