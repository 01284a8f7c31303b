#pragma once
// Internal: the work vector of an operator whose products need one (A B x needs B x somewhere).
// Operators are immutable and promise that concurrent products are safe, so the cached vector cannot
// simply be a mutable member: a product takes it only if no other product holds it, and otherwise
// allocates a vector of its own for the call. A single-threaded loop of products therefore allocates
// once, on the first product, and concurrent products stay correct.

#include <atomic>
#include <cstddef>

#include "frechet/core/vector.hpp"

namespace frechet::detail {

class ScratchPool {
public:
  ScratchPool() = default;
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;

  /// Work space of `size` doubles for the lifetime of the lease: the cached vector (grown to `size` if
  /// needed) when it is free, else a vector the lease owns. Entries are unspecified on entry.
  class Lease {
  public:
    Lease(const ScratchPool& pool, std::size_t size) {
      if (!pool.busy_.test_and_set(std::memory_order_acquire)) {
        try {
          if (pool.cached_.size() < size) pool.cached_.resize(size);
        } catch (...) {
          pool.busy_.clear(std::memory_order_release);
          throw;
        }
        pool_ = &pool;
        view_ = VectorView(pool.cached_).first(size);
      } else {
        own_.resize(size);
        view_ = own_;
      }
    }
    ~Lease() {
      if (pool_ != nullptr) pool_->busy_.clear(std::memory_order_release);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    VectorView view() const noexcept { return view_; }

  private:
    const ScratchPool* pool_ = nullptr;  // set when the lease holds the cached vector
    Vector own_;
    VectorView view_;
  };

  Lease lease(std::size_t size) const { return Lease(*this, size); }

private:
  mutable std::atomic_flag busy_;  // clear (free) on construction, as C++20 specifies
  mutable Vector cached_;
};

}  // namespace frechet::detail
