#include "frechet/petsc/petsc_session.hpp"

#include <petscsys.h>

#include "petsc_check.hpp"

namespace frechet {

PetscSession::PetscSession(int& argc, char**& argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    MPI_Init(&argc, &argv);
    owns_mpi_ = true;
  }
  // With MPI initialised first, PetscFinalize leaves it running: the destructor finalizes it.
  detail::check(PetscInitialize(&argc, &argv, nullptr, nullptr), "PetscInitialize");
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank_);
  MPI_Comm_size(PETSC_COMM_WORLD, &size_);
}

PetscSession::~PetscSession() {
  PetscFinalize();
  if (owns_mpi_) MPI_Finalize();
}

MPI_Comm PetscSession::comm() const noexcept { return PETSC_COMM_WORLD; }

}  // namespace frechet
