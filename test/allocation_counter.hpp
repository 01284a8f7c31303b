#pragma once
// Counts C++ heap allocations by replacing the global operator new, for the tests that prove a loop
// allocates nothing. Every form that a replaced operator delete may free is replaced, the nothrow
// ones included (std::stable_sort takes its buffer with new(std::nothrow)): a form left to the
// standard library would pair its allocation with this file's free(), which AddressSanitizer
// reports as an alloc-dealloc mismatch. Replacement allocation functions may not be inline, so this header defines them
// and must be included by exactly one source file of an executable, which then runs alone (the
// replacement counts every allocation of the process). It counts the allocations the library's own
// code could make; OpenBLAS manages its buffers itself.

#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>

namespace frechet::testing {

/// Calls of operator new and operator new[] since the program started.
inline std::atomic<long> allocation_count{0};

/// The allocations made while `f` runs.
inline long allocations_of(const std::function<void()>& f) {
  const long before = allocation_count.load();
  f();
  return allocation_count.load() - before;
}

}  // namespace frechet::testing

// Not inlined: inlined into a caller at -O3, GCC 12 sees free() of a pointer that came from
// operator new and warns (-Wmismatched-new-delete), although the pair is this file's own.
[[gnu::noinline]] void* operator new(std::size_t size) {
  ++frechet::testing::allocation_count;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) { return operator new(size); }
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++frechet::testing::allocation_count;
  return std::malloc(size == 0 ? 1 : size);
}
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
