#include "frechet/precond/sparse_qr.hpp"

#include <suitesparse/SuiteSparseQR.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "cholmod_sparse.hpp"
#include "direct_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "workspace_pool.hpp"

namespace frechet {

namespace {

using Qr = SuiteSparseQR_factorization<double>;

// SPQR works through CHOLMOD's SuiteSparse_long API only.
struct LongCommon : detail::CholmodCommon {
  LongCommon() : CholmodCommon(detail::CholmodIndex::int64) {}
};

struct DenseDeleter {
  cholmod_common* common = nullptr;
  void operator()(cholmod_dense* d) const noexcept { cholmod_l_free_dense(&d, common); }
};
using DensePtr = std::unique_ptr<cholmod_dense, DenseDeleter>;

struct SparseDeleter {
  cholmod_common* common = nullptr;
  void operator()(cholmod_sparse* s) const noexcept { cholmod_l_free_sparse(&s, common); }
};

// The CSR arrays of M are the CSC arrays of M^T: returns M^T as a CHOLMOD matrix with long indices.
std::unique_ptr<cholmod_sparse, SparseDeleter> transpose_as_cholmod(const CsrMatrix& m, LongCommon& common) {
  std::unique_ptr<cholmod_sparse, SparseDeleter> c(
      cholmod_l_allocate_sparse(m.cols(), m.rows(), m.nnz(), /*sorted=*/1, /*packed=*/1, /*stype=*/0, CHOLMOD_REAL,
                                common.get()),
      SparseDeleter{common.get()});
  if (!c) {
    common.check("cholmod_l_allocate_sparse");
    throw Error("CHOLMOD (cholmod_l_allocate_sparse): no matrix and no error status");
  }
  std::copy(m.row_offsets().begin(), m.row_offsets().end(), static_cast<SuiteSparse_long*>(c->p));
  std::copy(m.col_indices().begin(), m.col_indices().end(), static_cast<SuiteSparse_long*>(c->i));
  std::copy(m.values().begin(), m.values().end(), static_cast<double*>(c->x));
  return c;
}

DensePtr checked(cholmod_dense* d, LongCommon& common, const char* what) {
  DensePtr owned(d, DenseDeleter{common.get()});
  common.check(what);
  if (!owned) throw Error(std::string("SPQR (") + what + "): no result and no error status");
  return owned;
}

}  // namespace

// SPQR factors F E = Q R with F = A when m >= n and F = A^T otherwise, F of size p x q with p >= q.
// Two solves of F's problems serve all four of A's:
//   least squares  min ||F x - b||:  x = E R^{-1} Q^T b      (qmult Q^T, then R E^T x = y)
//   minimum norm   F^T y = c:        y = Q R^{-T} E^T c      (R^T z = E^T c, then qmult Q)
// and each is the transpose of the other, so the operator's adjoint is exact.
struct SparseQrFactorization::Impl {
  LongCommon common;  // first member: destroyed last
  std::size_t m;
  std::size_t n;
  bool transposed;  // F = A^T
  Qr* qr = nullptr;  // freed by the destructor, through `common`
  std::size_t bytes = 0;  // CHOLMOD's memory_inuse once the copy of A is freed
  detail::WorkspacePool<LongCommon> pool;

