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
#include "frechet/ad/buffer.hpp"
#include "frechet/ad/dual.hpp"
#include "frechet/ad/inline.hpp"
#include "frechet/core/error.hpp"


namespace frechet {

template <class S> class Tape;
template <class S> class TapeScalar;
template <class S> class TapeVector;
template <class S> class TapeMatrix;

namespace detail {

/// Rows x columns of a rule argument; a vector is n x 1, a scalar 1 x 1.
struct Shape {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t size() const noexcept { return rows * cols; }
  friend bool operator==(const Shape&, const Shape&) = default;
};
inline std::string to_string(const Shape& s) { return shape_string(s.rows, s.cols); }

inline constexpr std::uint32_t no_index = std::numeric_limits<std::uint32_t>::max();

/// Where a node argument lives: its value (tape arena, the double-only arena of constants, or an
/// array of the caller's that the tape reads in place) and its adjoint range (no_index for a
/// constant).
struct Slot {
  std::uint32_t offset = 0;      ///< position in the arena, the constants, or the borrowed array
  std::uint32_t index = no_index;
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  std::uint32_t borrowed = no_index;  ///< the tape's borrowed array holding the value, if any
  bool constant = false;
  std::size_t size() const noexcept { return std::size_t{rows} * cols; }
};

/// Reads values of level S where they are, through raw pointers (a value and, for a dual number, a
/// tangent array of the same length).
template <class S> struct ValuePointer;
template <> struct ValuePointer<double> {
  const double* value = nullptr;
  FRECHET_AD_INLINE double at(std::size_t i) const { return value[i]; }
};
template <> struct ValuePointer<Dual<double>> {
  const double* value = nullptr;
  const double* tangent = nullptr;
  FRECHET_AD_INLINE Dual<double> at(std::size_t i) const { return Dual<double>(value[i], tangent[i]); }
};

/// A vector node: an operation whose pullback runs on whole arrays.
template <class S>
class Node {
public:
  virtual ~Node() = default;
  /// Accumulates the input cotangents from the output cotangent, then zeroes the output cotangent.
  virtual void pullback(Tape<S>& tape) = 0;
  /// Bytes held by the node beyond the tape's arenas (factorizations, index lists).
  virtual std::size_t bytes() const = 0;
  virtual const char* name() const = 0;
  std::size_t statement_position = 0;  ///< scalar statements recorded before this node
};

[[noreturn]] void throw_stale(const char* operation, std::uint32_t variable_generation,
                              std::uint32_t tape_generation);
[[noreturn]] void throw_mixed_tapes(const char* operation);
[[noreturn]] void throw_tape_full(const char* operation);

template <class S> struct IsTapeExpr : std::false_type {};

inline bool is_zero_scalar(double x) { return x == 0.0; }
template <class T> bool is_zero_scalar(const Dual<T>& x) {
  return is_zero_scalar(x.value()) && is_zero_scalar(x.tangent());
}
/// x == 1 with every tangent part zero.
inline bool is_one(double x) { return x == 1.0; }
template <class T> bool is_one(const Dual<T>& x) { return is_one(x.value()) && is_zero_scalar(x.tangent()); }
template <class S> struct IsTapeExpr<TapeScalar<S>> : std::true_type {};

}  // namespace detail

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
  /// it: for a function of many variables, the copy costs more than evaluating the function (on
  /// the 10^6-variable Rosenbrock benchmark, more than the function itself). x must stay alive and
  /// unchanged until the tape is cleared or destroyed.
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

  // ---- used by variables, expressions and rules (not by user code) --------------------------------
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

private:
  template <class T> friend class TapeScalar;
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

