// KSP through frechet: the MATSHELL of frechet operators, petsc_solve and PetscLinearSolver against
// frechet's serial cg and gmres (same stopping rule, same iterations), reasons, bad input.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "frechet/petsc/petsc_matrix.hpp"
#include "frechet/petsc/petsc_solve.hpp"
#include "petsc_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::global_relative_error;
using frechet::testing::slice;
using frechet::testing::world;

namespace {

// A right-hand side that is not an eigenvector: 1 + (i mod 7) / 8, as a serial vector.
Vector rhs(std::size_t n) {
  Vector b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = 1.0 + static_cast<double>(i % 7) * 0.125;
  return b;
}

// A nonsymmetric, diagonally dominant matrix: the 3D Laplacian plus a convection-like skew part.
CsrMatrix convection(std::size_t n) {
  const CsrMatrix l = laplacian_3d(n, n, n);
  std::vector<SparseIndex> offsets(l.row_offsets().begin(), l.row_offsets().end());
  std::vector<SparseIndex> columns(l.col_indices().begin(), l.col_indices().end());
  Vector values(l.values().begin(), l.values().end());
  for (std::size_t i = 0; i < l.rows(); ++i)
    for (auto e = offsets[i]; e < offsets[i + 1]; ++e)
      if (static_cast<std::size_t>(columns[e]) == i + 1) values[e] += 0.6;  // upwind in x
  return CsrMatrix(l.rows(), l.cols(), offsets, columns, values);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(solve)

BOOST_AUTO_TEST_CASE(cg_equals_serial_cg) {
  const CsrMatrix a = laplacian_3d(8, 8, 8);
  const Vector b = rhs(a.rows());
  const auto d = std::make_shared<const DistributedCsrMatrix>(distribute_rows(world(), a));
  const Vector b_local = slice(b, d->row_begin(), d->rows());
  for (const std::string pc : {"none", "jacobi"}) {
    BOOST_TEST_CONTEXT("pc_type " << pc) {
      const SolveResult serial =
          cg(a, b, {.preconditioner = pc == "jacobi" ? jacobi_preconditioner(a) : OperatorPtr{}});
      int history_calls = 0;
      const SolveResult r = petsc_solve(to_petsc_matrix(d), b_local,
                                        {.pc_type = pc, .monitor = [&](int, double) { ++history_calls; }});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.iterations == serial.iterations);
      BOOST_TEST(global_relative_error(world(), r.x, slice(serial.x, d->row_begin(), d->rows())) < 1e-10);
      BOOST_TEST(r.residual_norm <= 1e-8 * r.rhs_norm);
      BOOST_TEST(r.rhs_norm == norm2(b), boost::test_tools::tolerance(1e-14));
      BOOST_TEST(r.residual_history.size() == static_cast<std::size_t>(r.iterations) + 1);
      BOOST_TEST(history_calls == r.iterations + 1);
      // One product per iteration and the residual recomputation.
      BOOST_TEST(r.operator_products == r.iterations + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(gmres_equals_serial_gmres_and_transpose_solve) {
  const CsrMatrix a = convection(7);
  const Vector b = rhs(a.rows());
  const auto d = std::make_shared<const DistributedCsrMatrix>(distribute_rows(world(), a));
  const Vector b_local = slice(b, d->row_begin(), d->rows());
  const SolveResult serial = gmres(a, b, {.preconditioner = jacobi_preconditioner(a), .restart = 10});
  const PetscLinearSolver solver(to_petsc_matrix(d), {.method = "gmres", .pc_type = "jacobi", .restart = 10});
  const SolveResult r = solver.solve(b_local);
  BOOST_TEST(r.converged);
  BOOST_TEST(std::abs(r.iterations - serial.iterations) <= 1);
  BOOST_TEST(global_relative_error(world(), r.x, slice(serial.x, d->row_begin(), d->rows())) < 1e-7);
  // A^T x = b with the same KSP and Jacobi transposed, against serial gmres on A^T.
  const CsrMatrix at = a.transposed();
  const SolveResult serial_t = gmres(at, b, {.rtol = 1e-10, .preconditioner = jacobi_preconditioner(at), .restart = 10});
  const PetscLinearSolver tight(to_petsc_matrix(d), {.method = "gmres", .pc_type = "jacobi", .rtol = 1e-10, .restart = 10});
  const SolveResult rt = tight.solve_transpose(b_local);
  BOOST_TEST(rt.converged);
  BOOST_TEST(rt.residual_norm <= 1e-10 * rt.rhs_norm);
  BOOST_TEST(global_relative_error(world(), rt.x, slice(serial_t.x, d->row_begin(), d->rows())) < 1e-8);
}

BOOST_AUTO_TEST_CASE(matrix_free_and_assembled_agree) {
  const auto free = distributed_laplacian_3d_operator(world(), 7, 6, 5);
  const DistributedCsrMatrix assembled = distributed_laplacian_3d(world(), 7, 6, 5);
  const Vector b = rhs(free->global_rows());
  const Vector b_local = slice(b, free->row_begin(), free->rows());
  const SolveResult r_free = petsc_solve(to_petsc_matrix(free), b_local, {.pc_type = "jacobi"});
  // The assembled copy in PETSc's MPIAIJ, and block Jacobi with ILU(0) built from it.
  const SolveResult r_aij = petsc_solve(to_petsc_aij(assembled), b_local, {.pc_type = "jacobi"});
  BOOST_TEST(r_free.converged);
  BOOST_TEST(r_aij.iterations == r_free.iterations);
  BOOST_TEST(global_relative_error(world(), r_aij.x, r_free.x) < 1e-10);
  const auto shell = to_petsc_matrix(std::make_shared<const DistributedCsrMatrix>(assembled));
  const SolveResult r_bjacobi = petsc_solve(shell, b_local, {.pc_type = "bjacobi", .preconditioner_matrix = to_petsc_aij(assembled)});
  BOOST_TEST(r_bjacobi.converged);
  BOOST_TEST(global_relative_error(world(), r_bjacobi.x, r_free.x) < 1e-6);
}

BOOST_AUTO_TEST_CASE(frechet_preconditioner_as_pcshell_equals_pc_jacobi) {
  const auto d = std::make_shared<const DistributedCsrMatrix>(distributed_laplacian_3d(world(), 6, 6, 6));
  const Vector b_local = slice(rhs(d->global_rows()), d->row_begin(), d->rows());
  const SolveResult petsc_jacobi = petsc_solve(to_petsc_matrix(d), b_local, {.pc_type = "jacobi"});
  const SolveResult frechet_jacobi =
      petsc_solve(to_petsc_matrix(d), b_local, {.preconditioner = jacobi_preconditioner(d->diagonal())});
  BOOST_TEST(frechet_jacobi.iterations == petsc_jacobi.iterations);
  BOOST_TEST(global_relative_error(world(), frechet_jacobi.x, petsc_jacobi.x) < 1e-12);
}

BOOST_AUTO_TEST_CASE(reasons_and_limits) {
  const auto d = std::make_shared<const DistributedCsrMatrix>(distributed_laplacian_3d(world(), 6, 6, 6));
  const Vector b_local = slice(rhs(d->global_rows()), d->row_begin(), d->rows());
  const SolveResult capped = petsc_solve(to_petsc_matrix(d), b_local, {.max_iterations = 3});
  BOOST_TEST(capped.reason == Reason::max_iterations);
  BOOST_TEST(capped.iterations == 3);
  BOOST_TEST(!capped.converged);
  // An indefinite operator: cg reports it.
  const auto indefinite = add(d, diagonal_operator(Vector(d->rows(), -6.5)));
  const SolveResult r = petsc_solve(to_petsc_matrix(indefinite, world()), b_local);
  BOOST_TEST(r.reason == Reason::indefinite);
  // x0 = the solution converges at iteration 0.
  const SolveResult solved = petsc_solve(to_petsc_matrix(d), b_local, {.rtol = 1e-12});
  const SolveResult again = petsc_solve(to_petsc_matrix(d), b_local, {.rtol = 1e-6, .x0 = solved.x});
  BOOST_TEST(again.converged);
  BOOST_TEST(again.iterations == 0);
}

BOOST_AUTO_TEST_CASE(serial_operator_on_comm_self) {
  // Every rank solves its own small dense system on PETSC_COMM_SELF.
  Random rng(3);
  const DenseMatrix a = frechet::testing::random_spd(12, rng);
  const Vector b = rng.gaussian_vector(12);
  const SolveResult serial = cg(dense_operator(a), b, {.rtol = 1e-12});
  const SolveResult r = petsc_solve(to_petsc_matrix(dense_operator(a), PETSC_COMM_SELF), b, {.rtol = 1e-12});
  BOOST_TEST(r.iterations == serial.iterations);
  BOOST_TEST(frechet::testing::relative_error(r.x, serial.x) < 1e-10);
  // Jacobi needs a diagonal that a dense operator does not give.
  BOOST_CHECK_THROW(petsc_solve(to_petsc_matrix(dense_operator(a), PETSC_COMM_SELF), b, {.pc_type = "jacobi"}),
                    ArgumentError);
}

BOOST_AUTO_TEST_CASE(bad_input_throws_on_every_rank) {
  int rank = 0;
  MPI_Comm_rank(world(), &rank);
  const auto d = std::make_shared<const DistributedCsrMatrix>(distributed_laplacian_3d(world(), 4, 4, 4));
  const PetscMatrix m = to_petsc_matrix(d);
  const Vector b_local(d->rows(), 1.0);
  // A wrong size or a NaN on rank 0 only.
  BOOST_CHECK_THROW(petsc_solve(m, Vector(d->rows() + (rank == 0 ? 1 : 0), 1.0)), ShapeError);
  Vector nan = b_local;
  if (rank == 0 && !nan.empty()) nan[0] = std::nan("");
  BOOST_CHECK_THROW(petsc_solve(m, nan), NonFiniteError);
  BOOST_CHECK_THROW(petsc_solve(m, b_local, {.rtol = -1}), ArgumentError);
  BOOST_CHECK_THROW(petsc_solve(m, b_local, {.pc_type = "jacobi", .preconditioner = jacobi_preconditioner(d->diagonal())}),
                    ArgumentError);
  BOOST_CHECK_THROW(petsc_solve(m, b_local, {.method = "cg", .restart = 5}), ArgumentError);
  BOOST_CHECK_THROW(petsc_solve(m, b_local, {.max_iterations = -1}), ArgumentError);
  // A matrix-free operator has no diagonal by default: the diagonal of a sum is not known.
  const auto sum = add(d, diagonal_operator(Vector(d->rows(), 1.0)));
  BOOST_CHECK_THROW(petsc_solve(to_petsc_matrix(sum, world()), b_local, {.pc_type = "jacobi"}), ArgumentError);
  // A preconditioner without a transpose, for the transposed solve.
  const PetscLinearSolver blocks(to_petsc_matrix(d), {.pc_type = "bjacobi", .preconditioner_matrix = to_petsc_aij(*d)});
  BOOST_TEST(blocks.solve(b_local).converged);
  // A PETSc PCSHELL set through ksp() with an apply and no transpose: the transposed solve refuses it.
  const PetscLinearSolver no_transpose(m, {.method = "gmres"});
  PC pc = nullptr;
  KSPGetPC(no_transpose.ksp(), &pc);
  PCSetType(pc, PCSHELL);
  PCShellSetApply(pc, [](PC, Vec x, Vec y) -> PetscErrorCode { return VecCopy(x, y); });
  BOOST_TEST(no_transpose.solve(b_local).converged);
  BOOST_CHECK_THROW(no_transpose.solve_transpose(b_local), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
