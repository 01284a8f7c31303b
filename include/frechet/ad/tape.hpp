#pragma once
/// \file
/// Reverse mode: the tape and its variables.
///
/// A Tape<S> records two kinds of entries in one order:
///  - scalar statements: one entry per assignment to a TapeScalar, holding the partial derivative of
///    the assigned value with respect to each distinct variable on its right-hand side (statement-level
///    preaccumulation through expression templates, as in Adept and CoDiPack);
///  - vector nodes: one entry per vector operation (matvec, softmax, solve, ...), whose pullback is
///    the rule's VJP on whole arrays (BLAS for products).
/// Every variable owns a range of adjoint indices (a scalar one, a vector n, a matrix rows*cols), so an
/// element x[i] of a TapeVector is a TapeScalar with no entry of its own. S = double gives gradients;
/// S = Dual<double> records values that carry a tangent, and the same reverse pass then yields the
/// Hessian-vector product (forward-over-reverse).
///
/// The tape is an explicit object; nothing is global. Variables point to their tape and carry its
/// generation: clear() bumps the generation, and using an older variable throws frechet::Error.
/// A variable must not outlive its tape.

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/detail/inline.hpp"
#include "frechet/ad/detail/statement_buffer.hpp"
#include "frechet/ad/detail/tape_support.hpp"
#include "frechet/ad/dual.hpp"
#include "frechet/core/error.hpp"


namespace frechet {

/// A scalar expression of tape variables (a TapeScalar or an unevaluated expression of them).
template <class E>
concept TapeExpression = detail::IsTapeExpr<std::remove_cvref_t<E>>::value;

/// The tape of reverse mode. S = double for gradients, S = Dual<double> for Hessian-vector products.
/// Not copyable or movable: variables point to it.
template <class S = double>
class Tape {
public:
  using scalar_type = S;

  Tape() { statements_.set_index_budget(detail::no_index); }
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape();

  /// An independent scalar variable with value x.
  TapeScalar<S> variable(const S& x);
  /// An independent vector variable with value x (for S = Dual<double>, x carries the tangent).
  TapeVector<S> variable(const VectorOf<S>& x);
  /// An independent matrix variable with value x.
  TapeMatrix<S> variable(const MatrixOf<S>& x);
  /// An independent vector variable whose value the tape reads where it is, in x, instead of copying
  /// it: for a function of many cheap terms the copy can cost as much as evaluating the function
  /// (doc/benchmarks.md). x must stay alive and unchanged until the tape is cleared or destroyed.
  TapeVector<S> variable_view(std::span<const double> x)
    requires std::is_same_v<S, double>;
  /// The same for a tape of dual numbers: the point `value` moving in direction `tangent`, both read
  /// in place (throws ShapeError if their sizes differ).
  TapeVector<S> variable_view(std::span<const double> value, std::span<const double> tangent)
    requires std::is_same_v<S, Dual<double>>;
  // A temporary would be gone before the tape reads it.
  TapeVector<S> variable_view(Vector&&) = delete;
  TapeVector<S> variable_view(Vector&&, std::span<const double>) = delete;
  TapeVector<S> variable_view(std::span<const double>, Vector&&) = delete;
  TapeVector<S> variable_view(std::vector<double>&&) = delete;
  TapeVector<S> variable_view(std::vector<double>&&, std::span<const double>) = delete;
  TapeVector<S> variable_view(std::span<const double>, std::vector<double>&&) = delete;

  /// Adds `cotangent` to the adjoint of `y` before backward().
  void seed(const TapeScalar<S>& y, const S& cotangent);
  void seed(const TapeVector<S>& y, detail::CView<S> cotangent);
  void seed(const TapeMatrix<S>& y, detail::CView<S> cotangent);
  /// The reverse pass over everything recorded: pulls the seeded cotangents back to every variable.
  /// May be repeated with new seeds; each pass starts from zero adjoints.
  void backward();
  /// The adjoint of a variable after backward() (zero for a constant).
  S adjoint(const TapeScalar<S>& x) const;
  VectorOf<S> adjoint(const TapeVector<S>& x) const;
  MatrixOf<S> adjoint(const TapeMatrix<S>& x) const;
  /// Moves the adjoint of x into `out` (resized to x's size), leaving zero behind: the fast way to
  /// read a gradient from a reused tape, with no clearing pass afterwards. When out already has x's
  /// size, the tape may exchange its adjoint array with out's storage instead of copying (out's
  /// capacity is then the tape's length); called in a loop with the same out, it allocates nothing
  /// after the first calls.
  void take_adjoint(const TapeVector<S>& x, VectorOf<S>& out);

  /// Forgets everything recorded, keeping the memory for the next recording. Variables recorded
  /// before are invalid afterwards; using one throws frechet::Error.
  void clear();
  /// Bytes held by the tape: statements, partials, values, adjoints and nodes.
  std::size_t memory_bytes() const;
  /// Incremented by every clear(); variables carry the generation they were recorded in.
  std::uint32_t generation() const noexcept { return static_cast<std::uint32_t>(generation_); }
  /// Number of scalar statements recorded.
  std::size_t statement_count() const noexcept { return statements_.statement_count(); }
  /// Number of (index, partial) entries of the scalar statements.
  std::size_t operand_count() const noexcept { return statements_.operand_count(); }
  /// Number of vector nodes recorded.
  std::size_t node_count() const noexcept { return nodes_.size(); }
  /// Number of adjoint slots (scalars plus vector entries) in use.
  std::size_t index_count() const noexcept { return next_index_; }

private:
  // ---- the recording interface: for the variables, the expression templates, and the rules and
  // nodes through detail::TapeAccess; never for user code ---------------------------------------
  template <class T> friend class TapeScalar;
  template <class T> friend class TapeVector;
  template <class T> friend class TapeMatrix;
  friend struct detail::TapeAccess;