  /// The variable at adjoint `index` of `tape` (used by the tape and the rules, not by user code).
  TapeScalar(const S& value, Tape<S>* tape, std::uint32_t index, std::uint32_t generation)
      : value_(value), tape_(tape), generation_(generation), index_{index, detail::no_index},
        coefficient_{S(1.0), S(0.0)} {}
  /// c0 x_i0 + c1 x_i1 with the given value; i1 may be detail::no_index (used by the tape).
  TapeScalar(const S& value, Tape<S>* tape, std::uint32_t generation, std::uint32_t i0, const S& c0,
             std::uint32_t i1, const S& c1)
      : value_(value), tape_(tape), generation_(generation), index_{i0, i1}, coefficient_{c0, c1} {}

private:
  template <class E> FRECHET_AD_INLINE static TapeScalar evaluate(const E& e);
  template <class T> friend class Tape;  // updates accumulators in place
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
  /// Where its value and adjoints live on the tape (used by the rules).
  const detail::Slot& slot() const noexcept { return slot_; }
  /// The vector at `slot` of `tape` (used by the tape and the rules, not by user code).
  TapeVector(Tape<S>* tape, const detail::Slot& slot) : tape_(tape), slot_(slot), generation_(tape->generation()) {}
  /// The same, with its value read in place through `in_place` (a borrowed array).
  TapeVector(Tape<S>* tape, const detail::Slot& slot, detail::ValuePointer<S> in_place)
      : tape_(tape), slot_(slot), generation_(tape->generation()), in_place_(in_place) {}

private:
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
  /// Where its value and adjoints live on the tape (used by the rules).
  const detail::Slot& slot() const noexcept { return slot_; }
  /// The matrix at `slot` of `tape` (used by the tape and the rules, not by user code).
  TapeMatrix(Tape<S>* tape, const detail::Slot& slot) : tape_(tape), slot_(slot), generation_(tape->generation()) {}

private:
  Tape<S>* tape_ = nullptr;
  detail::Slot slot_{};
  std::uint32_t generation_ = 0;
};

// ================================================================================================
// Expression templates. An expression is flattened as it is built: its value and the list of
// (adjoint index, partial derivative) pairs of the variables it depends on, of a length fixed at
// compile time. Assigning it to a TapeScalar records one statement; an `auto` intermediate is a
// self-contained copy, safe to keep. Expressions longer than max_expression_terms are split by
// recording a statement for the longer operand.
/// An unevaluated scalar expression of tape variables: its value and the (adjoint index, partial
/// derivative) pairs of the variables it depends on. Assigning it to a TapeScalar records a statement.
template <class S, int N>
struct LinearExpression {
  using scalar_type = S;
  static constexpr int capacity = N;
  S v;
  Tape<S>* tape = nullptr;
  std::uint32_t generation = 0;
  std::uint32_t index[N];  ///< detail::no_index for a constant term
  S partial[N];
  const S& value() const noexcept { return v; }

  LinearExpression() = default;
  /// value with d value / d a = da (constructed in place: no copy of a large aggregate).
  template <class A, class MA> LinearExpression(S value, const A& a, const MA& da);
  /// value with partials da, db with respect to a and b.
  template <class A, class MA, class B, class MB>
  LinearExpression(S value, const A& a, const MA& da, const B& b, const MB& db);
};


namespace detail {

inline constexpr int max_expression_terms = 32;

template <class S, int N> using LinearExpr = LinearExpression<S, N>;
template <class S, int N> struct IsTapeExpr<LinearExpression<S, N>> : std::true_type {};

template <class E> using ExprScalar = typename std::remove_cvref_t<E>::scalar_type;
template <class E> inline constexpr int terms_of = std::remove_cvref_t<E>::capacity;

// The tape of a combination: the one tape of its active operands (constants have none).
template <class S>
FRECHET_AD_INLINE void merge_tape(Tape<S>*& tape, std::uint32_t& generation, Tape<S>* t, std::uint32_t g) {
  if (t == nullptr || t == tape) {
    if (t != nullptr && generation != g) {
      throw_stale("TapeScalar expression", generation < g ? generation : g, generation < g ? g : generation);
    }
    return;
  }
  if (tape == nullptr) {
    tape = t;
    generation = g;
  } else {
    throw_mixed_tapes("TapeScalar expression");
  }
}

// Writes the terms of an operand, times m, from position `at` on (positions are compile-time).
// A partial derivative that is exactly +1 or -1 (sums, differences, negation): the partials of the
// operand are copied or negated, not multiplied. For dual numbers this is not a detail: 1 * p is
// not foldable for them (0 * inf is NaN), and sums are the most common operation.
struct PlusOne {};
struct MinusOne {};
template <class S> FRECHET_AD_INLINE S scale(const S& p, PlusOne) { return p; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, MinusOne) { return -p; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, const S& m) { return p * m; }
template <class S> FRECHET_AD_INLINE S scale(const S& p, double m)
  requires(!std::is_same_v<S, double>)
{
  return p * m;
}

template <int At, class S, int N, class Scale>
FRECHET_AD_INLINE void append(LinearExpr<S, N>& out, const TapeScalar<S>& x, const Scale& m) {
  merge_tape(out.tape, out.generation, x.tape(), x.generation());
  // (term_index ends an accumulation on x: the expression holds x's value as it is now.)
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((out.index[At + K] = x.term_index(K), out.partial[At + K] = scale(x.term_coefficient(K), m)), ...);
  }(std::make_integer_sequence<int, TapeScalar<S>::capacity>{});
}
template <int At, class S, int N, int M, class Scale>
FRECHET_AD_INLINE void append(LinearExpr<S, N>& out, const LinearExpr<S, M>& e, const Scale& m) {
  merge_tape(out.tape, out.generation, e.tape, e.generation);
  // Unrolled with constant indices, so that the compiler can keep expressions in registers.
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((out.index[At + K] = e.index[K], out.partial[At + K] = scale(e.partial[K], m)), ...);
  }(std::make_integer_sequence<int, M>{});
}

