// Proves that combinators needing an intermediate vector (compose, normal_operator, kron, and scaled
// when it accumulates) keep it between products: with operator new counting (allocation_counter.hpp),
// repeated products after the first allocate nothing.
#define BOOST_TEST_MODULE frechet linop allocations
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "allocation_counter.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_CASE(repeated_products_allocate_nothing) {
  Random rng(5);
  // Operands whose own products allocate nothing: BLAS gemv, and a CSR matrix small enough to stay
  // on one thread.
  const OperatorPtr a = dense_operator(random_dense(7, 5, rng));
  const OperatorPtr b = dense_operator(random_dense(5, 12, rng));
  const OperatorPtr s = sparse_operator(laplacian_2d(4, 3));
  const std::vector<std::pair<std::string, OperatorPtr>> cases = {
      {"compose", compose(a, compose(b, s))},
      {"normal_operator", normal_operator(a)},
      {"kron", kron(a, s)},
      {"scaled", scaled(a, -2.0)},
      {"nested", shifted(normal_operator(kron(compose(a, b), s)), 1.0)},
  };
  for (const auto& test_case : cases) {
    // Plain references, not a structured binding: clang 14 cannot capture one in a lambda.
    const auto& name = test_case.first;
    const auto& op = test_case.second;
    BOOST_TEST_CONTEXT(name) {
      const Vector x = rng.gaussian_vector(op->cols()), u = rng.gaussian_vector(op->rows());
      Vector y(op->rows()), v(op->cols());
      const auto products = [&] {
        op->apply(x, y);
        op->apply_add(x, y);
        op->apply_adjoint(u, v);
        op->apply_adjoint_add(u, v);
      };
      BOOST_TEST(allocations_of(products) > 0);  // the first products size the cached vectors
      BOOST_TEST(allocations_of([&] {
                   for (int k = 0; k < 10; ++k) products();
                 }) == 0);
    }
  }
}
