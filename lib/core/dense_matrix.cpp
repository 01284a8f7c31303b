#include "frechet/core/dense_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "blas.hpp"
#include "lapack.hpp"

namespace frechet {
namespace {

using blas::blas_int;
using blas::to_blas_int;
using namespace lapack;

std::string shape(std::size_t r, std::size_t c) {
  return std::to_string(r) + "x" + std::to_string(c);
}

void check_square(const char* what, const DenseMatrix& a) {
  if (a.rows() != a.cols()) {
    throw ShapeError(std::string(what) + ": expected a square matrix, got " + shape(a.rows(), a.cols()));
  }
}

// LAPACK propagates a NaN or an infinity into every factor without an error (or, in dgesdd, refuses
// it as a bad argument), so the factorizations check their input first: O(n^2) against their O(n^3).
// `lower_only`: the function reads only the lower triangle, whatever the upper one holds.
void check_finite(const char* what, const DenseMatrix& a, bool lower_only = false) {
  for (std::size_t j = 0; j < a.cols(); ++j) {
    for (std::size_t i = lower_only ? j : 0; i < a.rows(); ++i) {
      if (!std::isfinite(a(i, j))) {
        throw NonFiniteError(std::string(what) + ": expected a finite matrix, got A(" + std::to_string(i) + "," +
                             std::to_string(j) + ") = " + std::to_string(a(i, j)));
      }
    }
  }
}

// A negative info names an argument LAPACK refused: a defect of the call, not of the mathematics.
void check_arguments(const char* what, const char* routine, blas_int info) {
  if (info < 0) {
    throw ArgumentError(std::string(what) + ": LAPACK " + routine + " refused its argument " +
                        std::to_string(-info));
  }
}

}  // namespace

DenseMatrix::DenseMatrix(std::size_t rows, std::size_t cols, double value)
    : rows_(rows), cols_(cols), data_(rows * cols, value) {}

DenseMatrix::DenseMatrix(std::initializer_list<std::initializer_list<double>> rows)
    : rows_(rows.size()), cols_(rows.size() == 0 ? 0 : rows.begin()->size()), data_(rows_ * cols_) {
  std::size_t i = 0;
  for (const auto& row : rows) {
    check_size("DenseMatrix: length of row", cols_, row.size());
    std::size_t j = 0;
    for (double v : row) (*this)(i, j++) = v;
    ++i;
  }
}

DenseMatrix DenseMatrix::identity(std::size_t n) {
  DenseMatrix a(n, n);
  for (std::size_t i = 0; i < n; ++i) a(i, i) = 1.0;
  return a;
}

DenseMatrix DenseMatrix::transposed() const {
  DenseMatrix t(cols_, rows_);
  for (std::size_t j = 0; j < cols_; ++j)
    for (std::size_t i = 0; i < rows_; ++i) t(j, i) = (*this)(i, j);
  return t;
}

void gemv(double alpha, const DenseMatrix& a, Transpose op, ConstVectorView x, double beta,
          VectorView y) {
  const bool t = op == Transpose::yes;
  check_size("gemv: size of x", t ? a.rows() : a.cols(), x.size());
  check_size("gemv: size of y", t ? a.cols() : a.rows(), y.size());
  blas::gemv("gemv", op, a.rows(), a.cols(), alpha, a.data(), a.rows(), x.data(), beta, y.data());
}

Vector matvec(const DenseMatrix& a, ConstVectorView x) {
  Vector y(a.rows());
  gemv(1.0, a, Transpose::no, x, 0.0, y);
  return y;
}

Vector matvec_transpose(const DenseMatrix& a, ConstVectorView x) {
  Vector y(a.cols());
  gemv(1.0, a, Transpose::yes, x, 0.0, y);
  return y;
}

void gemm(double alpha, const DenseMatrix& a, Transpose op_a, const DenseMatrix& b, Transpose op_b,
          double beta, DenseMatrix& c) {
  const std::size_t m = op_a == Transpose::yes ? a.cols() : a.rows();
  const std::size_t k = op_a == Transpose::yes ? a.rows() : a.cols();
  const std::size_t kb = op_b == Transpose::yes ? b.cols() : b.rows();
  const std::size_t n = op_b == Transpose::yes ? b.rows() : b.cols();
  if (k != kb) {
    throw ShapeError("gemm: inner dimensions differ: op(A) is " + shape(m, k) + ", op(B) is " +
                     shape(kb, n));
  }
  if (c.rows() != m || c.cols() != n) {
    throw ShapeError("gemm: expected C of shape " + shape(m, n) + ", got " + shape(c.rows(), c.cols()));
  }
  blas::gemm("gemm", op_a, op_b, m, n, k, alpha, a.data(), a.rows(), b.data(), b.rows(), beta, c.data(),
             c.rows());
}

DenseMatrix matmul(const DenseMatrix& a, const DenseMatrix& b, Transpose op_a, Transpose op_b) {
  DenseMatrix c(op_a == Transpose::yes ? a.cols() : a.rows(), op_b == Transpose::yes ? b.rows() : b.cols());
  gemm(1.0, a, op_a, b, op_b, 0.0, c);
  return c;
}

DenseMatrix add(const DenseMatrix& a, const DenseMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    throw ShapeError("add: expected B of shape " + shape(a.rows(), a.cols()) + ", got " +
                     shape(b.rows(), b.cols()));
  }
  DenseMatrix c = a;
  for (std::size_t i = 0; i < c.size(); ++i) c.data()[i] += b.data()[i];
  return c;
}

