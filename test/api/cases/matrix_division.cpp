// expect-error: call solve(A, b)
#include <frechet/frechet.hpp>
int main() {
  const frechet::DenseMatrix a{{1.0, 2.0}, {3.0, 4.0}};
  const auto c = a / a;
  return static_cast<int>(c.rows());
}
