// expect-error: hvp and value_grad_and_hvp need a scalar-valued f
#include <frechet/frechet.hpp>
int main() {
  const auto f = [](const auto& x) { return softmax(x); };
  const frechet::Vector x{1.0, 2.0};
  return static_cast<int>(frechet::hvp(f, x, x).size());
}
