// expect-error: call matvec(A, x)
#include <frechet/frechet.hpp>
int main() {
  const frechet::DenseMatrix a{{1.0, 2.0}, {3.0, 4.0}};
  const frechet::Vector x{1.0, 1.0};
  const auto y = a * x;  // was an entrywise product that threw ShapeError at run time
  return static_cast<int>(y.size());
}
