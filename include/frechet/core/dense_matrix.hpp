#pragma once
/// \file
/// A column-major dense matrix whose products call OpenBLAS and whose factorizations call LAPACK.

#include <cstddef>
#include <initializer_list>
#include <optional>

#include "frechet/core/vector.hpp"

namespace frechet {

class Random;

/// Whether a product uses a matrix as stored or its transpose.
enum class Transpose { no, yes };

/// An m x n matrix of doubles stored column by column (entry (i, j) at data()[i + j * rows()]), the
/// layout BLAS and LAPACK expect.
class DenseMatrix {
public:
  /// The 0 x 0 matrix.
  DenseMatrix() = default;
  /// An m x n matrix with every entry equal to `value`.
  DenseMatrix(std::size_t rows, std::size_t cols, double value = 0.0);
  /// A matrix from nested row lists, `{{1, 2}, {3, 4}}`; every row must have the same length.
  DenseMatrix(std::initializer_list<std::initializer_list<double>> rows);
  /// The n x n identity.
  static DenseMatrix identity(std::size_t n);

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  /// rows() * cols()
  std::size_t size() const noexcept { return data_.size(); }

  double& operator()(std::size_t i, std::size_t j) noexcept { return data_[i + j * rows_]; }
  double operator()(std::size_t i, std::size_t j) const noexcept { return data_[i + j * rows_]; }

  double* data() noexcept { return data_.data(); }
  const double* data() const noexcept { return data_.data(); }
  /// All entries, column after column.
  VectorView values() noexcept { return data_; }
  ConstVectorView values() const noexcept { return data_; }
  /// Column j as a contiguous view.
  VectorView col(std::size_t j) noexcept { return VectorView(data_).subspan(j * rows_, rows_); }
  ConstVectorView col(std::size_t j) const noexcept {
    return ConstVectorView(data_).subspan(j * rows_, rows_);
  }

  /// A new matrix holding the transpose.
  DenseMatrix transposed() const;

  friend bool operator==(const DenseMatrix&, const DenseMatrix&) = default;

private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  Vector data_;
};

/// y = alpha op(A) x + beta y, with op(A) = A or A^T (BLAS dgemv). With beta == 0, y is only written.
void gemv(double alpha, const DenseMatrix& a, Transpose op, ConstVectorView x, double beta,
          VectorView y);
/// A x as a new vector.
Vector matvec(const DenseMatrix& a, ConstVectorView x);
/// A^T x as a new vector.
Vector matvec_transpose(const DenseMatrix& a, ConstVectorView x);
/// C = alpha op(A) op(B) + beta C (BLAS dgemm); C must already have the product's shape.
void gemm(double alpha, const DenseMatrix& a, Transpose op_a, const DenseMatrix& b, Transpose op_b,
          double beta, DenseMatrix& c);
/// op(A) op(B) as a new matrix.
DenseMatrix matmul(const DenseMatrix& a, const DenseMatrix& b, Transpose op_a = Transpose::no,
                   Transpose op_b = Transpose::no);
/// A + B, entrywise.
DenseMatrix add(const DenseMatrix& a, const DenseMatrix& b);
/// max_ij |A_ij|
double max_abs(const DenseMatrix& a);
/// ||A - B||_max / max(||B||_max, tiny): the relative entrywise distance used by tests.
double relative_distance(const DenseMatrix& a, const DenseMatrix& b);
/// The Kronecker product A (x) B: for A of shape m x n and B of shape p x q, the mp x nq matrix with
/// (A (x) B)(i p + k, j q + l) = A(i, j) B(k, l). With vec stacking columns,
/// (A (x) B) vec(X) = vec(B X A^T). For products without forming it, see linop's kron.
DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b);

/// LU factorization with partial pivoting, P A = L U (LAPACK dgetrf), of a square matrix; solves with
/// A and with A^T reuse it.
class LuFactorization {
public:
  /// Factors `a`; throws ShapeError if it is not square, NonFiniteError if an entry is NaN or
  /// infinite, and NumericalError if a pivot is exactly zero.
  explicit LuFactorization(DenseMatrix a);
  std::size_t size() const noexcept { return lu_.rows(); }
  /// A^{-1} b
  Vector solve(ConstVectorView b) const;
  /// A^{-T} b
  Vector solve_transpose(ConstVectorView b) const;
  /// A^{-1} B, column by column.
  DenseMatrix solve(const DenseMatrix& b) const;
  /// log |det A|
  double log_abs_determinant() const;
  /// sign(det A): +1 or -1.
  double determinant_sign() const;

private:
  DenseMatrix lu_;
  std::vector<int> pivots_;
};

