#pragma once
/// \file
/// The transforms: jvp, vjp, grad, value_and_grad, hvp, jacobian, hessian. Each takes a callable
/// written once as a template (a generic lambda) and calls it with the type of its mode:
///   plain value         Vector / DenseMatrix / double
///   jvp, jacobian(fwd)  DualVector<> / DualMatrix<> / Dual<double>
///   grad, vjp           TapeVector<> / TapeMatrix<> / TapeScalar<>
///   hvp, hessian        TapeVector<Dual<double>> ... (forward-over-reverse)
/// The function may return a scalar (double, Dual, TapeScalar or a tape expression), a vector of its
/// mode, or a std::vector of its scalars.
///
/// Several arguments: grad<I...>(f, x0, x1, ...), value_and_grad<I...> and vjp<I...> differentiate
/// with respect to the arguments numbered I... (JAX's argnums; all of them when none is given); the
/// others are passed as plain constants, so f must accept either type for them (`const auto&`).
/// The forward-mode transforms take one argument: bind the others in a lambda.

#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "frechet/ad/ops.hpp"

namespace frechet {

/// A value and its directional derivative J v.
template <class Y>
struct JvpResult {
  Y value;
  Y tangent;
};

/// A scalar value and its gradient (a tuple of gradients for several arguments).
template <class G>
struct ValueAndGradResult {
  double value = 0.0;
  G gradient;
};

/// f(x), grad f(x) and the Hessian-vector product H(x) v, from one forward-over-reverse pass.
struct ValueGradHvpResult {
  double value = 0.0;
  Vector gradient;
  Vector hvp;
};

/// How jacobian() runs: by columns with forward mode, by rows with reverse mode, or chosen by shape.
enum class JacobianMode { automatic, forward, reverse };

struct JacobianOptions {
  /// automatic: forward when f has fewer inputs than outputs, reverse otherwise.
  JacobianMode mode = JacobianMode::automatic;
};

namespace detail {

template <class T> struct IsStdVector : std::false_type {};
template <class T> struct IsStdVector<std::vector<T>> : std::true_type {};

/// f's result as a TapeScalar or TapeVector of level S.
template <class S, class R> auto tape_output(const R& r) {
  if constexpr (TapeExpression<R>) {
    return TapeScalar<S>(r);
  } else if constexpr (std::is_same_v<R, TapeVector<S>>) {
    return r;
  } else if constexpr (IsStdVector<R>::value) {
    return stack(std::span<const typename R::value_type>(r));
  } else if constexpr (std::is_arithmetic_v<R>) {
    return TapeScalar<S>(static_cast<double>(r));
  } else {
    static_assert(std::is_same_v<R, TapeVector<S>>, "f must return a scalar or a vector of its argument's mode");
  }
}

/// f's result as a Dual or DualVector of level S.
template <class S, class R> auto forward_output(const R& r) {
  if constexpr (std::is_same_v<R, Dual<S>> || std::is_same_v<R, DualVector<S>>) {
    return r;
  } else if constexpr (IsStdVector<R>::value && std::is_same_v<typename R::value_type, Dual<S>>) {
    return stack(std::span<const Dual<S>>(r));
  } else if constexpr (std::is_arithmetic_v<R>) {
    return Dual<S>(static_cast<double>(r));
  } else {
    static_assert(std::is_same_v<R, Dual<S>>, "f must return a scalar or a vector of its argument's mode");
  }
}

/// f's result on plain arguments as double or Vector (a scalar-style function returns a
/// std::vector<double> there).
template <class R> auto plain_output(const R& r) {
  if constexpr (std::is_arithmetic_v<R>) {
    return static_cast<double>(r);
  } else {
    static_assert(std::is_convertible_v<R, Vector>, "f must return a scalar or a vector");
    return Vector(r);
  }
}

template <class X> auto dual_input(const X& x, const X& v) {
  if constexpr (std::is_same_v<X, Vector>) {
    return DualVector<double>(x, v);
  } else if constexpr (std::is_same_v<X, DenseMatrix>) {
    return DualMatrix<double>(x, v);
  } else {
    return Dual<double>(static_cast<double>(x), static_cast<double>(v));
  }
}

/// How an argument's value gets onto the tape: copied (the tape may outlive the argument, as vjp's
/// pullback does) or, for a vector, read in place (the argument outlives the tape's use).
enum class Input { copied, in_place };

template <class S, Input How = Input::copied, class X> auto tape_input(Tape<S>& tape, const X& x) {
  if constexpr (std::is_arithmetic_v<X>) {
    return tape.variable(S(static_cast<double>(x)));
  } else if constexpr (How == Input::in_place && std::is_same_v<S, double> && std::is_same_v<X, Vector>) {
    return tape.variable_view(x);
  } else {
    return tape.variable(x);
  }
}

template <class X> X basis_like(const X& x, std::size_t j) {
  if constexpr (std::is_arithmetic_v<X>) {
    (void)x;
    (void)j;
    return X(1);
  } else {
    X e = x;
    std::fill(e.data(), e.data() + e.size(), 0.0);
    e.data()[j] = 1.0;
    return e;
  }
}

template <std::size_t N, std::size_t... I> struct Selection {
  using type = std::index_sequence<I...>;
};
template <std::size_t N> struct Selection<N> {
  using type = std::make_index_sequence<N>;
};

template <std::size_t K, std::size_t... Sel> constexpr bool selected(std::index_sequence<Sel...>) {
  return ((Sel == K) || ...);
}

template <std::size_t K, class Sel, Input How, class X> decltype(auto) argument_for(Tape<double>& tape, const X& x) {
  if constexpr (selected<K>(Sel{})) {
    return tape_input<double, How>(tape, x);
  } else {
    return (x);
  }
}

template <class Sel, Input How, class... X, std::size_t... K>
auto make_arguments(Tape<double>& tape, std::index_sequence<K...>, const X&... x) {
  return std::tuple<decltype(argument_for<K, Sel, How>(tape, x))...>(argument_for<K, Sel, How>(tape, x)...);
}

/// The adjoint of a variable, moved out of the tape where it is a vector: the input range is left
/// zero, so the next pass on the same recording need not clear it.
template <class A> auto take_adjoint(Tape<double>& tape, const A& a) {
  if constexpr (std::is_same_v<A, TapeVector<double>>) {
    Vector out;
    tape.take_adjoint(a, out);
    return out;
  } else {
    return tape.adjoint(a);
  }
}
template <class Args, std::size_t... Sel> auto take_adjoints(Tape<double>& tape, const Args& args, std::index_sequence<Sel...>) {
  if constexpr (sizeof...(Sel) == 1) {
    return take_adjoint(tape, std::get<Sel...>(args));
  } else {
    return std::tuple{take_adjoint(tape, std::get<Sel>(args))...};
  }
}

}  // namespace detail

/// (f(x), J v): forward mode, one pass. x and v are double, Vector or DenseMatrix of equal shape.
template <class F, class X> auto jvp(F&& f, const X& x, const X& v) {
  if constexpr (!std::is_arithmetic_v<X>) check_size("jvp: size of the tangent", x.size(), v.size());
  const auto y = detail::forward_output<double>(f(detail::dual_input(x, v)));
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(y)>, Dual<double>>) {
    return JvpResult<double>{y.value(), y.tangent()};
  } else {
    return JvpResult<Vector>{y.value, y.tangent};
  }
}

