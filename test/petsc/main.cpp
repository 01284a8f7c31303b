// main() of the PETSc suite, run under mpiexec at 1 and 2 ranks: the session (MPI, then PETSc)
// lives around the Boost.Test run. Every check compares values reduced over the ranks, so that a
// failure is the same on every rank and no rank waits alone in a collective call.
#include <boost/test/unit_test.hpp>

#include "frechet/petsc/petsc_session.hpp"

bool init_unit_test() { return true; }

int main(int argc, char* argv[]) {
  frechet::PetscSession session(argc, argv);
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
