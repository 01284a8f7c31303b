// Proves that the Krylov iterations allocate nothing: with operator new counting
// (allocation_counter.hpp), (1) the count does not change between the first and the last monitor call
// of a solve, (2) a whole solve allocates the same number of times for 5 iterations as for 60 (so
// neither the loop nor the restarts and true-residual checks allocate).
#define BOOST_TEST_MODULE frechet krylov allocations
#include <boost/test/unit_test.hpp>

#include "allocation_counter.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/power_iteration.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// A monitor that records the allocation count at every call into storage reserved beforehand.
struct AllocationProbe {
  std::vector<long> counts;
  AllocationProbe() { counts.reserve(100000); }
  Monitor monitor() {
    return [this](int, double) { counts.push_back(allocation_count.load()); };
  }
  bool loop_allocated() const { return !counts.empty() && counts.back() != counts.front(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(linear_solvers_allocate_only_before_iterating) {
  const CsrMatrix a = laplacian_2d(30, 30);
  const Vector b(a.rows(), 1.0);
  const OperatorPtr preconditioner = jacobi_inverse(a.diagonal());
  for (Method m : all_methods) {
    for (bool preconditioned : {false, true}) {
      BOOST_TEST_CONTEXT(method_name(m) << (preconditioned ? " preconditioned" : "")) {
        const OperatorPtr p = preconditioned ? preconditioner : nullptr;
        AllocationProbe probe;
        const SolveResult r = solve(m, a, b, {.rtol = 1e-10, .preconditioner = p, .monitor = probe.monitor(), .restart = 10});
        BOOST_TEST(r.converged);
        BOOST_TEST(probe.counts.size() == static_cast<std::size_t>(r.iterations) + 1);
        BOOST_TEST(!probe.loop_allocated());
        // The whole call: the same for 5 iterations as for 60 (with restarts every 10 for GMRES).
        const long few = allocations_of([&] { solve(m, a, b, {.max_iterations = 5, .preconditioner = p, .restart = 10}); });
        const long many = allocations_of([&] { solve(m, a, b, {.max_iterations = 60, .preconditioner = p, .restart = 10}); });
        BOOST_TEST(few == many);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(eigensolvers_allocate_only_before_iterating) {
  const CsrMatrix a = laplacian_2d(25, 24);
  AllocationProbe lanczos_probe;
  const LanczosResult l = lanczos(a, {.count = 3, .basis_size = 12, .monitor = lanczos_probe.monitor()});
  BOOST_TEST(l.restarts > 0);
  BOOST_TEST(!lanczos_probe.loop_allocated());
  AllocationProbe power_probe;
  power_iteration(a, {.max_iterations = 50, .monitor = power_probe.monitor()});
  BOOST_TEST(power_probe.counts.size() == 50u);
  BOOST_TEST(!power_probe.loop_allocated());
}
