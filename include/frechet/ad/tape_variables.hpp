#pragma once
/// \file
/// The variables of reverse mode: TapeScalar (a scalar, with its expression arithmetic in
/// detail/tape_expressions.hpp), TapeVector and TapeMatrix (vector and matrix variables whose values
/// and adjoints live on a Tape). Variables are made by their tape (tape.hpp) and by the operations
/// on them; they point to their tape and must not outlive it.

#include <cstdint>
#include <type_traits>

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/detail/inline.hpp"
#include "frechet/ad/detail/tape_support.hpp"
#include "frechet/ad/dual.hpp"

namespace frechet {


/// A scalar expression of tape variables (a TapeScalar or an unevaluated expression of them).
template <class E>
concept TapeExpression = detail::IsTapeExpr<std::remove_cvref_t<E>>::value;


/// A scalar of reverse mode: a value and, unless constant, a short linear combination
/// c_0 x_{i_0} + c_1 x_{i_1} of at most `capacity` variables of a tape (adjoint indices i_k,
/// coefficients c_k). Cheap to copy: a copy is the same combination. Assigning an expression that
/// depends on at most `capacity` distinct variables, such as `1.0 - x[i]` or `x[i + 1] - x[i] * x[i]`,
/// records nothing: the result keeps the partials (preaccumulation across statements). One that
/// depends on more records one statement and is a variable of its own (c_0 = 1). A TapeScalar on a
/// tape always has a variable as its first term.
///
/// An accumulation `f += e` (or `-=`) right after another on the same f, with no statement or vector
/// node recorded in between, adds e's terms to that accumulation's statement instead of a new one, so a
/// loop of accumulations is a single statement with one long reverse loop (doc/ad.md). That is
/// sound because the accumulator's index is held by f alone: copying f, or reading its terms (an
/// expression, a rule, seeding), ends the accumulation first, and the next `f +=` starts a new
/// statement.
template <class S = double>
class TapeScalar {
public:
  using value_type = S;
  using scalar_type = S;
  /// Most variables a TapeScalar combines without a statement of its own.
  static constexpr int capacity = 2;

  /// The constant 0.
  TapeScalar() = default;
  /// A constant (no tape): `TapeScalar<> f = 0.0;`.
  TapeScalar(double value) : value_(value) {}  // NOLINT(google-explicit-constructor)
  /// A constant of level S (for S = Dual<double>, a value with a tangent but no tape).
  explicit TapeScalar(const S& value)
    requires(!std::is_same_v<S, double>)
      : value_(value) {}
  /// Evaluates an expression, recording at most one statement: `TapeScalar<> a = x * y + sin(z);`.
  template <TapeExpression E>
    requires(!std::is_same_v<std::remove_cvref_t<E>, TapeScalar>)
  FRECHET_AD_INLINE TapeScalar(const E& e) {  // NOLINT(google-explicit-constructor)
    *this = evaluate(e);
  }
  template <TapeExpression E>
    requires(!std::is_same_v<std::remove_cvref_t<E>, TapeScalar>)
  FRECHET_AD_INLINE TapeScalar& operator=(const E& e) {
    return *this = evaluate(e);
  }
  /// A copy (ends an accumulation on the original: the copy keeps the value it has now).
  FRECHET_AD_INLINE TapeScalar(const TapeScalar& other) noexcept
      : value_(other.value_), tape_(other.tape_), generation_(other.generation_),
        index_{other.index_[0], other.index_[1]}, coefficient_{other.coefficient_[0], other.coefficient_[1]} {
    other.seal();
  }
  FRECHET_AD_INLINE TapeScalar& operator=(const TapeScalar& other) noexcept {
    other.seal();
    value_ = other.value_;
    tape_ = other.tape_;
    generation_ = other.generation_;
    index_[0] = other.index_[0];
    index_[1] = other.index_[1];
    coefficient_[0] = other.coefficient_[0];
    coefficient_[1] = other.coefficient_[1];
    accumulating_ = false;
    return *this;
  }
  TapeScalar& operator=(double v) { return *this = TapeScalar(v); }

  template <class E> TapeScalar& operator+=(const E& e);
  template <class E> TapeScalar& operator-=(const E& e);
  template <class E> TapeScalar& operator*=(const E& e);
  template <class E> TapeScalar& operator/=(const E& e);

  /// The value (for S = Dual<double>, with its tangent).
  const S& value() const noexcept { return value_; }
  /// True for a constant (no tape).
  bool is_constant() const noexcept { return tape_ == nullptr; }
  /// The tape, or nullptr for a constant.
  Tape<S>* tape() const noexcept { return tape_; }
  /// The generation of the tape when the variable was recorded.
  std::uint32_t generation() const noexcept { return generation_; }
  /// Number of variables combined (0 for a constant).
  int term_count() const noexcept {
    int n = 0;
    for (int k = 0; k < capacity; ++k) n += index_[k] != detail::no_index ? 1 : 0;
    return n;
  }
  /// Adjoint index of term k, or detail::no_index for an unused term (ends an accumulation on this
  /// variable: the index stands for the value it has now).
  FRECHET_AD_INLINE std::uint32_t term_index(int k) const noexcept {
    seal();
    return index_[k];
  }
  /// Coefficient of term k.
  const S& term_coefficient(int k) const noexcept { return coefficient_[k]; }
  /// True when this is a variable of its own: one term, coefficient exactly 1 (tangent parts included).
  bool is_variable() const noexcept {
    return index_[0] != detail::no_index && index_[1] == detail::no_index && detail::is_one(coefficient_[0]);
  }
  /// The adjoint index of a variable of its own (is_variable()); ends an accumulation on it.
  std::uint32_t index() const noexcept {
    seal();
    return index_[0];
  }

