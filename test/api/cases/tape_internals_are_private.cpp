// expect-error: private
#include <frechet/frechet.hpp>
int main() {
  frechet::Tape<> tape;
  const auto slot = tape.allocate(2, 1, "user code");  // the recording interface is not public
  return static_cast<int>(slot.size());
}
