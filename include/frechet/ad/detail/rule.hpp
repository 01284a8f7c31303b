#pragma once
/// \file
/// The protocol of a vector rule and the dispatch that runs one rule in every mode.
///
/// A rule with N arguments is a struct providing, once, for any scalar level S (double, Dual<double>):
///
///     static constexpr std::size_t arity = N;
///     const char* name() const;
///     Shape shape(const std::array<Shape, N>& in) const;      // checks shapes, throws ShapeError
///     template <class S> Saved primal(const Args<N, S>& x, const MatView<S>& y) const;
///     template <class S, class R> void jvp(const Args<N, S>& x, const CMatView<S>& y, const R& saved,
///                                          const Args<N, S>& dx, const MatView<S>& dy) const;
///     template <class S, class R> void vjp(const Args<N, S>& x, const CMatView<S>& y, const R& saved,
///                                          const CMatView<S>& ybar, const Cotangents<N, S>& xbar) const;
///
/// Arguments and outputs are column-major matrix views (a vector is n x 1, a scalar 1 x 1). In jvp an
/// argument without tangent (a constant) has an empty dx[k]; dy is overwritten. In vjp a constant has an
/// empty xbar[k]; the others are accumulated into (+=), never overwritten, so aliased arguments work.
/// `saved` is whatever primal returns for the derivatives (an LU factorization, a norm): the data
/// saved for the backward pass (the word "residual" is kept for b - A x).
///
/// apply<Kind>(rule, args...) then evaluates the rule on plain arguments (primal), on Dual arguments
/// (primal + jvp at level S) or on tape variables (primal now, vjp in the reverse pass at level S),
/// mixing constants (double, Vector, DenseMatrix) freely with the active arguments.

#include <array>
#include <string>
#include <memory>
#include <tuple>
#include <type_traits>

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/tape.hpp"