  friend TapeScalar max(const TapeScalar& a, const TapeScalar& b) { return a.value_ > b.value_ ? a : b; }
  friend TapeScalar min(const TapeScalar& a, const TapeScalar& b) { return a.value_ < b.value_ ? a : b; }

private:
  template <class T> friend class Tape;  // records statements, updates accumulators in place
  template <class T> friend class TapeVector;
  template <class T> friend class TapeMatrix;
  friend struct detail::TapeAccess;

  /// The variable at adjoint `index` of `tape`.
  TapeScalar(const S& value, Tape<S>* tape, std::uint32_t index, std::uint32_t generation)
      : value_(value), tape_(tape), generation_(generation), index_{index, detail::no_index},
        coefficient_{S(1.0), S(0.0)} {}
  /// c0 x_i0 + c1 x_i1 with the given value; i1 may be detail::no_index.
  TapeScalar(const S& value, Tape<S>* tape, std::uint32_t generation, std::uint32_t i0, const S& c0,
             std::uint32_t i1, const S& c1)
      : value_(value), tape_(tape), generation_(generation), index_{i0, i1}, coefficient_{c0, c1} {}

  template <class E> FRECHET_AD_INLINE static TapeScalar evaluate(const E& e);
  // Makes the value this variable holds final: if it is the tape's open accumulator, the tape
  // records no more terms into its statement. Known false at compile time for most variables (an
  // element x[i], a value just recorded), where the test costs nothing. The flag is cleared, so
  // that a variable once read or copied no longer touches its tape when copied again (a result
  // kept after the tape is gone, say).
  FRECHET_AD_INLINE void seal() const noexcept {
    if (accumulating_) {
      accumulating_ = false;
      tape_->end_accumulation();
    }
  }

  S value_{};
  Tape<S>* tape_ = nullptr;
  std::uint32_t generation_ = 0;
  std::uint32_t index_[capacity] = {detail::no_index, detail::no_index};
  // Set on the variable an accumulation statement assigns, which may be the tape's open
  // accumulator, until it is read or copied (seal); copies start without it.
  mutable bool accumulating_ = false;
  S coefficient_[capacity] = {S(0.0), S(0.0)};
};

/// A vector variable of reverse mode: n consecutive adjoint indices and its value in the tape's arena
/// (or, from Tape::variable_view, in the caller's array). x[i] is a TapeScalar (no tape entry).
/// Values are immutable.
template <class S = double>
class TapeVector {
public:
  using scalar_type = TapeScalar<S>;
  /// An empty handle (no tape); only assignable.
  TapeVector() = default;
  /// Number of entries.
  std::size_t size() const noexcept { return slot_.rows; }
  /// Entry i (unchecked index); throws if the tape was cleared since.
  FRECHET_AD_INLINE TapeScalar<S> operator[](std::size_t i) const;
  /// The value as an owning vector.
  VectorOf<S> value() const;
  /// The tape it is recorded on.
  Tape<S>* tape() const noexcept { return tape_; }
  /// The generation of the tape when it was recorded.
  std::uint32_t generation() const noexcept { return generation_; }

private:
  template <class T> friend class Tape;
  friend struct detail::TapeAccess;
  /// Where its value and adjoints live on the tape.
  const detail::Slot& slot() const noexcept { return slot_; }
  /// The vector at `slot` of `tape`.
  TapeVector(Tape<S>* tape, const detail::Slot& slot) : tape_(tape), slot_(slot), generation_(tape->generation()) {}
  /// The same, with its value read in place through `in_place` (a borrowed array).
  TapeVector(Tape<S>* tape, const detail::Slot& slot, detail::ValuePointer<S> in_place)
      : tape_(tape), slot_(slot), generation_(tape->generation()), in_place_(in_place) {}

  Tape<S>* tape_ = nullptr;
  detail::Slot slot_{};
  std::uint32_t generation_ = 0;
  // The value where it stays put (a borrowed array); null for a value in the arena, which moves
  // when the arena grows and is read through the tape.
  detail::ValuePointer<S> in_place_{};
};

/// A matrix variable of reverse mode (column-major, like DenseMatrix).
template <class S = double>
class TapeMatrix {
public:
  using scalar_type = TapeScalar<S>;
  /// An empty handle (no tape); only assignable.
  TapeMatrix() = default;
  std::size_t rows() const noexcept { return slot_.rows; }
  std::size_t cols() const noexcept { return slot_.cols; }
  /// rows() * cols()
  std::size_t size() const noexcept { return slot_.size(); }
  /// Entry (i, j) (unchecked); throws if the tape was cleared since.
  TapeScalar<S> operator()(std::size_t i, std::size_t j) const;
  /// The value as an owning matrix.
  MatrixOf<S> value() const;
  /// The tape it is recorded on.
  Tape<S>* tape() const noexcept { return tape_; }
  /// The generation of the tape when it was recorded.
  std::uint32_t generation() const noexcept { return generation_; }

private:
  template <class T> friend class Tape;
  friend struct detail::TapeAccess;
  /// Where its value and adjoints live on the tape.
  const detail::Slot& slot() const noexcept { return slot_; }
  /// The matrix at `slot` of `tape`.
  TapeMatrix(Tape<S>* tape, const detail::Slot& slot) : tape_(tape), slot_(slot), generation_(tape->generation()) {}

  Tape<S>* tape_ = nullptr;
  detail::Slot slot_{};
  std::uint32_t generation_ = 0;
};

}  // namespace frechet

// The tape itself, so that this header is complete on its own (tape.hpp includes this one first).
#include "frechet/ad/tape.hpp"
