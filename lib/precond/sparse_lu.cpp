#include "frechet/precond/sparse_lu.hpp"

#include <suitesparse/umfpack.h>

#include <array>
#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "direct_support.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "workspace_pool.hpp"

namespace frechet {

namespace {

struct SymbolicDeleter {
  void operator()(void* symbolic) const noexcept { umfpack_di_free_symbolic(&symbolic); }
};
struct NumericDeleter {
  void operator()(void* numeric) const noexcept { umfpack_di_free_numeric(&numeric); }
};

// umfpack_di_wsolve's work arrays (n ints, 5 n doubles with iterative refinement), kept between calls.
struct SolveWorkspace {
  std::vector<int> wi;
  std::vector<double> w;
};

std::string rcond_text(double rcond) {
  std::ostringstream s;
  s << "reciprocal condition estimate " << rcond;
  return s.str();
}

}  // namespace

static_assert(std::is_same_v<SparseIndex, int>, "UMFPACK's int API reads the CSR index arrays in place");

// CSR arrays of A are the CSC arrays of A^T, which is what UMFPACK is handed: it factors A^T without a
// conversion, and a solve with A is its transposed solve (UMFPACK_At), a solve with A^T its plain one.

struct SparseLuFactorization::Impl {
  std::size_t n;
  detail::SparsityPattern pattern;
  Vector values;
  std::array<double, UMFPACK_CONTROL> control{};
  std::unique_ptr<void, SymbolicDeleter> symbolic;
  std::unique_ptr<void, NumericDeleter> numeric;
  double rcond = 0.0;
  double log_abs_det = 0.0;
  double det_sign = 1.0;
  std::size_t factor_nnz = 0;
  std::size_t numeric_bytes = 0;  // UMFPACK's Numeric object: L, U, the permutations and scale factors
  detail::WorkspacePool<SolveWorkspace> pool;

  explicit Impl(const CsrMatrix& a)
      : n(a.rows()), pattern(a), values(a.values().begin(), a.values().end()) {
    umfpack_di_defaults(control.data());
    std::array<double, UMFPACK_INFO> info{};
    void* s = nullptr;
    const int n_int = static_cast<int>(n);
    const int status = umfpack_di_symbolic(n_int, n_int, pattern.row_offsets.data(), pattern.col_indices.data(), values.data(), &s,
                                           control.data(), info.data());
    symbolic.reset(s);
    detail::check_umfpack_status(status, "umfpack_di_symbolic");
    factorize();
  }

  void factorize() {
    numeric.reset();
    std::array<double, UMFPACK_INFO> info{};
    void* f = nullptr;
    const int status = umfpack_di_numeric(pattern.row_offsets.data(), pattern.col_indices.data(), values.data(), symbolic.get(), &f,
                                          control.data(), info.data());
    rcond = info[UMFPACK_RCOND];
    if (status == UMFPACK_WARNING_singular_matrix) {
      umfpack_di_free_numeric(&f);
      detail::check_umfpack_status(status, "umfpack_di_numeric",
                                   "a pivot is exactly zero (" + rcond_text(rcond) + ")");
    }
    numeric.reset(f);
    detail::check_umfpack_status(status, "umfpack_di_numeric");
    factor_nnz = static_cast<std::size_t>(info[UMFPACK_LNZ] + info[UMFPACK_UNZ]) - n;
    numeric_bytes = static_cast<std::size_t>(info[UMFPACK_NUMERIC_SIZE] * info[UMFPACK_SIZE_OF_UNIT]);
    double mantissa = 0.0, exponent = 0.0;
    detail::check_umfpack_status(umfpack_di_get_determinant(&mantissa, &exponent, numeric.get(), nullptr),
                                 "umfpack_di_get_determinant");
    det_sign = mantissa < 0.0 ? -1.0 : 1.0;
    log_abs_det = std::log(std::abs(mantissa)) + exponent * std::log(10.0);
  }