/// Cholesky factorization A = L L^T of a symmetric positive definite matrix (LAPACK dpotrf; only the
/// lower triangle of A is read).
class CholeskyFactorization {
public:
  /// Factors `a`; throws NonFiniteError if an entry of its lower triangle is NaN or infinite and
  /// NumericalError naming the failing leading minor if A is not positive definite.
  explicit CholeskyFactorization(DenseMatrix a);
  std::size_t size() const noexcept { return l_.rows(); }
  /// A^{-1} b
  Vector solve(ConstVectorView b) const;
  /// A^{-1} B
  DenseMatrix solve(const DenseMatrix& b) const;
  /// log det A = 2 sum_i log L_ii
  double log_determinant() const;
  /// The lower-triangular factor L (the strict upper triangle is zero).
  DenseMatrix lower() const;

private:
  DenseMatrix l_;
};

/// Householder QR of a tall matrix X (m >= n, full column rank): least-squares solves
/// argmin_b ||X b - y|| and normal-equation solves (X^T X)^{-1} g = R^{-1} R^{-T} g without forming X^T X.
class QrFactorization {
public:
  /// Factors `x` (LAPACK dgeqrf); throws ShapeError if rows < cols, NonFiniteError if an entry is NaN
  /// or infinite, and NumericalError if X is rank-deficient to working precision:
  /// |R(i,i)| <= max(m, n) eps max_j |R(j,j)| for some i.
  explicit QrFactorization(DenseMatrix x);
  std::size_t rows() const noexcept { return qr_.rows(); }
  std::size_t cols() const noexcept { return qr_.cols(); }
  /// argmin_b ||X b - y||_2
  Vector solve_least_squares(ConstVectorView y) const;
  /// (X^T X)^{-1} g
  Vector solve_normal(ConstVectorView g) const;
  /// The thin Q (m x n, orthonormal columns) formed from the Householder reflectors (LAPACK
  /// dorgqr), so that X = Q R.
  DenseMatrix q() const;
  /// The n x n upper-triangular R (its diagonal may have either sign).
  DenseMatrix r() const;

private:
  DenseMatrix qr_;
  Vector tau_;
};

/// The result of symmetric_eigen: A = V diag(values) V^T, eigenvalues in ascending order
/// (values[0] is the smallest, values[n-1] the largest).
struct SymmetricEigenResult {
  Vector values;        ///< the eigenvalues, ascending
  DenseMatrix vectors;  ///< orthonormal eigenvectors, column j for values[j]
};
/// The eigenvalues (ascending) and eigenvectors of symmetric `a` (LAPACK dsyevd; only the lower
/// triangle of `a` is read). Throws NonFiniteError if that triangle has a NaN or infinite entry and
/// NumericalError if LAPACK does not converge.
SymmetricEigenResult symmetric_eigen(const DenseMatrix& a);
/// The singular values of `a`, descending (LAPACK dgesdd). Throws NonFiniteError if an entry is NaN
/// or infinite and NumericalError if LAPACK does not converge.
Vector singular_values(const DenseMatrix& a);

/// The result of svd: the thin decomposition A = U diag(singular_values) V^T of an m x n matrix,
/// with k = min(m, n) singular triplets.
struct SvdResult {
  DenseMatrix u;          ///< m x k, orthonormal columns (left singular vectors)
  Vector singular_values;  ///< sigma_1 >= ... >= sigma_k >= 0
  DenseMatrix v;          ///< n x k, orthonormal columns (right singular vectors: V, not V^T)
};
/// The thin singular value decomposition of `a` (LAPACK dgesdd, divide and conquer). Throws
/// NonFiniteError if an entry is NaN or infinite and NumericalError if LAPACK does not converge.
SvdResult svd(const DenseMatrix& a);
/// ||A||_2 = sigma_1, the largest singular value (0 for an empty matrix).
double spectral_norm(const DenseMatrix& a);
/// The 2-norm condition number sigma_1 / sigma_k, k = min(m, n): +infinity when sigma_k = 0 and
/// A != 0, NaN for the zero matrix (and for an empty one).
double condition_number(const DenseMatrix& a);
/// The numerical rank: the number of singular values sigma_i > rtol sigma_1. Unset, rtol is
/// max(m, n) eps, the default of numpy.linalg.matrix_rank and MATLAB's rank: about the perturbation
/// of sigma_i that rounding the entries of A causes, relative to sigma_1. Throws ArgumentError if
/// rtol is negative or not finite.
std::size_t matrix_rank(const DenseMatrix& a, std::optional<double> rtol = {});

/// A random n x n orthogonal matrix, distributed by the Haar measure: the Q of the QR factorization
/// of a Gaussian matrix, each column multiplied by the sign of R's diagonal entry so that the
/// distribution does not depend on the sign convention of the Householder reflectors (F. Mezzadri,
/// "How to generate random matrices from the classical compact groups", Notices AMS 54(5), 2007).
DenseMatrix random_orthogonal(std::size_t n, Random& random);

}  // namespace frechet
