#pragma once
/// \file
/// Custom rules: a user primitive with its own derivative, the analogue of jax.custom_jvp and
/// jax.custom_vjp. This is how an operation that is not differentiated by unrolling (a linear solve
/// by a Krylov method, a root found by Newton's method) gets its derivative: the VJP of x = A^{-1} b
/// is one transposed solve, the derivative of an implicit function one linear solve.
///
/// A vector rule takes vector arguments (a matrix passes its entries column by column) and returns a
/// vector. Give a JVP, a VJP or both; with only one of them the other mode still works, at the cost of
/// one call per entry (a JVP per input entry to pull back, a VJP per output entry to push forward).
/// A rule that also gives `vjp_second_order` works under hvp() (forward over reverse: the reverse
/// pass on a tape whose values carry tangents); without it a rule is first-order and throws
/// ArgumentError there. Forward over forward always throws.
///
/// A scalar function with a custom derivative is made by scalar_function(f, df); it then works on
/// double, Dual and TapeScalar like the built-in <cmath> functions, to any order df supports.

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "frechet/ad/ops.hpp"

namespace frechet {

/// The arguments of a custom rule, one read-only view per argument.
using CustomInputs = std::span<const ConstVectorView>;
/// The cotangent outputs of a custom rule, one view per argument (empty for a constant argument).
using CustomCotangents = std::span<const VectorView>;

/// A user primitive y = f(x_1, ..., x_k) with its derivatives. `Saved` is whatever the primal
/// keeps for the derivatives (a factorization, say); it is filled by `primal` and handed to the others.
/// A tape keeps one Saved per recorded call, and Tape::memory_bytes counts sizeof(Saved) for it; a
/// Saved that owns more (factors, vectors) says how much by a member `std::size_t bytes() const`,
/// all its memory, sizeof included, which the tape then counts instead (as the built-in rules' saved
/// data do, detail::saved_bytes).
/// The optional members have default initializers, so designated initializers may leave them out.
template <class Saved = std::monostate>
struct CustomRule {
  /// Named in error messages.
  std::string name;
  /// y = f(x); may store what the derivatives need in `saved`. Required.
  std::function<Vector(CustomInputs x, Saved& saved)> primal;
  /// dy = sum_k J_k dx_k, given the tangents dx (an empty view for a constant argument). Optional.
  std::function<Vector(CustomInputs x, ConstVectorView y, const Saved& saved, CustomInputs dx)> jvp{};
  /// x_bar_k += J_k^T y_bar for every non-empty x_bar_k. Optional.
  std::function<void(CustomInputs x, ConstVectorView y, const Saved& saved, ConstVectorView y_bar,
                     CustomCotangents x_bar)>
      vjp{};
  /// Second order, for hvp(): the VJP and its derivative along the arguments' tangents dx (empty for
  /// a constant), given dy = J dx and the output's cotangent y_bar with its tangent y_bar_dot:
  ///     x_bar_k += J_k^T y_bar,    x_bar_dot_k += J_k^T y_bar_dot + (D J_k[dx])^T y_bar
  /// for every non-empty x_bar_k (x_bar_dot_k is then non-empty too). One function for both so that
  /// they can share work (the adjoint of an implicit function solves once for y_bar and once for the
  /// derivative). Optional; the rule also needs a JVP or a VJP for dy.
  std::function<void(CustomInputs x, CustomInputs dx, ConstVectorView y, ConstVectorView dy, const Saved& saved,
                     ConstVectorView y_bar, ConstVectorView y_bar_dot, CustomCotangents x_bar,
                     CustomCotangents x_bar_dot)>
      vjp_second_order{};
};

namespace detail {

template <class T> std::span<const double> custom_value(const T& x) {
  if constexpr (Traits<T>::mode == Mode::plain) {
    return plain_data(x);
  } else {
    return cview(x.value);
  }
}
template <class T> std::span<const double> custom_tangent(const T& x) {
  if constexpr (Traits<T>::mode == Mode::plain) {
    return {};
  } else {
    return cview(x.tangent);
  }
}

[[noreturn]] void throw_custom(const std::string& rule, const std::string& what);

/// dy = J dx from the VJP: dy_i = sum_k <J_k^T e_i, dx_k>, one VJP per output entry.
template <class R>
Vector jvp_by_vjp(const CustomRule<R>& rule, CustomInputs x, ConstVectorView y, const R& res, CustomInputs dx) {
  Vector dy(y.size(), 0.0), e(y.size(), 0.0);
  std::vector<Vector> bars(x.size());
  std::vector<VectorView> bar_views(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    bars[k].assign(dx[k].empty() ? 0 : x[k].size(), 0.0);
    bar_views[k] = bars[k];
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    e[i] = 1.0;
    for (auto& b : bars) std::fill(b.begin(), b.end(), 0.0);
    rule.vjp(x, y, res, e, bar_views);
    for (std::size_t k = 0; k < x.size(); ++k)
      if (!dx[k].empty()) dy[i] += frechet::dot(bars[k], dx[k]);
    e[i] = 0.0;
  }
  return dy;
}

/// x_bar_k += J_k^T y_bar from the JVP: one JVP per input entry.
template <class R>
void vjp_by_jvp(const CustomRule<R>& rule, CustomInputs x, ConstVectorView y, const R& res, ConstVectorView ybar,
                CustomCotangents xbar) {
  std::vector<Vector> zeros(x.size());
  std::vector<ConstVectorView> dx(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    zeros[k].assign(x[k].size(), 0.0);
    dx[k] = ConstVectorView();
  }
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (xbar[k].empty()) continue;
    Vector e(x[k].size(), 0.0);
    dx[k] = e;
    for (std::size_t j = 0; j < e.size(); ++j) {
      e[j] = 1.0;
      const Vector col = rule.jvp(x, y, res, dx);
      check_size((rule.name + ": size of the JVP").c_str(), y.size(), col.size());
      xbar[k][j] += frechet::dot(col, ybar);
      e[j] = 0.0;
    }
    dx[k] = ConstVectorView();
  }
}

template <class R>
class CustomNode final : public Node<double> {
public:
  CustomNode(std::shared_ptr<const CustomRule<R>> rule, std::vector<Slot> in, const Slot& out, R saved)
      : rule_(std::move(rule)), in_(std::move(in)), out_(out), saved_(std::move(saved)) {}
  void pullback(Tape<double>& tape) override {
    std::vector<ConstVectorView> x(in_.size());
    std::vector<VectorView> xbar(in_.size());
    for (std::size_t k = 0; k < in_.size(); ++k) {
      x[k] = detail::TapeAccess::value_view(tape, in_[k]);
      xbar[k] = detail::TapeAccess::adjoint_view(tape, in_[k]);
    }
    const ConstVectorView y = detail::TapeAccess::value_view(tape, out_);
    const VectorView ybar = detail::TapeAccess::adjoint_view(tape, out_);
    if (rule_->vjp) {
      rule_->vjp(x, y, saved_, ybar, xbar);
    } else {
      vjp_by_jvp(*rule_, x, y, saved_, ybar, xbar);
    }
    fill_zero(ybar);
  }
  void push_forward(const Tape<double>& tape, VectorView tangents) const override {
    std::vector<ConstVectorView> x(in_.size());
    std::vector<ConstVectorView> dx(in_.size());
    for (std::size_t k = 0; k < in_.size(); ++k) {
      x[k] = detail::TapeAccess::value_view(tape, in_[k]);
      if (in_[k].index != no_index) dx[k] = tangents.subspan(in_[k].index, in_[k].size());
    }
    const ConstVectorView y = detail::TapeAccess::value_view(tape, out_);
    const Vector dy = rule_->jvp ? rule_->jvp(x, y, saved_, dx) : jvp_by_vjp(*rule_, x, y, saved_, dx);
    check_size((rule_->name + ": size of the JVP").c_str(), y.size(), dy.size());
    std::copy(dy.begin(), dy.end(), tangents.begin() + out_.index);
  }
  std::size_t bytes() const override {
    return sizeof(*this) - sizeof(R) + saved_bytes(saved_) + in_.capacity() * sizeof(Slot);
  }
  const char* name() const override { return rule_->name.c_str(); }

private:
  std::shared_ptr<const CustomRule<R>> rule_;
  std::vector<Slot> in_;
  Slot out_;
  R saved_;
};

/// The tape node of a rule with a second-order VJP, on a tape whose values carry tangents (hvp):
/// the values and tangents of the arguments and the output are the two parts of the tape's
/// Dual<double> values, and the pullback fills both parts of the arguments' adjoints.
template <class R>
class CustomSecondOrderNode final : public Node<Dual<double>> {
public:
  CustomSecondOrderNode(std::shared_ptr<const CustomRule<R>> rule, std::vector<Slot> in, const Slot& out, R saved)
      : rule_(std::move(rule)), in_(std::move(in)), out_(out), saved_(std::move(saved)) {}
  void pullback(Tape<Dual<double>>& tape) override {
    std::vector<ConstVectorView> x(in_.size()), dx(in_.size());
    std::vector<VectorView> xbar(in_.size()), xbar_dot(in_.size());
    for (std::size_t k = 0; k < in_.size(); ++k) {
      const DualCView<double> v = detail::TapeAccess::value_view(tape, in_[k]);
      x[k] = v.value;
      dx[k] = v.tangent;
      const DualView<double> a = detail::TapeAccess::adjoint_view(tape, in_[k]);
      xbar[k] = a.value;
      xbar_dot[k] = a.tangent;
    }
    const DualCView<double> y = detail::TapeAccess::value_view(tape, out_);
    const DualView<double> ybar = detail::TapeAccess::adjoint_view(tape, out_);
    rule_->vjp_second_order(x, dx, y.value, y.tangent, saved_, ybar.value, ybar.tangent, xbar, xbar_dot);
    fill_zero(ybar);
  }
  /// The transpose of a forward-over-reverse pass would be third order, which a custom rule does
  /// not describe; no transform runs it (PullbackTranspose sweeps first-order tapes only).
  void push_forward(const Tape<Dual<double>>&, DualView<double>) const override {
    throw_custom(rule_->name, "the forward sweep of a second-order tape (third order) is not available for custom rules");
  }
  std::size_t bytes() const override {
    return sizeof(*this) - sizeof(R) + saved_bytes(saved_) + in_.capacity() * sizeof(Slot);
  }
  const char* name() const override { return rule_->name.c_str(); }

private:
  std::shared_ptr<const CustomRule<R>> rule_;
  std::vector<Slot> in_;
  Slot out_;
  R saved_;
};

}  // namespace detail

