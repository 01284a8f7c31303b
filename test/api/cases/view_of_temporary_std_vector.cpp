// expect-error: deleted
#include <frechet/frechet.hpp>
#include <vector>
int main() {
  frechet::Tape<> tape;
  const auto x = tape.variable_view(std::vector<double>{1.0, 2.0});  // would dangle
  return static_cast<int>(x.size());
}
