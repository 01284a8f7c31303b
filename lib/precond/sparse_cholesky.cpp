#include "frechet/precond/sparse_cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "cholmod_sparse.hpp"
#include "direct_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "workspace_pool.hpp"

namespace frechet {

namespace {

struct FactorDeleter {
  cholmod_common* common = nullptr;
  void operator()(cholmod_factor* l) const noexcept { cholmod_free_factor(&l, common); }
};

// What one solve needs besides the factor: a cholmod_common for its status and the solution and
// work arrays of cholmod_solve2, kept between calls so that a warm workspace allocates nothing.
struct SolveWorkspace {
  detail::CholmodCommon common;
  cholmod_dense* x = nullptr;
  cholmod_dense* y = nullptr;
  cholmod_dense* e = nullptr;

  SolveWorkspace() = default;
  SolveWorkspace(const SolveWorkspace&) = delete;
  SolveWorkspace& operator=(const SolveWorkspace&) = delete;
  ~SolveWorkspace() {
    cholmod_free_dense(&x, common.get());
    cholmod_free_dense(&y, common.get());
    cholmod_free_dense(&e, common.get());
  }
};

// cholmod_solve2 reuses X, Y and E only if their headers have the exact shape it asks for. Its
// simplicial solve asks for Y of max(4, k) x n (k right-hand sides) and leaves the header shrunk to
// the k columns it solved, so the next call would reallocate Y: restore the shape it will ask for
// when the array is large enough.
void restore_simplicial_workspace(const cholmod_factor& l, SolveWorkspace& work, std::size_t rhs) {
  if (l.is_super || work.y == nullptr) return;
  const std::size_t rows = std::max<std::size_t>(4, rhs);
  if (work.y->nzmax < rows * l.n) return;
  work.y->nrow = rows;
  work.y->d = rows;
  work.y->ncol = l.n;
}

int cholmod_method(SparseCholeskyMethod method) {
  switch (method) {
    case SparseCholeskyMethod::simplicial: return CHOLMOD_SIMPLICIAL;
    case SparseCholeskyMethod::supernodal: return CHOLMOD_SUPERNODAL;
    case SparseCholeskyMethod::automatic: break;
  }
  return CHOLMOD_AUTO;
}

// log det A = 2 sum_j log L_jj, read from either layout of an LL' factor: a simplicial column starts
// with its diagonal entry; supernode s stores its columns k1 <= k < k2 as a dense nsrow x (k2 - k1)
// block whose leading square holds the diagonal.
double log_determinant_of(const cholmod_factor& l) {
  const auto* x = static_cast<const double*>(l.x);
  double sum = 0.0;
  if (l.is_super) {
    const auto* super = static_cast<const int*>(l.super);
    const auto* pi = static_cast<const int*>(l.pi);
    const auto* px = static_cast<const int*>(l.px);
    for (std::size_t s = 0; s < l.nsuper; ++s) {
      const int columns = super[s + 1] - super[s];
      const int nsrow = pi[s + 1] - pi[s];
      for (int jj = 0; jj < columns; ++jj) sum += std::log(x[px[s] + jj + jj * nsrow]);
    }
  } else {
    const auto* p = static_cast<const int*>(l.p);
    for (std::size_t j = 0; j < l.n; ++j) sum += std::log(x[p[j]]);
  }
  return 2.0 * sum;
}

void check_symmetric_input(const CsrMatrix& a, const char* what) {
  detail::check_square(a, what);
  detail::check_finite_entries(a, what);
  if (!a.is_symmetric() && !a.is_numerically_symmetric(1e-12)) {
    throw ArgumentError(std::string(what) +
                        ": expected a symmetric matrix (|A_ij - A_ji| <= 1e-12 max|A|), got a nonsymmetric one; "
                        "use SparseLuFactorization for nonsymmetric matrices");
  }
}

}  // namespace

struct SparseCholeskyFactorization::Impl {
  detail::CholmodCommon common;  // first member: destroyed last, after everything allocated through it
  detail::SparsityPattern pattern;
  std::unique_ptr<cholmod_factor, FactorDeleter> factor;
  double log_determinant = 0.0;
  double factor_nnz = 0.0;
  bool usable = false;  // false after a failed refactor
  detail::WorkspacePool<SolveWorkspace> pool;