  void solve(int system, ConstVectorView b, VectorView x, const char* what) const {
    check_size(what, n, b.size());
    check_size(what, n, x.size());
    check_finite(what, b);
    if (!numeric) {
      throw NumericalError(std::string(what) + ": the last refactor failed, so there is no factorization to solve with");
    }
    const auto work = pool.lease();
    work->wi.resize(n);
    work->w.resize(5 * n);
    std::array<double, UMFPACK_INFO> info{};
    const int status = umfpack_di_wsolve(system, pattern.row_offsets.data(), pattern.col_indices.data(), values.data(), x.data(), b.data(),
                                         numeric.get(), control.data(), info.data(), work->wi.data(), work->w.data());
    detail::check_umfpack_status(status, "umfpack_di_wsolve");
  }
};

SparseLuFactorization::SparseLuFactorization(const CsrMatrix& a) {
  detail::check_square(a, "SparseLuFactorization: a");
  if (a.rows() == 0) throw ShapeError("SparseLuFactorization: a: expected a nonempty matrix, got 0 x 0");
  detail::check_finite_entries(a, "SparseLuFactorization: a");
  impl_ = std::make_unique<Impl>(a);
}

SparseLuFactorization::~SparseLuFactorization() = default;
SparseLuFactorization::SparseLuFactorization(SparseLuFactorization&&) noexcept = default;
SparseLuFactorization& SparseLuFactorization::operator=(SparseLuFactorization&&) noexcept = default;

std::size_t SparseLuFactorization::size() const noexcept { return impl_->n; }

void SparseLuFactorization::refactor(const CsrMatrix& a) {
  const char* what = "SparseLuFactorization::refactor: a";
  detail::check_square(a, what);
  check_size(what, size(), a.rows());
  detail::check_finite_entries(a, what);
  impl_->pattern.check_same(a, what);
  std::copy(a.values().begin(), a.values().end(), impl_->values.begin());
  impl_->factorize();
}

void SparseLuFactorization::solve(ConstVectorView b, VectorView x) const {
  impl_->solve(UMFPACK_At, b, x, "SparseLuFactorization::solve: b");
}

Vector SparseLuFactorization::solve(ConstVectorView b) const {
  Vector x(size());
  solve(b, x);
  return x;
}

DenseMatrix SparseLuFactorization::solve(const DenseMatrix& b) const {
  check_size("SparseLuFactorization::solve: rows of B", size(), b.rows());
  DenseMatrix x(b.rows(), b.cols());
  for (std::size_t j = 0; j < b.cols(); ++j) solve(b.col(j), x.col(j));
  return x;
}

void SparseLuFactorization::solve_transpose(ConstVectorView b, VectorView x) const {
  impl_->solve(UMFPACK_A, b, x, "SparseLuFactorization::solve_transpose: b");
}

Vector SparseLuFactorization::solve_transpose(ConstVectorView b) const {
  Vector x(size());
  solve_transpose(b, x);
  return x;
}

double SparseLuFactorization::reciprocal_condition_estimate() const noexcept { return impl_->rcond; }
double SparseLuFactorization::log_abs_determinant() const noexcept { return impl_->log_abs_det; }
double SparseLuFactorization::determinant_sign() const noexcept { return impl_->det_sign; }
std::size_t SparseLuFactorization::factor_nnz() const noexcept { return impl_->factor_nnz; }

std::size_t SparseLuFactorization::memory_bytes() const noexcept { return impl_->numeric_bytes; }

SparseLuPreconditioner::SparseLuPreconditioner(std::shared_ptr<const SparseLuFactorization> factorization)
    : LinearOperator(factorization ? factorization->size() : 0, factorization ? factorization->size() : 0),
      factorization_(std::move(factorization)) {
  if (!factorization_) throw ArgumentError("SparseLuPreconditioner: the factorization is null");
}

void SparseLuPreconditioner::apply_impl(ConstVectorView x, VectorView y) const { factorization_->solve(x, y); }

void SparseLuPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  factorization_->solve_transpose(x, y);
}

std::shared_ptr<const SparseLuPreconditioner> sparse_lu_preconditioner(const CsrMatrix& a) {
  return std::make_shared<const SparseLuPreconditioner>(std::make_shared<const SparseLuFactorization>(a));
}

std::shared_ptr<const SparseLuPreconditioner> sparse_lu_preconditioner(
    std::shared_ptr<const SparseLuFactorization> factorization) {
  return std::make_shared<const SparseLuPreconditioner>(std::move(factorization));
}

SolveResult sparse_lu_solve(const CsrMatrix& a, ConstVectorView b) {
  check_size("sparse_lu_solve: b", a.rows(), b.size());
  check_finite("sparse_lu_solve: b", b);
  return detail::direct_solve_result(a, b, SparseLuFactorization(a).solve(b), false);
}

}  // namespace frechet
