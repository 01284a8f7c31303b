#pragma once
/// \file
/// frechet operators as PETSc matrices, for PETSc's solvers and preconditioners. to_petsc_matrix
/// makes a MATSHELL whose MatMult and MatMultTranspose call the operator's apply and apply_adjoint on
/// this rank's parts (no copy: PETSc's arrays are viewed as frechet vectors), and MatGetDiagonal its
/// diagonal() (what PCJACOBI reads). to_petsc_aij copies a DistributedCsrMatrix into PETSc's own
/// MPIAIJ format, the matrix that PETSc's algebraic preconditioners (gamg, hypre, asm, ilu) need.

#include <petscmat.h>

#include <memory>

#include "frechet/linop/linear_operator.hpp"
#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_operator.hpp"

namespace frechet {

class PetscMatrix;
namespace detail {
struct ShellContext;  // what a MATSHELL's callbacks reach (lib/petsc/shell_context.hpp)
ShellContext* shell_context(const PetscMatrix& a) noexcept;
}

/// A PETSc matrix (Mat) with shared ownership: copies refer to the same Mat, destroyed with the last
/// copy (which must go before the PetscSession). A shell keeps its frechet operator alive.
class PetscMatrix {
public:
  /// The PETSc handle, for PETSc calls; valid while a copy of this PetscMatrix lives.
  Mat get() const noexcept;
  /// Products with the matrix or its transpose made through a shell's callbacks since it was made;
  /// 0 for an assembled matrix (to_petsc_aij), whose products PETSc does not count.
  long operator_products() const noexcept;

private:
  struct Handle;
  std::shared_ptr<Handle> handle_;
  std::shared_ptr<detail::ShellContext> shell_;  // null for an assembled matrix
  friend PetscMatrix to_petsc_matrix(OperatorPtr, MPI_Comm);
  friend PetscMatrix to_petsc_aij(const DistributedCsrMatrix&);
  friend detail::ShellContext* detail::shell_context(const PetscMatrix&) noexcept;
};

/// A MATSHELL on op's communicator, its local and global sizes op's. Collective.
PetscMatrix to_petsc_matrix(std::shared_ptr<const DistributedOperator> op);
/// A MATSHELL for any frechet operator whose rows() and cols() are this rank's parts of a
/// distributed operator on comm, such as add(a, diagonal_operator(d)) of a DistributedOperator a; on
/// PETSC_COMM_SELF, any serial operator. Its products must be collective on comm (or local, for
/// PETSC_COMM_SELF). MatGetDiagonal uses the diagonal() of a DistributedOperator or a CsrMatrix; any
/// other operator has none, and a preconditioner that asks for it makes the solve throw
/// ArgumentError. Collective. Throws ArgumentError for a null op.
PetscMatrix to_petsc_matrix(OperatorPtr op, MPI_Comm comm);
/// The same rows copied into a PETSc MPIAIJ matrix (MatCreateMPIAIJWithArrays), with the declared
/// symmetry. Collective.
PetscMatrix to_petsc_aij(const DistributedCsrMatrix& a);

}  // namespace frechet
