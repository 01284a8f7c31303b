#pragma once
// LAPACK's Fortran entry points, as OpenBLAS exports them. Dimensions are BLAS's integer: convert
// each with blas::to_blas_int, which checks that it fits. Internal: only lib/ includes this.

#include <cstddef>

#include "blas.hpp"

namespace frechet::lapack {

using blas::blas_int;

extern "C" {
void dgetrf_(const blas_int* m, const blas_int* n, double* a, const blas_int* lda, blas_int* ipiv,
             blas_int* info);
void dgetrs_(const char* trans, const blas_int* n, const blas_int* nrhs, const double* a, const blas_int* lda,
             const blas_int* ipiv, double* b, const blas_int* ldb, blas_int* info, std::size_t trans_len);
void dpotrf_(const char* uplo, const blas_int* n, double* a, const blas_int* lda, blas_int* info,
             std::size_t uplo_len);
void dpotrs_(const char* uplo, const blas_int* n, const blas_int* nrhs, const double* a, const blas_int* lda,
             double* b, const blas_int* ldb, blas_int* info, std::size_t uplo_len);
void dgeqrf_(const blas_int* m, const blas_int* n, double* a, const blas_int* lda, double* tau, double* work,
             const blas_int* lwork, blas_int* info);
void dormqr_(const char* side, const char* trans, const blas_int* m, const blas_int* n, const blas_int* k,
             const double* a, const blas_int* lda, const double* tau, double* c, const blas_int* ldc,
             double* work, const blas_int* lwork, blas_int* info, std::size_t side_len, std::size_t trans_len);
void dtrtrs_(const char* uplo, const char* trans, const char* diag, const blas_int* n, const blas_int* nrhs,
             const double* a, const blas_int* lda, double* b, const blas_int* ldb, blas_int* info,
             std::size_t uplo_len, std::size_t trans_len, std::size_t diag_len);
void dsyevd_(const char* jobz, const char* uplo, const blas_int* n, double* a, const blas_int* lda, double* w,
             double* work, const blas_int* lwork, blas_int* iwork, const blas_int* liwork, blas_int* info,
             std::size_t jobz_len, std::size_t uplo_len);
void dgesdd_(const char* jobz, const blas_int* m, const blas_int* n, double* a, const blas_int* lda,
             double* s, double* u, const blas_int* ldu, double* vt, const blas_int* ldvt, double* work,
             const blas_int* lwork, blas_int* iwork, blas_int* info, std::size_t jobz_len);
void dorgqr_(const blas_int* m, const blas_int* n, const blas_int* k, double* a, const blas_int* lda,
             const double* tau, double* work, const blas_int* lwork, blas_int* info);
}

}  // namespace frechet::lapack
