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


#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/detail/inline.hpp"
#include "frechet/ad/detail/statement_buffer.hpp"
#include "frechet/ad/detail/tape_support.hpp"
#include "frechet/ad/dual.hpp"
#include "frechet/ad/tape_variables.hpp"
#include "frechet/core/error.hpp"

namespace frechet {

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

  /// The forward sweep over everything recorded, the transpose of backward(): on entry `tangents`
  /// (index_count() entries, indexed like the adjoints) holds the tangents of the independent
  /// variables and zeros; on return every recorded value holds its tangent J v. This is what
  /// differentiating the reverse pass with respect to its seed (reverse over reverse) computes.
  void forward_sweep(detail::View<S> tangents) const;
  void run_statements_forward(std::size_t begin, std::size_t end, detail::View<S> tangents) const;
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

}  // namespace frechet

#include "frechet/ad/detail/tape_expressions.hpp"
#include "frechet/ad/detail/tape_recording.hpp"

namespace frechet {
extern template class Tape<double>;
extern template class Tape<Dual<double>>;

}  // namespace frechet