/// v with d v / d a = da.
template <class S, class A, class Scale = S>
FRECHET_AD_INLINE LinearExpr<S, terms_of<A>> unary(const A& a, S v, Scale da) {
  return LinearExpr<S, terms_of<A>>(std::move(v), a, da);
}

template <class E> FRECHET_AD_INLINE TapeScalar<ExprScalar<E>> to_scalar(const E& e);

/// v with d v / d a = da and d v / d b = db; too long a combination records its longer operand first.
template <class S, class A, class B, class MA = S, class MB = S>
FRECHET_AD_INLINE auto binary(const A& a, const B& b, S v, MA da, MB db) {
  constexpr int na = terms_of<A>, nb = terms_of<B>;
  if constexpr (na + nb > max_expression_terms && na >= nb && na > 1) {
    return binary<S>(to_scalar(a), b, std::move(v), std::move(da), std::move(db));
  } else if constexpr (na + nb > max_expression_terms && nb > 1) {
    return binary<S>(a, to_scalar(b), std::move(v), std::move(da), std::move(db));
  } else {
    return LinearExpr<S, na + nb>(std::move(v), a, da, b, db);
  }
}

}  // namespace detail

template <class S, int N>
template <class A, class MA>
FRECHET_AD_INLINE LinearExpression<S, N>::LinearExpression(S value, const A& a, const MA& da) : v(std::move(value)) {
  detail::append<0>(*this, a, da);
}
template <class S, int N>
template <class A, class MA, class B, class MB>
FRECHET_AD_INLINE LinearExpression<S, N>::LinearExpression(S value, const A& a, const MA& da, const B& b, const MB& db)
    : v(std::move(value)) {
  detail::append<0>(*this, a, da);
  detail::append<detail::terms_of<A>>(*this, b, db);
}

/// The TapeScalar that an expression evaluates to (recording one statement).
template <TapeExpression E> TapeScalar<detail::ExprScalar<E>> evaluate(const E& e) {
  return TapeScalar<detail::ExprScalar<E>>(e);
}

// ---- arithmetic on expressions -----------------------------------------------------------------
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator+(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() + b.value(), detail::PlusOne{}, detail::PlusOne{});
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator-(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() - b.value(), detail::PlusOne{}, detail::MinusOne{});
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator*(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  return detail::binary<S>(a, b, a.value() * b.value(), b.value(), a.value());
}
template <TapeExpression A, TapeExpression B>
  requires std::is_same_v<detail::ExprScalar<A>, detail::ExprScalar<B>>
