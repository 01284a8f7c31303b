// expect-error: private
#include <frechet/frechet.hpp>
int main() {
  frechet::Tape<> tape;
  const auto x = tape.variable(frechet::Vector{1.0, 2.0});
  const frechet::TapeScalar<> y(1.0, &tape, 0, tape.generation());  // a variable is made by its tape
  return static_cast<int>(x.size()) + static_cast<int>(y.value());
}