/// (f(x_0, x_1, ...), sum_k (df/dx_k) v_k): forward mode in several arguments at once, every tangent
/// pushed in the same pass (JAX's jvp(f, primals, tangents)). x and v are tuples of arguments and of
/// their tangents, each pair of equal shape: jvp(f, std::tuple{a, x}, std::tuple{a_dot, x_dot}).
template <class F, class... X> auto jvp(F&& f, const std::tuple<X...>& x, const std::tuple<X...>& v) {
  static_assert(sizeof...(X) > 0, "jvp needs an argument");
  const auto y = [&]<std::size_t... K>(std::index_sequence<K...>) {
    auto check = [](const auto& xk, const auto& vk) {
      if constexpr (!std::is_arithmetic_v<std::remove_cvref_t<decltype(xk)>>)
        check_size("jvp: size of a tangent", xk.size(), vk.size());
    };
    (check(std::get<K>(x), std::get<K>(v)), ...);
    return detail::forward_output<double>(f(detail::dual_input(std::get<K>(x), std::get<K>(v))...));
  }(std::index_sequence_for<X...>{});
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(y)>, Dual<double>>) {
    return JvpResult<double>{y.value(), y.tangent()};
  } else {
    return JvpResult<Vector>{y.value, y.tangent};
  }
}

