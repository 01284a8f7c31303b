#pragma once
// Internal: per-call workspaces of the direct solvers. SuiteSparse's solve routines take their work
// arrays (and, for CHOLMOD and SPQR, a cholmod_common that they write their status into) from the
// caller, so one factorization can serve several threads as long as each call has a workspace of its
// own. A call leases one: a free workspace when the pool has one, else a new one that joins the pool
// when the lease ends. The pool therefore grows to the largest number of concurrent calls and a
// single-threaded loop of solves allocates only on its first call. The mutex guards only the list,
// never a solve.

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace frechet::detail {

template <class Workspace>
class WorkspacePool {
public:
  WorkspacePool() = default;
  WorkspacePool(const WorkspacePool&) = delete;
  WorkspacePool& operator=(const WorkspacePool&) = delete;

  /// A workspace for the lifetime of the lease, returned to the pool afterwards.
  class Lease {
  public:
    Lease(const WorkspacePool& pool, std::unique_ptr<Workspace> workspace)
        : pool_(&pool), workspace_(std::move(workspace)) {}
    ~Lease() {
      if (workspace_ == nullptr) return;
      const std::lock_guard lock(pool_->mutex_);
      try {
        pool_->free_.push_back(std::move(workspace_));
      } catch (...) {  // no room to keep it: the workspace is freed with the lease
      }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Workspace& operator*() const noexcept { return *workspace_; }
    Workspace* operator->() const noexcept { return workspace_.get(); }

  private:
    const WorkspacePool* pool_;
    std::unique_ptr<Workspace> workspace_;
  };

  Lease lease() const {
    {
      const std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto workspace = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(workspace));
      }
    }
    return Lease(*this, std::make_unique<Workspace>());
  }

private:
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Workspace>> free_;
};

}  // namespace frechet::detail
