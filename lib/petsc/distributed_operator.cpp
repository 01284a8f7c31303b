#include "frechet/petsc/distributed_operator.hpp"

#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "halo.hpp"
#include "petsc_check.hpp"

namespace frechet {
namespace {

// Global sizes and this rank's offsets, as 64-bit counts whatever size_t is.
std::uint64_t sum_over_ranks(MPI_Comm comm, std::uint64_t local) {
  std::uint64_t total = 0;
  MPI_Allreduce(&local, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
  return total;
}

std::uint64_t exclusive_prefix(MPI_Comm comm, std::uint64_t local) {
  std::uint64_t before = 0;
  MPI_Exscan(&local, &before, 1, MPI_UINT64_T, MPI_SUM, comm);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0 ? 0 : before;  // MPI_Exscan leaves rank 0's result undefined
}

}  // namespace

DistributedOperator::DistributedOperator(MPI_Comm comm, std::size_t local_rows, std::size_t local_cols,
                                         OperatorTraits traits)
    : LinearOperator(local_rows, local_cols, traits),
      comm_(comm),
      global_rows_(sum_over_ranks(comm, local_rows)),
      global_cols_(sum_over_ranks(comm, local_cols)),
      row_begin_(exclusive_prefix(comm, local_rows)),
      col_begin_(exclusive_prefix(comm, local_cols)) {}

Vector DistributedOperator::diagonal() const {
  throw ArgumentError("DistributedOperator::diagonal: this operator does not provide its diagonal; "
                      "override diagonal() or choose a preconditioner that does not read it");
}

double global_dot(MPI_Comm comm, ConstVectorView x, ConstVectorView y) {
  const double local = dot(x, y);
  double total = 0.0;
  MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, comm);
  return total;
}

double global_norm2(MPI_Comm comm, ConstVectorView x) {
  // Each rank's norm2 is scaled against overflow; the squares of the ranks' norms are summed, which
  // overflows only when the global norm itself is beyond the double range.
  const double local = norm2(x);
  double total = 0.0;
  const double square = local * local;
  MPI_Allreduce(&square, &total, 1, MPI_DOUBLE, MPI_SUM, comm);
  return std::sqrt(total);
}

LocalRange split_ownership(MPI_Comm comm, std::size_t n) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const std::size_t ranks = static_cast<std::size_t>(size), r = static_cast<std::size_t>(rank);
  // PetscSplitOwnership's rule, computed here so that sizes beyond PetscInt stay exact.
  const std::size_t base = n / ranks, extra = n % ranks;
  return {.begin = r * base + std::min(r, extra), .size = base + (r < extra ? 1 : 0)};
}

namespace detail {

Halo::Halo(MPI_Comm comm, std::size_t owned, std::span<const SparseIndex> ghosts)
    : ghost_count_(ghosts.size()), ghost_storage_(ghosts.size()) {
  static_assert(sizeof(PetscInt) == sizeof(SparseIndex), "PETSc's indices must be frechet's 32-bit SparseIndex");
  IS from = nullptr;
  check(VecCreateMPIWithArray(comm, 1, static_cast<PetscInt>(owned), PETSC_DECIDE, nullptr, &owned_),
        "VecCreateMPIWithArray");
  check(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, static_cast<PetscInt>(ghost_count_), ghost_storage_.data(), &ghost_),
        "VecCreateSeqWithArray");
  check(ISCreateGeneral(PETSC_COMM_SELF, static_cast<PetscInt>(ghost_count_), ghosts.data(), PETSC_COPY_VALUES, &from),
        "ISCreateGeneral");
  const PetscErrorCode code = VecScatterCreate(owned_, from, ghost_, nullptr, &scatter_);
  ISDestroy(&from);
  check(code, "VecScatterCreate");
}

Halo::~Halo() {
  VecScatterDestroy(&scatter_);
  VecDestroy(&ghost_);
  VecDestroy(&owned_);
}

void Halo::begin_gather(ConstVectorView x) {
  // PETSc only reads x in a forward scatter; VecPlaceArray takes a non-const pointer.
  check(VecPlaceArray(owned_, const_cast<double*>(x.data())), "VecPlaceArray");
  check(VecScatterBegin(scatter_, owned_, ghost_, INSERT_VALUES, SCATTER_FORWARD), "VecScatterBegin");
}

ConstVectorView Halo::finish_gather() {
  check(VecScatterEnd(scatter_, owned_, ghost_, INSERT_VALUES, SCATTER_FORWARD), "VecScatterEnd");
  check(VecResetArray(owned_), "VecResetArray");
  return ghost_storage_;
}

VectorView Halo::ghost_buffer() { return ghost_storage_; }

void Halo::scatter_add(VectorView y) {
  check(VecPlaceArray(owned_, y.data()), "VecPlaceArray");
  check(VecScatterBegin(scatter_, ghost_, owned_, ADD_VALUES, SCATTER_REVERSE), "VecScatterBegin");
  check(VecScatterEnd(scatter_, ghost_, owned_, ADD_VALUES, SCATTER_REVERSE), "VecScatterEnd");
  check(VecResetArray(owned_), "VecResetArray");
}

}  // namespace detail
}  // namespace frechet
