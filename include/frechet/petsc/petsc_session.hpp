#pragma once
/// \file
/// The lifetime of MPI and PETSc in a program that uses frechet's PETSc layer. The library never
/// initialises either: a program's main owns one PetscSession, and every PETSc object (operators of
/// this layer, PetscMatrix, PetscLinearSolver) must be destroyed before it.

#include <mpi.h>

namespace frechet {

/// Initialises MPI (unless the program already did) and PETSc for its lifetime; the destructor
/// finalizes PETSc, then MPI if this session initialised it. PETSc reads its options (-ksp_view,
/// -log_view, ...) from argc/argv, which it may modify. Throws NumericalError if PETSc fails to start.
///
/// ```
/// int main(int argc, char** argv) {
///   frechet::PetscSession session(argc, argv);
///   auto a = frechet::distributed_laplacian_3d(session.comm(), 64, 64, 64);
///   ...
/// }
/// ```
class PetscSession {
public:
  PetscSession(int& argc, char**& argv);
  ~PetscSession();
  PetscSession(const PetscSession&) = delete;
  PetscSession& operator=(const PetscSession&) = delete;

  /// PETSC_COMM_WORLD: every rank of the program.
  MPI_Comm comm() const noexcept;
  /// This process's rank in comm() and the number of ranks.
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

private:
  bool owns_mpi_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace frechet