double max_abs(const DenseMatrix& a) {
  double m = 0.0;
  for (double v : a.values()) m = std::max(m, std::abs(v));
  return m;
}

double relative_distance(const DenseMatrix& a, const DenseMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    throw ShapeError("relative_distance: expected B of shape " + shape(a.rows(), a.cols()) + ", got " +
                     shape(b.rows(), b.cols()));
  }
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
  return d / std::max(max_abs(b), 1e-300);
}

DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b) {
  const std::size_t p = b.rows(), q = b.cols();
  DenseMatrix c(a.rows() * p, a.cols() * q);
  for (std::size_t j = 0; j < a.cols(); ++j)
    for (std::size_t l = 0; l < q; ++l)
      for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t k = 0; k < p; ++k) c(i * p + k, j * q + l) = a(i, j) * b(k, l);
  return c;
}

// ---- LU ----

LuFactorization::LuFactorization(DenseMatrix a) : lu_(std::move(a)), pivots_(lu_.rows()) {
  check_square("LuFactorization", lu_);
  check_finite("LuFactorization", lu_);
  const blas_int n = to_blas_int(lu_.rows(), "LuFactorization");
  if (n == 0) return;
  blas_int info = 0;
  dgetrf_(&n, &n, lu_.data(), &n, pivots_.data(), &info);
  check_arguments("LuFactorization", "dgetrf", info);
  if (info > 0) {
    throw NumericalError("LuFactorization: matrix is singular (U(" + std::to_string(info - 1) + "," +
                         std::to_string(info - 1) + ") is exactly zero)");
  }
}

namespace {
Vector lu_solve(const DenseMatrix& lu, const std::vector<int>& piv, ConstVectorView b, const char* trans,
                const char* what) {
  check_size(what, lu.rows(), b.size());
  Vector x(b.begin(), b.end());
  const blas_int n = to_blas_int(lu.rows(), "LuFactorization::solve");
  if (n == 0) return x;
  const blas_int one = 1;
  blas_int info = 0;
  dgetrs_(trans, &n, &one, lu.data(), &n, piv.data(), x.data(), &n, &info, 1);
  return x;
}
}  // namespace

Vector LuFactorization::solve(ConstVectorView b) const {
  return lu_solve(lu_, pivots_, b, "N", "LuFactorization::solve: size of b");
}

Vector LuFactorization::solve_transpose(ConstVectorView b) const {
  return lu_solve(lu_, pivots_, b, "T", "LuFactorization::solve_transpose: size of b");
}

DenseMatrix LuFactorization::solve(const DenseMatrix& b) const {
  check_size("LuFactorization::solve: rows of B", lu_.rows(), b.rows());
  DenseMatrix x = b;
  const blas_int n = to_blas_int(lu_.rows(), "LuFactorization::solve");
  const blas_int nrhs = to_blas_int(b.cols(), "LuFactorization::solve");
  if (n == 0 || nrhs == 0) return x;
  blas_int info = 0;
  dgetrs_("N", &n, &nrhs, lu_.data(), &n, pivots_.data(), x.data(), &n, &info, 1);
  return x;
}

