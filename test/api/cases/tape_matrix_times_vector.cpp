// expect-error: call matvec(A, x)
#include <frechet/frechet.hpp>
int main() {
  const frechet::DenseMatrix a{{1.0, 2.0}, {3.0, 4.0}};
  const auto f = [&](const auto& x) { return sum(a * x); };
  return static_cast<int>(frechet::grad(f, frechet::Vector{1.0, 2.0}).size());
}
