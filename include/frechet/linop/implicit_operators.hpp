#pragma once
/// \file
/// Operators defined by a differentiable function and never formed: the Jacobian (products by JVP and
/// VJP), the Hessian (products by forward-over-reverse) and the Gauss-Newton matrix J^T H_z J. The
/// function is written once, as for the transforms of the AD layer (`frechet/ad/transforms.hpp`): a
/// generic lambda over the library's vector and scalar types.
///
/// Lifetime: an operator keeps a copy of the function object, and calls it at every product, long
/// after the builder returned. A lambda that captures a local by reference (`[&]`) therefore dangles
/// once that local is gone: capture data by value (`[data]`, or `[data = std::move(data)]`), or
/// through a std::shared_ptr, whenever the operator may outlive the scope that built it.
///
/// Products record the function afresh on tapes the operator keeps (JVPs, HVPs) or replay a tape
/// recorded once at construction (VJPs), so the tapes' memory is reused from one product to the
/// next; for the same reason these operators are not safe for concurrent products from several
/// threads.

#include <type_traits>
#include <utility>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {
namespace detail {

/// Writes f's result, a scalar or a vector, into y.
template <class Y> void write_output(const Y& value, VectorView y) {
  if constexpr (std::is_arithmetic_v<Y>) {
    y[0] = static_cast<double>(value);
  } else {
    frechet::copy(value, y);
  }
}

/// The number of entries of f's result.
template <class Y> std::size_t output_size(const Y& value) {
  if constexpr (std::is_arithmetic_v<Y>) {
    return 1;
  } else {
    return value.size();
  }
}

/// J v by one JVP of f at x, whose dual input (x moving along v) the operator keeps: a product
/// copies v into its tangent instead of building a new DualVector from x and v.
template <class F>
class ForwardProduct {
public:
  ForwardProduct(F f, const Vector& x) : f_(std::move(f)), input_(x, Vector(x.size(), 0.0)) {}
  void operator()(ConstVectorView v, VectorView y) {
    std::copy(v.begin(), v.end(), input_.tangent.begin());
    const auto out = forward_output<double>(f_(std::as_const(input_)));
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(out)>, Dual<double>>) {
      y[0] = out.tangent();
    } else {
      frechet::copy(out.tangent, y);
    }
  }
  const F& function() const { return f_; }

private:
  F f_;
  DualVector<double> input_;
};

template <class F, class Pullback>
class JacobianOperator final : public LinearOperator {
public:
  JacobianOperator(F f, const Vector& x, std::size_t outputs, Pullback pullback)
      : LinearOperator(outputs, x.size()), forward_(std::move(f), x), pullback_(std::move(pullback)) {}

private:
  void apply_impl(ConstVectorView v, VectorView y) const override { forward_(v, y); }
  void apply_adjoint_impl(ConstVectorView u, VectorView y) const override { frechet::copy(pullback_(u), y); }

  mutable ForwardProduct<F> forward_;
  Pullback pullback_;
};

template <class F>
class HessianOperator final : public LinearOperator {
public:
  HessianOperator(F f, Vector x)
      : LinearOperator(x.size(), x.size(), {.symmetric = true}), f_(std::move(f)), x_(std::move(x)) {}

private:
  // One tape for every product, with x and v read in place. The adjoint is handed out into a
  // vector of this product: kept in a member, the tape would exchange its whole adjoint array with
  // it (Tape::take_adjoint), and the operator would hold two arrays of the tape's length between
  // products instead of one (12 more vectors of n on the 10^6-variable benchmark).
  void apply_impl(ConstVectorView v, VectorView y) const override {
    DualVector<double> adjoint;
    record_hvp(tape_, f_, x_, v, adjoint);
    frechet::copy(adjoint.tangent, y);
  }
  void apply_adjoint_impl(ConstVectorView v, VectorView y) const override { apply_impl(v, y); }

  mutable F f_;
  Vector x_;
  mutable Tape<Dual<double>> tape_;
};

template <class F, class Loss, class Pullback>
class GaussNewtonOperator final : public LinearOperator {
public:
  GaussNewtonOperator(F f, Loss loss, const Vector& w, Vector z, Pullback pullback)
      : LinearOperator(w.size(), w.size(), {.symmetric = true, .positive_semidefinite = true}),
        forward_(std::move(f), w),
        loss_(std::move(loss)),
        z_(std::move(z)),
        pullback_(std::move(pullback)),
        jv_(z_.size()) {}

private:
  // G v = J^T (H_z (J v)): a JVP of f, an HVP of the loss at z = f(w) on the operator's tape, a VJP
  // of f on the tape recorded at construction.
  void apply_impl(ConstVectorView v, VectorView y) const override {
    forward_(v, jv_);
    DualVector<double> adjoint;  // per product, as in HessianOperator
    record_hvp(tape_, loss_, z_, jv_, adjoint);
    frechet::copy(pullback_(ConstVectorView(adjoint.tangent)), y);
  }
  void apply_adjoint_impl(ConstVectorView v, VectorView y) const override { apply_impl(v, y); }

  mutable ForwardProduct<F> forward_;
  mutable Loss loss_;
  Vector z_;
  Pullback pullback_;
  mutable Vector jv_;
  mutable Tape<Dual<double>> tape_;
};

}  // namespace detail

/// The Jacobian J = df/dx of f: R^n -> R^m at x as an m x n operator: J v by one JVP (forward mode),
/// J^T u by one VJP on a tape recorded once, here. A scalar f gives the 1 x n operator grad f^T.
/// f is kept by value and called at every product (see the file comment on captures).
template <class F>
OperatorPtr jacobian_operator(F f, Vector x) {
  auto [value, pullback] = vjp(f, x);
  const std::size_t outputs = detail::output_size(value);
  return std::make_shared<detail::JacobianOperator<F, decltype(pullback)>>(std::move(f), x, outputs,
                                                                           std::move(pullback));
}

/// The Hessian of scalar f at x as an n x n symmetric operator: H v by forward-over-reverse (one
/// recording of f on values that carry the tangent v, one reverse pass), about a few times the cost
/// of f and O(n) memory per product, never the n x n matrix. f is kept by value (see the file
/// comment on captures).
template <class F>
OperatorPtr hessian_operator(F f, Vector x) {
  return std::make_shared<detail::HessianOperator<F>>(std::move(f), std::move(x));
}

/// The Gauss-Newton matrix G = J^T H_z J of loss(f(w)) at w, with J = df/dw and H_z the Hessian of
/// the scalar loss at z = f(w). Symmetric, and positive semidefinite whenever the loss is convex in
/// z (least squares, cross-entropy), which the operator declares. f and loss are kept by value (see
/// the file comment on captures).
template <class F, class Loss>
OperatorPtr gauss_newton_operator(F f, Loss loss, Vector w) {
  auto [value, pullback] = vjp(f, w);
  Vector z(detail::output_size(value));
  detail::write_output(value, z);
  return std::make_shared<detail::GaussNewtonOperator<F, Loss, decltype(pullback)>>(
      std::move(f), std::move(loss), w, std::move(z), std::move(pullback));
}

}  // namespace frechet