namespace frechet::detail {

template <std::size_t N, class S> using Args = std::array<CMatView<S>, N>;
template <std::size_t N, class S> using Cotangents = std::array<MatView<S>, N>;

/// True when a view stands for an argument that has a tangent/cotangent.
template <class M> bool present(const M& m) { return !m.data.empty() || m.rows * m.cols == 0; }

/// What a rule saves when its derivatives need nothing beyond the arguments and the output.
struct NothingSaved {};

// ---- shape checks and small helpers of the rules -----------------------------------------------
[[noreturn]] void throw_rule_shape(const char* rule, const std::string& what);

inline void check_same_shape(const char* rule, const Shape& a, const Shape& b) {
  if (!(a == b)) throw_rule_shape(rule, "arguments must have the same shape, got " + to_string(a) + " and " + to_string(b));
}
inline void check_vector(const char* rule, const char* arg, const Shape& a) {
  if (a.cols != 1) throw_rule_shape(rule, std::string(arg) + " must be a vector (n x 1), got " + to_string(a));
}
inline void check_scalar(const char* rule, const char* arg, const Shape& a) {
  if (a.rows != 1 || a.cols != 1) throw_rule_shape(rule, std::string(arg) + " must be a scalar, got " + to_string(a));
}

template <class S> std::size_t count(const CMatView<S>& m) { return m.rows * m.cols; }
template <class S> std::size_t count(const MatView<S>& m) { return m.rows * m.cols; }
template <class S> S scalar_of(const CMatView<S>& m) { return at(m.data, 0); }

enum class Mode { plain, forward, tape };
enum class Kind { scalar, vector, matrix };

// ---- argument classification ------------------------------------------------------------------
template <class T, class = void> struct ArgTraits;
template <> struct ArgTraits<double> {
  static constexpr Mode mode = Mode::plain;
  static constexpr Kind kind = Kind::scalar;
  using level = void;
};
template <> struct ArgTraits<Vector> {
  static constexpr Mode mode = Mode::plain;
  static constexpr Kind kind = Kind::vector;
  using level = void;
};
template <> struct ArgTraits<DenseMatrix> {
  static constexpr Mode mode = Mode::plain;
  static constexpr Kind kind = Kind::matrix;
  using level = void;
};
template <class S> struct ArgTraits<Dual<S>> {
  static constexpr Mode mode = Mode::forward;
  static constexpr Kind kind = Kind::scalar;
  using level = S;
};
template <class S> struct ArgTraits<DualVector<S>> {
  static constexpr Mode mode = Mode::forward;
  static constexpr Kind kind = Kind::vector;
  using level = S;
};
template <class S> struct ArgTraits<DualMatrix<S>> {
  static constexpr Mode mode = Mode::forward;
  static constexpr Kind kind = Kind::matrix;
  using level = S;
};
template <class S> struct ArgTraits<TapeScalar<S>> {
  static constexpr Mode mode = Mode::tape;
  static constexpr Kind kind = Kind::scalar;
  using level = S;
};
template <class S> struct ArgTraits<TapeVector<S>> {
  static constexpr Mode mode = Mode::tape;
  static constexpr Kind kind = Kind::vector;
  using level = S;
};
template <class S> struct ArgTraits<TapeMatrix<S>> {
  static constexpr Mode mode = Mode::tape;
  static constexpr Kind kind = Kind::matrix;
  using level = S;
};

template <class T> using Traits = ArgTraits<std::remove_cvref_t<T>>;

/// An argument type a rule accepts (after expressions are evaluated).
template <class T>
concept RuleArg = requires { Traits<T>::mode; };
/// An array argument (vector or matrix) of any mode.
template <class T>
concept ArrayArg = RuleArg<T> && Traits<T>::kind != Kind::scalar;
/// A vector argument of any mode.
template <class T>
concept VectorArg = RuleArg<T> && Traits<T>::kind == Kind::vector;
/// A matrix argument of any mode.
template <class T>
concept MatrixArg = RuleArg<T> && Traits<T>::kind == Kind::matrix;
/// A scalar argument of any mode (double, Dual, TapeScalar).
template <class T>
concept ScalarArg = RuleArg<T> && Traits<T>::kind == Kind::scalar;
/// An argument that is not plain: a dual or a tape variable.
template <class T>
concept ActiveArg = RuleArg<T> && Traits<T>::mode != Mode::plain;

template <class... A> constexpr Mode common_mode() {
  Mode m = Mode::plain;
  ((m = Traits<A>::mode == Mode::tape ? Mode::tape
                                      : (Traits<A>::mode == Mode::forward && m == Mode::plain ? Mode::forward : m)),
   ...);
  return m;
}
template <class... A> constexpr bool no_forward_with_tape() {
  return !((Traits<A>::mode == Mode::forward) || ...) || !((Traits<A>::mode == Mode::tape) || ...);
}

template <class... A> struct CommonLevel;
template <> struct CommonLevel<> { using type = void; };
template <class A, class... R> struct CommonLevel<A, R...> {
  using rest = typename CommonLevel<R...>::type;
  using type = std::conditional_t<std::is_void_v<typename Traits<A>::level>, rest, typename Traits<A>::level>;
};
template <class S, class... A> constexpr bool same_levels() {
  return ((std::is_void_v<typename Traits<A>::level> || std::is_same_v<typename Traits<A>::level, S>) && ...);
}

template <Mode M, Kind K, class S> struct ResultType;
template <> struct ResultType<Mode::plain, Kind::scalar, void> { using type = double; };
template <> struct ResultType<Mode::plain, Kind::vector, void> { using type = Vector; };
template <> struct ResultType<Mode::plain, Kind::matrix, void> { using type = DenseMatrix; };
template <class S> struct ResultType<Mode::forward, Kind::scalar, S> { using type = Dual<S>; };
template <class S> struct ResultType<Mode::forward, Kind::vector, S> { using type = DualVector<S>; };
template <class S> struct ResultType<Mode::forward, Kind::matrix, S> { using type = DualMatrix<S>; };
template <class S> struct ResultType<Mode::tape, Kind::scalar, S> { using type = TapeScalar<S>; };
template <class S> struct ResultType<Mode::tape, Kind::vector, S> { using type = TapeVector<S>; };
template <class S> struct ResultType<Mode::tape, Kind::matrix, S> { using type = TapeMatrix<S>; };

// ---- shapes and views of arguments ------------------------------------------------------------
inline Shape shape_of(double) { return {1, 1}; }
inline Shape shape_of(const Vector& x) { return {x.size(), 1}; }
inline Shape shape_of(const DenseMatrix& a) { return {a.rows(), a.cols()}; }
template <class S> Shape shape_of(const Dual<S>&) { return {1, 1}; }
template <class S> Shape shape_of(const DualVector<S>& x) { return {x.size(), 1}; }
template <class S> Shape shape_of(const DualMatrix<S>& a) { return {a.rows(), a.cols()}; }
template <class S> Shape shape_of(const TapeScalar<S>&) { return {1, 1}; }
template <class S> Shape shape_of(const TapeVector<S>& x) { return {x.size(), 1}; }
template <class S> Shape shape_of(const TapeMatrix<S>& a) { return {a.rows(), a.cols()}; }

/// A one-entry view of a scalar of level S (its address is stable while the object lives).
inline std::span<const double> scalar_cview(const double& x) { return {&x, 1}; }
inline std::span<double> scalar_view(double& x) { return {&x, 1}; }
template <class T> DualCView<T> scalar_cview(const Dual<T>& x) {
  return {scalar_cview(x.value()), scalar_cview(x.tangent())};
}
template <class T> DualView<T> scalar_view(Dual<T>& x) { return {scalar_view(x.value()), scalar_view(x.tangent())}; }

inline std::span<const double> plain_data(const double& x) { return {&x, 1}; }
inline std::span<const double> plain_data(const Vector& x) { return x; }
inline std::span<const double> plain_data(const DenseMatrix& a) { return a.values(); }

// Forward mode: the value and the tangent of an argument at level S.
template <class S, class A> CMatView<S> forward_value(const A& a) {
  const Shape sh = shape_of(a);
  if constexpr (Traits<A>::mode == Mode::plain) {
    return {lift<S>(plain_data(a)), sh.rows, sh.cols};
  } else if constexpr (Traits<A>::kind == Kind::scalar) {
    return {scalar_cview(a.value()), 1, 1};
  } else {
    return {cview(a.value), sh.rows, sh.cols};
  }
}
template <class S, class A> CMatView<S> forward_tangent(const A& a) {
  const Shape sh = shape_of(a);
  if constexpr (Traits<A>::mode == Mode::plain) {
    return {CView<S>(), sh.rows, sh.cols};
  } else if constexpr (Traits<A>::kind == Kind::scalar) {
    return {scalar_cview(a.tangent()), 1, 1};
  } else {
    return {cview(a.tangent), sh.rows, sh.cols};
  }
}

template <class R> std::size_t saved_bytes(const R& r) {
  if constexpr (requires { r.bytes(); }) {
    return r.bytes();
  } else {
    return sizeof(R);
  }
}

/// The tape node of a rule: argument slots, output slot, the rule and what it saved.
template <class S, class Rule, class Saved>
class RuleNode final : public Node<S> {
public:
  static constexpr std::size_t N = Rule::arity;
  RuleNode(const Rule& rule, const std::array<Slot, N>& in, const Slot& out, Saved saved)
      : rule_(rule), in_(in), out_(out), saved_(std::move(saved)) {}