/// f(x) and grad f(x) for scalar f, by one recording and one reverse pass. With several arguments,
/// value_and_grad<I...> differentiates with respect to the arguments I... (all when none is given).
/// This overload records on `tape` (cleared before and after, its memory kept): in a loop, as in an
/// optimiser, reusing one tape avoids allocating and first touching the tape's memory at every
/// call, which for large functions costs more than the gradient itself (doc/benchmarks.md). Vector
/// arguments are read in place, not copied onto the tape.
template <std::size_t... I, class F, class... X> auto value_and_grad(Tape<double>& tape, F&& f, const X&... x) {
  static_assert(sizeof...(X) > 0, "value_and_grad needs an argument");
  using Sel = typename detail::Selection<sizeof...(X), I...>::type;
  tape.clear();
  // The arguments outlive this call, so vectors are read in place rather than copied.
  auto args = detail::make_arguments<Sel, detail::Input::in_place>(tape, std::index_sequence_for<X...>{}, x...);
  const auto output = detail::tape_output<double>(std::apply(f, args));
  static_assert(!std::is_same_v<decltype(output), const TapeVector<double>>,
                "frechet: grad and value_and_grad need a scalar-valued f; for a vector-valued f call vjp "
                "(J^T u) or jacobian (the whole J)");
  const TapeScalar<double>& y = output;
  if (!y.is_constant()) {
    tape.seed(y, 1.0);
    tape.backward();
  }
  auto g = detail::take_adjoints(tape, args, Sel{});
  tape.clear();  // forgets the borrowed arguments
  return ValueAndGradResult<decltype(g)>{y.value(), std::move(g)};
}

/// f(x) and grad f(x) on a tape of its own.
template <std::size_t... I, class F, class... X> auto value_and_grad(F&& f, const X&... x) {
  Tape<double> tape;
  return value_and_grad<I...>(tape, std::forward<F>(f), x...);
}

/// grad f(x) for scalar f; grad<I...>(f, x0, x1, ...) selects arguments like JAX's argnums.
template <std::size_t... I, class F, class... X> auto grad(F&& f, const X&... x) {
  return value_and_grad<I...>(std::forward<F>(f), x...).gradient;
}

/// grad f(x), recorded on `tape` (cleared before and after, its memory kept).
template <std::size_t... I, class F, class... X> auto grad(Tape<double>& tape, F&& f, const X&... x) {
  return value_and_grad<I...>(tape, std::forward<F>(f), x...).gradient;
}

/// The pullback of vjp(): maps a cotangent y_bar to J^T y_bar (a tuple for several arguments). It
/// keeps the recorded tape and may be called any number of times, not concurrently.
template <class Out, class Args, class Sel>
class Pullback {
public:
  Pullback(std::shared_ptr<Tape<double>> tape, Out output, Args args)
      : tape_(std::move(tape)), output_(std::move(output)), args_(std::move(args)) {}

