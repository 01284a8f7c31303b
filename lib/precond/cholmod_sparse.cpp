#include "cholmod_sparse.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "frechet/core/error.hpp"

namespace frechet::detail {

void check_cholmod_status(int status, const char* what, const std::string& detail) {
  if (status == CHOLMOD_OK) return;
  const std::string where = std::string("CHOLMOD (") + what + "): ";
  const std::string tail = detail.empty() ? std::string() : "; " + detail;
  switch (status) {
    case CHOLMOD_NOT_POSDEF: throw NumericalError(where + "the matrix is not positive definite" + tail);
    case CHOLMOD_DSMALL: throw NumericalError(where + "a pivot of the factorization is tiny: the matrix is numerically singular" + tail);
    case CHOLMOD_INVALID: throw ArgumentError(where + "invalid input" + tail);
    case CHOLMOD_TOO_LARGE: throw ArgumentError(where + "the problem is too large for 32-bit indices" + tail);
    case CHOLMOD_OUT_OF_MEMORY: throw Error(where + "out of memory" + tail);
    case CHOLMOD_NOT_INSTALLED: throw Error(where + "the method is not installed in this SuiteSparse build" + tail);
    case CHOLMOD_GPU_PROBLEM: throw Error(where + "GPU failure" + tail);
    default: throw Error(where + "unknown status " + std::to_string(status) + tail);
  }
}

CholmodCommon::CholmodCommon(CholmodIndex index) : index_(index) {
  if (index == CholmodIndex::int64) cholmod_l_start(&common_);
  else cholmod_start(&common_);
  check("cholmod_start");
  common_.print = 0;
}

CholmodCommon::~CholmodCommon() {
  if (index_ == CholmodIndex::int64) cholmod_l_finish(&common_);
  else cholmod_finish(&common_);
}

cholmod_dense cholmod_dense_view(const double* data, std::size_t rows, std::size_t cols) {
  cholmod_dense d{};
  d.nrow = rows;
  d.ncol = cols;
  d.nzmax = rows * cols;
  d.d = rows;
  d.x = const_cast<double*>(data);  // NOLINT(cppcoreguidelines-pro-type-const-cast): read only, see the header
  d.xtype = CHOLMOD_REAL;
  d.dtype = CHOLMOD_DOUBLE;
  return d;
}

CholmodSparsePtr to_cholmod(const CsrMatrix& a, CholmodCommon& common, CholmodStorage storage) {
  const bool lower = storage == CholmodStorage::lower;
  if (lower && !a.is_square()) {
    throw ShapeError("to_cholmod: lower (symmetric) storage needs a square matrix, got " +
                     std::to_string(a.rows()) + "x" + std::to_string(a.cols()));
  }
  const auto rows = a.row_offsets();
  const auto cols = a.col_indices();
  const auto vals = a.values();
  const auto keep = [&](std::size_t i, std::size_t k) { return !lower || static_cast<std::size_t>(cols[k]) <= i; };
  std::size_t nnz = 0;
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (auto k = static_cast<std::size_t>(rows[i]); k < static_cast<std::size_t>(rows[i + 1]); ++k) nnz += keep(i, k);

  CholmodSparsePtr c(cholmod_allocate_sparse(a.rows(), a.cols(), nnz, /*sorted=*/1, /*packed=*/1,
                                             lower ? -1 : 0, CHOLMOD_REAL, common.get()),
                     CholmodSparseDeleter{common.get()});
  if (!c) {
    common.check("cholmod_allocate_sparse");
    throw Error("CHOLMOD (cholmod_allocate_sparse): no matrix and no error status");
  }
  // CSR of A is CSC of A^T: count the entries of each column, then place them row by row, which
  // leaves the row indices of every column sorted.
  auto* p = static_cast<int*>(c->p);
  auto* ci = static_cast<int*>(c->i);
  auto* cx = static_cast<double*>(c->x);
  std::vector<int> next(a.cols() + 1, 0);
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (auto k = static_cast<std::size_t>(rows[i]); k < static_cast<std::size_t>(rows[i + 1]); ++k)
      if (keep(i, k)) ++next[static_cast<std::size_t>(cols[k]) + 1];
  for (std::size_t j = 0; j < a.cols(); ++j) next[j + 1] += next[j];
  std::copy(next.begin(), next.end(), p);
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (auto k = static_cast<std::size_t>(rows[i]); k < static_cast<std::size_t>(rows[i + 1]); ++k) {
      if (!keep(i, k)) continue;
      const auto dst = static_cast<std::size_t>(next[static_cast<std::size_t>(cols[k])]++);
      ci[dst] = static_cast<int>(i);
      cx[dst] = vals[k];
    }
  }
  return c;
}

CsrMatrix from_cholmod(const cholmod_sparse* a) {
  if (a == nullptr) throw ArgumentError("from_cholmod: the matrix is null");
  if (a->xtype != CHOLMOD_REAL || a->dtype != CHOLMOD_DOUBLE || a->itype != CHOLMOD_INT) {
    throw ArgumentError("from_cholmod: expected a real double matrix with int indices, got xtype " +
                        std::to_string(a->xtype) + ", dtype " + std::to_string(a->dtype) + ", itype " +
                        std::to_string(a->itype));
  }
  const auto* p = static_cast<const int*>(a->p);
  const auto* ci = static_cast<const int*>(a->i);
  const auto* nz = static_cast<const int*>(a->nz);
  const auto* cx = static_cast<const double*>(a->x);
  std::vector<SparseIndex> r, c;
  Vector v;
  for (std::size_t j = 0; j < a->ncol; ++j) {
    const int end = a->packed ? p[j + 1] : p[j] + nz[j];
    for (int k = p[j]; k < end; ++k) {
      const int i = ci[k];
      const auto col = static_cast<SparseIndex>(j);
      if (i < 0 || static_cast<std::size_t>(i) >= a->nrow) {
        throw ArgumentError("from_cholmod: row index " + std::to_string(i) + " in column " +
                            std::to_string(j) + " is outside [0, " + std::to_string(a->nrow) + ")");
      }
      // stype > 0 stores the upper triangle (i <= j), stype < 0 the lower; the other one is ignored.
      if ((a->stype > 0 && i > col) || (a->stype < 0 && i < col)) continue;
      r.push_back(i);
      c.push_back(col);
      v.push_back(cx[k]);
      if (a->stype != 0 && i != col) {
        r.push_back(col);
        c.push_back(i);
        v.push_back(cx[k]);
      }
    }
  }
  return CsrMatrix::from_triplets(a->nrow, a->ncol, r, c, v, {.symmetric = a->stype != 0});
}

}  // namespace frechet::detail
