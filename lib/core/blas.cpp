#include "blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <string>

#include "frechet/core/error.hpp"

namespace frechet::blas {
namespace {

CBLAS_TRANSPOSE cblas_op(Transpose op) { return op == Transpose::yes ? CblasTrans : CblasNoTrans; }

// A leading dimension of an empty matrix may be 0; BLAS wants at least 1.
blas_int leading(std::size_t ld, const char* what) { return to_blas_int(std::max<std::size_t>(ld, 1), what); }

// C = beta C over the m x n block of C, where BLAS would not be called or would not scale.
void scale_block(double beta, std::size_t m, std::size_t n, double* c, std::size_t ldc) {
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < m; ++i) c[i + j * ldc] = beta == 0.0 ? 0.0 : beta * c[i + j * ldc];
}

}  // namespace

blas_int to_blas_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw ArgumentError(std::string(what) + ": dimension " + std::to_string(n) +
                        " exceeds the 32-bit BLAS/LAPACK limit");
  }
  return static_cast<blas_int>(n);
}

void gemv(const char* what, Transpose op, std::size_t rows, std::size_t cols, double alpha, const double* a,
          std::size_t ld, const double* x, double beta, double* y) {
  const std::size_t y_size = op == Transpose::yes ? cols : rows;
  if (y_size == 0) return;
  if (rows == 0 || cols == 0 || beta == 0.0) {
    scale_block(beta, y_size, 1, y, y_size);
    if (rows == 0 || cols == 0) return;
  }
  cblas_dgemv(CblasColMajor, cblas_op(op), to_blas_int(rows, what), to_blas_int(cols, what), alpha, a,
              leading(ld, what), x, 1, beta, y, 1);
}

void gemm(const char* what, Transpose op_a, Transpose op_b, std::size_t m, std::size_t n, std::size_t k,
          double alpha, const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0 || beta == 0.0) {
    scale_block(beta, m, n, c, ldc);
    if (k == 0) return;
  }
  cblas_dgemm(CblasColMajor, cblas_op(op_a), cblas_op(op_b), to_blas_int(m, what), to_blas_int(n, what),
              to_blas_int(k, what), alpha, a, leading(lda, what), b, leading(ldb, what), beta, c,
              leading(ldc, what));
}

void ger(const char* what, std::size_t m, std::size_t n, double alpha, const double* x, const double* y,
         double* a, std::size_t lda) {
  if (m == 0 || n == 0) return;
  cblas_dger(CblasColMajor, to_blas_int(m, what), to_blas_int(n, what), alpha, x, 1, y, 1, a,
             leading(lda, what));
}

double nrm2(const char* what, std::size_t n, const double* x) {
  if (n == 0) return 0.0;
  return cblas_dnrm2(to_blas_int(n, what), x, 1);
}

}  // namespace frechet::blas