  void pullback(Tape<S>& tape) override {
    Args<N, S> x;
    Cotangents<N, S> xbar;
    for (std::size_t k = 0; k < N; ++k) {
      x[k] = CMatView<S>(detail::TapeAccess::value_view(tape, in_[k]), in_[k].rows, in_[k].cols);
      xbar[k] = MatView<S>{detail::TapeAccess::adjoint_view(tape, in_[k]), in_[k].rows, in_[k].cols};
    }
    const CMatView<S> y(detail::TapeAccess::value_view(tape, out_), out_.rows, out_.cols);
    const View<S> ybar = detail::TapeAccess::adjoint_view(tape, out_);
    rule_.template vjp<S>(x, y, saved_, CMatView<S>(CView<S>(ybar), out_.rows, out_.cols), xbar);
    fill_zero(ybar);
  }
  void push_forward(const Tape<S>& tape, View<S> tangents) const override {
    Args<N, S> x;
    Args<N, S> dx;
    for (std::size_t k = 0; k < N; ++k) {
      x[k] = CMatView<S>(detail::TapeAccess::value_view(tape, in_[k]), in_[k].rows, in_[k].cols);
      const CView<S> t = in_[k].index == no_index ? CView<S>() : CView<S>(sub(tangents, in_[k].index, in_[k].size()));
      dx[k] = CMatView<S>(t, in_[k].rows, in_[k].cols);
    }
    const CMatView<S> y(detail::TapeAccess::value_view(tape, out_), out_.rows, out_.cols);
    rule_.template jvp<S>(x, y, saved_, dx, MatView<S>{sub(tangents, out_.index, out_.size()), out_.rows, out_.cols});
  }
  // sizeof(*this) holds saved_ itself; saved_bytes counts it too, with what it owns.
  std::size_t bytes() const override { return sizeof(*this) - sizeof(Saved) + saved_bytes(saved_); }
  const char* name() const override { return rule_.name(); }

private:
  Rule rule_;
  std::array<Slot, N> in_;
  Slot out_;
  Saved saved_;
};

template <class S, class A> Tape<S>* tape_of(const A& a) {
  if constexpr (Traits<A>::mode == Mode::tape) {
    return a.tape();
  } else {
    return nullptr;
  }
}

template <class S, class A> Slot tape_slot(Tape<S>& tape, const A& a, const char* op) {
  if constexpr (Traits<A>::mode == Mode::plain) {
    const Shape sh = shape_of(a);
    return detail::TapeAccess::constant(tape, plain_data(a), sh.rows, sh.cols);
  } else if constexpr (Traits<A>::kind == Kind::scalar) {
    return detail::TapeAccess::scalar_slot(tape, a, op);
  } else {
    if (a.tape() != &tape) throw_mixed_tapes(op);
    detail::TapeAccess::check_generation(tape, a.generation(), op);
    return TapeAccess::slot(a);
  }
}

template <Kind K, class S> auto make_forward_result(const Shape& sh) {
  if constexpr (K == Kind::scalar) {
    return Dual<S>();
  } else if constexpr (K == Kind::vector) {
    return DualVector<S>(sh.rows);
  } else {
    return DualMatrix<S>(sh.rows, sh.cols);
  }
}

/// Evaluates `rule` on `args` in the mode the argument types select; the result is of kind K.
template <Kind K, class Rule, class... A>
auto apply(const Rule& rule, const A&... args) {
  static_assert(sizeof...(A) == Rule::arity, "wrong number of rule arguments");
  static_assert(no_forward_with_tape<A...>(), "dual numbers and tape variables cannot be mixed in one operation");
  constexpr Mode mode = common_mode<A...>();
  using S = typename CommonLevel<A...>::type;
  static_assert(same_levels<S, A...>(), "arguments of one operation must have the same scalar level");
  constexpr std::size_t N = Rule::arity;
  const Shape out = rule.shape(std::array<Shape, N>{shape_of(args)...});

  if constexpr (mode == Mode::plain) {
    const Args<N, double> x{CMatView<double>(plain_data(args), shape_of(args).rows, shape_of(args).cols)...};
    if constexpr (K == Kind::scalar) {
      double y = 0.0;
      rule.template primal<double>(x, MatView<double>{scalar_view(y), 1, 1});
      return y;
    } else if constexpr (K == Kind::vector) {
      Vector y(out.size());
      rule.template primal<double>(x, MatView<double>{view(y), out.rows, out.cols});
      return y;
    } else {
      DenseMatrix y(out.rows, out.cols);
      rule.template primal<double>(x, MatView<double>{view(y), out.rows, out.cols});
      return y;
    }
  } else if constexpr (mode == Mode::forward) {
    const Args<N, S> x{forward_value<S>(args)...};
    const Args<N, S> dx{forward_tangent<S>(args)...};
    auto y = make_forward_result<K, S>(out);
    MatView<S> yv, ydv;
    if constexpr (K == Kind::scalar) {
      yv = MatView<S>{scalar_view(y.value()), 1, 1};
      ydv = MatView<S>{scalar_view(y.tangent()), 1, 1};
    } else {
      yv = MatView<S>{view(y.value), out.rows, out.cols};
      ydv = MatView<S>{view(y.tangent), out.rows, out.cols};
    }
    const auto saved = rule.template primal<S>(x, yv);
    rule.template jvp<S>(x, CMatView<S>(yv), saved, dx, ydv);
    return y;
  } else {
    Tape<S>* tape = nullptr;
    ((tape = tape != nullptr ? tape : tape_of<S>(args)), ...);
    if (tape == nullptr) {
      throw ArgumentError(std::string(rule.name()) + ": no argument is a variable of a tape");
    }
    const std::array<Slot, N> slots{tape_slot(*tape, args, rule.name())...};
    const Slot y = detail::TapeAccess::allocate(*tape, out.rows, out.cols, rule.name());
    Args<N, S> x;
    for (std::size_t k = 0; k < N; ++k) x[k] = CMatView<S>(detail::TapeAccess::value_view(*tape, slots[k]), slots[k].rows, slots[k].cols);
    auto saved = rule.template primal<S>(x, MatView<S>{detail::TapeAccess::value_view_mutable(*tape, y), out.rows, out.cols});
    using Saved = decltype(saved);
    detail::TapeAccess::push_node(*tape, std::make_unique<RuleNode<S, Rule, Saved>>(rule, slots, y, std::move(saved)));
    if constexpr (K == Kind::scalar) {
      return TapeAccess::scalar(TapeAccess::value_at(*tape, y.offset), tape, y.index, tape->generation());
    } else if constexpr (K == Kind::vector) {
      return TapeAccess::vector(tape, y);
    } else {
      return TapeAccess::matrix(tape, y);
    }
  }
}

/// Tape expressions become TapeScalars before they enter a rule; everything else passes through.
template <class T> decltype(auto) as_arg(const T& x) {
  if constexpr (TapeExpression<T> && !RuleArg<T>) {
    return evaluate(x);
  } else {
    return (x);
  }
}

}  // namespace frechet::detail
