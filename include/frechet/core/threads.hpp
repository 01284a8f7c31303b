#pragma once
/// \file
/// How many threads the library's parallel loops use.
///
/// frechet threads its long vector kernels and sparse products with OpenMP. An iteration of a Krylov
/// solver runs several short parallel loops, each ending at a barrier; when another process holds one
/// of the cores, every barrier waits for a time slice of the descheduled thread (milliseconds, where
/// the loop itself takes microseconds), and a solve on two threads becomes many times slower than on
/// one. So by default a parallel loop uses only the cores that other processes leave idle: the number
/// of runnable threads on the machine is sampled (on Linux, from /proc, at most every 20 ms) and the
/// team shrinks, down to one thread, while the machine is oversubscribed.
///
/// The library's reductions (dot, norm2, the fused CG update) sum fixed blocks in a fixed order, so
/// their bits do not depend on the number of threads, loaded or not. Two exceptions: the adjoint
/// product of a CSR matrix not declared symmetric (its threads scatter into private copies that are
/// summed afterwards, so the order of those sums follows the team), and dense products computed by
/// BLAS, whose thread pool is its own (OPENBLAS_NUM_THREADS).

namespace frechet {

/// The library-wide thread settings. Process-wide; changing them while a solve runs in another thread
/// affects that solve's later loops only.
struct ThreadOptions {
  /// At most this many threads per parallel loop (it may exceed the cores); 0 means OpenMP's limit
  /// (OMP_NUM_THREADS if set, else the cores this process may run on). Negative throws.
  int max_threads = 0;
  /// Use only the cores that other processes leave idle (sampled every 20 ms). Off: always use
  /// max_threads, which is faster only on a machine reserved for this process.
  bool yield_to_load = true;
};

/// Replaces the library-wide thread settings; throws ArgumentError for a negative max_threads.
void set_thread_options(const ThreadOptions& options);

/// The current library-wide thread settings.
ThreadOptions thread_options() noexcept;

/// The number of threads a long parallel loop started now would use (1 without OpenMP).
int available_threads() noexcept;

}  // namespace frechet