FRECHET_AD_INLINE auto operator/(const A& a, const B& b) {
  using S = detail::ExprScalar<A>;
  const S inv = 1.0 / b.value();
  const S q = a.value() * inv;
  return detail::binary<S>(a, b, q, inv, -q * inv);
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator+(const A& a) { return a; }
template <TapeExpression A> FRECHET_AD_INLINE auto operator-(const A& a) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, -a.value(), detail::MinusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator+(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() + b, detail::PlusOne{});
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator+(double a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a + b.value(), detail::PlusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator-(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() - b, detail::PlusOne{});
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator-(double a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a - b.value(), detail::MinusOne{});
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator*(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() * b, b);
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator*(double a, const B& b) {
  using S = detail::ExprScalar<B>;
  return detail::unary<S>(b, a * b.value(), a);
}
template <TapeExpression A> FRECHET_AD_INLINE auto operator/(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  return detail::unary<S>(a, a.value() / b, 1.0 / b);
}
template <TapeExpression B> FRECHET_AD_INLINE auto operator/(double a, const B& b) {
  using S = detail::ExprScalar<B>;
  const S q = a / b.value();
  return detail::unary<S>(b, q, -q / b.value());
}

// ---- comparisons: on the value -------------------------------------------------------------------
template <TapeExpression A, TapeExpression B> bool operator==(const A& a, const B& b) { return a.value() == b.value(); }
template <TapeExpression A> bool operator==(const A& a, double b) { return a.value() == b; }
template <TapeExpression A, TapeExpression B> auto operator<=>(const A& a, const B& b) { return a.value() <=> b.value(); }
template <TapeExpression A> FRECHET_AD_INLINE auto operator<=>(const A& a, double b) { return a.value() <=> b; }

// ---- <cmath> on expressions -------------------------------------------------------------------
namespace detail {
template <class Rule, class A> FRECHET_AD_INLINE auto apply_unary(const Rule& rule, const A& a) {
  using S = ExprScalar<A>;
  S y = rule.value(a.value());
  S d = rule.derivative(a.value(), y);
  return unary<S>(a, std::move(y), std::move(d));
}
template <class Rule, class A, class B> FRECHET_AD_INLINE auto apply_binary(const A& a, const B& b) {
  using S = ExprScalar<A>;
  S z = Rule::value(a.value(), b.value());
  auto [da, db] = Rule::partials(a.value(), b.value(), z);
  return binary<S>(a, b, std::move(z), std::move(da), std::move(db));
}
}  // namespace detail

#define FRECHET_TAPE_UNARY(FN, RULE) \
  template <TapeExpression A> FRECHET_AD_INLINE auto FN(const A& a) { return detail::apply_unary(detail::scalar::RULE{}, a); }
FRECHET_TAPE_UNARY(exp, Exp)
FRECHET_TAPE_UNARY(log, Log)
FRECHET_TAPE_UNARY(log1p, Log1p)
FRECHET_TAPE_UNARY(expm1, Expm1)
FRECHET_TAPE_UNARY(exp2, Exp2)
FRECHET_TAPE_UNARY(log2, Log2)
FRECHET_TAPE_UNARY(log10, Log10)
FRECHET_TAPE_UNARY(sqrt, Sqrt)
FRECHET_TAPE_UNARY(cbrt, Cbrt)
FRECHET_TAPE_UNARY(sin, Sin)
FRECHET_TAPE_UNARY(cos, Cos)
FRECHET_TAPE_UNARY(tan, Tan)
FRECHET_TAPE_UNARY(asin, Asin)
FRECHET_TAPE_UNARY(acos, Acos)
FRECHET_TAPE_UNARY(atan, Atan)
FRECHET_TAPE_UNARY(sinh, Sinh)
FRECHET_TAPE_UNARY(cosh, Cosh)
FRECHET_TAPE_UNARY(tanh, Tanh)
FRECHET_TAPE_UNARY(asinh, Asinh)
FRECHET_TAPE_UNARY(acosh, Acosh)
FRECHET_TAPE_UNARY(atanh, Atanh)
FRECHET_TAPE_UNARY(erf, Erf)
FRECHET_TAPE_UNARY(erfc, Erfc)
FRECHET_TAPE_UNARY(lgamma, Lgamma)
FRECHET_TAPE_UNARY(tgamma, Tgamma)
FRECHET_TAPE_UNARY(sigmoid, Sigmoid)
FRECHET_TAPE_UNARY(softplus, Softplus)
FRECHET_TAPE_UNARY(relu, Relu)
FRECHET_TAPE_UNARY(square, Square)
FRECHET_TAPE_UNARY(abs, Abs)
FRECHET_TAPE_UNARY(fabs, Abs)
FRECHET_TAPE_UNARY(floor, Floor)
FRECHET_TAPE_UNARY(ceil, Ceil)
FRECHET_TAPE_UNARY(trunc, Trunc)
FRECHET_TAPE_UNARY(round, Round)
#undef FRECHET_TAPE_UNARY
template <TapeExpression A> auto digamma(const A& a) { return detail::apply_unary(detail::scalar::Polygamma{0}, a); }
template <TapeExpression A> auto polygamma(int n, const A& a) {
  return detail::apply_unary(detail::scalar::Polygamma{n}, a);
}
template <TapeExpression A> auto pow(const A& a, double p) { return detail::apply_unary(detail::scalar::PowConst{p}, a); }
template <TapeExpression A> auto pow(const A& a, int n) { return detail::apply_unary(detail::scalar::PowInt{n}, a); }
template <TapeExpression B> auto pow(double a, const B& b) { return detail::apply_unary(detail::scalar::ConstPow{a}, b); }
template <TapeExpression A, TapeExpression B> auto pow(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Pow>(a, b);
}
template <TapeExpression A, TapeExpression B> auto atan2(const A& y, const B& x) {
  return detail::apply_binary<detail::scalar::Atan2>(y, x);
}
template <TapeExpression A> auto atan2(const A& y, double x) {
  using S = detail::ExprScalar<A>;
  const S r2 = x * x + y.value() * y.value();
  return detail::unary<S>(y, atan2(y.value(), S(x)), x / r2);
}
template <TapeExpression B> auto atan2(double y, const B& x) {
  using S = detail::ExprScalar<B>;
  const S r2 = x.value() * x.value() + y * y;
  return detail::unary<S>(x, atan2(S(y), x.value()), -y / r2);
}
template <TapeExpression A, TapeExpression B> auto hypot(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Hypot>(a, b);
}
template <TapeExpression A> auto hypot(const A& a, double b) {
  using S = detail::ExprScalar<A>;
  using std::hypot;
  const S h = hypot(a.value(), S(b));
  return detail::unary<S>(a, h, h == 0.0 ? S(0.0) : a.value() / h);
}
template <TapeExpression A, TapeExpression B> auto fmod(const A& a, const B& b) {
  return detail::apply_binary<detail::scalar::Fmod>(a, b);
}
/// max/min pick one argument (at a tie, the second).
template <TapeExpression A, TapeExpression B> auto max(const A& a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() > b.value() ? T(a) : T(b);
}
template <TapeExpression A> auto max(const A& a, double b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() > b ? T(a) : T(b);
}
template <TapeExpression B> auto max(double a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<B>>;
  return a > b.value() ? T(a) : T(b);
}
template <TapeExpression A, TapeExpression B> auto min(const A& a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() < b.value() ? T(a) : T(b);
}
template <TapeExpression A> auto min(const A& a, double b) {
  using T = TapeScalar<detail::ExprScalar<A>>;
  return a.value() < b ? T(a) : T(b);
}
template <TapeExpression B> auto min(double a, const B& b) {
  using T = TapeScalar<detail::ExprScalar<B>>;
  return a < b.value() ? T(a) : T(b);
}
template <TapeExpression A, class B> auto fmax(const A& a, const B& b) { return max(a, b); }
template <TapeExpression A, class B> auto fmin(const A& a, const B& b) { return min(a, b); }
/// Classification looks at the value.
template <TapeExpression A> bool isfinite(const A& a) { using std::isfinite; return isfinite(a.value()); }
template <TapeExpression A> bool isnan(const A& a) { using std::isnan; return isnan(a.value()); }
template <TapeExpression A> bool isinf(const A& a) { using std::isinf; return isinf(a.value()); }
template <class S> double primal_value(const TapeScalar<S>& x) { return primal_value(x.value()); }

// ================================================================================================
// Inline definitions (the hot paths of recording).

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S> TapeScalar<S>::evaluate(const E& e) {
  if constexpr (std::is_same_v<E, TapeScalar<S>>) {
    return e;
  } else {
    if (e.tape == nullptr) {  // an expression of constants is a constant: no terms
      TapeScalar c;
      c.value_ = e.value();
      return c;
    }
    return e.tape->record(e);
  }
}

namespace detail {
// Merges term K of t into the first earlier term with the same index (compile-time indices, so the
// terms stay in registers).
template <int K, class E> FRECHET_AD_INLINE void merge_repeated_term(E& t) {
  [&]<int... J>(std::integer_sequence<int, J...>) FRECHET_AD_LAMBDA_INLINE {
    (void)((t.index[J] == t.index[K] ? (t.partial[J] += t.partial[K], t.index[K] = no_index, true) : false) || ...);
  }(std::make_integer_sequence<int, K>{});
}

/// The terms of an expression with repeated indices merged: each index kept at its first position
/// with the sum of its partials, later copies emptied (no_index). The positions are compile-time, so
/// the comparisons the compiler can decide (the same variable read twice, a variable against an
/// empty term) fold away.
template <class S, int N>
struct MergedTerms {
  std::uint32_t index[N];
  S partial[N];
};
// Filled in place: returned by value, the aggregate is copied and the recording of dual and
// `auto` expressions takes 1.6-2.2 times the instructions (callgrind).
template <class E, class S, int N> FRECHET_AD_INLINE void merge_terms(const E& e, MergedTerms<S, N>& t) {
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((t.index[K] = e.index[K], t.partial[K] = e.partial[K]), ...);
    (merge_repeated_term<K>(t), ...);
  }(std::make_integer_sequence<int, N>{});
}
}  // namespace detail

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S> Tape<S>::record(const E& e) {
  check_generation(e.generation, "TapeScalar expression");
  constexpr int n = E::capacity;
  constexpr int kept = TapeScalar<S>::capacity;
  static_assert(kept == 2, "the compaction below is written for two terms");
  detail::MergedTerms<S, n> t;
  detail::merge_terms(e, t);
  if constexpr (n <= kept) {
    // Fits as it is (merging leaves holes, which a TapeScalar allows): no statement.
    return TapeScalar<S>(e.value(), this, generation(), t.index[0], t.partial[0],
                         n > 1 ? t.index[n - 1] : detail::no_index, n > 1 ? t.partial[n - 1] : S(0.0));
  } else {
    // The first two distinct variables, and how many there are.
    int survivors = 0;
    std::uint32_t i0 = detail::no_index, i1 = detail::no_index;
    S c0 = S(0.0), c1 = S(0.0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((t.index[K] != detail::no_index
            ? (survivors == 0 ? (i0 = t.index[K], c0 = t.partial[K], 0)
                              : (survivors == 1 ? (i1 = t.index[K], c1 = t.partial[K], 0) : 0),
               ++survivors)
            : 0),
       ...);
    }(std::make_integer_sequence<int, n>{});
    if (survivors <= kept) return TapeScalar<S>(e.value(), this, generation(), i0, c0, i1, c1);
    statements_.reserve(static_cast<std::size_t>(n));
    const std::uint32_t lhs = push_statement(0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((t.index[K] != detail::no_index ? statements_.push_operand(t.index[K], t.partial[K]) : void()), ...);
    }(std::make_integer_sequence<int, n>{});
    return TapeScalar<S>(e.value(), this, lhs, generation());
  }
}

template <class S>
template <bool Subtract, class E>
FRECHET_AD_INLINE void Tape<S>::record_accumulation(TapeScalar<S>& f, const E& e) {
  // Both current (one test for the two): f and e are on this tape, e's tape was checked by the caller.
  if (((f.generation() ^ generation()) | (e.generation ^ generation())) != 0)
    detail::throw_stale("TapeScalar +=", f.generation() != generation() ? f.generation() : e.generation, generation());
  constexpr int n = E::capacity;
  detail::MergedTerms<S, n> t;
  detail::merge_terms(e, t);
  // The old value of the accumulator, when the previous statement assigned it (the usual case), is
  // the statement's flag rather than an operand; otherwise its terms are operands.
  const auto push_e = [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((t.index[K] != detail::no_index ? statements_.push_operand(t.index[K], Subtract ? S(-t.partial[K]) : t.partial[K])
                                     : void()),
     ...);
  };
  const S value = Subtract ? S(f.value_ - e.value()) : S(f.value_ + e.value());
  // f lives in the caller's memory, so every field written costs a store per statement.
  if (f.index_[0] == open_accumulator_) {
    // f is the open accumulator (no other variable holds its index, so nothing has read the value
    // it stands for, and its statement is the last one): e's terms join that statement. (f is on a
    // tape, so its first term is a variable and never no_index, the value when nothing is open.)
    statements_.reserve_operands(static_cast<std::size_t>(n));
    push_e(std::make_integer_sequence<int, n>{});
    f.value_ = value;
    return;
  }
  statements_.reserve(static_cast<std::size_t>(n) + TapeScalar<S>::capacity);
  if (f.index_[0] == statements_.last_lhs() && f.index_[1] == detail::no_index && detail::is_one(f.coefficient_[0])) {
    // f holds the previous statement's variable (one term, coefficient 1, this tape and
    // generation), and will hold this statement's: only its value and index change.
    f.index_[0] = push_statement(detail::Statement::accumulates);
    push_e(std::make_integer_sequence<int, n>{});
    f.value_ = value;
  } else {
    const std::uint32_t lhs = push_statement(0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((f.index_[K] != detail::no_index ? statements_.push_operand(f.index_[K], f.coefficient_[K]) : void()), ...);
    }(std::make_integer_sequence<int, TapeScalar<S>::capacity>{});
    push_e(std::make_integer_sequence<int, n>{});
    f = TapeScalar<S>(value, this, lhs, generation());
  }
  f.accumulating_ = true;
  open_accumulator_ = f.index_[0];
}

template <class E> FRECHET_AD_INLINE TapeScalar<detail::ExprScalar<E>> detail::to_scalar(const E& e) {
  return TapeScalar<detail::ExprScalar<E>>(e);
}

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator+=(const E& e) {
  if constexpr (std::is_same_v<std::remove_cvref_t<E>, TapeScalar>) {
    return *this += detail::unary<S>(e, e.value(), detail::PlusOne{});
  } else if constexpr (TapeExpression<E>) {
    // Through e's tape (the same one): the compiler then knows it from the reads of e's operands.
    if (e.tape == tape_ && e.tape != nullptr) {
      e.tape->template record_accumulation<false>(*this, e);
      return *this;
    }
  }
  return *this = evaluate(*this + e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator-=(const E& e) {
  if constexpr (std::is_same_v<std::remove_cvref_t<E>, TapeScalar>) {
    return *this -= detail::unary<S>(e, e.value(), detail::PlusOne{});
  } else if constexpr (TapeExpression<E>) {
    // Through e's tape (the same one): the compiler then knows it from the reads of e's operands.
    if (e.tape == tape_ && e.tape != nullptr) {
      e.tape->template record_accumulation<true>(*this, e);
      return *this;
    }
  }
  return *this = evaluate(*this - e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator*=(const E& e) {
  return *this = evaluate(*this * e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator/=(const E& e) {
  return *this = evaluate(*this / e);
}

template <class S>
FRECHET_AD_INLINE TapeScalar<S> TapeVector<S>::operator[](std::size_t i) const {
  // Only a default-constructed handle has no tape, and reading it is a precondition violation;
  // knowing the tape is not null lets the compiler drop the constant-accumulator test of f += x[i].
  if (tape_ == nullptr) __builtin_unreachable();
  tape_->check_generation(generation_, "TapeVector::operator[]");
  const std::uint32_t index = slot_.index + static_cast<std::uint32_t>(i);
  // allocate() keeps every index below no_index; telling the compiler lets it fold the merging of
  // expression terms against the unused term of a variable.
  if (index == detail::no_index) __builtin_unreachable();
  const S value = in_place_.value != nullptr ? in_place_.at(i) : tape_->value_at(slot_.offset + static_cast<std::uint32_t>(i));
  return TapeScalar<S>(value, tape_, index, generation_);
}

template <class S>
TapeScalar<S> TapeMatrix<S>::operator()(std::size_t i, std::size_t j) const {
  tape_->check_generation(generation_, "TapeMatrix::operator()");
  const auto k = static_cast<std::uint32_t>(i + j * slot_.rows);
  return TapeScalar<S>(tape_->value_at(slot_.offset + k), tape_, slot_.index + k, generation_);
}

template <class S>
VectorOf<S> TapeVector<S>::value() const {
  tape_->check_generation(generation_, "TapeVector::value");
  VectorOf<S> out = detail::zeros<S>(size());
  detail::copy(tape_->value_view(slot_), detail::view(out));
  return out;
}

template <class S>
MatrixOf<S> TapeMatrix<S>::value() const {
  tape_->check_generation(generation_, "TapeMatrix::value");
  MatrixOf<S> out = detail::zero_matrix<S>(rows(), cols());
  detail::copy(tape_->value_view(slot_), detail::view(out));
  return out;
}

extern template class Tape<double>;
extern template class Tape<Dual<double>>;

}  // namespace frechet