  /// J^T y_bar for a vector-valued f; throws ShapeError if y_bar has the wrong size.
  auto operator()(ConstVectorView y_bar) const {
    if constexpr (std::is_same_v<Out, TapeVector<double>>) {
      check_size("pullback: size of the cotangent", output_.size(), y_bar.size());
      tape_->seed(output_, y_bar);
    } else {
      check_size("pullback: size of the cotangent (f is scalar)", 1, y_bar.size());
      if (!output_.is_constant()) tape_->seed(output_, y_bar[0]);
    }
    tape_->backward();
    return detail::take_adjoints(*tape_, args_, Sel{});
  }
  /// J^T y_bar for a scalar f.
  auto operator()(double y_bar) const { return (*this)(ConstVectorView(&y_bar, 1)); }
  /// Bytes held by the recorded tape.
  std::size_t tape_bytes() const { return tape_->memory_bytes(); }

private:
  template <class O, class A, class S> friend class PullbackTranspose;
  std::shared_ptr<Tape<double>> tape_;
  Out output_;
  Args args_;
};

namespace detail {
template <class T> struct IsPullback : std::false_type {};
template <class Out, class Args, class Sel> struct IsPullback<Pullback<Out, Args, Sel>> : std::true_type {};

inline void seed_tangent(VectorView t, const TapeScalar<double>& x, double v) { t[x.index()] = v; }
inline void seed_tangent(VectorView t, const TapeVector<double>& x, ConstVectorView v) {
  check_size("pullback transpose: size of a tangent", x.size(), v.size());
  std::copy(v.begin(), v.end(), t.begin() + TapeAccess::slot(x).index);
}
inline void seed_tangent(VectorView t, const TapeMatrix<double>& x, const DenseMatrix& v) {
  check_size("pullback transpose: size of a tangent", x.size(), v.size());
  std::copy(v.values().begin(), v.values().end(), t.begin() + TapeAccess::slot(x).index);
}
}  // namespace detail

/// The pullback of a pullback. A pullback y_bar -> J^T y_bar is linear in y_bar, so its own pullback
/// is its transpose, v -> J v: the Jacobian-vector product obtained as "the VJP of a VJP". It runs
/// the transpose of the recorded reverse pass, a forward sweep over the same recording (each
/// statement's stored partials, each vector node's JVP rule), so it costs about one reverse pass and
/// records nothing: reverse over reverse with respect to the cotangent, without a second tape
/// (A. Griewank and A. Walther, Evaluating Derivatives, 2nd ed., SIAM 2008, chapters 3 and 5).
/// It shares the pullback's tape: calls must not be concurrent with each other or with the pullback.
template <class Out, class Args, class Sel>
class PullbackTranspose {
public:
  explicit PullbackTranspose(const Pullback<Out, Args, Sel>& pullback) : pullback_(pullback) {}

  /// J v for v shaped like the differentiated argument (a tuple for several, in their order);
  /// a Vector, or a double for a scalar-valued f. Throws ShapeError if a tangent has the wrong size.
  template <class... V> auto operator()(const V&... v) const {
    const Tape<double>& tape = *pullback_.tape_;
    Vector t(tape.index_count(), 0.0);
    seed(t, Sel{}, v...);
    detail::TapeAccess::forward_sweep(tape, VectorView(t));
    const Out& y = pullback_.output_;
    if constexpr (std::is_same_v<Out, TapeVector<double>>) {
      const detail::Slot& s = detail::TapeAccess::slot(y);
      return Vector(t.begin() + s.index, t.begin() + s.index + s.size());
    } else {
      double jv = 0.0;
      for (int k = 0; k < TapeScalar<double>::capacity; ++k)
        if (y.term_index(k) != detail::no_index) jv += y.term_coefficient(k) * t[y.term_index(k)];
      return jv;
    }
  }
  /// The same with the tangents of several arguments in one tuple.
  template <class... V> auto operator()(const std::tuple<V...>& v) const {
    return std::apply([this](const auto&... vk) { return (*this)(vk...); }, v);
  }

private:
  template <std::size_t... K, class... V> void seed(Vector& t, std::index_sequence<K...>, const V&... v) const {
    static_assert(sizeof...(K) == sizeof...(V), "one tangent per differentiated argument");
    (detail::seed_tangent(VectorView(t), std::get<K>(pullback_.args_), v), ...);
  }
  Pullback<Out, Args, Sel> pullback_;
};

