// expect-error: deleted
#include <frechet/frechet.hpp>
int main() {
  frechet::Tape<> tape;
  const auto x = tape.variable_view(frechet::Vector{1.0, 2.0});  // would dangle
  return static_cast<int>(x.size());
}
