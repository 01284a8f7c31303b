#pragma once
// When the library's loops run on several threads (OpenMP; with it off the pragmas vanish). Starting
// and joining a thread team costs about a microsecond, so a loop goes parallel only when its work
// clearly exceeds that. Two units, because the work per unit differs. Internal.

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

}  // namespace frechet::detail
