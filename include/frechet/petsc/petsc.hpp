#pragma once
/// \file
/// The PETSc layer in one include (frechet/frechet.hpp does not include it): link libfrechet_petsc
/// (pkg-config frechet-petsc), which brings PETSc and MPI. The guide is doc/petsc.md.

#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "frechet/petsc/distributed_operator.hpp"
#include "frechet/petsc/newton_krylov.hpp"
#include "frechet/petsc/petsc_estimators.hpp"
#include "frechet/petsc/petsc_matrix.hpp"
#include "frechet/petsc/petsc_session.hpp"
#include "frechet/petsc/petsc_solve.hpp"