double LuFactorization::log_abs_determinant() const {
  double s = 0.0;
  for (std::size_t i = 0; i < lu_.rows(); ++i) s += std::log(std::abs(lu_(i, i)));
  return s;
}

double LuFactorization::determinant_sign() const {
  double sign = 1.0;
  for (std::size_t i = 0; i < lu_.rows(); ++i) {
    if (lu_(i, i) < 0) sign = -sign;
    if (pivots_[i] != static_cast<int>(i) + 1) sign = -sign;
  }
  return sign;
}

// ---- Cholesky ----

CholeskyFactorization::CholeskyFactorization(DenseMatrix a) : l_(std::move(a)) {
  check_square("CholeskyFactorization", l_);
  check_finite("CholeskyFactorization", l_, true);
  const blas_int n = to_blas_int(l_.rows(), "CholeskyFactorization");
  if (n == 0) return;
  blas_int info = 0;
  dpotrf_("L", &n, l_.data(), &n, &info, 1);
  check_arguments("CholeskyFactorization", "dpotrf", info);
  if (info > 0) {
    throw NumericalError("CholeskyFactorization: matrix is not positive definite (leading minor of order " +
                         std::to_string(info) + " is not positive)");
  }
  for (std::size_t j = 1; j < l_.cols(); ++j)
    for (std::size_t i = 0; i < j; ++i) l_(i, j) = 0.0;
}

Vector CholeskyFactorization::solve(ConstVectorView b) const {
  check_size("CholeskyFactorization::solve: size of b", l_.rows(), b.size());
  Vector x(b.begin(), b.end());
  const blas_int n = to_blas_int(l_.rows(), "CholeskyFactorization::solve");
  if (n == 0) return x;
  const blas_int one = 1;
  blas_int info = 0;
  dpotrs_("L", &n, &one, l_.data(), &n, x.data(), &n, &info, 1);
  return x;
}

DenseMatrix CholeskyFactorization::solve(const DenseMatrix& b) const {
  check_size("CholeskyFactorization::solve: rows of B", l_.rows(), b.rows());
  DenseMatrix x = b;
  const blas_int n = to_blas_int(l_.rows(), "CholeskyFactorization::solve");
  const blas_int nrhs = to_blas_int(b.cols(), "CholeskyFactorization::solve");
  if (n == 0 || nrhs == 0) return x;
  blas_int info = 0;
  dpotrs_("L", &n, &nrhs, l_.data(), &n, x.data(), &n, &info, 1);
  return x;
}

double CholeskyFactorization::log_determinant() const {
  double s = 0.0;
  for (std::size_t i = 0; i < l_.rows(); ++i) s += std::log(l_(i, i));
  return 2.0 * s;
}

DenseMatrix CholeskyFactorization::lower() const { return l_; }

// ---- QR ----