/// The value of f and its pullback.
template <class Y, class P>
struct VjpResult {
  Y value;
  P pullback;
};

/// f(x) and the reusable pullback y_bar -> J^T y_bar (reverse mode). vjp<I...>(f, x0, x1, ...)
/// selects arguments. A pullback can itself be differentiated: see the overload below.
template <std::size_t... I, class F, class... X>
  requires(!detail::IsPullback<std::remove_cvref_t<F>>::value)
auto vjp(F&& f, const X&... x) {
  using Sel = typename detail::Selection<sizeof...(X), I...>::type;
  auto tape = std::make_shared<Tape<double>>();
  auto args = detail::make_arguments<Sel, detail::Input::copied>(*tape, std::index_sequence_for<X...>{}, x...);
  auto y = detail::tape_output<double>(std::apply(f, args));
  using Out = decltype(y);
  // The pullback keeps copies of the arguments, never references to the caller's objects.
  auto kept = [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::tuple<std::remove_cvref_t<decltype(std::get<K>(args))>...>(std::get<K>(args)...);
  }(std::make_index_sequence<sizeof...(X)>{});
  using Kept = decltype(kept);
  if constexpr (std::is_same_v<Out, TapeVector<double>>) {
    Vector value = y.value();
    return VjpResult<Vector, Pullback<Out, Kept, Sel>>{std::move(value), Pullback<Out, Kept, Sel>(tape, y, std::move(kept))};
  } else {
    const double value = y.value();
    return VjpResult<double, Pullback<Out, Kept, Sel>>{value, Pullback<Out, Kept, Sel>(tape, y, std::move(kept))};
  }
}

/// The VJP of a pullback g(y_bar) = J^T y_bar at y_bar: its value J^T y_bar and its own pullback
/// v -> J v (PullbackTranspose), JAX's vjp(f_vjp, y_bar). Since g is linear, y_bar only sets the
/// value; the JVP of f is then a VJP of a VJP:
///     auto [y, pb] = vjp(f, w);
///     auto [unused, pb_pb] = vjp(pb, Vector(y.size(), 0.0));
///     Vector jv = pb_pb(v);                                    // J v
template <class Out, class Args, class Sel>
auto vjp(const Pullback<Out, Args, Sel>& pullback, ConstVectorView y_bar) {
  auto value = pullback(y_bar);
  return VjpResult<decltype(value), PullbackTranspose<Out, Args, Sel>>{std::move(value),
                                                                       PullbackTranspose<Out, Args, Sel>(pullback)};
}
/// The same for the pullback of a scalar-valued f.
template <class Out, class Args, class Sel> auto vjp(const Pullback<Out, Args, Sel>& pullback, double y_bar) {
  return vjp(pullback, ConstVectorView(&y_bar, 1));
}

namespace detail {
/// Records f on `tape` at x moving in direction v (both read in place), runs the reverse pass and
/// hands the adjoint of x out into `adjoint` (value: grad f(x), tangent: H(x) v); returns f(x).
/// With the same `adjoint` call after call, the tape exchanges storage with it instead of
/// allocating (Tape::take_adjoint). Clears the tape before and after.
template <class F>
double record_hvp(Tape<Dual<double>>& tape, F& f, ConstVectorView x, ConstVectorView v, DualVector<double>& adjoint) {
  check_size("hvp: size of the direction", x.size(), v.size());
  tape.clear();
  const TapeVector<Dual<double>> xv = tape.variable_view(x, v);
  const auto output = tape_output<Dual<double>>(f(xv));
  static_assert(!std::is_same_v<decltype(output), const TapeVector<Dual<double>>>,
                "frechet: hvp and value_grad_and_hvp need a scalar-valued f; for a vector-valued f call "
                "jacobian_operator or vjp");
  const TapeScalar<Dual<double>>& y = output;
  const double value = y.value().value();
  if (y.is_constant()) {
    adjoint.value.assign(x.size(), 0.0);
    adjoint.tangent.assign(x.size(), 0.0);
  } else {
    tape.seed(y, Dual<double>(1.0));
    tape.backward();
    tape.take_adjoint(xv, adjoint);
  }
  tape.clear();  // forgets x and v
  return value;
}
}  // namespace detail

