// doc/guide.md, "Threads": the one thread policy of the library, and results that do not depend on it.
#include <algorithm>
#include <cstdio>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  const ThreadOptions defaults = thread_options();
  std::printf("defaults: max_threads = %d (0: OpenMP's limit), yield_to_load = %d\n", defaults.max_threads,
              defaults.yield_to_load);

  const CsrMatrix a = laplacian_2d(200, 200);  // products of 2e5 entries: threaded
  const Vector b(a.rows(), 1.0);
  const SolveResult shared = cg(a, b);         // as many threads as the idle cores allow

  set_thread_options({.max_threads = 1});      // process-wide, e.g. when the caller runs its own threads
  std::printf("with max_threads = 1: available_threads() = %d\n", available_threads());
  const SolveResult alone = cg(a, b);
  set_thread_options(defaults);

  // CG's reductions add fixed blocks in a fixed order: the same bits on any number of threads.
  const bool same =
      alone.iterations == shared.iterations && std::equal(alone.x.begin(), alone.x.end(), shared.x.begin());
  std::printf("cg: %d iterations either way, the same bits: %s\n", alone.iterations, same ? "yes" : "NO");
  return same ? 0 : 1;
}
