#pragma once
/// \file
/// The scalar statements of a tape: growable arrays whose clear() keeps the capacity, so that a tape
/// recorded again and again allocates nothing after its first recording. Internal to the tape.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "frechet/ad/detail/inline.hpp"

namespace frechet::detail {

/// One scalar statement: the assigned adjoint index and the start of its operand range, whose top
/// bit (`accumulates`) says that the statement also adds the variable assigned by the statement
/// before it, with partial 1: the old value of an accumulator in `f += ...`, which the reverse pass
/// then carries in a register instead of storing it as an operand. A statement's operands run to
/// the start of the next one, and the last statement's to the last operand, so the last statement
/// grows by pushing operands alone: an accumulation chain f += e1; f += e2; ... is one statement
/// at no cost per link.
struct Statement {
  static constexpr std::uint32_t accumulates = 1u << 31;
  std::uint32_t lhs;
  std::uint32_t start_and_flag;
  std::uint32_t start() const noexcept { return start_and_flag & ~accumulates; }
  bool accumulates_previous() const noexcept { return (start_and_flag & accumulates) != 0; }
};

/// The scalar statements of a tape and their (index, partial) operands, in three arrays sharing one
/// capacity. Every statement has at least one operand, so there are never more statements than
/// operands, and recording a statement checks the capacity once. A statement is opened, then its
/// operands are pushed.
template <class S>
class StatementBuffer {
public:
  /// Most operands: the top bit of Statement::start_and_flag is the flag.
  static constexpr std::size_t max_operands = Statement::accumulates - 1;

  std::size_t statement_count() const noexcept { return static_cast<std::size_t>(next_ - first()); }
  std::size_t operand_count() const noexcept { return operands_; }
  std::size_t bytes() const noexcept { return capacity_ * (sizeof(Statement) + sizeof(std::uint32_t) + sizeof(S)); }
  const Statement* statements() const noexcept { return first(); }
  const std::uint32_t* index() const noexcept { return index_.get(); }
  const S* partial() const noexcept { return partial_.get(); }
  /// The left-hand side of the last statement, or `none` when there is none (read from the
  /// statement itself, or from a sentinel before the first: one store less per statement than
  /// keeping it apart).
  FRECHET_AD_INLINE std::uint32_t last_lhs() const noexcept { return next_[-1].lhs; }

  /// Makes room for one statement of at most `operands` operands (at least 1), and makes sure an
  /// adjoint index is left for its left-hand side. Throws frechet::ArgumentError past max_operands
  /// or past the index budget.
  FRECHET_AD_INLINE void reserve(std::size_t operands) {
    if (operands_ + operands > limit_) grow(operands_ + operands, true);
  }
  /// Makes room for `operands` more operands of the last statement, which need no adjoint index.
  FRECHET_AD_INLINE void reserve_operands(std::size_t operands) {
    if (operands_ + operands > capacity_) grow(operands_ + operands, false);
  }
  /// Sets how many adjoint indices are left for the left-hand sides of statements. Since every
  /// statement has an operand, the budget is checked with the capacity, by reserve(): recording a
  /// statement needs no test of its own. (Near the end of the budget, reserve() takes its slow
  /// path, which counts the statements exactly.)
  void set_index_budget(std::size_t indices_left) noexcept {
    indices_left_ = indices_left;
    statements_at_budget_ = statement_count();
    budget_end_ = operands_ + indices_left;
    limit_ = capacity_ < budget_end_ ? capacity_ : budget_end_;
  }
  FRECHET_AD_INLINE void push_operand(std::uint32_t i, const S& p) noexcept {
    index_[operands_] = i;
    partial_[operands_] = p;
    ++operands_;
  }
  /// Starts a statement: the operands pushed from now on are its own (reserve() first).
  FRECHET_AD_INLINE void open(std::uint32_t lhs, std::uint32_t flag) noexcept {
    *next_++ = Statement{lhs, static_cast<std::uint32_t>(operands_) | flag};
  }
  /// Where the operands of statement s end (the start of the next, or the last operand).
  std::size_t operand_end(std::size_t s) const noexcept {
    return s + 1 < statement_count() ? first()[s + 1].start() : operands_;
  }
  /// Forgets the statements; set_index_budget() must follow.
  void clear() noexcept {
    next_ = first();
    operands_ = 0;
  }
  static constexpr std::uint32_t none = 0xFFFFFFFFu;

private:
  [[gnu::noinline]] void grow(std::size_t needed, bool new_statement);
  // The statements start after a sentinel whose lhs is `none`.
  Statement* first() const noexcept { return statement_.get() + 1; }

  // Before the first grow(), the sentinel alone: next_ always points into an array.
  std::unique_ptr<Statement[]> statement_{new Statement[1]{Statement{none, 0}}};
  Statement* next_ = statement_.get() + 1;
  std::unique_ptr<std::uint32_t[]> index_;
  std::unique_ptr<S[]> partial_;
  std::size_t operands_ = 0;
  std::size_t capacity_ = 0;
  std::size_t indices_left_ = 0;         // when set_index_budget() was called
  std::size_t statements_at_budget_ = 0;
  std::size_t budget_end_ = 0;  // operand count from which statements may exhaust the budget
  std::size_t limit_ = 0;       // min(capacity_, budget_end_)
};

[[noreturn]] void throw_statement_buffer_full(std::size_t needed);
[[noreturn]] void throw_tape_full(const char* operation);

template <class S>
void StatementBuffer<S>::grow(std::size_t needed, bool new_statement) {
  const std::size_t statements = statement_count();
  if (new_statement && statements - statements_at_budget_ >= indices_left_) throw_tape_full("TapeScalar expression");
  if (needed > max_operands) throw_statement_buffer_full(needed);
  if (needed <= capacity_) return;  // only the index budget was near: the statement fits
  std::size_t cap = capacity_ == 0 ? 4096 : capacity_;
  while (cap < needed) cap *= 2;
  if (cap > max_operands) cap = max_operands;
  auto st = std::make_unique_for_overwrite<Statement[]>(cap + 1);
  st[0] = Statement{none, 0};
  auto idx = std::make_unique_for_overwrite<std::uint32_t[]>(cap);
  auto par = std::make_unique_for_overwrite<S[]>(cap);
  if (statements > 0) std::memcpy(static_cast<void*>(st.get() + 1), first(), statements * sizeof(Statement));
  if (operands_ > 0) {
    std::memcpy(static_cast<void*>(idx.get()), index_.get(), operands_ * sizeof(std::uint32_t));
    std::memcpy(static_cast<void*>(par.get()), partial_.get(), operands_ * sizeof(S));
  }
  statement_ = std::move(st);
  next_ = first() + statements;
  index_ = std::move(idx);
  partial_ = std::move(par);
  capacity_ = cap;
  limit_ = capacity_ < budget_end_ ? capacity_ : budget_end_;
}

}  // namespace frechet::detail
