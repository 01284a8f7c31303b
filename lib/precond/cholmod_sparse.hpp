#pragma once
// Internal: RAII for CHOLMOD's workspace and sparse matrices, and the conversions between CsrMatrix
// and cholmod_sparse (int API, double values). SuiteSparse types never appear in public headers;
// the Cholesky and QR factorizations of precond/ build on this file. CHOLMOD status codes (SPQR
// reports through the same cholmod_common) become frechet errors in exactly one place,
// check_cholmod_status.

#include <suitesparse/cholmod.h>

#include <memory>
#include <string>

#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// Throws the frechet error for a CHOLMOD or SPQR status, naming `what` (the call that failed) and
/// ending with `detail` when it is not empty: NumericalError for CHOLMOD_NOT_POSDEF and
/// CHOLMOD_DSMALL, ArgumentError for CHOLMOD_INVALID and CHOLMOD_TOO_LARGE, Error otherwise (out of
/// memory, not installed, GPU). CHOLMOD_OK returns.
void check_cholmod_status(int status, const char* what, const std::string& detail = {});

/// The index type of a CHOLMOD workspace: CHOLMOD's int API, or its SuiteSparse_long API, which SPQR
/// requires.
enum class CholmodIndex { int32, int64 };

/// CHOLMOD's workspace: cholmod_start (cholmod_l_start for int64) on construction, cholmod_finish on
/// destruction, printing turned off (errors come back as exceptions). Pinned in memory because objects
/// allocated through it keep its address; it must outlive them.
class CholmodCommon {
public:
  explicit CholmodCommon(CholmodIndex index = CholmodIndex::int32);
  ~CholmodCommon();
  CholmodCommon(const CholmodCommon&) = delete;
  CholmodCommon& operator=(const CholmodCommon&) = delete;

  cholmod_common* get() noexcept { return &common_; }
  /// check_cholmod_status(status of the last call, what, detail).
  void check(const char* what, const std::string& detail = {}) const {
    check_cholmod_status(common_.status, what, detail);
  }

private:
  cholmod_common common_;
  CholmodIndex index_;
};

/// Column-major doubles seen as a cholmod_dense without a copy, for arguments CHOLMOD and SPQR only
/// read (the right-hand sides of their solves).
cholmod_dense cholmod_dense_view(const double* data, std::size_t rows, std::size_t cols);

/// Frees a cholmod_sparse through the workspace that allocated it.
struct CholmodSparseDeleter {
  cholmod_common* common = nullptr;
  void operator()(cholmod_sparse* a) const noexcept { cholmod_free_sparse(&a, common); }
};

/// An owned cholmod_sparse; the CholmodCommon that allocated it must outlive it.
using CholmodSparsePtr = std::unique_ptr<cholmod_sparse, CholmodSparseDeleter>;

/// Which entries to_cholmod hands over.
enum class CholmodStorage {
  full,  ///< every entry, stype = 0
  lower  ///< the lower triangle i >= j of a square matrix, stype = -1: CHOLMOD reads it as symmetric
};

/// A as a packed, sorted CHOLMOD matrix (CSC, so the CSR arrays are transposed on the way). With
/// `lower`, entries above the diagonal are dropped, not checked: the caller vouches for symmetry.
/// Throws ShapeError for `lower` on a non-square matrix.
CholmodSparsePtr to_cholmod(const CsrMatrix& a, CholmodCommon& common, CholmodStorage storage = CholmodStorage::full);

/// A CHOLMOD matrix (real, double, int indices; packed or not, sorted or not) as CSR. A symmetric one
/// (stype != 0) is expanded from the triangle it stores, the other triangle ignored as CHOLMOD does,
/// and the result is declared symmetric. Duplicates are summed. Throws ArgumentError for a null
/// pointer, another value or index type, or an index out of range.
CsrMatrix from_cholmod(const cholmod_sparse* a);

}  // namespace frechet::detail