  /// Throws if `generation` is not the current one.
  FRECHET_AD_INLINE void check_generation(std::uint32_t generation, const char* operation) const {
    if (generation != static_cast<std::uint32_t>(generation_)) detail::throw_stale(operation, generation, this->generation());
  }
  /// Evaluates expression e: a combination of at most TapeScalar::capacity variables, or else one
  /// recorded statement and the variable it assigns.
  template <class E> FRECHET_AD_INLINE TapeScalar<S> record(const E& e);
  /// Records f = f + e (or f - e) for f and e on this tape as one statement, updating f in place:
  /// the accumulator pattern `f += e`, with f's terms kept out of the merging of e's terms (the
  /// compiler cannot see them).
  template <bool Subtract, class E>
  FRECHET_AD_INLINE void record_accumulation(TapeScalar<S>& f, const E& e);
  /// Ends the open accumulation, if any: its statement is final from now on. Called when the
  /// accumulator is read or copied (a reader holds its index as the value it has now), and by every
  /// new statement, vector node and clear().
  FRECHET_AD_INLINE void end_accumulation() noexcept { open_accumulator_ = detail::no_index; }
  /// Starts a statement with `flag` (0 or detail::Statement::accumulates), whose operands are pushed
  /// next; returns its left-hand-side index. The statements_.reserve() before made sure that an
  /// index is left. It ends any open accumulation: the accumulator's statement is no longer last.
  FRECHET_AD_INLINE std::uint32_t push_statement(std::uint32_t flag) {
    const auto lhs = static_cast<std::uint32_t>(next_index_++);
    statements_.open(lhs, flag);
    end_accumulation();
    return lhs;
  }
  /// Allocates `n` values in the arena and `n` adjoint indices; returns the slot.
  detail::Slot allocate(std::size_t rows, std::size_t cols, const char* operation);
  /// Copies constant doubles into the constant arena.
  detail::Slot constant(std::span<const double> values, std::size_t rows, std::size_t cols);
  /// Copies a value of level S into the arena without an adjoint (a constant of level S).
  detail::Slot constant_of_level(detail::CView<S> values, std::size_t rows, std::size_t cols);
  /// A slot for a TapeScalar argument of a node (its value copied into the arena).
  detail::Slot scalar_slot(const TapeScalar<S>& x, const char* operation);
  /// x as a variable of its own: a combination c0 x_i + c1 x_j gets a statement y = c0 x_i + c1 x_j.
  TapeScalar<S> materialize(const TapeScalar<S>& x, const char* operation);
  /// Views of a slot's value (read-only, or to be written by a primal) and of its adjoints (empty
  /// for a constant). Valid until the next allocation on the tape.
  detail::CView<S> value_view(const detail::Slot& s) const;
  detail::View<S> value_view_mutable(const detail::Slot& s);
  detail::View<S> adjoint_view(const detail::Slot& s);
  /// Appends a vector node (its output slot already allocated).
  void push_node(std::unique_ptr<detail::Node<S>> node);
  /// The value at `offset` of the arena (whose tangent array, for duals, is always allocated).
  FRECHET_AD_INLINE S value_at(std::uint32_t offset) const {
    if constexpr (std::is_same_v<S, double>) {
      return values_.data()[offset];
    } else {
      return S(values_.value.data()[offset], values_.tangent.data()[offset]);
    }
  }

  void ensure_adjoints();
  void run_statements(std::size_t begin, std::size_t end);
  void zero_inputs();
  // Takes n adjoint indices for a variable or a node output (the caller checked that they exist).
  std::uint32_t take_indices(std::size_t n) {
    const auto first = static_cast<std::uint32_t>(next_index_);
    next_index_ += n;
    statements_.set_index_budget(detail::no_index - next_index_);
    return first;
  }
  TapeVector<S> borrow(detail::CView<S> x, detail::ValuePointer<S> in_place);

  // 64-bit so that the compiler knows the 32-bit index stores of recording cannot change them.
  std::uint64_t generation_ = 0;
  std::uint64_t next_index_ = 0;  // below no_index; statements_ holds the budget left
  // The left-hand side of the last statement while it is an accumulation `f += ...` that may still
  // grow: the index of f, which no other variable holds (record_accumulation), else no_index. Reset
  // by every new statement, vector node, read or copy of f, and clear().
  std::uint32_t open_accumulator_ = detail::no_index;
  // Scalar statements and their operands.
  detail::StatementBuffer<S> statements_;
  // Values of vector variables (level S) and of constants (doubles); sizes in use are tracked apart
  // from the vectors so that clear() keeps the storage.
  VectorOf<S> values_;
  std::size_t values_used_ = 0;
  Vector constants_;
  std::size_t constants_used_ = 0;
  // Arrays of the caller's read in place (variable_view), forgotten by clear().
  std::vector<detail::CView<S>> borrowed_;
  // Adjoints, zero between passes except the ranges of independent variables.
  VectorOf<S> adjoints_;
  bool adjoints_dirty_ = false;   // a pass stopped half-way: zero everything before the next
  bool inputs_dirty_ = false;     // input ranges hold the last pass's results
  struct InputRange {
    std::uint32_t begin;
    std::uint32_t count;
    bool dirty;  // holds a result of the last pass
  };
  std::vector<InputRange> inputs_;
  std::vector<std::unique_ptr<detail::Node<S>>> nodes_;
};

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

#include "frechet/ad/detail/tape_expressions.hpp"
#include "frechet/ad/detail/tape_recording.hpp"

namespace frechet {
extern template class Tape<double>;
extern template class Tape<Dual<double>>;

}  // namespace frechet
