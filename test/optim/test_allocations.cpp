// Proves that an L-BFGS iteration allocates nothing, with operator new counting
// (allocation_counter.hpp): on the extended Rosenbrock function written with scalar operations and
// differentiated by differentiable_objective, the count does not change between the monitor calls of
// the later iterations (the tape grows to its size during the first evaluations), and a whole run
// allocates the same for 10 iterations as for 30.
#define BOOST_TEST_MODULE frechet optim allocations
#include <boost/test/unit_test.hpp>

#include <vector>

#include "allocation_counter.hpp"
#include "frechet/optim/adam.hpp"
#include "frechet/optim/bfgs.hpp"
#include "mgh_problems.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

using frechet::mgh::extended_rosenbrock;

Vector rosenbrock_start(std::size_t n) {
  Vector x0(n);
  for (std::size_t i = 0; i < n; i += 2) {
    x0[i] = -1.2;
    x0[i + 1] = 1.0;
  }
  return x0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lbfgs_iterations_allocate_nothing) {
  const Objective f = differentiable_objective([](const auto& x) { return extended_rosenbrock(x); });
  const Vector x0 = rosenbrock_start(1000);
  std::vector<long> counts;
  counts.reserve(1000);
  const OptimizeResult r = lbfgs(f, x0, {.max_iterations = 30, .monitor = [&](const IterationReport&) {
                                           counts.push_back(allocation_count.load());
                                         }});
  BOOST_TEST_INFO(reason_name(r.reason) << " after " << r.iterations << " iterations");
  BOOST_REQUIRE(counts.size() == 31u);
  BOOST_TEST(counts.back() == counts[5]);
  BOOST_TEST(r.iterations == 30);
  const long few = allocations_of([&] { lbfgs(f, x0, {.max_iterations = 10}); });
  const long many = allocations_of([&] { lbfgs(f, x0, {.max_iterations = 30}); });
  BOOST_TEST(few == many);
}

BOOST_AUTO_TEST_CASE(adam_and_sgd_updates_allocate_nothing) {
  Adam adam(100);
  Sgd sgd(100, {.momentum = 0.9});
  Vector g(100, 0.5);
  Vector x(100, 1.0);
  BOOST_TEST(allocations_of([&] {
               for (int t = 0; t < 10; ++t) {
                 adam.step(g, x);
                 sgd.step(g, x);
               }
             }) == 0);
}