  Impl(const CsrMatrix& a, const SparseCholeskyOptions& options) : pattern(a) {
    cholmod_common* c = common.get();
    c->supernodal = cholmod_method(options.method);
    // Keep the factor LL' in the simplicial case too: CHOLMOD's simplicial LDL' accepts symmetric
    // indefinite matrices (it fails only on a zero pivot), which would hide a non-SPD input.
    c->final_ll = 1;
    const auto lower = detail::to_cholmod(a, common, detail::CholmodStorage::lower);
    factor = std::unique_ptr<cholmod_factor, FactorDeleter>(cholmod_analyze(lower.get(), c), FactorDeleter{c});
    if (!factor) {
      common.check("cholmod_analyze");
      throw Error("CHOLMOD (cholmod_analyze): no factor and no error status");
    }
    factor_nnz = c->lnz;
    factorize(*lower);
  }

  void factorize(cholmod_sparse& lower) {
    usable = false;
    cholmod_factorize(&lower, factor.get(), common.get());
    if (common.get()->status == CHOLMOD_NOT_POSDEF) {
      // L->minor is the failing step in CHOLMOD's fill-reducing order; Perm maps it back to A.
      const auto step = factor->minor;
      const int column = static_cast<const int*>(factor->Perm)[step];
      common.check("cholmod_factorize",
                   "the pivot of column " + std::to_string(column) + " of A (elimination step " +
                       std::to_string(step) + " of " + std::to_string(factor->n) +
                       " in the fill-reducing order) is not positive");
    }
    common.check("cholmod_factorize");
    log_determinant = log_determinant_of(*factor);
    usable = true;
  }

