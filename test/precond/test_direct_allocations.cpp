// Proves that warm products of the direct solvers' operators allocate nothing: SuiteSparse allocates
// through the C heap, which operator new counting (allocation_counter.hpp) does not see, so this
// executable interposes malloc, calloc and realloc instead (glibc's __libc_* entry points do the
// work) and counts every heap allocation of the process, C++ ones included. It must run alone.
#define BOOST_TEST_MODULE frechet precond allocations
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstddef>
#include <cstdlib>

#include "frechet/linop/laplacian.hpp"
#include "frechet/precond/shift_invert.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"

extern "C" {
void* __libc_malloc(std::size_t size);                // NOLINT(bugprone-reserved-identifier)
void* __libc_calloc(std::size_t count, std::size_t size);  // NOLINT(bugprone-reserved-identifier)
void* __libc_realloc(void* p, std::size_t size);      // NOLINT(bugprone-reserved-identifier)
}

namespace {
std::atomic<long> heap_allocations{0};
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  ++heap_allocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  ++heap_allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) {
  ++heap_allocations;
  return __libc_realloc(p, size);
}
}

using namespace frechet;

namespace {

// Heap allocations of 10 products (and 10 adjoint products) after two warm-up products.
long allocations_of_warm_products(const LinearOperator& op) {
  Vector x(op.cols(), 1.0), y(op.rows());
  op.apply(x, y);
  op.apply_adjoint(x, y);
  const long before = heap_allocations.load();
  for (int k = 0; k < 10; ++k) {
    op.apply(x, y);
    op.apply_adjoint(x, y);
  }
  return heap_allocations.load() - before;
}

}  // namespace

BOOST_AUTO_TEST_CASE(counter_sees_the_c_heap) {
  const long before = heap_allocations.load();
  void* volatile p = std::malloc(16);
  std::free(p);
  BOOST_TEST(heap_allocations.load() - before == 1);
}

BOOST_AUTO_TEST_CASE(warm_direct_products_allocate_nothing) {
  const CsrMatrix a = laplacian_2d(40, 40);
  for (const auto method : {SparseCholeskyMethod::simplicial, SparseCholeskyMethod::supernodal}) {
    const auto op = sparse_cholesky_preconditioner(a, {.method = method});
    BOOST_TEST(allocations_of_warm_products(*op) == 0, "cholesky, supernodal " << op->factorization().is_supernodal());
  }
  BOOST_TEST(allocations_of_warm_products(*sparse_lu_preconditioner(a)) == 0);
  BOOST_TEST(allocations_of_warm_products(*shift_invert_operator(a, 0.0)) == 0);
  BOOST_TEST(allocations_of_warm_products(*shift_invert_operator(a, 1.0)) == 0);  // interior: LU
}