/// f(x), grad f(x) and H v for scalar f of a vector x: forward-over-reverse, one recording on a
/// tape whose values carry the tangent v, then one reverse pass. This overload records on `tape`
/// (cleared before and after, its memory kept): repeated products, as in a Hessian operator, reuse
/// it. x and v are read in place, not copied onto the tape.
template <class F>
ValueGradHvpResult value_grad_and_hvp(Tape<Dual<double>>& tape, F&& f, ConstVectorView x, ConstVectorView v) {
  DualVector<double> adjoint;
  const double value = detail::record_hvp(tape, f, x, v, adjoint);
  return ValueGradHvpResult{value, std::move(adjoint.value), std::move(adjoint.tangent)};
}

/// f(x), grad f(x) and H v for scalar f of a vector x, on a tape of its own.
template <class F> ValueGradHvpResult value_grad_and_hvp(F&& f, ConstVectorView x, ConstVectorView v) {
  Tape<Dual<double>> tape;
  return value_grad_and_hvp(tape, std::forward<F>(f), x, v);
}

/// H(x) v for scalar f (forward-over-reverse).
template <class F> Vector hvp(F&& f, ConstVectorView x, ConstVectorView v) {
  return value_grad_and_hvp(std::forward<F>(f), x, v).hvp;
}

/// H(x) v, recorded on `tape` (cleared before and after, its memory kept).
template <class F> Vector hvp(Tape<Dual<double>>& tape, F&& f, ConstVectorView x, ConstVectorView v) {
  return value_grad_and_hvp(tape, std::forward<F>(f), x, v).hvp;
}

/// The Hessian of scalar f(x_0, x_1, ...) applied to tangents of all its arguments at once, block
/// by block: the k-th entry of the result is sum_j (d2f / dx_k dx_j) v_j, of x_k's type.
/// Forward-over-reverse: one recording on a tape whose values carry the tangents, one reverse pass.
/// x and v are tuples of arguments (double, Vector, DenseMatrix) and of their tangents, each pair
/// of equal shape: hvp(f, std::tuple{w, theta}, std::tuple{w_dot, theta_dot}).
template <class F, class... X> std::tuple<X...> hvp(F&& f, const std::tuple<X...>& x, const std::tuple<X...>& v) {
  static_assert(sizeof...(X) > 0, "hvp needs an argument");
  Tape<Dual<double>> tape;
  auto args = [&]<std::size_t... K>(std::index_sequence<K...>) {
    auto check = [](const auto& xk, const auto& vk) {
      if constexpr (!std::is_arithmetic_v<std::remove_cvref_t<decltype(xk)>>)
        check_size("hvp: size of a tangent", xk.size(), vk.size());
    };
    (check(std::get<K>(x), std::get<K>(v)), ...);
    return std::tuple{tape.variable(detail::dual_input(std::get<K>(x), std::get<K>(v)))...};
  }(std::index_sequence_for<X...>{});
  const auto output = detail::tape_output<Dual<double>>(std::apply(f, args));
  static_assert(!std::is_same_v<decltype(output), const TapeVector<Dual<double>>>,
                "frechet: hvp needs a scalar-valued f; for a vector-valued f call vjp or jacobian_operator");
  const TapeScalar<Dual<double>>& y = output;
  if (!y.is_constant()) {
    tape.seed(y, Dual<double>(1.0));
    tape.backward();
  }
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    auto tangent_of = [&](const auto& a) {
      const auto adjoint = tape.adjoint(a);
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(adjoint)>, Dual<double>>) {
        return adjoint.tangent();
      } else {
        return adjoint.tangent;
      }
    };
    return std::tuple<X...>{tangent_of(std::get<K>(args))...};
  }(std::index_sequence_for<X...>{});
}

