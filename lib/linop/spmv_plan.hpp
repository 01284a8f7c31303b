#pragma once
// Internal: how a CsrMatrix multiplies. The plan is built once, at construction, from the matrix's
// structure: a banded matrix with few diagonals gets the DIA layout, any other matrix the SELL-C-sigma
// layout when its padding is small, and the rest stay plain CSR. Every layout sums each row's entries
// in CSR's order (padding adds exact zeros), so with finite x all layouts give the same y. The extra
// memory is bounded: DIA at most the bytes of the CSR arrays, SELL at most 1.25x their entries.

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/parallel.hpp"
#include "spmv_csr.hpp"
#include "spmv_dia.hpp"
#include "spmv_sell.hpp"

namespace frechet::detail {

/// The kernels a plan can use.
enum class SpmvLayout { csr, sell, dia };
const char* to_string(SpmvLayout layout) noexcept;

/// How to build a plan; the defaults are what CsrMatrix uses.
struct SpmvPlanOptions {
  /// A layout to use whatever the structure (for tests and benchmarks); nullopt chooses by structure.
  std::optional<SpmvLayout> layout;
  /// Products of matrices with fewer stored entries run on one thread (see core/parallel.hpp).
  std::size_t min_parallel_nnz = parallel_min_nnz;
};

/// The layout, its arrays and the thread partition of one matrix. Immutable and shared by copies of
/// the matrix; the CSR arrays are passed to every call (see CsrView).
struct SpmvPlan {
  static std::shared_ptr<const SpmvPlan> build(const CsrView& a, const SpmvPlanOptions& options = {});

  SpmvLayout layout() const noexcept { return layout_; }
  /// Bytes held besides the CSR arrays.
  std::size_t bytes() const noexcept;

  /// y = A x, or y += A x when `add`.
  void apply(const CsrView& a, const double* x, double* y, bool add) const;
  /// y = A^T x, or y += A^T x when `add`. DIA reads its diagonals shifted and splits the columns
  /// between threads; the others scatter rows, each thread into its own copy of y that are summed at
  /// the end (no stored transpose: the copies cost (threads - 1) * cols doubles during the call only).
  void apply_adjoint(const CsrView& a, const double* x, double* y, bool add) const;

  /// The work units (CSR rows, SELL slices or DIA row blocks) of thread t out of `threads`: the
  /// partition stored at construction when the count matches, else computed the same way.
  std::pair<std::size_t, std::size_t> unit_range(const CsrView& a, std::size_t t, std::size_t threads) const;

  SpmvLayout layout_ = SpmvLayout::csr;
  std::size_t min_parallel_nnz_ = 0;
  std::optional<DiaLayout> dia_;
  std::optional<SellLayout> sell_;
  std::vector<std::size_t> split_;  // unit boundaries for split_.size() - 1 threads, balanced by work

private:
  std::size_t split_point(const CsrView& a, std::size_t t, std::size_t threads) const;
  void apply_units(const CsrView& a, const double* x, double* y, bool add, std::size_t begin,
                   std::size_t end) const;
  /// The team of a product with `a`: 1 below min_parallel_nnz stored entries (core/parallel.hpp).
  int threads_for(const CsrView& a) const noexcept;
};

/// The friend of CsrMatrix through which the library's internals and tests reach its plan.
struct SpmvPlanAccess {
  static CsrView view(const CsrMatrix& a) noexcept;
  static const SpmvPlan& plan(const CsrMatrix& a) noexcept;
  /// A copy of `a` whose products use a plan built with `options`.
  static CsrMatrix with_options(const CsrMatrix& a, const SpmvPlanOptions& options);
};

}  // namespace frechet::detail
