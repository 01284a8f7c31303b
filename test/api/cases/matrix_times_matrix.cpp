// expect-error: call matmul(A, B) for the matrix product, multiply(A, B) for the entrywise one
#include <frechet/frechet.hpp>
int main() {
  const frechet::DenseMatrix a{{1.0, 2.0}, {3.0, 4.0}};
  const auto c = a * a;  // was an entrywise product found by argument-dependent lookup
  return static_cast<int>(c.rows());
}