  Impl(const CsrMatrix& a, double tol) : m(a.rows()), n(a.cols()), transposed(a.rows() < a.cols()) {
    // CSR of A is CSC of A^T: hand A^T over directly, or A through one transpose.
    const auto f = transposed ? transpose_as_cholmod(a, common) : transpose_as_cholmod(a.transposed(), common);
    qr = SuiteSparseQR_factorize<double>(SPQR_ORDERING_DEFAULT, tol, f.get(), common.get());
    if (qr == nullptr) {
      common.check("SuiteSparseQR_factorize");
      throw Error("SPQR (SuiteSparseQR_factorize): no factorization and no error status");
    }
  }
  ~Impl() { SuiteSparseQR_free<double>(&qr, common.get()); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // min ||F x - b||, b with p entries, x with q.
  void least_squares(ConstVectorView b, VectorView x) const {
    const auto work = pool.lease();
    cholmod_dense rhs = detail::cholmod_dense_view(b.data(), b.size(), 1);
    const DensePtr y = checked(SuiteSparseQR_qmult<double>(SPQR_QTX, qr, &rhs, work->get()), *work,
                               "SuiteSparseQR_qmult");
    const DensePtr solution = checked(SuiteSparseQR_solve<double>(SPQR_RETX_EQUALS_B, qr, y.get(), work->get()),
                                      *work, "SuiteSparseQR_solve");
    std::copy_n(static_cast<const double*>(solution->x), x.size(), x.begin());
  }

  // F^T y = c with y of least norm, c with q entries, y with p.
  void minimum_norm(ConstVectorView c, VectorView y) const {
    const auto work = pool.lease();
    cholmod_dense rhs = detail::cholmod_dense_view(c.data(), c.size(), 1);
    const DensePtr z = checked(SuiteSparseQR_solve<double>(SPQR_RTX_EQUALS_ETB, qr, &rhs, work->get()), *work,
                               "SuiteSparseQR_solve");
    const DensePtr solution =
        checked(SuiteSparseQR_qmult<double>(SPQR_QX, qr, z.get(), work->get()), *work, "SuiteSparseQR_qmult");
    std::copy_n(static_cast<const double*>(solution->x), y.size(), y.begin());
  }
};

SparseQrFactorization::SparseQrFactorization(const CsrMatrix& a, const SparseQrOptions& options) {
  if (a.rows() == 0 || a.cols() == 0) {
    throw ShapeError("SparseQrFactorization: a: expected a nonempty matrix, got " + std::to_string(a.rows()) + " x " +
                     std::to_string(a.cols()));
  }
  if (options.atol && !(std::isfinite(*options.atol) && *options.atol >= 0.0)) {
    throw ArgumentError("SparseQrFactorization: options.atol: expected a finite number >= 0, got " +
                        std::to_string(*options.atol));
  }
  detail::check_finite_entries(a, "SparseQrFactorization: a");
  impl_ = std::make_unique<Impl>(a, options.atol ? *options.atol : SPQR_DEFAULT_TOL);
  // Everything SPQR allocated goes through this workspace's allocator, which counts it.
  impl_->bytes = impl_->common.get()->memory_inuse;
}

SparseQrFactorization::~SparseQrFactorization() = default;
SparseQrFactorization::SparseQrFactorization(SparseQrFactorization&&) noexcept = default;
SparseQrFactorization& SparseQrFactorization::operator=(SparseQrFactorization&&) noexcept = default;

std::size_t SparseQrFactorization::rows() const noexcept { return impl_->m; }
std::size_t SparseQrFactorization::cols() const noexcept { return impl_->n; }
std::size_t SparseQrFactorization::rank() const noexcept { return static_cast<std::size_t>(impl_->qr->rank); }
double SparseQrFactorization::tolerance() const noexcept { return impl_->qr->tol; }
std::size_t SparseQrFactorization::memory_bytes() const noexcept { return impl_->bytes; }

Vector SparseQrFactorization::solve(ConstVectorView b) const {
  check_size("SparseQrFactorization::solve: b", rows(), b.size());
  check_finite("SparseQrFactorization::solve: b", b);
  Vector x(cols());
  if (impl_->transposed) impl_->minimum_norm(b, x);
  else impl_->least_squares(b, x);
  return x;
}

Vector SparseQrFactorization::solve_transpose(ConstVectorView c) const {
  check_size("SparseQrFactorization::solve_transpose: c", cols(), c.size());
  check_finite("SparseQrFactorization::solve_transpose: c", c);
  Vector y(rows());
  if (impl_->transposed) impl_->least_squares(c, y);
  else impl_->minimum_norm(c, y);
  return y;
}

SparseQrPreconditioner::SparseQrPreconditioner(std::shared_ptr<const SparseQrFactorization> factorization)
    : LinearOperator(factorization ? factorization->cols() : 0, factorization ? factorization->rows() : 0),
      factorization_(std::move(factorization)) {
  if (!factorization_) throw ArgumentError("SparseQrPreconditioner: the factorization is null");
}

void SparseQrPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const Vector solution = factorization_->solve(x);
  std::copy(solution.begin(), solution.end(), y.begin());
}

void SparseQrPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  const Vector solution = factorization_->solve_transpose(x);
  std::copy(solution.begin(), solution.end(), y.begin());
}

std::shared_ptr<const SparseQrPreconditioner> sparse_qr_preconditioner(const CsrMatrix& a,
                                                                       const SparseQrOptions& options) {
  return std::make_shared<const SparseQrPreconditioner>(std::make_shared<const SparseQrFactorization>(a, options));
}

std::shared_ptr<const SparseQrPreconditioner> sparse_qr_preconditioner(
    std::shared_ptr<const SparseQrFactorization> factorization) {
  return std::make_shared<const SparseQrPreconditioner>(std::move(factorization));
}

SolveResult sparse_qr_solve(const CsrMatrix& a, ConstVectorView b, const SparseQrOptions& options) {
  check_size("sparse_qr_solve: b", a.rows(), b.size());
  check_finite("sparse_qr_solve: b", b);
  return detail::direct_solve_result(a, b, SparseQrFactorization(a, options).solve(b), true);
}

}  // namespace frechet
