// expect-error: grad and value_and_grad need a scalar-valued f; for a vector-valued f call vjp (J^T u) or jacobian (the whole J)
#include <frechet/frechet.hpp>
int main() {
  const auto f = [](const auto& x) { return exp(x); };
  return static_cast<int>(frechet::grad(f, frechet::Vector{1.0, 2.0}).size());
}