/// The mixed second derivative (d2f / dx dtheta) theta_dot of scalar f(x, theta), an x-shaped
/// vector: the derivative of grad_x f in the direction theta_dot of theta (forward over reverse in
/// the second argument). It is the right-hand side of the implicit function theorem for
/// x*(theta) = argmin_x f(x, theta): dx* = -H^{-1} (d2f / dx dtheta) theta_dot.
template <class F, class X, class Theta>
X mixed_hvp(F&& f, const X& x, const Theta& theta, const Theta& theta_dot) {
  X zero = x;
  if constexpr (std::is_arithmetic_v<X>) {
    zero = 0.0;
  } else {
    std::fill(zero.data(), zero.data() + zero.size(), 0.0);
  }
  return std::get<0>(hvp(f, std::tuple<X, Theta>{x, theta}, std::tuple<X, Theta>{zero, theta_dot}));
}

/// The m x n Jacobian of f: R^n -> R^m, column by column (forward) or row by row (reverse).
template <class F> DenseMatrix jacobian(F&& f, const Vector& x, const JacobianOptions& options = {}) {
  const std::size_t n = x.size();
  JacobianMode mode = options.mode;
  if (mode == JacobianMode::automatic) {
    const auto y = detail::plain_output(f(x));
    std::size_t m = 1;
    if constexpr (!std::is_arithmetic_v<decltype(y)>) m = y.size();
    mode = n < m ? JacobianMode::forward : JacobianMode::reverse;
  }
  if (mode == JacobianMode::forward) {
    DenseMatrix j;
    Vector e(n, 0.0);
    for (std::size_t c = 0; c < n; ++c) {
      e[c] = 1.0;
      const auto r = jvp(f, x, e);
      e[c] = 0.0;
      if constexpr (std::is_arithmetic_v<decltype(r.tangent)>) {
        if (c == 0) j = DenseMatrix(1, n);
        j(0, c) = r.tangent;
      } else {
        if (c == 0) j = DenseMatrix(r.tangent.size(), n);
        std::copy(r.tangent.begin(), r.tangent.end(), j.col(c).begin());
      }
    }
    if (n == 0) {
      const auto y = detail::plain_output(f(x));
      if constexpr (std::is_arithmetic_v<decltype(y)>) {
        return DenseMatrix(1, 0);
      } else {
        return DenseMatrix(y.size(), 0);
      }
    }
    return j;
  }
  auto [value, pullback] = vjp(f, x);
  std::size_t m = 1;
  if constexpr (!std::is_arithmetic_v<decltype(value)>) m = value.size();
  DenseMatrix j(m, n);
  Vector e(m, 0.0);
  for (std::size_t r = 0; r < m; ++r) {
    e[r] = 1.0;
    const Vector row = pullback(ConstVectorView(e));
    e[r] = 0.0;
    for (std::size_t c = 0; c < n; ++c) j(r, c) = row[c];
  }
  return j;
}

/// The n x n Hessian of scalar f, one Hessian-vector product per column, all recorded on one tape.
template <class F> DenseMatrix hessian(F&& f, const Vector& x) {
  const std::size_t n = x.size();
  DenseMatrix h(n, n);
  Tape<Dual<double>> tape;
  DualVector<double> adjoint;
  Vector e(n, 0.0);
  for (std::size_t c = 0; c < n; ++c) {
    e[c] = 1.0;
    detail::record_hvp(tape, f, x, e, adjoint);
    e[c] = 0.0;
    std::copy(adjoint.tangent.begin(), adjoint.tangent.end(), h.col(c).begin());
  }
  return h;
}

}  // namespace frechet
