#pragma once
// When and on how many threads the library's loops run (OpenMP; with it off the pragmas vanish and
// every loop runs on one thread). Starting and joining a thread team costs about a microsecond, so a
// loop goes parallel only when its work clearly exceeds that, and then on the threads that
// frechet::ThreadOptions and the machine's load allow (core/threads.hpp). Internal.

#include <array>
#include <cstddef>

namespace frechet::detail {

/// Vector kernels (dot, norm2, axpy, scale, the fused CG updates): at least this many entries per
/// vector. Each entry is one or two flops on 8-16 streamed bytes; below 32768 entries (256 KiB per
/// vector, within the L2 cache) the team costs more than a second core's bandwidth saves.
inline constexpr std::size_t parallel_min_entries = 32768;

/// Sparse matrix products: at least this many stored entries. An entry costs more than a vector
/// entry (a column index, a value and a gather of x: ~20 bytes and a dependent load), so two
/// threads win from ~5e3 entries on (doc/benchmarks.md); the threshold keeps a margin.
inline constexpr std::size_t parallel_min_nnz = 10000;

/// The team for a parallel region started now from this thread: 1 inside a parallel region, else the
/// smaller of ThreadOptions::max_threads (or OpenMP's limit) and, when yield_to_load is on, the cores
/// that other processes leave idle, sampled at most every 20 ms. Thread-safe, and cheap between
/// samples (a clock read and two atomic loads).
int team_threads() noexcept;

/// The threads for a loop of `work` units that pays for a team from `min_work` units on: 1 below it,
/// team_threads() from it on. The value for an OpenMP `num_threads` clause.
inline int loop_threads(std::size_t work, std::size_t min_work) noexcept {
  return work < min_work ? 1 : team_threads();
}

/// The blocks of a deterministic reduction: a sum over [0, n) with n >= parallel_min_entries is the
/// ordered sum of the partial sums of these many equal blocks, whatever the number of threads, so the
/// result has the same bits on one thread or several.
inline constexpr std::size_t reduction_blocks = 64;

/// Sum of partial(begin, end) over reduction_blocks fixed blocks of [0, n), the blocks shared among
/// loop_threads(n, parallel_min_entries) threads and their sums added in block order; below
/// parallel_min_entries, partial(0, n). `partial` may also update the entries of its block (the fused
/// CG update does).
template <class Partial>
double deterministic_sum(std::size_t n, Partial&& partial) {
  if (n < parallel_min_entries) return partial(std::size_t{0}, n);
  std::array<double, reduction_blocks> sums;
  [[maybe_unused]] const int threads = team_threads();
  const auto blocks = static_cast<std::ptrdiff_t>(reduction_blocks);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const auto k = static_cast<std::size_t>(b);
    sums[k] = partial(n * k / reduction_blocks, n * (k + 1) / reduction_blocks);
  }
  double s = 0.0;
  for (double v : sums) s += v;
  return s;
}

}  // namespace frechet::detail
