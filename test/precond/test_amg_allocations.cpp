// Proves that applying the AMG V-cycle and the Chebyshev preconditioner allocates nothing after the
// first product (operator new counting, allocation_counter.hpp), and that a whole preconditioned CG
// allocates as often for 3 iterations as for many.
#define BOOST_TEST_MODULE frechet precond allocations
#include <boost/test/unit_test.hpp>

#include "allocation_counter.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/amg.hpp"
#include "frechet/precond/chebyshev.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_CASE(products_allocate_only_the_first_time) {
  const auto a = std::make_shared<const CsrMatrix>(laplacian_3d(18, 17, 16));
  const std::vector<OperatorPtr> preconditioners = {
      amg_preconditioner(a),
      amg_preconditioner(a, {.smoother = AmgSmoother::jacobi, .sweeps = 2}),
      amg_preconditioner(a, {.max_levels = 1, .coarsest_size = 10}),
      chebyshev_preconditioner(a, {.degree = 4}),
  };
  const Vector x(a->rows(), 1.0);
  Vector y(a->rows());
  for (const OperatorPtr& m : preconditioners) {
    m->apply(x, y);  // takes the work vectors
    BOOST_TEST(allocations_of([&] {
      for (int k = 0; k < 5; ++k) m->apply(x, y);
    }) == 0);
  }
}

BOOST_AUTO_TEST_CASE(preconditioned_cg_allocates_the_same_for_any_iteration_count) {
  const auto a = std::make_shared<const CsrMatrix>(laplacian_2d(200, 200));
  const OperatorPtr m = amg_preconditioner(a, {.coarsest_size = 20});
  const Vector b(a->rows(), 1.0);
  m->apply(b);  // the first product takes the work vectors
  const long few = allocations_of([&] { cg(*a, b, {.max_iterations = 3, .preconditioner = m}); });
  int iterations = 0;
  const long many = allocations_of([&] { iterations = cg(*a, b, {.rtol = 1e-14, .max_iterations = 30, .preconditioner = m}).iterations; });
  BOOST_TEST(iterations > 10);
  BOOST_TEST(few == many);
}
