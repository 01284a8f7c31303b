#pragma once
// What a MATSHELL made by to_petsc_matrix reaches from its callbacks, shared with the solvers that
// rethrow the exceptions the callbacks caught.

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

}  // namespace frechet::detail
