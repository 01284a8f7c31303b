#pragma once
// The library's one door to BLAS: every cblas_* call goes through these wrappers, which check that
// each dimension fits the BLAS integer and give the empty cases their mathematical meaning (BLAS
// leaves y or C untouched when a dimension is 0, whatever beta is). Matrices are column-major
// (entry (i, j) at a[i + j * ld], ld >= rows). Internal: only lib/ includes this.

#include <cstddef>

#include "frechet/core/dense_matrix.hpp"

namespace frechet::blas {

/// The integer of the BLAS and LAPACK interfaces. Debian's OpenBLAS is built with 32-bit integers
/// (LP64), so every dimension and leading dimension must be at most 2^31 - 1.
using blas_int = int;

/// n as a blas_int; throws ArgumentError "<what>: dimension <n> exceeds the 32-bit BLAS/LAPACK
/// limit" when it does not fit.
blas_int to_blas_int(std::size_t n, const char* what);

/// y = alpha op(A) x + beta y for the rows x cols matrix A (dgemv). With beta == 0, y is only
/// written (BLAS may read it even then); with an empty A, y = beta y. `what` names the operation
/// in the error a too-large dimension throws.
void gemv(const char* what, Transpose op, std::size_t rows, std::size_t cols, double alpha, const double* a,
          std::size_t ld, const double* x, double beta, double* y);

/// C = alpha op(A) op(B) + beta C with C m x n and inner dimension k (dgemm). With beta == 0, C is
/// only written; with k == 0, C = beta C.
void gemm(const char* what, Transpose op_a, Transpose op_b, std::size_t m, std::size_t n, std::size_t k,
          double alpha, const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc);

/// A += alpha x y^T for the m x n matrix A (dger).
void ger(const char* what, std::size_t m, std::size_t n, double alpha, const double* x, const double* y,
         double* a, std::size_t lda);

/// ||x||_2 of n entries by the scaled sum of squares of dnrm2, safe from overflow and underflow.
double nrm2(const char* what, std::size_t n, const double* x);

}  // namespace frechet::blas
