#pragma once
/// \file
/// What the tape, its variables and the vector nodes share: argument shapes, slots (where a value and
/// its adjoints live), the node interface and the tape's error paths. Internal to the AD layer.

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/detail/inline.hpp"

namespace frechet {

template <class S> class Tape;
template <class S> class TapeScalar;
template <class S> class TapeVector;
template <class S> class TapeMatrix;

namespace detail {

/// The double operand of an operator template beside an AD type T (`2.0 * x`, `x == 0.5`). It is
/// double, spelled so that a non-class T fails in substitution: clang 14 checks that an operator has
/// a parameter of class type before it checks the template's constraint, so `operator*(double,
/// const X&)` deduced with X = int, as `2 * n` in user code makes it consider, was a hard error.
template <class T> using Constant = std::enable_if_t<std::is_class_v<T>, double>;

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
  /// Overwrites the output's tangent with the rule's JVP of the inputs' tangents (absent for a
  /// constant): one step of the forward sweep over a recording, the transpose of pullback().
  /// `tangents` is indexed like the adjoints.
  virtual void push_forward(const Tape<S>& tape, View<S> tangents) const = 0;
  /// Bytes held by the node beyond the tape's arenas (factorizations, index lists).
  virtual std::size_t bytes() const = 0;
  virtual const char* name() const = 0;
  std::size_t statement_position = 0;  ///< scalar statements recorded before this node
};

/// The one door to a tape's recording interface (private in Tape) for the rules, the vector nodes
/// and the custom rules: each function forwards to the Tape member of the same name, or to the
/// private constructor of a variable.
struct TapeAccess {
#define FRECHET_TAPE_ACCESS(NAME) \
  template <class T, class... A> static decltype(auto) NAME(T& tape, A&&... args) { \
    return tape.NAME(std::forward<A>(args)...);                                     \
  }
  FRECHET_TAPE_ACCESS(check_generation)
  FRECHET_TAPE_ACCESS(allocate)
  FRECHET_TAPE_ACCESS(constant)
  FRECHET_TAPE_ACCESS(constant_of_level)
  FRECHET_TAPE_ACCESS(scalar_slot)
  FRECHET_TAPE_ACCESS(materialize)
  FRECHET_TAPE_ACCESS(value_view)
  FRECHET_TAPE_ACCESS(value_view_mutable)
  FRECHET_TAPE_ACCESS(adjoint_view)
  FRECHET_TAPE_ACCESS(push_node)
  FRECHET_TAPE_ACCESS(value_at)
  FRECHET_TAPE_ACCESS(forward_sweep)
#undef FRECHET_TAPE_ACCESS
  /// The variables' constructors and slots, private to them likewise.
  template <class S>
  static TapeScalar<S> scalar(const S& value, Tape<S>* tape, std::uint32_t index, std::uint32_t generation) {
    return TapeScalar<S>(value, tape, index, generation);
  }
  template <class S> static TapeVector<S> vector(Tape<S>* tape, const Slot& slot) { return TapeVector<S>(tape, slot); }
  template <class S> static TapeMatrix<S> matrix(Tape<S>* tape, const Slot& slot) { return TapeMatrix<S>(tape, slot); }
  template <class V> static const Slot& slot(const V& variable) { return variable.slot(); }
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

}  // namespace frechet