/// Applies a custom rule to vector or matrix arguments (plain, Dual or tape variables at the first
/// order, and under hvp() tape variables of Dual<double> when the rule has vjp_second_order; mixed
/// with constants) and returns a vector of the arguments' mode. Keep the rule in a shared_ptr so
/// that tape nodes can refer to it after this call.
template <class R, class... A>
auto apply_custom(const std::shared_ptr<const CustomRule<R>>& rule, const A&... args) {
  static_assert(sizeof...(A) > 0, "a custom rule needs at least one argument");
  static_assert(detail::no_forward_with_tape<A...>(), "dual numbers and tape variables cannot be mixed");
  constexpr detail::Mode mode = detail::common_mode<A...>();
  using S = typename detail::CommonLevel<A...>::type;
  if (!rule || !rule->primal) throw ArgumentError("apply_custom: the rule has no primal function");
  const std::string& name = rule->name;

  if constexpr (mode == detail::Mode::plain) {
    const std::array<ConstVectorView, sizeof...(A)> x{detail::plain_data(args)...};
    R saved{};
    return rule->primal(x, saved);
  } else if constexpr (mode == detail::Mode::tape && std::is_same_v<S, Dual<double>>) {
    if (!rule->vjp_second_order)
      detail::throw_custom(name, "the rule is first-order (it has no vjp_second_order), so hvp cannot pass through it");
    if (!rule->jvp && !rule->vjp) detail::throw_custom(name, "the rule has neither a JVP nor a VJP");
    Tape<S>* tape = nullptr;
    ((tape = tape != nullptr ? tape : detail::tape_of<S>(args)), ...);
    if (tape == nullptr) detail::throw_custom(name, "no argument is a variable of a tape");
    std::vector<detail::Slot> slots{detail::tape_slot(*tape, args, name.c_str())...};
    std::array<ConstVectorView, sizeof...(A)> x, dx;
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const detail::DualCView<double> v = detail::TapeAccess::value_view(*tape, slots[k]);
      x[k] = v.value;
      dx[k] = v.tangent;
    }
    R saved{};
    const Vector y = rule->primal(x, saved);
    const Vector dy = rule->jvp ? rule->jvp(x, y, saved, dx) : detail::jvp_by_vjp(*rule, x, y, saved, dx);
    check_size((name + ": size of the JVP").c_str(), y.size(), dy.size());
    const detail::Slot out = detail::TapeAccess::allocate(*tape, y.size(), 1, name.c_str());
    const detail::DualView<double> out_view = detail::TapeAccess::value_view_mutable(*tape, out);
    detail::copy(ConstVectorView(y), out_view.value);
    detail::copy(ConstVectorView(dy), out_view.tangent);
    detail::TapeAccess::push_node(*tape, std::make_unique<detail::CustomSecondOrderNode<R>>(rule, std::move(slots), out, std::move(saved)));
    return detail::TapeAccess::vector(tape, out);
  } else if constexpr (!std::is_same_v<S, double>) {
    detail::throw_custom(name, "custom rules are at most second order through hvp(); forward over forward needs a built-in rule");
    if constexpr (mode == detail::Mode::forward) {
      return DualVector<S>();
    } else {
      return TapeVector<S>();
    }
  } else if constexpr (mode == detail::Mode::forward) {
    const std::array<ConstVectorView, sizeof...(A)> x{detail::custom_value(args)...};
    const std::array<ConstVectorView, sizeof...(A)> dx{detail::custom_tangent(args)...};
    R saved{};
    Vector y = rule->primal(x, saved);
    Vector dy;
    if (rule->jvp) {
      dy = rule->jvp(x, y, saved, dx);
    } else if (rule->vjp) {
      dy = detail::jvp_by_vjp(*rule, x, y, saved, dx);
    } else {
      detail::throw_custom(name, "the rule has neither a JVP nor a VJP");
    }
    check_size((name + ": size of the JVP").c_str(), y.size(), dy.size());
    return DualVector<double>(std::move(y), std::move(dy));
  } else {
    if (!rule->jvp && !rule->vjp) detail::throw_custom(name, "the rule has neither a JVP nor a VJP");
    Tape<double>* tape = nullptr;
    ((tape = tape != nullptr ? tape : detail::tape_of<double>(args)), ...);
    if (tape == nullptr) detail::throw_custom(name, "no argument is a variable of a tape");
    std::vector<detail::Slot> slots{detail::tape_slot(*tape, args, name.c_str())...};
    std::array<ConstVectorView, sizeof...(A)> x;
    for (std::size_t k = 0; k < slots.size(); ++k) x[k] = detail::TapeAccess::value_view(*tape, slots[k]);
    R saved{};
    const Vector y = rule->primal(x, saved);
    const detail::Slot out = detail::TapeAccess::allocate(*tape, y.size(), 1, name.c_str());
    detail::copy(ConstVectorView(y), detail::TapeAccess::value_view_mutable(*tape, out));
    detail::TapeAccess::push_node(*tape, std::make_unique<detail::CustomNode<R>>(rule, std::move(slots), out, std::move(saved)));
    return detail::TapeAccess::vector(tape, out);
  }
}

/// The same for a rule held through a pointer to non-const (`std::make_shared<CustomRule<...>>()`, as
/// a rule is built); the rule is not modified.
template <class R, class... A>
auto apply_custom(const std::shared_ptr<CustomRule<R>>& rule, const A&... args) {
  return apply_custom(std::shared_ptr<const CustomRule<R>>(rule), args...);
}

/// A scalar function with a user derivative: f on doubles, df generic (a generic lambda gives
/// second derivatives under hvp; a double-only df limits it to first order).
template <class F, class Df>
struct ScalarFunction {
  F f;
  Df df;
  double operator()(double x) const { return f(x); }
  template <class T> Dual<T> operator()(const Dual<T>& x) const {
    return Dual<T>((*this)(x.value()), df(x.value()) * x.tangent());
  }
  template <TapeExpression E> auto operator()(const E& x) const {
    using S = detail::ExprScalar<E>;
    S value = S((*this)(x.value()));
    return detail::unary<S>(x, std::move(value), S(df(x.value())));
  }
};

/// Wraps f and its derivative df into a function that works on double, Dual and TapeScalar.
template <class F, class Df> ScalarFunction<F, Df> scalar_function(F f, Df df) { return {std::move(f), std::move(df)}; }

}  // namespace frechet