QrFactorization::QrFactorization(DenseMatrix x) : qr_(std::move(x)), tau_(std::min(qr_.rows(), qr_.cols())) {
  if (qr_.rows() < qr_.cols()) {
    throw ShapeError("QrFactorization: expected rows >= cols, got " + shape(qr_.rows(), qr_.cols()));
  }
  check_finite("QrFactorization", qr_);
  const blas_int m = to_blas_int(qr_.rows(), "QrFactorization");
  const blas_int n = to_blas_int(qr_.cols(), "QrFactorization");
  if (n == 0) return;
  blas_int info = 0;
  blas_int lwork = -1;
  double query = 0.0;
  dgeqrf_(&m, &n, qr_.data(), &m, tau_.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  dgeqrf_(&m, &n, qr_.data(), &m, tau_.data(), work.data(), &lwork, &info);
  check_arguments("QrFactorization", "dgeqrf", info);
  // Rounding leaves a rank-deficient X with a tiny R(i,i) rather than an exact zero, and solving
  // with it returns a huge, meaningless answer. The test is relative, as in LAPACK's xGELSY:
  // |R(i,i)| <= max(m, n) eps max_j |R(j,j)| means that column i is, to working precision, a
  // combination of the columns before it.
  double r_max = 0.0;
  for (std::size_t i = 0; i < qr_.cols(); ++i) r_max = std::max(r_max, std::abs(qr_(i, i)));
  const double threshold =
      static_cast<double>(std::max(qr_.rows(), qr_.cols())) * std::numeric_limits<double>::epsilon() * r_max;
  for (std::size_t i = 0; i < qr_.cols(); ++i) {
    if (std::abs(qr_(i, i)) <= threshold) {
      throw NumericalError("QrFactorization: matrix is rank-deficient (|R(" + std::to_string(i) + "," +
                           std::to_string(i) + ")| = " + std::to_string(std::abs(qr_(i, i))) +
                           " <= max(m, n) eps max_j |R(j,j)| = " + std::to_string(threshold) + ")");
    }
  }
}

namespace {
void triangular_solve(const DenseMatrix& r, const char* trans, VectorView x) {
  const blas_int n = to_blas_int(r.cols(), "QrFactorization");
  const blas_int lda = to_blas_int(std::max<std::size_t>(r.rows(), 1), "QrFactorization");
  const blas_int one = 1;
  blas_int info = 0;
  dtrtrs_("U", trans, "N", &n, &one, r.data(), &lda, x.data(), &n, &info, 1, 1, 1);
}
}  // namespace

Vector QrFactorization::solve_least_squares(ConstVectorView y) const {
  check_size("QrFactorization::solve_least_squares: size of y", qr_.rows(), y.size());
  Vector qty(y.begin(), y.end());
  const blas_int m = to_blas_int(qr_.rows(), "QrFactorization::solve_least_squares");
  const blas_int n = to_blas_int(qr_.cols(), "QrFactorization::solve_least_squares");
  if (n == 0) return {};
  const blas_int one = 1;
  blas_int info = 0;
  blas_int lwork = -1;
  double query = 0.0;
  dormqr_("L", "T", &m, &one, &n, qr_.data(), &m, tau_.data(), qty.data(), &m, &query, &lwork, &info, 1, 1);
  lwork = std::max(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  dormqr_("L", "T", &m, &one, &n, qr_.data(), &m, tau_.data(), qty.data(), &m, work.data(), &lwork, &info,
          1, 1);
  qty.resize(qr_.cols());
  triangular_solve(qr_, "N", qty);
  return qty;
}

Vector QrFactorization::solve_normal(ConstVectorView g) const {
  check_size("QrFactorization::solve_normal: size of g", qr_.cols(), g.size());
  Vector x(g.begin(), g.end());
  if (x.empty()) return x;
  triangular_solve(qr_, "T", x);  // R^T z = g
  triangular_solve(qr_, "N", x);  // R x = z
  return x;
}

DenseMatrix QrFactorization::q() const {
  DenseMatrix q = qr_;
  const blas_int m = to_blas_int(qr_.rows(), "QrFactorization::q");
  const blas_int n = to_blas_int(qr_.cols(), "QrFactorization::q");
  if (n == 0) return q;
  blas_int info = 0;
  blas_int lwork = -1;
  double query = 0.0;
  dorgqr_(&m, &n, &n, q.data(), &m, tau_.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  dorgqr_(&m, &n, &n, q.data(), &m, tau_.data(), work.data(), &lwork, &info);
  check_arguments("QrFactorization::q", "dorgqr", info);
  return q;
}

DenseMatrix QrFactorization::r() const {
  DenseMatrix r(qr_.cols(), qr_.cols());
  for (std::size_t j = 0; j < qr_.cols(); ++j)
    for (std::size_t i = 0; i <= j; ++i) r(i, j) = qr_(i, j);
  return r;
}

DenseMatrix random_orthogonal(std::size_t n, Random& random) {
  DenseMatrix g(n, n);
  random.fill_gaussian(g.values());
  const QrFactorization qr(std::move(g));
  DenseMatrix q = qr.q();
  const DenseMatrix r = qr.r();
  for (std::size_t j = 0; j < n; ++j)
    if (r(j, j) < 0)
      for (std::size_t i = 0; i < n; ++i) q(i, j) = -q(i, j);
  return q;
}

// ---- spectra ----

SymmetricEigenResult symmetric_eigen(const DenseMatrix& a) {
  check_square("symmetric_eigen", a);
  check_finite("symmetric_eigen", a, true);
  SymmetricEigenResult result{Vector(a.rows()), a};
  const blas_int n = to_blas_int(a.rows(), "symmetric_eigen");
  if (n == 0) return result;
  blas_int info = 0;
  blas_int lwork = -1;
  blas_int liwork = -1;
  double wquery = 0.0;
  blas_int iquery = 0;
  dsyevd_("V", "L", &n, result.vectors.data(), &n, result.values.data(), &wquery, &lwork, &iquery,
          &liwork, &info, 1, 1);
  lwork = std::max(1, static_cast<blas_int>(wquery));
  liwork = std::max(1, iquery);
  Vector work(static_cast<std::size_t>(lwork));
  std::vector<blas_int> iwork(static_cast<std::size_t>(liwork));
  dsyevd_("V", "L", &n, result.vectors.data(), &n, result.values.data(), work.data(), &lwork, iwork.data(),
          &liwork, &info, 1, 1);
  check_arguments("symmetric_eigen", "dsyevd", info);
  if (info != 0) throw NumericalError("symmetric_eigen: LAPACK dsyevd failed to converge (info " +
                                      std::to_string(info) + ")");
  return result;
}

Vector singular_values(const DenseMatrix& a) {
  check_finite("singular_values", a);
  DenseMatrix work_a = a;
  const blas_int m = to_blas_int(a.rows(), "singular_values");
  const blas_int n = to_blas_int(a.cols(), "singular_values");
  Vector s(std::min(a.rows(), a.cols()));
  if (s.empty()) return s;
  const blas_int lda = std::max(1, m);
  const blas_int one = 1;
  blas_int info = 0;
  blas_int lwork = -1;
  double query = 0.0;
  std::vector<blas_int> iwork(8 * s.size());
  dgesdd_("N", &m, &n, work_a.data(), &lda, s.data(), nullptr, &one, nullptr, &one, &query, &lwork,
          iwork.data(), &info, 1);
  lwork = std::max(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  dgesdd_("N", &m, &n, work_a.data(), &lda, s.data(), nullptr, &one, nullptr, &one, work.data(), &lwork,
          iwork.data(), &info, 1);
  check_arguments("singular_values", "dgesdd", info);
  if (info != 0) throw NumericalError("singular_values: LAPACK dgesdd failed to converge (info " +
                                      std::to_string(info) + ")");
  return s;
}

SvdResult svd(const DenseMatrix& a) {
  check_finite("svd", a);
  const std::size_t k = std::min(a.rows(), a.cols());
  SvdResult result{DenseMatrix(a.rows(), k), Vector(k), DenseMatrix(a.cols(), k)};
  if (k == 0) return result;
  DenseMatrix work_a = a;
  DenseMatrix vt(k, a.cols());
  const blas_int m = to_blas_int(a.rows(), "svd");
  const blas_int n = to_blas_int(a.cols(), "svd");
  const blas_int kk = to_blas_int(k, "svd");
  blas_int info = 0;
  blas_int lwork = -1;
  double query = 0.0;
  std::vector<blas_int> iwork(8 * k);
  dgesdd_("S", &m, &n, work_a.data(), &m, result.singular_values.data(), result.u.data(), &m, vt.data(), &kk,
          &query, &lwork, iwork.data(), &info, 1);
  lwork = std::max(1, static_cast<blas_int>(query));
  Vector work(static_cast<std::size_t>(lwork));
  dgesdd_("S", &m, &n, work_a.data(), &m, result.singular_values.data(), result.u.data(), &m, vt.data(), &kk,
          work.data(), &lwork, iwork.data(), &info, 1);
  check_arguments("svd", "dgesdd", info);
  if (info != 0) throw NumericalError("svd: LAPACK dgesdd failed to converge (info " + std::to_string(info) + ")");
  result.v = vt.transposed();
  return result;
}

double spectral_norm(const DenseMatrix& a) {
  const Vector s = singular_values(a);
  return s.empty() ? 0.0 : s.front();
}

double condition_number(const DenseMatrix& a) {
  const Vector s = singular_values(a);
  if (s.empty() || s.front() == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return s.back() == 0.0 ? std::numeric_limits<double>::infinity() : s.front() / s.back();
}

std::size_t matrix_rank(const DenseMatrix& a, std::optional<double> rtol) {
  if (rtol && (!std::isfinite(*rtol) || *rtol < 0.0)) {
    throw ArgumentError("matrix_rank: rtol: expected a finite value >= 0, got " + std::to_string(*rtol));
  }
  const Vector s = singular_values(a);
  if (s.empty()) return 0;
  const double threshold =
      rtol.value_or(static_cast<double>(std::max(a.rows(), a.cols())) * std::numeric_limits<double>::epsilon()) *
      s.front();
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [&](double v) { return v > threshold; }));
}

}  // namespace frechet
