#include "spmv_plan.hpp"

#include <algorithm>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace frechet::detail {
namespace {

// Layouts built only when they pay: DIA up to this many diagonals (a 3D 27-point stencil has 27), SELL
// up to this ratio of padded to stored entries.
constexpr std::size_t max_dia_diagonals = 64;
constexpr double max_sell_fill = 1.25;

// The bytes one CSR product streams for the matrix itself: 8 per value, 4 per column index and per
// row offset. DIA is built only if it streams no more.
std::size_t csr_matrix_bytes(const CsrView& a) noexcept {
  return a.nnz() * (sizeof(double) + sizeof(SparseIndex)) + (a.rows + 1) * sizeof(SparseIndex);
}

// The first u in [0, units] with weight(u) >= t/threads of weight(units): thread t gets
// [split(t), split(t + 1)). `weight` is the non-decreasing work before unit u.
template <class Weight>
std::size_t balanced_split(std::size_t units, Weight weight, std::size_t t, std::size_t threads) {
  if (t >= threads) return units;
  const std::uint64_t target = weight(units) * t / threads;
  std::size_t lo = 0, hi = units;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (weight(mid) < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// CSR rows weighted by their entries plus one for the row's own loads and store, so that long runs
// of empty rows are shared out too.
std::size_t row_split(const CsrView& a, std::size_t t, std::size_t threads) {
  return balanced_split(
      a.rows, [&](std::size_t u) { return static_cast<std::uint64_t>(a.row_offsets[u]) + u; }, t, threads);
}

}  // namespace

const char* to_string(SpmvLayout layout) noexcept {
  switch (layout) {
    case SpmvLayout::csr: return "csr";
    case SpmvLayout::sell: return "sell";
    case SpmvLayout::dia: return "dia";
  }
  return "unknown";
}

std::shared_ptr<const SpmvPlan> SpmvPlan::build(const CsrView& a, const SpmvPlanOptions& options) {
  auto plan = std::make_shared<SpmvPlan>();
  plan->min_parallel_nnz_ = options.min_parallel_nnz;
  if (options.layout) {
    // Forced: no size limits, so that tests can run every kernel on every shape.
    plan->layout_ = *options.layout;
    if (plan->layout_ == SpmvLayout::dia) plan->dia_ = DiaLayout::build(a, SIZE_MAX, SIZE_MAX);
    if (plan->layout_ == SpmvLayout::sell) plan->sell_ = SellLayout::build(a, SIZE_MAX);
  } else if (a.nnz() > 0) {
    plan->dia_ = DiaLayout::build(a, max_dia_diagonals, csr_matrix_bytes(a));
    if (plan->dia_) {
      plan->layout_ = SpmvLayout::dia;
    } else {
      plan->sell_ = SellLayout::build(a, max_sell_fill);
      if (plan->sell_) plan->layout_ = SpmvLayout::sell;
    }
  }
  // The partition for OpenMP's limit, the usual team; a call on a smaller team searches its own.
#ifdef _OPENMP
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
#else
  const std::size_t threads = 1;
#endif
  plan->split_.resize(threads + 1);
  for (std::size_t t = 0; t <= threads; ++t) plan->split_[t] = plan->split_point(a, t, threads);
  return plan;
}

std::size_t SpmvPlan::bytes() const noexcept {
  return (dia_ ? dia_->bytes() : 0) + (sell_ ? sell_->bytes() : 0) + split_.size() * sizeof(std::size_t);
}

std::size_t SpmvPlan::split_point(const CsrView& a, std::size_t t, std::size_t threads) const {
  switch (layout_) {
    case SpmvLayout::dia: return dia_->row_blocks() * t / threads;
    case SpmvLayout::sell:
      return balanced_split(
          sell_->slices(), [&](std::size_t s) { return static_cast<std::uint64_t>(sell_->slice_offsets[s] + s * SellLayout::chunk); },
          t, threads);
    case SpmvLayout::csr: break;
  }
  return row_split(a, t, threads);
}

std::pair<std::size_t, std::size_t> SpmvPlan::unit_range(const CsrView& a, std::size_t t,
                                                         std::size_t threads) const {
  if (split_.size() == threads + 1) return {split_[t], split_[t + 1]};
  return {split_point(a, t, threads), split_point(a, t + 1, threads)};
}

int SpmvPlan::threads_for(const CsrView& a) const noexcept { return loop_threads(a.nnz(), min_parallel_nnz_); }

void SpmvPlan::apply_units(const CsrView& a, const double* x, double* y, bool add, std::size_t begin,
                           std::size_t end) const {
  switch (layout_) {
    case SpmvLayout::dia: dia_->apply(a, x, y, add, begin, end); return;
    case SpmvLayout::sell: sell_->apply(a, x, y, add, begin, end); return;
    case SpmvLayout::csr: csr_apply_rows(a, x, y, add, begin, end); return;
  }
}

void SpmvPlan::apply(const CsrView& a, const double* x, double* y, bool add) const {
  const int threads = threads_for(a);
  if (threads == 1) {
    const auto [begin, end] = unit_range(a, 0, 1);
    apply_units(a, x, y, add, begin, end);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
  {
    const auto [begin, end] = unit_range(a, static_cast<std::size_t>(omp_get_thread_num()),
                                         static_cast<std::size_t>(omp_get_num_threads()));
    apply_units(a, x, y, add, begin, end);
  }
#endif
}

void SpmvPlan::apply_adjoint(const CsrView& a, const double* x, double* y, bool add) const {
  const int threads = threads_for(a);
  if (layout_ == SpmvLayout::dia) {
    const std::size_t blocks = dia_->col_blocks();
    if (threads == 1) {
      dia_->apply_adjoint(a, x, y, add, 0, blocks);
      return;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const auto team = static_cast<std::size_t>(omp_get_num_threads());
      dia_->apply_adjoint(a, x, y, add, blocks * t / team, blocks * (t + 1) / team);
    }
#endif
    return;
  }
  if (threads == 1) {
    if (!add) std::fill(y, y + a.cols, 0.0);
    csr_scatter_adjoint_rows(a, x, y, 0, a.rows);
    return;
  }
#ifdef _OPENMP
  // Thread 0 scatters into y itself, thread t > 0 into copy t - 1; after the barrier each thread adds
  // the copies into its share of the columns.
  const std::size_t copies = static_cast<std::size_t>(threads) - 1;
  const std::unique_ptr<double[]> scratch(new double[copies * a.cols]);
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto team = static_cast<std::size_t>(omp_get_num_threads());
    double* dst = t == 0 ? y : scratch.get() + (t - 1) * a.cols;
    if (t > 0 || !add) std::fill(dst, dst + a.cols, 0.0);
    csr_scatter_adjoint_rows(a, x, dst, row_split(a, t, team), row_split(a, t + 1, team));
#pragma omp barrier
    const std::size_t j0 = a.cols * t / team;
    const std::size_t j1 = a.cols * (t + 1) / team;
    for (std::size_t u = 1; u < team; ++u) {
      const double* src = scratch.get() + (u - 1) * a.cols;
      for (std::size_t j = j0; j < j1; ++j) y[j] += src[j];
    }
  }
#endif
}

CsrView SpmvPlanAccess::view(const CsrMatrix& a) noexcept {
  return {a.rows(), a.cols(), a.row_offsets_, a.col_indices_, a.values_};
}

const SpmvPlan& SpmvPlanAccess::plan(const CsrMatrix& a) noexcept { return *a.plan_; }

CsrMatrix SpmvPlanAccess::with_options(const CsrMatrix& a, const SpmvPlanOptions& options) {
  CsrMatrix b = a;
  b.plan_ = SpmvPlan::build(view(b), options);
  return b;
}

}  // namespace frechet::detail
