// The real matrices of FRECHET_MATRIX_DIR (written by others, see its README) through the
// stationary and incomplete-factorization preconditioners: CG on every SPD matrix, GMRES on the
// nonsymmetric ones that an incomplete factorization can handle.

#include <boost/test/unit_test.hpp>

#include "frechet/core/error.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/precond/block_jacobi.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/ssor.hpp"
#include "precond_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

CsrMatrix shared_matrix(const std::string& name) { return read_matrix_market(matrix_dir() / (name + ".mtx")).matrix; }

/// CG to rtol 1e-8 on A x = 1; the result must be right, not only reported converged.
SolveResult checked_cg(const CsrMatrix& a, OperatorPtr m, int max_iterations) {
  const Vector b(a.rows(), 1.0);
  SolveResult r = cg(a, b, {.rtol = 1e-8, .max_iterations = max_iterations, .preconditioner = std::move(m)});
  if (r.converged) BOOST_TEST(r.residual_norm <= 1.01e-8 * r.rhs_norm);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_spd_matrix_with_cg) {
  for (const std::string name : {"LUNDA", "494_bus", "nos6", "gr_900_900_crg", "1138_bus", "bcsstk13", "ani4",
                                 "bcsstk16"}) {
    BOOST_TEST_CONTEXT(name) {
      const CsrMatrix a = shared_matrix(name);
      const int limit = 10 * static_cast<int>(a.rows());
      // Unpreconditioned CG needs over 20000 iterations on bcsstk13: 3000 are enough to compare.
      const SolveResult none = checked_cg(a, nullptr, 3000);
      const SolveResult jacobi = checked_cg(a, jacobi_preconditioner(a), limit);
      const SolveResult block = checked_cg(a, block_jacobi_preconditioner(a, {.block_size = 3}), limit);
      const SolveResult ssor = checked_cg(a, ssor_preconditioner(a, {.omega = 1.2}), limit);
      const auto ic0 = ic0_preconditioner(a);
      const SolveResult with_ic0 = checked_cg(a, ic0, limit);
      BOOST_TEST_MESSAGE(name << ": CG iterations none " << none.iterations << " (" << reason_name(none.reason)
                              << "), Jacobi " << jacobi.iterations << ", block Jacobi(3) " << block.iterations
                              << ", SSOR(1.2) " << ssor.iterations << ", IC(0) " << with_ic0.iterations
                              << " (shift " << ic0->shift() << ")");
      BOOST_TEST(jacobi.converged);
      BOOST_TEST(block.converged);
      BOOST_TEST(ssor.converged);
      BOOST_TEST(with_ic0.converged);
      // IC(0) is the strongest of the four on every one of these matrices.
      BOOST_TEST(with_ic0.iterations < std::min({none.iterations, jacobi.iterations, ssor.iterations}));
    }
  }
}

BOOST_AUTO_TEST_CASE(nonsymmetric_matrices_with_gmres_and_ilu) {
  // west0479 has 471 zero diagonal entries: ILU(0) refuses it and ILUT needs its column pivoting.
  // watt_2 and bayer10 (condition numbers near 1e12 and 4e15) defeat both incomplete factorizations
  // with GMRES(50) and are left to the direct solvers.
  for (const std::string name : {"west0479", "pde900", "olm1000"}) {
    BOOST_TEST_CONTEXT(name) {
      const CsrMatrix a = shared_matrix(name);
      const Vector b(a.rows(), 1.0);
      const SolverOptions plain{.rtol = 1e-8, .max_iterations = 20 * static_cast<int>(a.rows()), .restart = 50};
      const SolveResult none = gmres(a, b, plain);
      const auto ilut = ilut_preconditioner(a, {.drop_tolerance = 1e-4, .fill = 20});
      SolverOptions with = plain;
      with.preconditioner = ilut;
      const SolveResult r = gmres(a, b, with);
      BOOST_TEST_MESSAGE(name << ": GMRES(50) " << none.iterations << " iterations (" << reason_name(none.reason)
                              << "), with ILUT(1e-4, 20) " << r.iterations << " (" << reason_name(r.reason)
                              << "), nnz(L+U) " << ilut->factor_nnz() << " vs nnz(A) " << a.nnz() << ", "
                              << ilut->permuted_columns() << " columns pivoted");
      BOOST_TEST(r.converged);
      BOOST_TEST(r.residual_norm <= 1.01e-8 * r.rhs_norm);
      BOOST_TEST(r.iterations * 5 < none.iterations);
      if (name != "west0479") {
        with.preconditioner = ilu0_preconditioner(a);
        BOOST_TEST(gmres(a, b, with).converged);
      } else {
        BOOST_CHECK_THROW(ilu0_preconditioner(a), ArgumentError);
      }
    }
  }
}
