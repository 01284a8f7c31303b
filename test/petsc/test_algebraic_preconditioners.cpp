// PETSc's algebraic preconditioners on frechet operators: a MATSHELL of a frechet operator as A and
// its assembled MPIAIJ copy as the matrix the preconditioner is built from (preconditioner_matrix),
// with GAMG, hypre's BoomerAMG and ASM. Each solve is checked against an independent one (CG with
// Jacobi on the same operator, or CHOLMOD on the serial matrix), and the multigrid ones must need a
// fraction of Jacobi's iterations: a preconditioner PETSc silently ignored would fail that.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "frechet/petsc/petsc_matrix.hpp"
#include "frechet/petsc/petsc_solve.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "petsc_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::global_relative_error;
using frechet::testing::slice;
using frechet::testing::world;

BOOST_AUTO_TEST_SUITE(algebraic_preconditioners)

BOOST_AUTO_TEST_CASE(multigrid_on_a_matrix_free_laplacian) {
  // 20 x 20 x 20 = 8000 unknowns: large enough that Jacobi-CG needs ~50 iterations and the
  // multigrid ones a handful, small enough for the suite.
  const auto free = distributed_laplacian_3d_operator(world(), 20, 20, 20);
  const DistributedCsrMatrix assembled = distributed_laplacian_3d(world(), 20, 20, 20);
  Vector b_local(free->rows());
  for (std::size_t i = 0; i < b_local.size(); ++i) b_local[i] = 1.0 + static_cast<double>((free->row_begin() + i) % 5);
  const PetscMatrix shell = to_petsc_matrix(free);
  const SolveResult jacobi = petsc_solve(shell, b_local, {.pc_type = "jacobi", .rtol = 1e-10});
  BOOST_TEST_REQUIRE(jacobi.converged);
  for (const std::string pc : {"gamg", "hypre", "asm"}) {
    BOOST_TEST_CONTEXT("pc_type " << pc) {
      const SolveResult r =
          petsc_solve(shell, b_local, {.pc_type = pc, .preconditioner_matrix = to_petsc_aij(assembled), .rtol = 1e-10});
      BOOST_TEST_MESSAGE(pc << ": " << r.iterations << " iterations, jacobi " << jacobi.iterations);
      BOOST_TEST(r.converged);
      BOOST_TEST(r.residual_norm <= 1e-10 * r.rhs_norm);
      BOOST_TEST(global_relative_error(world(), r.x, jacobi.x) < 1e-8);
      if (pc != "asm") BOOST_TEST(3 * r.iterations < jacobi.iterations);  // multigrid: a handful of V-cycles
      BOOST_TEST(r.iterations < jacobi.iterations);
    }
  }
}

BOOST_AUTO_TEST_CASE(multigrid_on_a_harwell_boeing_matrix) {
  // bcsstk16 (4884 unknowns, 290 378 entries): a structural stiffness matrix from the Harwell-Boeing
  // collection, read into a distributed matrix; the answer is CHOLMOD's on the serial matrix.
  const auto dir = frechet::testing::matrix_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "bcsstk16.mtx")) return;  // no matrices in this build
  const auto file = dir / "bcsstk16.mtx";
  const CsrMatrix serial = read_matrix_market(file).matrix;
  const auto d = std::make_shared<const DistributedCsrMatrix>(read_distributed_matrix_market(file, world()));
  const Vector b = serial.apply(Vector(serial.cols(), 1.0));
  const SolveResult exact = sparse_cholesky_solve(serial, b);
  BOOST_TEST_REQUIRE(exact.converged);
  const Vector b_local = slice(b, d->row_begin(), d->rows());
  const Vector exact_local = slice(exact.x, d->row_begin(), d->rows());
  const PetscMatrix shell = to_petsc_matrix(d);
  const SolveResult jacobi = petsc_solve(shell, b_local, {.pc_type = "jacobi", .rtol = 1e-10});
  BOOST_TEST_REQUIRE(jacobi.converged);
  for (const std::string pc : {"gamg", "hypre"}) {
    BOOST_TEST_CONTEXT("pc_type " << pc) {
      const SolveResult r = petsc_solve(shell, b_local, {.pc_type = pc, .preconditioner_matrix = to_petsc_aij(*d), .rtol = 1e-10});
      BOOST_TEST_MESSAGE(pc << ": " << r.iterations << " iterations, jacobi " << jacobi.iterations);
      BOOST_TEST(r.converged);
      BOOST_TEST(r.residual_norm <= 1e-10 * r.rhs_norm);
      // A relative residual of 1e-10 bounds the relative error by cond(A) 1e-10; stiffness matrices
      // are ill-conditioned, so the bound is loose here.
      BOOST_TEST(global_relative_error(world(), r.x, exact_local) < 1e-5);
      BOOST_TEST(r.iterations < jacobi.iterations);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
