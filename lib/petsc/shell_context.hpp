#pragma once
// What a MATSHELL made by to_petsc_matrix reaches from its callbacks, shared with the solvers that
// rethrow the exceptions the callbacks caught.

#include <petscvec.h>

#include <cstddef>
#include <memory>

#include "frechet/linop/csr_matrix.hpp"
#include "frechet/petsc/distributed_operator.hpp"
#include "frechet/petsc/petsc_matrix.hpp"
#include "petsc_check.hpp"

namespace frechet::detail {

struct ShellContext {
  OperatorPtr op;
  long products = 0;
  CallbackErrors errors;
};

/// The shell context of a matrix made by to_petsc_matrix; null for an assembled one.
ShellContext* shell_context(const PetscMatrix& a) noexcept;

/// y = A x, or y = A^T x, on this rank's parts with PETSc's arrays viewed in place: the body of the
/// MATSHELL and PCSHELL callbacks. An exception is kept in `errors` and becomes PETSC_ERR_LIB.
template <bool Transpose>
PetscErrorCode apply_on_petsc_vectors(const LinearOperator& a, CallbackErrors& errors, Vec x, Vec y) {
  PetscInt n = 0, m = 0;
  const PetscScalar* xa = nullptr;
  PetscScalar* ya = nullptr;
  PetscCall(VecGetLocalSize(x, &n));
  PetscCall(VecGetLocalSize(y, &m));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(y, &ya));
  const PetscErrorCode code = errors.guard([&] {
    const ConstVectorView in(xa, static_cast<std::size_t>(n));
    const VectorView out(ya, static_cast<std::size_t>(m));
    if constexpr (Transpose) {
      a.apply_adjoint(in, out);
    } else {
      a.apply(in, out);
    }
  });
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecRestoreArray(y, &ya));
  return code;
}

}  // namespace frechet::detail
