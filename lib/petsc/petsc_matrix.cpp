#include "frechet/petsc/petsc_matrix.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "frechet/core/error.hpp"
#include "petsc_check.hpp"
#include "shell_context.hpp"

namespace frechet {

struct PetscMatrix::Handle {
  Mat mat = nullptr;
  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { MatDestroy(&mat); }
};

Mat PetscMatrix::get() const noexcept { return handle_->mat; }

long PetscMatrix::operator_products() const noexcept { return shell_ ? shell_->products : 0; }

namespace detail {

ShellContext* shell_context(const PetscMatrix& a) noexcept { return a.shell_.get(); }

}  // namespace detail

namespace {

detail::ShellContext* context_of(Mat a) {
  void* context = nullptr;
  MatShellGetContext(a, &context);
  return static_cast<std::shared_ptr<detail::ShellContext>*>(context)->get();
}

// y = A x or y = A^T x on this rank's parts, PETSc's arrays viewed in place.
template <bool Transpose> PetscErrorCode shell_product(Mat a, Vec x, Vec y) {
  detail::ShellContext* s = context_of(a);
  const PetscErrorCode code = detail::apply_on_petsc_vectors<Transpose>(*s->op, s->errors, x, y);
  if (code == 0) ++s->products;
  return code;
}

PetscErrorCode shell_diagonal(Mat a, Vec d) {
  detail::ShellContext* s = context_of(a);
  PetscInt n = 0;
  PetscScalar* da = nullptr;
  PetscCall(VecGetLocalSize(d, &n));
  PetscCall(VecGetArray(d, &da));
  const PetscErrorCode code = s->errors.guard([&] {
    Vector diagonal;
    if (const auto* distributed = dynamic_cast<const DistributedOperator*>(s->op.get())) {
      diagonal = distributed->diagonal();
    } else if (const auto* csr = dynamic_cast<const CsrMatrix*>(s->op.get())) {
      diagonal = csr->diagonal();
    } else {
      throw ArgumentError("to_petsc_matrix: the preconditioner reads the matrix's diagonal (MatGetDiagonal), which "
                          "this operator does not provide; give a DistributedOperator with diagonal(), a CsrMatrix, "
                          "or a preconditioner that does not read it");
    }
    check_size("to_petsc_matrix: the operator's diagonal()", static_cast<std::size_t>(n), diagonal.size());
    std::copy(diagonal.begin(), diagonal.end(), da);
  });
  PetscCall(VecRestoreArray(d, &da));
  return code;
}

PetscErrorCode destroy_context(void* context) {
  delete static_cast<std::shared_ptr<detail::ShellContext>*>(context);
  return 0;
}

std::uint64_t sum_over_ranks(MPI_Comm comm, std::uint64_t local) {
  std::uint64_t total = 0;
  MPI_Allreduce(&local, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
  return total;
}

}  // namespace

PetscMatrix to_petsc_matrix(std::shared_ptr<const DistributedOperator> op) {
  if (!op) throw ArgumentError("to_petsc_matrix: op is null");
  const MPI_Comm comm = op->comm();
  return to_petsc_matrix(std::move(op), comm);
}

PetscMatrix to_petsc_matrix(OperatorPtr op, MPI_Comm comm) {
  if (!op) throw ArgumentError("to_petsc_matrix: op is null");
  PetscMatrix result;
  result.handle_ = std::make_shared<PetscMatrix::Handle>();
  result.shell_ = std::make_shared<detail::ShellContext>();
  result.shell_->op = op;
  const auto global_rows = sum_over_ranks(comm, op->rows()), global_cols = sum_over_ranks(comm, op->cols());
  // The Mat owns a copy of the shared context, released by MatDestroy through destroy_context,
  // so that a KSP still referring to the Mat never sees a dead operator.
  auto* context = new std::shared_ptr<detail::ShellContext>(result.shell_);
  Mat& a = result.handle_->mat;
  if (const PetscErrorCode code =
          MatCreateShell(comm, static_cast<PetscInt>(op->rows()), static_cast<PetscInt>(op->cols()),
                         static_cast<PetscInt>(global_rows), static_cast<PetscInt>(global_cols), context, &a)) {
    delete context;
    detail::check(code, "MatCreateShell");
  }
  detail::check(MatShellSetContextDestroy(a, destroy_context), "MatShellSetContextDestroy");
  detail::check(MatShellSetOperation(a, MATOP_MULT, reinterpret_cast<void (*)(void)>(shell_product<false>)),
                "MatShellSetOperation");
  detail::check(MatShellSetOperation(a, MATOP_MULT_TRANSPOSE, reinterpret_cast<void (*)(void)>(shell_product<true>)),
                "MatShellSetOperation");
  detail::check(MatShellSetOperation(a, MATOP_GET_DIAGONAL, reinterpret_cast<void (*)(void)>(shell_diagonal)),
                "MatShellSetOperation");
  if (op->is_symmetric()) detail::check(MatSetOption(a, MAT_SYMMETRIC, PETSC_TRUE), "MatSetOption");
  return result;
}

PetscMatrix to_petsc_aij(const DistributedCsrMatrix& a) {
  PetscMatrix result;
  result.handle_ = std::make_shared<PetscMatrix::Handle>();
  const CsrMatrix& local = a.local_rows();
  // PetscInt and SparseIndex are both 32-bit (static_assert in distributed_operator.cpp): the arrays pass as they are.
  detail::check(MatCreateMPIAIJWithArrays(a.comm(), static_cast<PetscInt>(a.rows()), static_cast<PetscInt>(a.cols()),
                                          static_cast<PetscInt>(a.global_rows()), static_cast<PetscInt>(a.global_cols()),
                                          local.row_offsets().data(), local.col_indices().data(),
                                          local.values().data(), &result.handle_->mat),
                "MatCreateMPIAIJWithArrays");
  if (a.is_symmetric()) detail::check(MatSetOption(result.handle_->mat, MAT_SYMMETRIC, PETSC_TRUE), "MatSetOption");
  return result;
}

}  // namespace frechet
