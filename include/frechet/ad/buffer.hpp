#pragma once
/// \file
/// A growable array of trivially copyable values whose clear() keeps the capacity, so that a tape
/// recorded again and again allocates nothing after its first recording. Internal to the tape.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "frechet/ad/inline.hpp"

namespace frechet::detail {

template <class T>
class Buffer {
  static_assert(std::is_trivially_copyable_v<T>);

public:
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t bytes() const noexcept { return capacity_ * sizeof(T); }
  T* data() noexcept { return data_.get(); }
  const T* data() const noexcept { return data_.get(); }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }

  /// Makes room for `extra` more elements; push_unchecked may then be called that many times.
  FRECHET_AD_INLINE void reserve_extra(std::size_t extra) {
    if (size_ + extra > capacity_) grow(size_ + extra);
  }
  FRECHET_AD_INLINE void push_unchecked(const T& v) noexcept { data_[size_++] = v; }
  FRECHET_AD_INLINE void push_back(const T& v) {
    reserve_extra(1);
    push_unchecked(v);
  }
  void set_size(std::size_t n) noexcept { size_ = n; }
  void clear() noexcept { size_ = 0; }

private:
  [[gnu::noinline]] void grow(std::size_t needed) {
    std::size_t cap = capacity_ == 0 ? 1024 : capacity_;
    while (cap < needed) cap *= 2;
    auto fresh = std::make_unique_for_overwrite<T[]>(cap);
    if (size_ > 0) std::memcpy(static_cast<void*>(fresh.get()), data_.get(), size_ * sizeof(T));
    data_ = std::move(fresh);
    capacity_ = cap;
  }

  std::unique_ptr<T[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// The (index, partial) entries of scalar statements: two arrays sharing one size and capacity, so a
/// statement checks the capacity once.
template <class S>
class OperandBuffer {
public:
  std::size_t size() const noexcept { return size_; }
  std::size_t bytes() const noexcept { return capacity_ * (sizeof(std::uint32_t) + sizeof(S)); }
  std::uint32_t* index() noexcept { return index_.get(); }
  const std::uint32_t* index() const noexcept { return index_.get(); }
  S* partial() noexcept { return partial_.get(); }
  const S* partial() const noexcept { return partial_.get(); }
  FRECHET_AD_INLINE void reserve_extra(std::size_t extra) {
    if (size_ + extra > capacity_) grow(size_ + extra);
  }
  FRECHET_AD_INLINE void push_unchecked(std::uint32_t i, const S& p) noexcept {
    index_[size_] = i;
    partial_[size_] = p;
    ++size_;
  }
  void clear() noexcept { size_ = 0; }

private:
  [[gnu::noinline]] void grow(std::size_t needed) {
    std::size_t cap = capacity_ == 0 ? 4096 : capacity_;
    while (cap < needed) cap *= 2;
    auto idx = std::make_unique_for_overwrite<std::uint32_t[]>(cap);
    auto par = std::make_unique_for_overwrite<S[]>(cap);
    if (size_ > 0) {
      std::memcpy(static_cast<void*>(idx.get()), index_.get(), size_ * sizeof(std::uint32_t));
      std::memcpy(static_cast<void*>(par.get()), partial_.get(), size_ * sizeof(S));
    }
    index_ = std::move(idx);
    partial_ = std::move(par);
    capacity_ = cap;
  }

  std::unique_ptr<std::uint32_t[]> index_;
  std::unique_ptr<S[]> partial_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// One scalar statement: the assigned adjoint index and the end of its operand range, whose top bit
/// (`accumulates`) says that the statement also adds the variable assigned by the statement before
/// it, with partial 1: the old value of an accumulator in `f += ...`, which the reverse pass then
/// carries in a register instead of storing it as an operand.
struct Statement {
  static constexpr std::uint32_t accumulates = 1u << 31;
  std::uint32_t lhs;
  std::uint32_t end_and_flag;
  std::uint32_t end() const noexcept { return end_and_flag & ~accumulates; }
  bool accumulates_previous() const noexcept { return (end_and_flag & accumulates) != 0; }
};

}  // namespace frechet::detail