  void check_usable(const char* what) const {
    if (!usable) {
      throw NumericalError(std::string(what) +
                           ": the last refactor failed, so there is no factorization to solve with");
    }
  }
};

SparseCholeskyFactorization::SparseCholeskyFactorization(const CsrMatrix& a, const SparseCholeskyOptions& options) {
  check_symmetric_input(a, "SparseCholeskyFactorization: a");
  impl_ = std::make_unique<Impl>(a, options);
}

SparseCholeskyFactorization::~SparseCholeskyFactorization() = default;
SparseCholeskyFactorization::SparseCholeskyFactorization(SparseCholeskyFactorization&&) noexcept = default;
SparseCholeskyFactorization& SparseCholeskyFactorization::operator=(SparseCholeskyFactorization&&) noexcept = default;

std::size_t SparseCholeskyFactorization::size() const noexcept { return impl_->factor->n; }

void SparseCholeskyFactorization::refactor(const CsrMatrix& a) {
  const char* what = "SparseCholeskyFactorization::refactor: a";
  check_size(what, size(), a.rows());
  check_symmetric_input(a, what);
  impl_->pattern.check_same(a, what);
  const auto lower = detail::to_cholmod(a, impl_->common, detail::CholmodStorage::lower);
  impl_->factorize(*lower);
}

void SparseCholeskyFactorization::solve(ConstVectorView b, VectorView x) const {
  const std::size_t n = size();
  check_size("SparseCholeskyFactorization::solve: b", n, b.size());
  check_size("SparseCholeskyFactorization::solve: x", n, x.size());
  check_finite("SparseCholeskyFactorization::solve: b", b);
  impl_->check_usable("SparseCholeskyFactorization::solve");
  if (n == 0) return;
  const auto work = impl_->pool.lease();
  cholmod_dense rhs = detail::cholmod_dense_view(b.data(), n, 1);
  restore_simplicial_workspace(*impl_->factor, *work, 1);
  cholmod_solve2(CHOLMOD_A, impl_->factor.get(), &rhs, nullptr, &work->x, nullptr, &work->y, &work->e,
                 work->common.get());
  work->common.check("cholmod_solve2");
  const auto* solution = static_cast<const double*>(work->x->x);
  std::copy(solution, solution + n, x.begin());
}

Vector SparseCholeskyFactorization::solve(ConstVectorView b) const {
  Vector x(size());
  solve(b, x);
  return x;
}

DenseMatrix SparseCholeskyFactorization::solve(const DenseMatrix& b) const {
  const std::size_t n = size();
  check_size("SparseCholeskyFactorization::solve: rows of B", n, b.rows());
  check_finite("SparseCholeskyFactorization::solve: B", b.values());
  impl_->check_usable("SparseCholeskyFactorization::solve");
  DenseMatrix x(n, b.cols());
  if (x.size() == 0) return x;
  const auto work = impl_->pool.lease();
  cholmod_dense rhs = detail::cholmod_dense_view(b.data(), n, b.cols());
  restore_simplicial_workspace(*impl_->factor, *work, b.cols());
  cholmod_solve2(CHOLMOD_A, impl_->factor.get(), &rhs, nullptr, &work->x, nullptr, &work->y, &work->e,
                 work->common.get());
  work->common.check("cholmod_solve2");
  const auto* solution = static_cast<const double*>(work->x->x);
  std::copy(solution, solution + x.size(), x.data());
  return x;
}

CsrMatrix SparseCholeskyFactorization::solve(const CsrMatrix& b) const {
  const std::size_t n = size();
  check_size("SparseCholeskyFactorization::solve: rows of B", n, b.rows());
  detail::check_finite_entries(b, "SparseCholeskyFactorization::solve: B");
  impl_->check_usable("SparseCholeskyFactorization::solve");
  const auto work = impl_->pool.lease();
  const auto rhs = detail::to_cholmod(b, work->common);
  const detail::CholmodSparsePtr x(cholmod_spsolve(CHOLMOD_A, impl_->factor.get(), rhs.get(), work->common.get()),
                                   detail::CholmodSparseDeleter{work->common.get()});
  work->common.check("cholmod_spsolve");
  if (!x) throw Error("CHOLMOD (cholmod_spsolve): no solution and no error status");
  return detail::from_cholmod(x.get());
}

double SparseCholeskyFactorization::log_determinant() const noexcept { return impl_->log_determinant; }

bool SparseCholeskyFactorization::is_supernodal() const noexcept { return impl_->factor->is_super != 0; }

std::size_t SparseCholeskyFactorization::factor_nnz() const noexcept {
  return static_cast<std::size_t>(impl_->factor_nnz);
}

std::size_t SparseCholeskyFactorization::memory_bytes() const noexcept {
  // The arrays of cholmod_factor (CHOLMOD's Include/cholmod.h): values and row indices of L, its
  // column pointers (simplicial) or supernode arrays (supernodal), and the permutation and counts.
  const cholmod_factor& l = *impl_->factor;
  const std::size_t index = l.itype == CHOLMOD_LONG ? sizeof(std::int64_t) : sizeof(int);
  const std::size_t n = l.n;
  std::size_t values = 0, indices = 2 * n;  // Perm, ColCount
  if (l.is_super) {
    values = l.xsize;
    indices += l.ssize + 3 * (l.nsuper + 1);  // s; pi, px, super
  } else {
    values = l.nzmax;
    indices += l.nzmax + (n + 1) + n + 2 * (n + 2);  // i; p, nz, next, prev
  }
  return sizeof(cholmod_factor) + values * sizeof(double) + indices * index;
}

SparseCholeskyPreconditioner::SparseCholeskyPreconditioner(
    std::shared_ptr<const SparseCholeskyFactorization> factorization)
    : LinearOperator(factorization ? factorization->size() : 0, factorization ? factorization->size() : 0,
                     {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}),
      factorization_(std::move(factorization)) {
  if (!factorization_) throw ArgumentError("SparseCholeskyPreconditioner: the factorization is null");
}

void SparseCholeskyPreconditioner::apply_impl(ConstVectorView x, VectorView y) const { factorization_->solve(x, y); }

void SparseCholeskyPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  factorization_->solve(x, y);
}

std::shared_ptr<const SparseCholeskyPreconditioner> sparse_cholesky_preconditioner(
    const CsrMatrix& a, const SparseCholeskyOptions& options) {
  return std::make_shared<const SparseCholeskyPreconditioner>(
      std::make_shared<const SparseCholeskyFactorization>(a, options));
}

std::shared_ptr<const SparseCholeskyPreconditioner> sparse_cholesky_preconditioner(
    std::shared_ptr<const SparseCholeskyFactorization> factorization) {
  return std::make_shared<const SparseCholeskyPreconditioner>(std::move(factorization));
}

SolveResult sparse_cholesky_solve(const CsrMatrix& a, ConstVectorView b, const SparseCholeskyOptions& options) {
  check_size("sparse_cholesky_solve: b", a.rows(), b.size());
  check_finite("sparse_cholesky_solve: b", b);
  return detail::direct_solve_result(a, b, SparseCholeskyFactorization(a, options).solve(b), false);
}

}  // namespace frechet
